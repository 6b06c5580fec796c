// The first step: the password. Threats answered here (API.md "Login"):
// credential stuffing (the per-IP limit; the per-email lock, counted for
// unknown emails too; one uniform INVALID_CREDENTIALS that costs an argon2
// check whatever the email), and SMS pumping (through the factor's start).
//
// The password's failure is reserved BEFORE the slow hash and settled after
// it, so parallel wrong passwords can never have more than LOCKOUT_PASSWORD
// judged, and a right password inside a burst cannot erase the lock the burst set.

import { AppError, tooManyRequests } from '../../errors.js';
import { maskPhone } from '../../core/phone-mask.js';
import { limitKeys } from '../../limits/limit-keys.js';
import { findUserByEmail, normalizeEmail } from '../../users/users-repository.js';
import { reservePasswordFailure } from '../password-confirmation.js';
import { lockedByPasswords } from './challenge-state.js';
import type { LoginResult, SignInContext } from './index.js';

export async function login(context: SignInContext, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const { config, limits, audit, challenges, passwords, factors, guesses, db } = context;
  const { password, ip } = input;

  const ipDecision = await limits.consume(limitKeys.loginPerIp(ip), config.limits.loginPerIp);
  if (!ipDecision.allowed) {
    throw tooManyRequests('LOGIN_RATE_LIMITED', 'Too many sign-in attempts from this network.', ipDecision.retryAfterSeconds);
  }

  const email = normalizeEmail(input.email);
  const lockKey = limitKeys.passwordLockout(email);
  const reservation = await reservePasswordFailure(context.limits, lockKey, config.limits.lockoutPassword);

  // One query whether or not the email is known; a user without a password
  // yet (an invitation not taken up) costs the same hash as an unknown email.
  const user = await findUserByEmail(db, email);
  const passwordMatches = user?.passwordHash ? await passwords.verify(user.passwordHash, password) : await passwords.verifyDummy(password);

  if (!user || !passwordMatches || user.disabled) {
    // The reserved failure stands; the one that fills the run locks the email.
    const { lockedNow } = reservation.failures >= config.limits.lockoutPassword.limit
      ? await limits.keepFailure(lockKey, config.limits.lockoutPassword)
      : { lockedNow: false };
    const reason = !user ? 'unknown-email' : user.disabled ? 'disabled' : 'wrong-password';
    await audit.record({ type: 'LOGIN_FAILED', userId: user?.id ?? null, actorId: null, ip, detail: { email, reason } });
    if (lockedNow) {
      await audit.record({ type: 'ACCOUNT_LOCKED', userId: user?.id ?? null, actorId: null, ip, detail: { email, by: 'password' } });
    }
    throw new AppError('INVALID_CREDENTIALS');
  }

  // The right password ends the run, unless a parallel burst locked the email
  // meanwhile: then it is refused like a wrong one and changes nothing.
  const lock = await limits.endFailureRun(lockKey);
  if (lock.locked) throw lockedByPasswords(lock.retryAfterSeconds);

  await guesses.refuseIfSpent(user.id);
  const factor = factors.toStart(user);
  // Started (the code sent, counted per phone and IP) before the open
  // challenge is superseded: a login refused for too many codes leaves the
  // user's pending sign-in alone.
  const started = await factor.start(user, ip);
  const { tempToken, superseded } = await challenges.open({ userId: user.id, ...started, ttlSeconds: config.otp.ttlSeconds });
  for (const old of superseded) await factors.release(old);

  return {
    status: 'OTP_REQUIRED',
    tempToken,
    expiresIn: config.otp.ttlSeconds,
    // An authenticator sign-in sent nothing: there is no phone to show and no cooldown to wait.
    otp: started.channel === 'totp'
      ? { channel: 'totp' }
      : { channel: 'sms', to: maskPhone(started.phone ?? ''), resendAfter: config.otp.resendCooldownSeconds },
    factors: await factors.available(user),
  };
}
