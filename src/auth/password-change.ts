// A signed-in user changes their password (API.md POST /api/auth/password).
//
// The threat: a stolen access token must not become a password oracle, nor a
// way to take the account over. So the current password is required, and a
// wrong one counts toward the same LOCKOUT_PASSWORD key as the login's (the
// email's), under the same rule; while that lock holds nothing is judged.
// On success every other session ends (whoever held them no longer knows the
// password); the one that asked stays.

import { eq } from 'drizzle-orm';
import type { AuditLog } from '../audit/audit.js';
import type { LimitRule } from '../core/limit-rule.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/connect.js';
import { users } from '../db/schema.js';
import { AppError, tooManyRequests, validationError } from '../errors.js';
import { limitKeys, type Limits } from '../limits/limits.js';
import { checkPasswordPolicy } from '../users/password-policy.js';
import { findUserById } from '../users/users-repository.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionStore } from './sessions.js';

export interface PasswordChangeDeps {
  db: Database;
  clock: Clock;
  passwords: PasswordHasher;
  limits: Pick<Limits, 'lockoutState' | 'recordFailure' | 'resetFailures'>;
  sessions: Pick<SessionStore, 'revokeAllOfUser'>;
  audit: AuditLog;
  lockoutPassword: LimitRule;
}

export interface PasswordChangeInput {
  userId: string;
  /** The session that asks: it stays signed in. */
  sessionId: string;
  currentPassword: string;
  newPassword: string;
  ip: string;
}

export interface PasswordChange {
  changePassword(input: PasswordChangeInput): Promise<void>;
}

export const lockedByPasswords = (retryAfterSeconds: number) =>
  tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong passwords.', retryAfterSeconds);

export function createPasswordChange(deps: PasswordChangeDeps): PasswordChange {
  const { db, clock, passwords, limits, sessions, audit } = deps;
  return {
    async changePassword({ userId, sessionId, currentPassword, newPassword, ip }) {
      // The policy first: it needs no secret, so refusing here tells nothing about the current password.
      const policyProblem = checkPasswordPolicy(newPassword);
      if (policyProblem) throw validationError('/newPassword', policyProblem);

      const user = await findUserById(db, userId);
      if (!user) throw new AppError('INVALID_TOKEN');
      const lockKey = limitKeys.passwordLockout(user.email);
      const lock = await limits.lockoutState(lockKey);
      if (lock.locked) throw lockedByPasswords(lock.retryAfterSeconds);

      const currentMatches = user.passwordHash
        ? await passwords.verify(user.passwordHash, currentPassword)
        : await passwords.verifyDummy(currentPassword);
      if (!currentMatches) {
        const failure = await limits.recordFailure(lockKey, deps.lockoutPassword);
        if (failure.lockedNow) {
          await audit.record({ type: 'ACCOUNT_LOCKED', userId, actorId: userId, ip, detail: { email: user.email, by: 'password-change' } });
        }
        throw new AppError('CURRENT_PASSWORD_INVALID');
      }
      await limits.resetFailures(lockKey);
      if (newPassword === currentPassword) throw validationError('/newPassword', 'Choose a password different from the current one.');

      const passwordHash = await passwords.hash(newPassword);
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash, updatedAt: clock.now() }).where(eq(users.id, userId));
        const ended = await sessions.revokeAllOfUser(userId, 'password-changed', tx, sessionId);
        await audit.record({ type: 'PASSWORD_CHANGED', userId, actorId: userId, ip, detail: { via: 'change', sessionsEnded: ended } }, tx);
      });
    },
  };
}
