// The first step: the password. Threats answered here (API.md "Login"):
// credential stuffing (the per-IP limit; the per-email lock, counted for
// unknown emails too; one uniform INVALID_CREDENTIALS that costs an argon2
// check whatever the email), and SMS pumping (through the factor's start).
//
// The password's failure is reserved BEFORE the slow hash and settled after
// it, so parallel wrong passwords can never have more than LOCKOUT_PASSWORD
// judged, and a right password inside a burst cannot erase the lock the burst set.
//
// The happy path is three transactions of at most 8 statements in all
// (test/auth/sign-in-statements.pg.test.ts): before the hash, between the
// hash and the send, after the send. Neither the hash nor the provider's send
// runs inside a transaction: a lock held across them would queue every
// sign-in from one address behind the slowest.

import { AppError, tooManyRequests } from '../../errors.js';
import { maskPhone } from '../../core/phone-mask.js';
import { limitKeys } from '../../limits/limit-keys.js';
import { findUserByEmail, normalizeEmail } from '../../users/users-repository.js';
import { reservePasswordFailure } from '../password-confirmation.js';
import { lockedByPasswords } from './challenge-state.js';
import type { LoginResult, SignInContext } from './index.js';
import type { AvailableFactor } from './second-factor.js';

export async function login(context: SignInContext, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const { config, limits, audit, challenges, passwords, factors, guesses, db } = context;
  const { password, ip } = input;
  const email = normalizeEmail(input.email);
  const lockKey = limitKeys.passwordLockout(email);
  const lockRule = config.limits.lockoutPassword;

  // Before the hash, one transaction: the attempt counted per IP, a failure of
  // the email reserved, the user read. One query whether or not the email is
  // known; a user without a password yet (an invitation not taken up) costs
  // the same hash as an unknown email.
  const admitted = await db.transaction(async (tx) => {
    const ipDecision = await limits.consume(limitKeys.loginPerIp(ip), config.limits.loginPerIp, { executor: tx });
    if (!ipDecision.allowed) {
      throw tooManyRequests('LOGIN_RATE_LIMITED', 'Too many sign-in attempts from this network.', ipDecision.retryAfterSeconds);
    }
    return { reservation: await limits.reserveFailure(lockKey, lockRule, tx), user: await findUserByEmail(tx, email) };
  });
  // A run full of attempts still being judged is waited for outside any
  // transaction (reservePasswordFailure): the attempt above stays counted.
  const reservation = admitted.reservation.allowed ? admitted.reservation : await reservePasswordFailure(limits, lockKey, lockRule);
  const { user } = admitted;

  const passwordMatches = user?.passwordHash ? await passwords.verify(user.passwordHash, password) : await passwords.verifyDummy(password);

  if (!user || !passwordMatches || user.disabled) {
    // The reserved failure stands; the one that fills the run locks the email.
    const { lockedNow } = reservation.failures >= lockRule.limit ? await limits.keepFailure(lockKey, lockRule) : { lockedNow: false };
    const reason = !user ? 'unknown-email' : user.disabled ? 'disabled' : 'wrong-password';
    await audit.record({ type: 'LOGIN_FAILED', userId: user?.id ?? null, actorId: null, ip, detail: { email, reason } });
    if (lockedNow) {
      await audit.record({ type: 'ACCOUNT_LOCKED', userId: user?.id ?? null, actorId: null, ip, detail: { email, by: 'password' } });
    }
    throw new AppError('INVALID_CREDENTIALS');
  }

  // After the hash, one transaction: the right password ends the run (unless
  // a parallel burst locked the email meanwhile: then it is refused like a
  // wrong one and changes nothing), the account's code guesses are checked,
  // the factor takes its allowance (the send counted per phone and IP). A
  // refusal is answered after the commit, so the ended run stands.
  const factor = factors.toStart(user);
  const admittedFactor = await db.transaction(async (tx): Promise<{ refusal: AppError } | { available: AvailableFactor[] }> => {
    const read = await limits.endFailureRunAndPeek(lockKey, guesses.keysOf(user.id), tx);
    if (read.run.locked) return { refusal: lockedByPasswords(read.run.retryAfterSeconds) };
    const spent = guesses.refusalOf(read);
    if (spent) return { refusal: spent };
    try {
      await factor.admit(user, ip, tx);
    } catch (error) {
      if (error instanceof AppError) return { refusal: error };
      throw error;
    }
    return { available: await factors.available(user, tx) };
  });
  if ('refusal' in admittedFactor) throw admittedFactor.refusal;

  // Sent outside any transaction (the provider may take seconds), before the
  // open challenge is superseded: a send that fails leaves the user's
  // pending sign-in alone. The challenge and the audit of the send commit together.
  const started = await factor.start(user, ip);
  const { sentEvent, ...startedChallenge } = started;
  const { tempToken, superseded } = await challenges.open(
    { userId: user.id, ...startedChallenge, ttlSeconds: config.otp.ttlSeconds },
    sentEvent && ((tx) => audit.record(sentEvent, tx)),
  );
  for (const old of superseded) await factors.release(old);

  return {
    status: 'OTP_REQUIRED',
    tempToken,
    expiresIn: config.otp.ttlSeconds,
    // An authenticator sign-in sent nothing: there is no phone to show and no cooldown to wait.
    otp: started.channel === 'totp'
      ? { channel: 'totp' }
      : { channel: 'sms', to: maskPhone(started.phone ?? ''), resendAfter: config.otp.resendCooldownSeconds },
    factors: admittedFactor.available,
  };
}
