// The arithmetic of RFC 6238 (SHA-1, 6 digits, 30 s) over @oslojs/otp's HOTP.
// Its TOTP helpers read Date.now(); the step is computed here from the
// injected clock instead, and the matched step is needed anyway: a step is
// spent once it is used (see authenticators.ts).

import { generateHOTP, verifyHOTP, createTOTPKeyURI } from '@oslojs/otp';
import type { Clock } from '../../core/clock.js';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 §4 asks for 128 bits at least and recommends 160. */
export const TOTP_SECRET_BYTES = 20;

export const currentStep = (clock: Clock) => Math.floor(clock.now().getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** Steps a code is accepted at: the one before, now and the one after (drift of one period either way). */
export const TOTP_ACCEPTED_STEPS = 3;

/** The step among now-1, now, now+1 (clock drift of one period either way) whose code `code` is; undefined otherwise. */
export function matchingStep(secret: Uint8Array, code: string, nowStep: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  for (const step of [nowStep - 1, nowStep, nowStep + 1]) {
    if (verifyHOTP(secret, BigInt(step), TOTP_DIGITS, code)) return step;
  }
  return undefined;
}

export const codeAtStep = (secret: Uint8Array, step: number) => generateHOTP(secret, BigInt(step), TOTP_DIGITS);

export const otpauthUri = (issuer: string, account: string, secret: Uint8Array) =>
  createTOTPKeyURI(issuer, account, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
