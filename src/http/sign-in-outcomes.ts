// The sign-in metrics read from the answers of the sign-in routes. Each
// answer's status and problem code say exactly how a step ended (API.md
// "Login"), so this holds whatever shape the sign-in domain takes; the
// domain may report through the same SignInMetrics port instead, and then
// this mapping goes.

import type { LoginOutcome, OtpSendOutcome, OtpVerificationOutcome, SignInMetrics } from '../metrics/port.js';

export const SIGN_IN_ROUTES = {
  login: '/api/auth/login',
  resend: '/api/auth/otp/resend',
  verify: '/api/auth/otp/verify',
} as const;

const LOGIN_OUTCOMES: Record<string, LoginOutcome> = {
  INVALID_CREDENTIALS: 'invalid_credentials',
  ACCOUNT_LOCKED: 'account_locked',
  LOGIN_RATE_LIMITED: 'rate_limited',
  OTP_RATE_LIMITED: 'rate_limited',
  RATE_LIMITED: 'rate_limited',
  PHONE_NOT_ENROLLED: 'phone_not_enrolled',
  PHONE_COUNTRY_NOT_ALLOWED: 'otp_error',
  OTP_DELIVERY_FAILED: 'otp_error',
  OTP_PROVIDER_UNAVAILABLE: 'otp_error',
};

// Answers of a step that got as far as sending (or refusing to send) a code.
const SEND_OUTCOMES: Record<string, OtpSendOutcome> = {
  OTP_DELIVERY_FAILED: 'delivery_failed',
  OTP_PROVIDER_UNAVAILABLE: 'provider_unavailable',
  OTP_RATE_LIMITED: 'rate_limited',
  PHONE_COUNTRY_NOT_ALLOWED: 'country_not_allowed',
};

const VERIFICATION_OUTCOMES: Record<string, OtpVerificationOutcome> = {
  INVALID_OTP: 'wrong',
  OTP_EXPIRED: 'expired',
  OTP_ATTEMPTS_EXCEEDED: 'attempts_exceeded',
  ACCOUNT_LOCKED: 'locked',
};

/**
 * Records what one answer of a sign-in route says. Answers that are no step
 * of a sign-in (a malformed body, an unknown temp token) record nothing.
 */
export function recordSignInAnswer(metrics: SignInMetrics, answer: { method: string; route: string; status: number; problemCode: string | null }): void {
  if (answer.method !== 'POST') return;
  const ok = answer.status === 200;
  const code = answer.problemCode ?? '';
  if (answer.route === SIGN_IN_ROUTES.login) {
    const login = ok ? 'otp_required' : LOGIN_OUTCOMES[code];
    if (login) metrics.login(login);
  }
  if (answer.route === SIGN_IN_ROUTES.login || answer.route === SIGN_IN_ROUTES.resend) {
    const send = ok ? 'sent' : SEND_OUTCOMES[code];
    if (send) metrics.otpSend('sms', send);
  }
  if (answer.route === SIGN_IN_ROUTES.verify) {
    const verification = ok ? 'approved' : VERIFICATION_OUTCOMES[code];
    if (verification) metrics.otpVerification('sms', verification);
  }
}
