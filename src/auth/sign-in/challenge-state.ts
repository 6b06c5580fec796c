// What a temp token's challenge answers when it cannot be used, shared by
// resend and verify so both tell the same story (API.md "Login", "Fine points").

import { AppError, tooManyRequests } from '../../errors.js';
import type { Clock } from '../../core/clock.js';
import type { Challenge, ChallengeStore } from '../otp-challenges.js';

export const attemptsExceeded = () =>
  new AppError('OTP_ATTEMPTS_EXCEEDED', {
    detail: 'Too many wrong codes for this sign-in. Sign in again to get a new code.',
    retryAfterSeconds: 0,
  });

export const lockedByCodes = (retryAfterSeconds: number) =>
  tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong codes.', retryAfterSeconds);

export const lockedByPasswords = (retryAfterSeconds: number) =>
  tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong passwords.', retryAfterSeconds);

/**
 * The open challenge a temp token names. An ended one answers why it ended:
 * wrong codes → OTP_ATTEMPTS_EXCEEDED; expiry → OTP_EXPIRED for verify
 * (verify answers OTP_EXPIRED, resend INVALID_TEMP_TOKEN, however often they
 * are asked); anything else (used, superseded) → INVALID_TEMP_TOKEN.
 */
export async function openChallenge(challenges: ChallengeStore, tempToken: string, purpose: 'verify' | 'resend'): Promise<Challenge> {
  const challenge = await challenges.findByTempToken(tempToken);
  if (!challenge) throw new AppError('INVALID_TEMP_TOKEN');
  if (challenge.endedReason === 'attempts') throw attemptsExceeded();
  if (challenge.endedReason === 'expired' && purpose === 'verify') throw new AppError('OTP_EXPIRED');
  if (challenge.endedAt) throw new AppError('INVALID_TEMP_TOKEN');
  return challenge;
}

export const isExpired = (challenge: Challenge, clock: Clock) => challenge.expiresAt.getTime() <= clock.now().getTime();
