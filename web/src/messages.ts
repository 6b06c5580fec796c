// What the user reads for each error `code` (shared/API.md). The server's
// `detail` is safe to show and says when to try again ("Try again in 11
// minutes."), so limits and locks keep it; other codes get a sentence
// written for this screen.

import { ApiError } from './api';
import { formatSeconds } from './format';

/** The "Try again in …" sentence of a 429, from its detail or else its Retry-After. */
export function tryAgainText(error: ApiError): string {
  const sentence = /Try again in [^.]*\./.exec(error.problem.detail)?.[0];
  if (sentence) return sentence;
  return error.retryAfterSeconds ? `Try again in ${formatSeconds(error.retryAfterSeconds)}.` : 'Try again later.';
}

function attemptsText(remaining: number): string {
  if (remaining <= 0) return 'No attempts remain.';
  return `${remaining} ${remaining === 1 ? 'attempt' : 'attempts'} remaining.`;
}

/** Codes after which the code step cannot go on: the user signs in again. */
export const RESTART_SIGN_IN_CODES = new Set(['OTP_EXPIRED', 'INVALID_TEMP_TOKEN', 'OTP_ATTEMPTS_EXCEEDED']);

/** The message for a failure of the sign-in screens. */
export function signInMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  const { code, detail } = error.problem;
  switch (code) {
    case 'INVALID_CREDENTIALS':
      return 'The email or password is incorrect.';
    case 'ACCOUNT_LOCKED':
      return `This account is temporarily locked after too many failed attempts. ${tryAgainText(error)}`;
    case 'LOGIN_RATE_LIMITED':
      return `Too many sign-in attempts from this network. ${tryAgainText(error)}`;
    case 'OTP_RATE_LIMITED':
      return `Too many codes were requested. ${tryAgainText(error)}`;
    case 'RATE_LIMITED':
      return `Too many requests. ${tryAgainText(error)}`;
    case 'OTP_RESEND_TOO_SOON':
      return `A code was sent moments ago. ${tryAgainText(error)}`;
    case 'INVALID_OTP': {
      const remaining = error.problem.attemptsRemaining;
      return remaining === undefined ? 'That code is incorrect.' : `That code is incorrect. ${attemptsText(remaining)}`;
    }
    case 'OTP_ATTEMPTS_EXCEEDED':
      return 'Too many wrong codes. Sign in again to get a new code.';
    case 'OTP_EXPIRED':
      return 'The code has expired. Sign in again to get a new code.';
    case 'INVALID_TEMP_TOKEN':
      return 'This sign-in is no longer valid. Sign in again.';
    case 'PHONE_NOT_ENROLLED':
      return 'No phone number is enrolled for this account. Ask an administrator to add one.';
    case 'PHONE_COUNTRY_NOT_ALLOWED':
      return 'Codes cannot be sent to phone numbers of this country. Ask an administrator.';
    case 'OTP_DELIVERY_FAILED':
      return 'The code could not be delivered to your phone. Ask an administrator to check your number.';
    case 'OTP_PROVIDER_UNAVAILABLE':
      return 'Codes cannot be sent right now. Try again in a few minutes.';
    case 'VALIDATION_FAILED':
      return fieldErrorsText(error) ?? detail;
    default:
      return detail || 'Something went wrong. Try again.';
  }
}

function fieldErrorsText(error: ApiError): string | null {
  const errors = error.problem.errors;
  if (!errors || errors.length === 0) return null;
  const fields = errors.map((field) => `${field.path.replace(/^\//, '') || 'request'} ${field.message}`);
  return `Please check: ${fields.join('; ')}.`;
}

/** The message for a failure of a portal screen. */
export function portalMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  switch (error.problem.code) {
    case 'FORBIDDEN':
      return 'You do not have permission to do this.';
    case 'RATE_LIMITED':
      return `Too many requests. ${tryAgainText(error)}`;
    case 'VALIDATION_FAILED':
      return fieldErrorsText(error) ?? error.problem.detail;
    default:
      return error.problem.detail || 'Something went wrong. Try again.';
  }
}
