// The sign-in use cases: password, then a one-time code. No Fastify here:
// the HTTP layer hands in plain values and turns AppErrors into problems.
//
// Threats this file answers (API.md "Login"): credential stuffing (per-IP
// limit, per-email lockout counted for unknown emails too, one uniform
// INVALID_CREDENTIALS with a dummy hash), code guessing (5 guesses per
// challenge claimed atomically, lockout per account across challenges, codes
// per phone), SMS pumping (codes per phone and per IP, country allowlist).

import { AppError, tooManyRequests } from '../errors.js';
import type { Config } from '../config.js';
import type { AuditLog } from '../audit/audit.js';
import { limitKeys, type Limits } from '../limits/limits.js';
import type { OtpProvider } from '../otp/provider.js';
import { maskPhone, phoneCountry } from '../otp/phone.js';
import { findUserByEmail, findUserById, normalizeEmail, type UserView } from '../users/users-repository.js';
import type { Database } from '../db/connect.js';
import type { PasswordHasher } from './passwords.js';
import type { Challenge, ChallengeStore } from './otp-challenges.js';
import type { Clock } from './crypto.js';
import type { TokenIssuer, SignedIn } from './token-issuer.js';

export interface LoginResult {
  status: 'OTP_REQUIRED';
  tempToken: string;
  expiresIn: number;
  otp: { channel: 'sms'; to: string; resendAfter: number };
}

export interface ResendResult {
  sent: true;
  resendAfter: number;
  otp: { channel: 'sms'; to: string };
}

export interface SignInDeps {
  db: Database;
  config: Pick<Config, 'otp' | 'limits'>;
  passwords: PasswordHasher;
  otp: OtpProvider;
  challenges: ChallengeStore;
  limits: Limits;
  audit: AuditLog;
  tokens: TokenIssuer;
  clock: Clock;
}

export interface SignIn {
  login(input: { email: string; password: string; ip: string }): Promise<LoginResult>;
  resend(input: { tempToken: string; ip: string }): Promise<ResendResult>;
  verify(input: { tempToken: string; code: string; ip: string }): Promise<SignedIn>;
}

export type { UserView };

export function createSignIn(deps: SignInDeps): SignIn {
  const { config, limits, audit, otp, challenges, clock } = deps;

  const otpRateLimited = (retryAfterSeconds: number) =>
    tooManyRequests('OTP_RATE_LIMITED', 'Too many OTP requests.', retryAfterSeconds);
  const attemptsExceeded = () =>
    new AppError('OTP_ATTEMPTS_EXCEEDED', {
      detail: 'Too many wrong codes for this sign-in. Sign in again to get a new code.',
      retryAfterSeconds: 0,
    });

  /** Refuses a sign-in whose account is locked by wrong codes. */
  async function refuseIfOtpLocked(userId: string): Promise<void> {
    const lock = await limits.lockoutState(limitKeys.otpLockout(userId));
    if (lock.locked) throw tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong codes.', lock.retryAfterSeconds);
  }

  function refuseIfCountryNotAllowed(phone: string): void {
    const country = phoneCountry(phone);
    if (!country || !config.otp.allowedCountries.includes(country)) throw new AppError('PHONE_COUNTRY_NOT_ALLOWED');
  }

  /**
   * Checks the per-phone and per-IP send windows, then counts this send in
   * both. A send refused by either is counted in neither.
   */
  async function consumeSendAllowance(phone: string, ip: string): Promise<void> {
    const phoneKey = limitKeys.otpPerPhone(phone);
    const ipKey = limitKeys.otpPerIp(ip);
    for (const [key, rules] of [[phoneKey, config.limits.otpPerPhone], [ipKey, config.limits.otpPerIp]] as const) {
      const decision = await limits.peek(key, rules);
      if (!decision.allowed) throw otpRateLimited(decision.retryAfterSeconds);
    }
    for (const [key, rules] of [[phoneKey, config.limits.otpPerPhone], [ipKey, config.limits.otpPerIp]] as const) {
      const decision = await limits.consume(key, rules);
      if (!decision.allowed) throw otpRateLimited(decision.retryAfterSeconds);
    }
  }

  async function sendCode(userId: string, phone: string, ip: string): Promise<string | null> {
    try {
      const { providerRef } = await otp.startVerification(phone);
      await audit.record({ type: 'OTP_SENT', userId, actorId: userId, ip, detail: { provider: otp.name, to: maskPhone(phone) } });
      return providerRef;
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'OTP_PROVIDER_UNAVAILABLE';
      await audit.record({ type: 'OTP_SEND_FAILED', userId, actorId: userId, ip, detail: { provider: otp.name, code } });
      throw error instanceof AppError ? error : new AppError('OTP_PROVIDER_UNAVAILABLE', { cause: error });
    }
  }

  /** A challenge that ended lets its provider verification go, so the next login is not refused by the provider. */
  async function releaseProvider(challenge: Pick<Challenge, 'phone' | 'providerRef'>): Promise<void> {
    await otp.cancelVerification({ phoneE164: challenge.phone, providerRef: challenge.providerRef });
  }

  async function openChallenge(tempToken: string): Promise<Challenge> {
    const challenge = await challenges.findByTempToken(tempToken);
    if (!challenge) throw new AppError('INVALID_TEMP_TOKEN');
    if (challenge.endedReason === 'attempts') throw attemptsExceeded();
    if (challenge.endedAt) throw new AppError('INVALID_TEMP_TOKEN');
    return challenge;
  }

  async function expire(challenge: Challenge): Promise<void> {
    if (await challenges.end(challenge.id, 'expired')) await releaseProvider(challenge);
  }

  const isExpired = (challenge: Challenge) => challenge.expiresAt.getTime() <= clock.now().getTime();

  return {
    async login({ email, password, ip }) {
      const ipDecision = await limits.consume(limitKeys.loginPerIp(ip), config.limits.loginPerIp);
      if (!ipDecision.allowed) {
        throw tooManyRequests('LOGIN_RATE_LIMITED', 'Too many sign-in attempts from this network.', ipDecision.retryAfterSeconds);
      }
      const normalizedEmail = normalizeEmail(email);
      const passwordLockKey = limitKeys.passwordLockout(normalizedEmail);
      const passwordLock = await limits.lockoutState(passwordLockKey);
      if (passwordLock.locked) {
        throw tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong passwords.', passwordLock.retryAfterSeconds);
      }

      const user = await findUserByEmail(deps.db, normalizedEmail);
      const passwordMatches = user ? await deps.passwords.verify(user.passwordHash, password) : await deps.passwords.verifyDummy(password);
      if (!user || !passwordMatches || user.disabled) {
        const lock = await limits.recordFailure(passwordLockKey, config.limits.lockoutPassword);
        const reason = !user ? 'unknown-email' : user.disabled ? 'disabled' : 'wrong-password';
        await audit.record({ type: 'LOGIN_FAILED', userId: user?.id ?? null, actorId: null, ip, detail: { email: normalizedEmail, reason } });
        if (lock.locked && lock.failures === config.limits.lockoutPassword.limit) {
          await audit.record({ type: 'ACCOUNT_LOCKED', userId: user?.id ?? null, actorId: null, ip, detail: { email: normalizedEmail, by: 'password' } });
        }
        throw new AppError('INVALID_CREDENTIALS');
      }
      await limits.resetFailures(passwordLockKey);
      await refuseIfOtpLocked(user.id);
      if (!user.phone) throw new AppError('PHONE_NOT_ENROLLED');
      refuseIfCountryNotAllowed(user.phone);

      // A newer login supersedes every open challenge of this user.
      for (const superseded of await challenges.endOpenOfUser(user.id, 'superseded')) await releaseProvider(superseded);

      await consumeSendAllowance(user.phone, ip);
      const providerRef = await sendCode(user.id, user.phone, ip);
      const { tempToken } = await challenges.create({
        userId: user.id,
        phone: user.phone,
        provider: otp.name,
        providerRef,
        ttlSeconds: config.otp.ttlSeconds,
      });
      return {
        status: 'OTP_REQUIRED',
        tempToken,
        expiresIn: config.otp.ttlSeconds,
        otp: { channel: 'sms', to: maskPhone(user.phone), resendAfter: config.otp.resendCooldownSeconds },
      };
    },

    async resend({ tempToken, ip }) {
      const challenge = await openChallenge(tempToken);
      if (isExpired(challenge)) {
        await expire(challenge);
        throw new AppError('INVALID_TEMP_TOKEN');
      }
      refuseIfCountryNotAllowed(challenge.phone);
      const cooldownEnds = (challenge.lastSentAt?.getTime() ?? 0) + config.otp.resendCooldownSeconds * 1000;
      const tooSoon = () =>
        tooManyRequests('OTP_RESEND_TOO_SOON', 'A code was sent moments ago.', Math.max(1, (cooldownEnds - clock.now().getTime()) / 1000));
      if (cooldownEnds > clock.now().getTime()) throw tooSoon();
      await consumeSendAllowance(challenge.phone, ip);
      if (!(await challenges.claimResend(challenge.id, config.otp.resendCooldownSeconds))) throw tooSoon();
      const providerRef = await sendCode(challenge.userId, challenge.phone, ip);
      await challenges.recordSend(challenge.id, providerRef ?? challenge.providerRef);
      return {
        sent: true,
        resendAfter: config.otp.resendCooldownSeconds,
        otp: { channel: 'sms', to: maskPhone(challenge.phone) },
      };
    },

    async verify({ tempToken, code, ip }) {
      const challenge = await openChallenge(tempToken);
      if (isExpired(challenge)) {
        await expire(challenge);
        throw new AppError('OTP_EXPIRED');
      }
      await refuseIfOtpLocked(challenge.userId);

      const attempt = await challenges.claimAttempt(challenge.id, config.otp.maxAttempts);
      if (attempt === undefined) {
        // Lost a race: the challenge ran out of guesses, ended, or expired meanwhile.
        const current = await openChallenge(tempToken);
        if (isExpired(current)) throw new AppError('OTP_EXPIRED');
        throw attemptsExceeded();
      }

      let outcome: Awaited<ReturnType<OtpProvider['checkCode']>>;
      try {
        outcome = await otp.checkCode({ phoneE164: challenge.phone, code, providerRef: challenge.providerRef });
      } catch (error) {
        if (error instanceof AppError && error.code === 'OTP_EXPIRED') await challenges.end(challenge.id, 'expired');
        else if (error instanceof AppError && error.code === 'OTP_ATTEMPTS_EXCEEDED') await challenges.end(challenge.id, 'attempts');
        else await challenges.refundAttempt(challenge.id); // the provider could not judge this guess
        throw error;
      }

      if (outcome === 'approved') {
        if (!(await challenges.end(challenge.id, 'verified'))) throw new AppError('INVALID_TEMP_TOKEN');
        await limits.resetFailures(limitKeys.otpLockout(challenge.userId));
        const user = await findUserById(deps.db, challenge.userId);
        if (!user || user.disabled) throw new AppError('INVALID_TEMP_TOKEN');
        await audit.record({ type: 'LOGIN_SUCCEEDED', userId: user.id, actorId: user.id, ip });
        return deps.tokens.startSession(user);
      }

      const lock = await limits.recordFailure(limitKeys.otpLockout(challenge.userId), config.limits.lockoutOtp);
      await audit.record({ type: 'OTP_FAILED', userId: challenge.userId, actorId: challenge.userId, ip, detail: { attempt } });
      if (lock.locked && lock.failures === config.limits.lockoutOtp.limit) {
        await audit.record({ type: 'ACCOUNT_LOCKED', userId: challenge.userId, actorId: null, ip, detail: { by: 'otp' } });
      }
      const attemptsRemaining = Math.max(0, config.otp.maxAttempts - attempt);
      if (attemptsRemaining === 0 && (await challenges.end(challenge.id, 'attempts'))) {
        await audit.record({ type: 'OTP_ATTEMPTS_EXCEEDED', userId: challenge.userId, actorId: challenge.userId, ip });
        await releaseProvider(challenge);
      }
      throw new AppError('INVALID_OTP', {
        detail: attemptsRemaining === 0 ? 'The code is incorrect. No attempts remain: sign in again.' : `The code is incorrect. ${attemptsRemaining} ${attemptsRemaining === 1 ? 'attempt remains' : 'attempts remain'}.`,
        extra: { attemptsRemaining },
      });
    },
  };
}
