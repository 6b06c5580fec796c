// Sessions and rotating refresh tokens. A refresh token is `sessionId.secret`;
// only sha256(secret) is stored. Each use spends it and issues the next; a
// spent one presented again means two parties hold it (RFC 9700 §4.14), so
// the whole session is revoked.

import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Database, DbExecutor } from '../db/connect.js';
import { refreshTokens, sessions, users } from '../db/schema.js';
import { textArray } from '../db/text-array.js';
import { preparedSql } from '../db/prepared.js';
import type { Clock, Random } from '../core/clock.js';
import { addSeconds, randomSecret, sha256Hex, splitOpaqueToken } from './crypto.js';

export interface IssuedRefreshToken {
  sessionId: string;
  userId: string;
  refreshToken: string;
  refreshExpiresInSeconds: number;
  /** RFC 8176 methods of the session's sign-in, for every access token of the session. */
  amr: string[];
}

export interface LiveSession {
  sessionId: string;
  userId: string;
}

/** A live session with what every authenticated request needs of its user, read in one query. */
export interface LiveSessionPrincipal extends LiveSession {
  userDisabled: boolean;
  lenderId: string | null;
  /** The absolute end: a cached session stops being live then (session-cache.ts). */
  maxExpiresAt: Date;
}

/** Where and how a sign-in was completed, kept on its session for the session list. */
export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
  /** RFC 8176 methods, e.g. `['pwd', 'sms']`. */
  amr: string[];
}

/** A live session as its owner (or an admin) sees it in the session list. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** When its newest refresh token dies unused (idle end, capped by the absolute end). */
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

export interface SessionStore {
  /** `executor`: a transaction the session must commit with (see session-tokens.ts startSession). */
  create(userId: string, executor?: DbExecutor, origin?: SessionOrigin): Promise<IssuedRefreshToken>;
  /** Spends `refreshToken` and issues the next one; a reused token revokes its session. */
  rotate(refreshToken: string): Promise<RotationResult>;
  /** The session (with its user's state) if it is neither revoked nor past its absolute end. */
  findLive(sessionId: string): Promise<LiveSessionPrincipal | undefined>;
  revoke(sessionId: string, reason: string): Promise<boolean>;
  /** Revokes the session only if it is a live one of `userId`: false for another user's or an unknown id. */
  revokeOfUser(userId: string, sessionId: string, reason: string): Promise<boolean>;
  /**
   * `executor`: the transaction that changes the user (user-admin.ts), so no sign-in slips between.
   * `exceptSessionId`: a password change keeps the session that asked for it.
   */
  revokeAllOfUser(userId: string, reason: string, executor?: DbExecutor, exceptSessionId?: string): Promise<number>;
  /** The user's live sessions, newest first. */
  listLive(userId: string): Promise<SessionSummary[]>;
}

export type RotationResult =
  | { outcome: 'rotated'; issued: IssuedRefreshToken }
  | { outcome: 'invalid' }
  /** A spent token of a live session: that session has just been revoked. */
  | { outcome: 'reused'; session: LiveSession };

const placeholder = sql.placeholder;

/** A sign-in's session and its first refresh token, in one statement (the sign-in's budget of statements, issue #13); prepared (src/db/prepared.ts). */
const createSessionStatement = preparedSql<
  { userId: string; now: string; maxExpiresAt: string; expiresAt: string; ip: string | null; userAgent: string | null; amr: string[]; tokenHash: string },
  { session_id: string }
>(
  'session_create',
  sql`
    with session as (
      insert into sessions (user_id, created_at, last_used_at, max_expires_at, ip, user_agent, amr)
      values (${placeholder('userId')}::uuid, ${placeholder('now')}::timestamptz, ${placeholder('now')}::timestamptz, ${placeholder('maxExpiresAt')}::timestamptz,
              ${placeholder('ip')}::text, ${placeholder('userAgent')}::text, ${placeholder('amr')}::text[])
      returning id
    )
    insert into refresh_tokens (token_hash, session_id, expires_at, created_at)
    select ${placeholder('tokenHash')}::text, id, ${placeholder('expiresAt')}::timestamptz, ${placeholder('now')}::timestamptz from session
    returning session_id`,
);

/** Whole seconds from `from` to `to`, never negative. */
const secondsBetween = (from: Date, to: Date) => Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));

export function createSessionStore(options: {
  db: Database;
  clock: Clock;
  random: Random;
  idleTtlSeconds: number;
  maxTtlSeconds: number;
}): SessionStore {
  const { db, clock, random } = options;

  /** A refresh token is unused past SESSION_IDLE_TTL from now, and never past the session's absolute end. */
  function refreshTokenEnd(now: Date, maxExpiresAt: Date): Date {
    const idleEnd = addSeconds(now, options.idleTtlSeconds);
    return idleEnd < maxExpiresAt ? idleEnd : maxExpiresAt;
  }

  async function issueToken(sessionId: string, userId: string, maxExpiresAt: Date, amr: string[], executor: DbExecutor = db): Promise<IssuedRefreshToken> {
    const now = clock.now();
    const expiresAt = refreshTokenEnd(now, maxExpiresAt);
    const secret = randomSecret(random);
    await executor.insert(refreshTokens).values({ tokenHash: sha256Hex(secret), sessionId, expiresAt, createdAt: now });
    return {
      sessionId,
      userId,
      refreshToken: `${sessionId}.${secret}`,
      refreshExpiresInSeconds: secondsBetween(now, expiresAt),
      amr,
    };
  }

  const isLive = (row: { revokedAt: Date | null; maxExpiresAt: Date }) =>
    row.revokedAt === null && row.maxExpiresAt.getTime() > clock.now().getTime();

  const store: SessionStore = {
    async create(userId, executor = db, origin) {
      const now = clock.now();
      const maxExpiresAt = addSeconds(now, options.maxTtlSeconds);
      const expiresAt = refreshTokenEnd(now, maxExpiresAt);
      const amr = origin?.amr ?? [];
      const secret = randomSecret(random);
      const [created] = await createSessionStatement(executor, {
        userId,
        now: now.toISOString(),
        maxExpiresAt: maxExpiresAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
        ip: origin?.ip ?? null,
        userAgent: origin?.userAgent ?? null,
        amr,
        tokenHash: sha256Hex(secret),
      });
      const sessionId = created!.session_id;
      return { sessionId, userId, refreshToken: `${sessionId}.${secret}`, refreshExpiresInSeconds: secondsBetween(now, expiresAt), amr };
    },

    async rotate(refreshToken) {
      const parts = splitOpaqueToken(refreshToken);
      if (!parts) return { outcome: 'invalid' };
      const now = clock.now();
      const tokenHash = sha256Hex(parts.secret);
      // The session is read BEFORE the claim: a parallel loser can only revoke
      // it after the winner's claim, so reading it afterwards could turn the
      // winner away too, and "one 200, then the session ends" into none.
      const [session] = await db.select().from(sessions).where(eq(sessions.id, parts.id));
      if (!session) return { outcome: 'invalid' };
      // Claiming the token is one conditional UPDATE: of parallel uses, exactly one wins.
      const [claimed] = await db
        .update(refreshTokens)
        .set({ spentAt: now })
        .where(
          and(
            eq(refreshTokens.tokenHash, tokenHash),
            eq(refreshTokens.sessionId, parts.id),
            isNull(refreshTokens.spentAt),
            gt(refreshTokens.expiresAt, now),
          ),
        )
        .returning({ sessionId: refreshTokens.sessionId });

      if (!claimed) {
        const [known] = await db
          .select({ spentAt: refreshTokens.spentAt })
          .from(refreshTokens)
          .where(and(eq(refreshTokens.tokenHash, tokenHash), eq(refreshTokens.sessionId, parts.id)));
        if (known?.spentAt && isLive(session)) {
          await store.revoke(session.id, 'refresh-token-reused');
          return { outcome: 'reused', session: { sessionId: session.id, userId: session.userId } };
        }
        return { outcome: 'invalid' };
      }
      if (!isLive(session)) return { outcome: 'invalid' };
      await db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, session.id));
      return { outcome: 'rotated', issued: await issueToken(session.id, session.userId, session.maxExpiresAt, textArray(session.amr)) };
    },

    async findLive(sessionId) {
      // Runs on every authenticated request: one indexed join, no more.
      const [session] = await db
        .select({
          id: sessions.id,
          userId: sessions.userId,
          revokedAt: sessions.revokedAt,
          maxExpiresAt: sessions.maxExpiresAt,
          userDisabled: users.disabled,
          lenderId: users.lenderId,
        })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, sessionId));
      return session && isLive(session)
        ? { sessionId: session.id, userId: session.userId, userDisabled: session.userDisabled, lenderId: session.lenderId, maxExpiresAt: session.maxExpiresAt }
        : undefined;
    },

    async revoke(sessionId, reason) {
      const revoked = await db
        .update(sessions)
        .set({ revokedAt: clock.now(), revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return revoked.length > 0;
    },

    async revokeOfUser(userId, sessionId, reason) {
      const now = clock.now();
      const ofUser = and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.maxExpiresAt, now));
      // Read first: a refused request (another user's or an unknown id) must write nothing, not even an UPDATE of no row.
      const [found] = await db.select({ id: sessions.id }).from(sessions).where(ofUser);
      if (!found) return false;
      const revoked = await db.update(sessions).set({ revokedAt: now, revokedReason: reason }).where(ofUser).returning({ id: sessions.id });
      return revoked.length > 0;
    },

    async revokeAllOfUser(userId, reason, executor = db, exceptSessionId) {
      const revoked = await executor
        .update(sessions)
        .set({ revokedAt: clock.now(), revokedReason: reason })
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            exceptSessionId === undefined ? undefined : ne(sessions.id, exceptSessionId),
          ),
        )
        .returning({ id: sessions.id });
      return revoked.length;
    },

    async listLive(userId) {
      const now = clock.now();
      // A session whose last refresh token has died unused is over too, though nothing revoked it.
      const refreshEnd = sql<Date | string | null>`(select max(${refreshTokens.expiresAt}) from ${refreshTokens}
        where ${refreshTokens.sessionId} = ${sessions.id} and ${refreshTokens.spentAt} is null)`;
      const rows = await db
        .select({
          id: sessions.id,
          createdAt: sessions.createdAt,
          lastUsedAt: sessions.lastUsedAt,
          refreshEnd,
          ip: sessions.ip,
          userAgent: sessions.userAgent,
          amr: sessions.amr,
        })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.maxExpiresAt, now)))
        .orderBy(desc(sessions.createdAt), desc(sessions.id));
      return rows
        .map((row) => ({ ...row, expiresAt: row.refreshEnd === null ? null : new Date(row.refreshEnd) }))
        .filter((row): row is typeof row & { expiresAt: Date } => row.expiresAt !== null && row.expiresAt.getTime() > now.getTime())
        .map((row) => ({
          id: row.id,
          createdAt: row.createdAt,
          // Equal to createdAt until a refresh: the API says so with null.
          lastUsedAt: row.lastUsedAt.getTime() === row.createdAt.getTime() ? null : row.lastUsedAt,
          expiresAt: row.expiresAt,
          ip: row.ip,
          userAgent: row.userAgent,
          amr: textArray(row.amr as string[] | string),
        }));
    },
  };
  return store;
}
