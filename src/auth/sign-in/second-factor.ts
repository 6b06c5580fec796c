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

/** approved | wrong | expired (nothing left to check) | exhausted (the factor's own wrong-guess limit). */
export type FactorVerdict = CodeCheckOutcome;

/** What a started factor puts on the new challenge. */
export interface StartedFactor {
  channel: Challenge['channel'];
  /** Where codes go; null when nothing is sent (an authenticator). */
  phone: string | null;
  provider: string;
  providerRef: string | null;
}

/** What the second step was given: a code (SMS, call or authenticator) or a recovery code. */
export interface FactorInput {
  code?: string;
  recoveryCode?: string;
}

export interface SecondFactor {
  /** RFC 8176 method of a sign-in completed by this factor. */
  readonly amr: 'sms' | 'otp' | 'rec';
  /** Judges one guess for this challenge. Throws only when it cannot judge (OTP_PROVIDER_UNAVAILABLE). */
  judge(challenge: Challenge, input: FactorInput): Promise<FactorVerdict>;
}

/** A factor a login can start: it readies the challenge (sends the code) before the challenge exists. */
export interface StartableFactor extends SecondFactor {
  /** Checks and sends what this factor needs for `user`; throws the refusal (PHONE_NOT_ENROLLED, OTP_RATE_LIMITED, ...). */
  start(user: UserRecord, ip: string): Promise<StartedFactor>;
}

export interface SecondFactors {
  /** The factor a login of `user` starts with (SMS today; an enrolled authenticator later). */
  toStart(user: UserRecord): StartableFactor;
  /** The factor that judges `input` for this challenge. */
  forInput(challenge: Challenge, input: FactorInput): SecondFactor;
  /** Lets go of what a factor left at its provider when its challenge ends; never throws. */
  release(challenge: Challenge): Promise<void>;
}

/**
 * The registry of today: every code goes to the OTP provider. An authenticator
 * registers a `totp` factor that `toStart` picks for an enrolled user (the
 * challenge's channel then says `totp`) and `forInput` picks for a code on
 * such a challenge; recovery codes register for `input.recoveryCode`.
 */
export function createSecondFactors(deps: { otpCode: StartableFactor; release(challenge: Challenge): Promise<void> }): SecondFactors {
  return {
    toStart: () => deps.otpCode,
    forInput(_challenge, input) {
      if (input.code === undefined) throw validationError('/code', 'A code is required.');
      return deps.otpCode;
    },
    release: (challenge) => deps.release(challenge),
  };
}
