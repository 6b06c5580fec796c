// The metrics port: what the domain and the adapters report, as values from
// closed lists, so no label can ever carry an email, a phone number, an IP or
// an id (API.md "Metrics"). The Prometheus implementation is metrics.ts; the
// domain sees only these narrow interfaces (a no-op one in tests that do not look).

export type LoginOutcome = 'otp_required' | 'invalid_credentials' | 'account_locked' | 'rate_limited' | 'phone_not_enrolled' | 'otp_error';
export type OtpChannel = 'sms' | 'call';
export type OtpSendOutcome = 'sent' | 'delivery_failed' | 'provider_unavailable' | 'rate_limited' | 'country_not_allowed';
export type SecondFactorKind = 'sms' | 'totp' | 'recovery';
export type OtpVerificationOutcome = 'approved' | 'wrong' | 'expired' | 'attempts_exceeded' | 'locked';

/** What the sign-in steps know: how a login, a send and a code check ended. */
export interface SignInMetrics {
  login(outcome: LoginOutcome): void;
  otpSend(channel: OtpChannel, outcome: OtpSendOutcome): void;
  otpVerification(factor: SecondFactorKind, outcome: OtpVerificationOutcome): void;
}

/**
 * What an OTP provider adapter knows: the provider's own error code
 * (Twilio's numeric code), or `timeout`, `http_5xx` / `http_4xx` (an answer
 * without a code), `network` (no answer at all), `other`.
 */
export interface ProviderMetrics {
  providerError(providerCode: string): void;
}

/** What the HTTP layer knows: each answer, by the route's pattern, and every 429 by its code. */
export interface HttpMetrics {
  httpRequest(answer: { method: string; route: string; status: number; durationSeconds: number }): void;
  rateLimited(code: string): void;
}

export interface Metrics extends SignInMetrics, ProviderMetrics, HttpMetrics {
  /** The Prometheus text exposition of this instance's registry. */
  render(): Promise<string>;
  readonly contentType: string;
}

const ignore = () => {};

/** For code paths built without a registry (unit tests of the domain). */
export const NO_SIGN_IN_METRICS: SignInMetrics = { login: ignore, otpSend: ignore, otpVerification: ignore };

/** For code paths built without a registry (unit tests of an adapter). */
export const noProviderMetrics: ProviderMetrics = { providerError: ignore };
