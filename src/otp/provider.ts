// The port every one-time-code provider implements. It is shaped after
// Twilio Verify: the provider generates, sends and checks the code; we keep
// our own challenge (attempts, expiry, cooldown) around it either way, so
// development behaves like production.
//
// A check answers its verdict as a value (approved, wrong, expired, exhausted):
// the sign-in decides what each means for the challenge. Sends, and checks the
// provider could not judge, fail with AppErrors of the catalogue
// (OTP_DELIVERY_FAILED, OTP_RATE_LIMITED, OTP_PROVIDER_UNAVAILABLE), so a
// Twilio error keeps its meaning all the way to the client.

import type { Logger } from 'pino';
import type { OtpProviderName } from '../config.js';

/** Providers log through pino; they never log a code, a token or a credential (the dev code excepted). */
export type ProviderLogger = Pick<Logger, 'info' | 'warn' | 'error'> & Partial<Pick<Logger, 'isLevelEnabled'>>;

/** How a code reaches the phone: a text message, or a voice call that reads it out. */
export type DeliveryChannel = 'sms' | 'call';

export interface StartedVerification {
  /** The provider's id of this verification (Twilio's `VE…` sid), or null when it keeps none. */
  providerRef: string | null;
}

/**
 * What a check found: the code is right; wrong; the provider holds no pending
 * verification any more (Twilio 20404: expired, replaced, or approved by a
 * parallel check); or the provider's own wrong-code limit is reached (Twilio 60202).
 */
export type CodeCheckOutcome = 'approved' | 'wrong' | 'expired' | 'exhausted';

export interface ProviderHealth {
  ok: boolean;
  /** One human line: what was checked, and what to do when it failed. */
  detail: string;
}

export interface OtpProvider {
  readonly name: OtpProviderName;
  /** Sends a new code to `phoneE164` by `channel` (default sms), replacing any pending one at the provider. */
  startVerification(phoneE164: string, channel?: DeliveryChannel): Promise<StartedVerification>;
  /** Checks `code` for the pending verification of `phoneE164`; throws only when it could not be judged (OTP_PROVIDER_UNAVAILABLE). */
  checkCode(input: { phoneE164: string; code: string; providerRef: string | null }): Promise<CodeCheckOutcome>;
  /** Ends a pending verification so the provider does not refuse the next one; never throws. */
  cancelVerification(input: { phoneE164: string; providerRef: string | null }): Promise<void>;
  /** Can this provider be used at all (credentials accepted, service reachable)? For `doctor` and readiness. */
  checkHealth(options?: { deep?: boolean }): Promise<ProviderHealth>;
}
