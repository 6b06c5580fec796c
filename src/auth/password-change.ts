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
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/connect.js';
import { users } from '../db/schema.js';
import { AppError, validationError } from '../errors.js';
import { checkPasswordPolicy } from '../users/password-policy.js';
import { findUserById } from '../users/users-repository.js';
import type { ConfirmPassword } from './password-confirmation.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionStore } from './sessions.js';

export interface PasswordChangeDeps {
  db: Database;
  clock: Clock;
  passwords: PasswordHasher;
  /** The current password, judged and counted exactly as a login's (password-confirmation.ts). */
  confirmPassword: ConfirmPassword;
  sessions: Pick<SessionStore, 'revokeAllOfUser'>;
  audit: AuditLog;
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

export function createPasswordChange({ db, clock, passwords, confirmPassword, sessions, audit }: PasswordChangeDeps): PasswordChange {
  return {
    async changePassword({ userId, sessionId, currentPassword, newPassword, ip }) {
      // The policy first: it needs no secret, so refusing here tells nothing about the current password.
      const policyProblem = checkPasswordPolicy(newPassword);
      if (policyProblem) throw validationError('/newPassword', policyProblem);

      const user = await findUserById(db, userId);
      if (!user) throw new AppError('INVALID_TOKEN');
      await confirmPassword(user, currentPassword, ip);
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
