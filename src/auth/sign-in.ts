// The sign-in use cases: password, then a one-time code. No Fastify here:
// the HTTP layer hands in plain values and turns AppErrors into problems.
//
// Threats this file answers (API.md "Login"): credential stuffing (per-IP
// limit, per-email lockout counted for unknown emails too, one uniform
// INVALID_CREDENTIALS with a dummy hash), code guessing (5 guesses per
// challenge claimed atomically, lockout per account across challenges, codes
// per phone, and a per-account budget of judged guesses that makes the daily
// bound of docs/security.md hold in every 24 h span), SMS pumping (codes per
// phone and per IP, country allowlist).

import { AppError, tooManyRequests } from '../errors.js';
import type { Config, LimitRule } from '../config.js';
import type { AuditLog } from '../audit/audit.js';
import { limitKeys, type Limits } from '../limits/limits.js';
import type { OtpProvider } from '../otp/provider.js';
import { maskPhone } from '../otp/phone.js';
import { findUserByEmail, findUserById, normalizeEmail, type UserView } from '../users/users-repository.js';
import type { Database } from '../db/connect.js';
import type { PasswordHasher } from './passwords.js';
import type { Challenge, ChallengeStore } from './otp-challenges.js';
import type { Clock } from './crypto.js';
import { createCodeSending } from './code-sending.js';
import type { SessionTokens, SignedIn } from './session-tokens.js';

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
  tokens: SessionTokens;
  clock: Clock;
}

export interface SignIn {
  login(input: { email: string; password: string; ip: string }): Promise<LoginResult>;
  resend(input: { tempToken: string; ip: string }): Promise<ResendResult>;
  verify(input: { tempToken: string; code: string; ip: string; userAgent?: string | null }): Promise<SignedIn>;
}

export type { UserView };

/** Longest wait for guesses in flight at the provider (TWILIO_TIMEOUT is 5 s): see claimGuess. */
const IN_FLIGHT_SETTLE_MS = 10_000;

export function createSignIn(deps: SignInDeps): SignIn {
  const { config, limits, audit, otp, challenges, clock } = deps;
  const { refuseIfCountryNotAllowed, consumeSendAllowance, sendCode, releaseProvider } = createCodeSending(deps);

  const attemptsExceeded = () =>
    new AppError('OTP_ATTEMPTS_EXCEEDED', {
      detail: 'Too many wrong codes for this sign-in. Sign in again to get a new code.',
      retryAfterSeconds: 0,
    });

  const lockedByCodes = (retryAfterSeconds: number) =>
    tooManyRequests('ACCOUNT_LOCKED', 'This account is locked after too many wrong codes.', retryAfterSeconds);

  // Guesses judged per account: the codes a phone may get in each window ×
  // the guesses of a challenge (5/10m,20/1d × 5 → 25/10m,100/1d). Codes per
  // phone alone bound guesses per challenge *created* in a window; the one
  // challenge still open when a 24 h span begins would add 5 more guesses
  // (105, over 1 in 10,000 for 6 digits). Counting the guesses themselves in
  // sliding windows holds every 24 h span to 100. See docs/security.md.
  const guessRules: LimitRule[] = config.limits.otpPerPhone.map((rule) => ({
    limit: rule.limit * config.otp.maxAttempts,
    windowSeconds: rule.windowSeconds,
  }));

  /** Refuses a sign-in whose account is locked by wrong codes, or has no code guesses left to use. */
  async function refuseIfOtpLocked(userId: string): Promise<void> {
    const lock = await limits.lockoutState(limitKeys.otpLockout(userId));
    if (lock.locked) throw lockedByCodes(lock.retryAfterSeconds);
    const guesses = await limits.peek(limitKeys.otpGuesses(userId), guessRules);
    if (!guesses.allowed) throw lockedByCodes(guesses.retryAfterSeconds);
  }

  /**
   * The open challenge a temp token names. An ended one answers why it ended:
   * wrong codes → OTP_ATTEMPTS_EXCEEDED; expiry → OTP_EXPIRED for verify
   * (API.md: verify answers OTP_EXPIRED, resend INVALID_TEMP_TOKEN, however
   * often they are asked); anything else (used, superseded) → INVALID_TEMP_TOKEN.
   */
  async function openChallenge(tempToken: string, purpose: 'verify' | 'resend'): Promise<Challenge & { phone: string }> {
    const challenge = await challenges.findByTempToken(tempToken);
    if (!challenge || challenge.phone === null) throw new AppError('INVALID_TEMP_TOKEN');
    if (challenge.endedReason === 'attempts') throw attemptsExceeded();
    if (challenge.endedReason === 'expired' && purpose === 'verify') throw new AppError('OTP_EXPIRED');
    if (challenge.endedAt) throw new AppError('INVALID_TEMP_TOKEN');
    return challenge as Challenge & { phone: string };
  }

  /**
   * Takes one guess of the challenge. When none is left but the challenge is
   * still open, guesses of parallel requests are in flight at the provider:
   * their outcome decides this answer (one right code ends the challenge as
   * verified, and the losers must get INVALID_TEMP_TOKEN, not
   * OTP_ATTEMPTS_EXCEEDED), so wait for the challenge to end, or for a guess
   * the provider could not judge to be given back. Real time, not the
   * injected clock: this waits for other requests, not for a deadline of the domain.
   */
  async function claimGuess(challenge: Challenge, tempToken: string): Promise<number> {
    const giveUpAtMs = Date.now() + IN_FLIGHT_SETTLE_MS;
    for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
      const attempt = await challenges.claimAttempt(challenge.id, config.otp.maxAttempts);
      if (attempt !== undefined) return attempt;
      const current = await openChallenge(tempToken, 'verify'); // throws once the challenge has ended
      if (isExpired(current)) throw new AppError('OTP_EXPIRED');
      if (Date.now() >= giveUpAtMs) throw attemptsExceeded();
      // Fewer attempts than the maximum: a guess was given back meanwhile; claim it at once.
      if (current.attempts >= config.otp.maxAttempts) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  async function expire(challenge: Challenge): Promise<void> {
    if (await challenges.end(challenge.id, 'expired')) await releaseProvider(challenge);
  }

  const isCooldownOver = (challenge: Challenge) =>
    (challenge.lastSentAt?.getTime() ?? 0) + config.otp.resendCooldownSeconds * 1000 <= clock.now().getTime();

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
      // A user without a password yet (an invitation not taken up) costs the same hash as an unknown email.
      const passwordMatches = user?.passwordHash ? await deps.passwords.verify(user.passwordHash, password) : await deps.passwords.verifyDummy(password);
      if (!user || !passwordMatches || user.disabled) {
        const lock = await limits.recordFailure(passwordLockKey, config.limits.lockoutPassword);
        const reason = !user ? 'unknown-email' : user.disabled ? 'disabled' : 'wrong-password';
        await audit.record({ type: 'LOGIN_FAILED', userId: user?.id ?? null, actorId: null, ip, detail: { email: normalizedEmail, reason } });
        if (lock.lockedNow) {
          await audit.record({ type: 'ACCOUNT_LOCKED', userId: user?.id ?? null, actorId: null, ip, detail: { email: normalizedEmail, by: 'password' } });
        }
        throw new AppError('INVALID_CREDENTIALS');
      }
      await limits.resetFailures(passwordLockKey);
      await refuseIfOtpLocked(user.id);
      if (!user.phone) throw new AppError('PHONE_NOT_ENROLLED');
      refuseIfCountryNotAllowed(user.phone);

      // Counted before the open challenge is superseded: a login refused for
      // too many codes leaves the user's pending sign-in alone.
      await consumeSendAllowance(user.phone, ip);
      // A newer login supersedes every open challenge of this user.
      for (const superseded of await challenges.endOpenOfUser(user.id, 'superseded')) await releaseProvider(superseded);

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
      const challenge = await openChallenge(tempToken, 'resend');
      if (isExpired(challenge)) {
        await expire(challenge);
        throw new AppError('INVALID_TEMP_TOKEN');
      }
      refuseIfCountryNotAllowed(challenge.phone);
      const tooSoon = (lastSentAt: Date | null) => {
        const cooldownEnds = (lastSentAt?.getTime() ?? 0) + config.otp.resendCooldownSeconds * 1000;
        return tooManyRequests('OTP_RESEND_TOO_SOON', 'A code was sent moments ago.', (cooldownEnds - clock.now().getTime()) / 1000);
      };
      if (!isCooldownOver(challenge)) throw tooSoon(challenge.lastSentAt);
      // The cooldown first: its atomic claim lets one of parallel resends
      // through, so only that one is counted per phone and IP.
      if (!(await challenges.claimResend(challenge.id, config.otp.resendCooldownSeconds))) {
        // A parallel resend won: its send starts the wait, so read when it was.
        const current = await openChallenge(tempToken, 'resend');
        throw tooSoon(current.lastSentAt);
      }
      try {
        await consumeSendAllowance(challenge.phone, ip);
      } catch (error) {
        // Nothing was sent: the cooldown claimed for it is given back.
        await challenges.releaseResend(challenge.id, challenge.lastSentAt);
        throw error;
      }
      const providerRef = await sendCode(challenge.userId, challenge.phone, ip);
      await challenges.recordSend(challenge.id, providerRef ?? challenge.providerRef);
      return {
        sent: true,
        resendAfter: config.otp.resendCooldownSeconds,
        otp: { channel: 'sms', to: maskPhone(challenge.phone) },
      };
    },

    async verify({ tempToken, code, ip, userAgent = null }) {
      const challenge = await openChallenge(tempToken, 'verify');
      if (isExpired(challenge)) {
        await expire(challenge);
        throw new AppError('OTP_EXPIRED');
      }
      const lockKey = limitKeys.otpLockout(challenge.userId);
      const lock = await limits.lockoutState(lockKey);
      if (lock.locked) throw lockedByCodes(lock.retryAfterSeconds);

      // The challenge's own guess first (its atomic claim bounds a burst to
      // OTP_MAX_ATTEMPTS), then the account's budget, also before the guess
      // is judged so that bursts cannot overrun it; a guess that ends up not
      // judged as wrong is given back to both.
      const attempt = await claimGuess(challenge, tempToken);
      const guessKey = limitKeys.otpGuesses(challenge.userId);
      const guess = await limits.consume(guessKey, guessRules);
      if (!guess.allowed) {
        await challenges.refundAttempt(challenge.id);
        throw lockedByCodes(guess.retryAfterSeconds);
      }
      const refundGuess = () => limits.refund(guessKey, guess.recordedAt!);

      let outcome: Awaited<ReturnType<OtpProvider['checkCode']>>;
      try {
        outcome = await otp.checkCode({ phoneE164: challenge.phone, code, providerRef: challenge.providerRef });
      } catch (error) {
        await refundGuess();
        if (error instanceof AppError && error.code === 'OTP_EXPIRED') await challenges.end(challenge.id, 'expired');
        else if (error instanceof AppError && error.code === 'OTP_ATTEMPTS_EXCEEDED') await challenges.end(challenge.id, 'attempts');
        else await challenges.refundAttempt(challenge.id); // the provider could not judge this guess
        throw error;
      }

      if (outcome === 'approved') {
        await refundGuess();
        if (!(await challenges.end(challenge.id, 'verified'))) throw new AppError('INVALID_TEMP_TOKEN');
        await limits.resetFailures(lockKey);
        const user = await findUserById(deps.db, challenge.userId);
        if (!user || user.disabled) throw new AppError('INVALID_TEMP_TOKEN');
        await audit.record({ type: 'LOGIN_SUCCEEDED', userId: user.id, actorId: user.id, ip });
        return deps.tokens.startSession(user, { ip, userAgent, amr: ['pwd', 'sms'] });
      }

      const failure = await limits.recordFailure(lockKey, config.limits.lockoutOtp);
      await audit.record({ type: 'OTP_FAILED', userId: challenge.userId, actorId: challenge.userId, ip, detail: { attempt } });
      if (failure.lockedNow) {
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
