// The login outcomes, read from the answers of POST /api/auth/login: its
// status and problem code say exactly how the password step ended (API.md
// "Login"), early refusals (the request limit, a malformed body) included.
// Code sends and code checks are reported by the sign-in itself, which knows
// the channel and the factor (code-sending.ts, sign-in/verify.ts).

import type { LoginOutcome, SignInMetrics } from '../metrics/port.js';

export const SIGN_IN_ROUTES = {
  login: '/api/auth/login',
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
}
