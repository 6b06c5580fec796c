// Sessions and rotating refresh tokens. A refresh token is `sessionId.secret`;
// only sha256(secret) is stored. Each use spends it and issues the next; a
// spent one presented again means two parties hold it (RFC 9700 §4.14), so
// the whole session is revoked.

import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database, DbExecutor } from '../db/connect.js';
import { refreshTokens, sessions, users } from '../db/schema.js';
import type { Clock, Random } from '../core/clock.js';
import { addSeconds, randomSecret, sha256Hex, splitOpaqueToken } from './crypto.js';

export interface IssuedRefreshToken {
  sessionId: string;
  userId: string;
  refreshToken: string;
  refreshExpiresInSeconds: number;
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

export interface SessionStore {
  /** `executor`: a transaction the session must commit with (see session-tokens.ts startSession). */
  create(userId: string, executor?: DbExecutor): Promise<IssuedRefreshToken>;
  /** Spends `refreshToken` and issues the next one; a reused token revokes its session. */
  rotate(refreshToken: string): Promise<RotationResult>;
  /** The session (with its user's state) if it is neither revoked nor past its absolute end. */
  findLive(sessionId: string): Promise<LiveSessionPrincipal | undefined>;
  revoke(sessionId: string, reason: string): Promise<boolean>;
  /** `executor`: the transaction that changes the user (user-admin.ts), so no sign-in slips between. */
  revokeAllOfUser(userId: string, reason: string, executor?: DbExecutor): Promise<number>;
}

export type RotationResult =
  | { outcome: 'rotated'; issued: IssuedRefreshToken }
  | { outcome: 'invalid' }
  /** A spent token of a live session: that session has just been revoked. */
  | { outcome: 'reused'; session: LiveSession };

export function createSessionStore(options: {
  db: Database;
  clock: Clock;
  random: Random;
  idleTtlSeconds: number;
  maxTtlSeconds: number;
}): SessionStore {
  const { db, clock, random } = options;

  async function issueToken(sessionId: string, userId: string, maxExpiresAt: Date, executor: DbExecutor = db): Promise<IssuedRefreshToken> {
    const now = clock.now();
    const idleEnd = addSeconds(now, options.idleTtlSeconds);
    const expiresAt = idleEnd < maxExpiresAt ? idleEnd : maxExpiresAt;
    const secret = randomSecret(random);
    await executor.insert(refreshTokens).values({ tokenHash: sha256Hex(secret), sessionId, expiresAt, createdAt: now });
    return {
      sessionId,
      userId,
      refreshToken: `${sessionId}.${secret}`,
      refreshExpiresInSeconds: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
    };
  }

  const isLive = (row: { revokedAt: Date | null; maxExpiresAt: Date }) =>
    row.revokedAt === null && row.maxExpiresAt.getTime() > clock.now().getTime();

  const store: SessionStore = {
    async create(userId, executor = db) {
      const now = clock.now();
      const maxExpiresAt = addSeconds(now, options.maxTtlSeconds);
      const [session] = await executor
        .insert(sessions)
        .values({ userId, createdAt: now, lastUsedAt: now, maxExpiresAt })
        .returning({ id: sessions.id });
      return issueToken(session!.id, userId, maxExpiresAt, executor);
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
      return { outcome: 'rotated', issued: await issueToken(session.id, session.userId, session.maxExpiresAt) };
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

    async revokeAllOfUser(userId, reason, executor = db) {
      const revoked = await executor
        .update(sessions)
        .set({ revokedAt: clock.now(), revokedReason: reason })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return revoked.length;
    },
  };
  return store;
}
