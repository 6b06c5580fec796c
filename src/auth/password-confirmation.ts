// "Confirm with your password" for a signed-in user (disabling the
// authenticator, new recovery codes; the password change of API.md "Your
// account" answers alike): a wrong password is 403 CURRENT_PASSWORD_INVALID
// and counts toward LOCKOUT_PASSWORD of the user's email exactly as a wrong
// login password does, reserved before the slow hash, so a stolen session
// cannot be used to guess the password faster than the login allows.

import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import type { AuditLog } from '../audit/audit.js';
import type { LimitRule } from '../core/limit-rule.js';
import { type Limits } from '../limits/limits.js';
import { limitKeys } from '../limits/limit-keys.js';
import type { PasswordHasher } from './passwords.js';
import { lockedByPasswords } from './sign-in/challenge-state.js';

/** Longest wait for parallel checks of the same email (argon2 takes tens of milliseconds). */
const IN_FLIGHT_SETTLE_MS = 10_000;

export interface PasswordConfirmationDeps {
  config: Pick<Config, 'limits'>;
  limits: Limits;
  passwords: PasswordHasher;
  audit: AuditLog;
}

export type ConfirmPassword = (
  user: { id: string; email: string; passwordHash: string | null },
  password: string,
  ip: string,
) => Promise<void>;

export function createPasswordConfirmation({ config, limits, passwords, audit }: PasswordConfirmationDeps): ConfirmPassword {
  const rule = config.limits.lockoutPassword;
  return async (user, password, ip) => {
    const lockKey = limitKeys.passwordLockout(user.email);
    const reservation = await reservePasswordFailure(limits, lockKey, rule);
    const matches = user.passwordHash ? await passwords.verify(user.passwordHash, password) : await passwords.verifyDummy(password);
    if (!matches) {
      const { lockedNow } = reservation.failures >= rule.limit ? await limits.keepFailure(lockKey, rule) : { lockedNow: false };
      if (lockedNow) {
        await audit.record({ type: 'ACCOUNT_LOCKED', userId: user.id, actorId: user.id, ip, detail: { email: user.email, by: 'password' } });
      }
      throw new AppError('CURRENT_PASSWORD_INVALID');
    }
    const lock = await limits.endFailureRun(lockKey);
    if (lock.locked) throw lockedByPasswords(lock.retryAfterSeconds);
  };
}

/**
 * Reserves one failure of the email before its password is judged (the login
 * and every "confirm with your password"). When the run is full of attempts
 * still being judged, their outcome decides this one: the one that fills the
 * run locks the email (ACCOUNT_LOCKED), a right one ends the run (this one may
 * then be judged). So parallel attempts count as if in some order. Real time,
 * not the injected clock: this waits for other requests.
 */
export async function reservePasswordFailure(limits: Pick<Limits, 'reserveFailure'>, lockKey: string, rule: LimitRule) {
  const giveUpAtMs = Date.now() + IN_FLIGHT_SETTLE_MS;
  for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
    const reservation = await limits.reserveFailure(lockKey, rule);
    if (reservation.allowed) return reservation;
    if (reservation.locked || Date.now() >= giveUpAtMs) throw lockedByPasswords(reservation.retryAfterSeconds);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
