// Second factors behind one interface (ARCHITECTURE.md "Second factors"): a
// factor judges a code and answers its verdict as a value. The step modules
// know factors only through the registry below: the login asks which factor
// to start, verify asks which factor judges the input. The SMS/call code of
// the OTP provider is the first factor; an authenticator app (TOTP) and
// recovery codes plug in beside it by registering here, not in the steps.

import { validationError } from '../../errors.js';
import type { CodeCheckOutcome } from '../../otp/provider.js';
import type { UserRecord } from '../../users/users-repository.js';
import type { Challenge } from '../otp-challenges.js';
import type { AuditEventInput } from '../../audit/audit.js';
import type { DbExecutor } from '../../db/connect.js';

/** approved | wrong | expired (nothing left to check) | exhausted (the factor's own wrong-guess limit). */
export type FactorVerdict = CodeCheckOutcome;

/** What a started factor puts on the new challenge. */
export interface StartedFactor {
  channel: Challenge['channel'];
  /** Where codes go; null when nothing is sent (an authenticator). */
  phone: string | null;
  provider: string;
  providerRef: string | null;
  /** The audit of what was sent, committed with the challenge; none when nothing was. */
  sentEvent?: AuditEventInput;
}

/** What the second step was given: a code (SMS, call or authenticator) or a recovery code. */
export interface FactorInput {
  code?: string;
  recoveryCode?: string;
  /** Where the guess came from, for a factor that audits its use. */
  ip?: string;
}

/** RFC 8176 method of the second factor: `sms` (SMS or call), `otp` (authenticator), `rec` (recovery code). */
export type FactorMethod = 'sms' | 'otp' | 'rec';

/** What a login may use, as login's `factors` lists it. */
export type AvailableFactor = 'sms' | 'call' | 'totp' | 'recovery';

export interface SecondFactor {
  /** RFC 8176 method of a sign-in completed by this factor (read after an approving judge). */
  readonly amr: FactorMethod;
  /** How many codes one guess is compared with (guess-budget.ts counts each); 1 unless said. */
  readonly codesJudged?: number;
  /** Judges one guess for this challenge. Throws only when it cannot judge (OTP_PROVIDER_UNAVAILABLE). */
  judge(challenge: Challenge, input: FactorInput): Promise<FactorVerdict>;
}

/**
 * A factor a login can start: it readies the challenge (sends the code)
 * before the challenge exists, in two parts, because the provider may be
 * slow and no transaction may wait on it.
 */
export interface StartableFactor extends SecondFactor {
  /** Checks what starting needs for `user` and takes its allowance (sends per phone and IP) in the login's transaction; throws the refusal (PHONE_NOT_ENROLLED, OTP_RATE_LIMITED, ...). */
  admit(user: UserRecord, ip: string, executor: DbExecutor): Promise<void>;
  /** Sends what this factor needs, once admitted. */
  start(user: UserRecord, ip: string): Promise<StartedFactor>;
}

export interface SecondFactors {
  /** The factor a login of `user` starts with: the authenticator when enrolled, else a code by SMS. */
  toStart(user: UserRecord): StartableFactor;
  /** What this user's sign-in may use (login's `factors`); `executor`: the login's transaction. */
  available(user: UserRecord, executor?: DbExecutor): Promise<AvailableFactor[]>;
  /** The factor that judges `input` for this challenge. */
  forInput(challenge: Challenge, input: FactorInput): SecondFactor;
  /** Lets go of what a factor left at its provider when its challenge ends; never throws. */
  release(challenge: Challenge): Promise<void>;
}

export interface SecondFactorDeps {
  otpCode: StartableFactor;
  authenticator: StartableFactor;
  recoveryCode: SecondFactor;
  recoveryCodesLeft(userId: string, executor?: DbExecutor): Promise<number>;
  release(challenge: Challenge): Promise<void>;
}

/**
 * The registry: an enrolled authenticator is started instead of an SMS; a
 * recovery code goes to its factor; a code on an authenticator challenge is
 * the app's, or, once an SMS or call was asked for by resend, either.
 */
export function createSecondFactors(deps: SecondFactorDeps): SecondFactors {
  return {
    toStart: (user) => (user.totpEnrolled ? deps.authenticator : deps.otpCode),
    async available(user, executor) {
      const factors: AvailableFactor[] = user.phone ? ['sms', 'call'] : [];
      if (user.totpEnrolled) factors.push('totp');
      if (user.totpEnrolled && (await deps.recoveryCodesLeft(user.id, executor)) > 0) factors.push('recovery');
      return factors;
    },
    forInput(challenge, input) {
      if (input.recoveryCode !== undefined) return deps.recoveryCode;
      if (input.code === undefined) throw validationError('/code', 'A code is required.');
      if (challenge.channel !== 'totp') return deps.otpCode;
      return challenge.sends > 0 ? eitherFactor(deps.authenticator, deps.otpCode) : deps.authenticator;
    },
    release: (challenge) => deps.release(challenge),
  };
}

/**
 * One guess judged by the app first (local, cheap), then by the provider.
 * The provider's "nothing pending" or "its limit reached" do not end the
 * challenge here: the app judged the code wrong, and it stays usable.
 */
function eitherFactor(first: SecondFactor, second: SecondFactor): SecondFactor {
  let approvedBy = first;
  return {
    codesJudged: (first.codesJudged ?? 1) + (second.codesJudged ?? 1),
    get amr() {
      return approvedBy.amr;
    },
    async judge(challenge, input) {
      if ((await first.judge(challenge, input)) === 'approved') return 'approved';
      approvedBy = second;
      return (await second.judge(challenge, input)) === 'approved' ? 'approved' : 'wrong';
    },
  };
}
