// Password-setup links: one mechanism for invitations (a user created without
// a password) and resets (API.md "Account lifecycle").
//
// The token is 256 random bits; only its sha256 is stored (a database leak
// hands out no working link). One row per user: a newer link overwrites the
// hash, so the older token matches nothing. Using a link is one conditional
// UPDATE … RETURNING, so of parallel uses exactly one sets the password. The
// token travels in the URL's fragment, which browsers never send: it cannot
// land in a server's or a proxy's access log.

import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AuditLog } from '../audit/audit.js';
import type { LimitRule } from '../core/limit-rule.js';
import type { Clock, Random } from '../core/clock.js';
import type { Database, DbExecutor } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { passwordSetupTokens, users } from '../db/schema.js';
import { AppError, tooManyRequests, validationError } from '../errors.js';
import { type Limits } from '../limits/limits.js';
import { limitKeys } from '../limits/limit-keys.js';
import { checkPasswordPolicy } from '../users/password-policy.js';
import { findUserById } from '../users/users-repository.js';
import { addSeconds, randomSecret, sha256Hex } from './crypto.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionStore } from './sessions.js';

export interface PasswordSetupLink {
  token: string;
  url: string;
  expiresAt: Date;
}

export interface PasswordSetupDeps {
  db: Database;
  clock: Clock;
  random: Random;
  passwords: PasswordHasher;
  limits: Pick<Limits, 'consume' | 'resetFailures'>;
  sessions: Pick<SessionStore, 'revokeAllOfUser'>;
  audit: AuditLog;
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  ttlSeconds: number;
  loginPerIp: LimitRule[];
}

export interface SetupActor {
  /** The admin who issued it; null from the CLI. */
  actorId: string | null;
  ip: string | null;
}

export interface PasswordSetup {
  /**
   * A new link for the user, replacing any earlier one. `executor`: the
   * transaction that creates the user, so an invitation exists with its user or not at all.
   */
  issue(userId: string, actor: SetupActor, executor?: DbExecutor): Promise<PasswordSetupLink>;
  complete(input: { token: string; password: string; ip: string }): Promise<{ status: 'PASSWORD_SET'; email: string }>;
}

/** Tokens are base64url of 32 bytes: anything else is refused before a query. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createPasswordSetup(deps: PasswordSetupDeps): PasswordSetup {
  const { db, clock, random, passwords, limits, sessions, audit } = deps;

  async function findUsableLink(tokenHash: string) {
    const [link] = await db
      .select({ userId: passwordSetupTokens.userId })
      .from(passwordSetupTokens)
      .where(and(eq(passwordSetupTokens.tokenHash, tokenHash), isNull(passwordSetupTokens.usedAt), gt(passwordSetupTokens.expiresAt, clock.now())));
    return link;
  }

  return {
    async issue(userId, actor, executor = db) {
      const user = isUuid(userId) ? await findUserById(executor, userId) : undefined;
      if (!user) throw new AppError('NOT_FOUND', { detail: 'There is no such user.' });
      const token = randomSecret(random);
      const now = clock.now();
      const expiresAt = addSeconds(now, deps.ttlSeconds);
      const row = { userId: user.id, tokenHash: sha256Hex(token), createdAt: now, expiresAt, usedAt: null };
      await executor
        .insert(passwordSetupTokens)
        .values(row)
        .onConflictDoUpdate({ target: passwordSetupTokens.userId, set: { tokenHash: row.tokenHash, createdAt: now, expiresAt, usedAt: null } });
      const purpose = user.passwordHash === null ? 'invitation' : 'reset';
      await audit.record(
        { type: 'PASSWORD_SETUP_ISSUED', userId: user.id, actorId: actor.actorId, ip: actor.ip, detail: { purpose, expiresAt: expiresAt.toISOString() } },
        executor,
      );
      return { token, url: `${deps.publicUrl}/app/set-password#token=${token}`, expiresAt };
    },

    async complete({ token, password, ip }) {
      const ipDecision = await limits.consume(limitKeys.loginPerIp(ip), deps.loginPerIp);
      if (!ipDecision.allowed) {
        throw tooManyRequests('LOGIN_RATE_LIMITED', 'Too many sign-in attempts from this network.', ipDecision.retryAfterSeconds);
      }
      if (!TOKEN_SHAPE.test(token)) throw new AppError('INVALID_SETUP_TOKEN');
      const tokenHash = sha256Hex(token);
      // Read before the policy check, so a bad link says so first; spent only after, so a refused password leaves it good.
      if (!(await findUsableLink(tokenHash))) throw new AppError('INVALID_SETUP_TOKEN');
      const policyProblem = checkPasswordPolicy(password);
      if (policyProblem) throw validationError('/password', policyProblem);

      const passwordHash = await passwords.hash(password);
      const user = await db.transaction(async (tx) => {
        const now = clock.now();
        const [claimed] = await tx
          .update(passwordSetupTokens)
          .set({ usedAt: now })
          .where(and(eq(passwordSetupTokens.tokenHash, tokenHash), isNull(passwordSetupTokens.usedAt), gt(passwordSetupTokens.expiresAt, now)))
          .returning({ userId: passwordSetupTokens.userId });
        if (!claimed) return undefined;
        const [updated] = await tx
          .update(users)
          .set({ passwordHash, updatedAt: now })
          .where(eq(users.id, claimed.userId))
          .returning({ id: users.id, email: users.email });
        // Whoever held a session may have known the old password: a reset ends them all.
        const ended = await sessions.revokeAllOfUser(claimed.userId, 'password-set', tx);
        await audit.record({ type: 'PASSWORD_CHANGED', userId: claimed.userId, actorId: claimed.userId, ip, detail: { via: 'setup', sessionsEnded: ended } }, tx);
        return updated;
      });
      if (!user) throw new AppError('INVALID_SETUP_TOKEN');
      // The owner of the email has just proved it: wrong guesses by others no longer lock them out.
      await limits.resetFailures(limitKeys.passwordLockout(user.email));
      return { status: 'PASSWORD_SET', email: user.email };
    },
  };
}
