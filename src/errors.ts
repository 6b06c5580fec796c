// The one error catalogue. Every failure a client can see is one of these
// codes; clients branch on `code`, people read `detail`. Domain modules throw
// `AppError`s; the HTTP layer turns them into RFC 9457 problem documents.

export const ERROR_CATALOGUE = {
  // Request shape
  VALIDATION_FAILED: { status: 400, detail: 'The request is not valid.' },
  MALFORMED_JSON: { status: 400, detail: 'The request body is not valid JSON.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: 'Send the body as application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, detail: 'The request body is larger than 64 KiB.' },
  NOT_FOUND: { status: 404, detail: 'There is nothing here.' },
  METHOD_NOT_ALLOWED: { status: 405, detail: 'This method is not allowed here.' },
  CONFLICT: { status: 409, detail: 'This conflicts with something that already exists.' },
  RATE_LIMITED: { status: 429, detail: 'Too many requests.' },

  // Access tokens and permissions
  AUTHENTICATION_REQUIRED: { status: 401, detail: 'Sign in to use this route.' },
  INVALID_TOKEN: { status: 401, detail: 'The access token is not valid.' },
  TOKEN_EXPIRED: { status: 401, detail: 'The access token has expired.' },
  FORBIDDEN: { status: 403, detail: 'You do not have permission to do this.' },

  // Login
  INVALID_CREDENTIALS: { status: 401, detail: 'The email or password is incorrect.' },
  LOGIN_RATE_LIMITED: { status: 429, detail: 'Too many sign-in attempts.' },
  ACCOUNT_LOCKED: { status: 429, detail: 'This account is temporarily locked.' },
  PHONE_NOT_ENROLLED: { status: 409, detail: 'No phone number is enrolled for this account. Ask an administrator to add one.' },
  PHONE_COUNTRY_NOT_ALLOWED: { status: 403, detail: 'Codes cannot be sent to phone numbers of this country.' },

  // Your account
  CURRENT_PASSWORD_INVALID: { status: 403, detail: 'The current password is incorrect.' },

  // One-time codes
  INVALID_TEMP_TOKEN: { status: 401, detail: 'This sign-in is no longer valid. Sign in again.' },
  INVALID_OTP: { status: 401, detail: 'The code is incorrect.' },
  OTP_EXPIRED: { status: 401, detail: 'The code has expired. Sign in again.' },
  OTP_ATTEMPTS_EXCEEDED: { status: 429, detail: 'Too many wrong codes. Sign in again.' },
  OTP_RESEND_TOO_SOON: { status: 429, detail: 'A code was sent moments ago.' },
  OTP_RATE_LIMITED: { status: 429, detail: 'Too many OTP requests.' },
  OTP_DELIVERY_FAILED: { status: 502, detail: 'The code could not be delivered to this phone number.' },
  OTP_PROVIDER_UNAVAILABLE: { status: 503, detail: 'Codes cannot be sent right now. Try again shortly.' },

  // Refresh tokens
  INVALID_REFRESH_TOKEN: { status: 401, detail: 'The refresh token is not valid. Sign in again.' },
  REFRESH_TOKEN_REUSED: { status: 401, detail: 'This refresh token was already used; the session has been ended. Sign in again.' },

  // Applications
  INVALID_TRANSITION: { status: 409, detail: 'This status change is not allowed.' },

  // Anything we did not foresee: never shows its cause.
  INTERNAL_ERROR: { status: 500, detail: 'Something went wrong on our side.' },
  SERVICE_UNAVAILABLE: { status: 503, detail: 'The service is not ready.' },
} as const satisfies Record<string, { status: number; detail: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  /** JSON Pointer (RFC 6901) to the field, e.g. `/email`; `/name` for a query parameter. */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  /** Whole seconds; sets `Retry-After` on 429 and 503 answers. */
  retryAfterSeconds?: number;
  errors?: FieldError[];
  /** Extra public members of the problem document (e.g. `attemptsRemaining`). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly retryAfterSeconds: number | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(options.detail ?? entry.detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.detail = options.detail ?? entry.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
    this.extra = options.extra;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A validation failure on one field, for checks the schema cannot express. */
export function validationError(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { detail: message, errors: [{ path, message }] });
}

/** The field errors a use case collected, as one VALIDATION_FAILED; nothing when there are none. */
export function throwIfInvalid(errors: readonly FieldError[]): void {
  if (errors.length === 0) return;
  throw new AppError('VALIDATION_FAILED', {
    detail: `The request is not valid: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}.`,
    errors: [...errors],
  });
}

/**
 * "Try again in 11 minutes." / "Try again in 40 seconds." — minutes rounded up
 * so the words are never shorter than the real wait.
 */
export function tryAgainIn(seconds: number): string {
  const wait = Math.max(1, Math.ceil(seconds));
  if (wait < 60) return `Try again in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`;
  const minutes = Math.ceil(wait / 60);
  return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/** A 429 whose detail and Retry-After both say when to come back. */
export function tooManyRequests(code: ErrorCode, lead: string, retryAfterSeconds: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError(code, { detail: `${lead} ${tryAgainIn(seconds)}`, retryAfterSeconds: seconds });
}

const HTTP_TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function httpTitle(status: number): string {
  return HTTP_TITLES[status] ?? 'Error';
}

export interface ProblemDocument {
  type: 'about:blank';
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export function toProblem(error: AppError): ProblemDocument {
  return {
    ...(error.extra ?? {}),
    type: 'about:blank',
    title: httpTitle(error.status),
    status: error.status,
    code: error.code,
    detail: error.detail,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}
