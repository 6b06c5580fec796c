// Settings that keep the limits out of the way of suites not about them.

/** Limits high enough that suites not about limits never meet them. */
export const RELAXED_LIMITS = {
  LIMIT_LOGIN_PER_IP: '1000/1m',
  LIMIT_OTP_PER_PHONE: '1000/1m',
  LIMIT_OTP_PER_IP: '1000/1m',
  LIMIT_REQUESTS_PER_IP: '100000/1m',
} as const;
