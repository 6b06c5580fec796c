// The keys of the limits, in one place: consuming writes them, clearing and
// the list of who is limited (limited-list.ts) read them.

import type { LimitRule } from '../core/limit-rule.js';
import type { Config } from '../config.js';
import { clientKey } from './client-ip.js';

/** The public application route's limit per IP (src/http/routes/public-applications.ts). */
export const PUBLIC_INTAKE_LIMIT_PER_IP: readonly LimitRule[] = [{ limit: 10, windowSeconds: 60 * 60 }];

/**
 * The keys of API.md's rules, in one place so that clearing finds what
 * consuming wrote. IP keys use `clientKey`: never empty, IPv6 per /64.
 */
/** Where each rule's keys start: the list of who is limited (limited-list.ts) reads by prefix. */
export const limitKeyPrefixes = {
  otpPerPhone: 'otp:phone:',
  otpPerIp: 'otp:ip:',
  loginPerIp: 'login:ip:',
  intakePerIp: 'intake:ip:',
  passwordLockout: 'lockout:password:',
  otpLockout: 'lockout:otp:',
  otpGuesses: 'otp-guesses:user:',
} as const;

export const limitKeys = {
  otpPerPhone: (phoneE164: string) => `${limitKeyPrefixes.otpPerPhone}${phoneE164}`,
  otpPerIp: (ip: string) => `${limitKeyPrefixes.otpPerIp}${clientKey(ip)}`,
  loginPerIp: (ip: string) => `${limitKeyPrefixes.loginPerIp}${clientKey(ip)}`,
  /** The public application route's per-IP limit. */
  intakePerIp: (ip: string) => `${limitKeyPrefixes.intakePerIp}${clientKey(ip)}`,
  passwordLockout: (email: string) => `${limitKeyPrefixes.passwordLockout}${email.trim().toLowerCase()}`,
  otpLockout: (userId: string) => `${limitKeyPrefixes.otpLockout}${userId}`,
  /** Code guesses an account may have judged per window (see auth/sign-in/guess-budget.ts, docs/security.md). */
  otpGuesses: (userId: string) => `${limitKeyPrefixes.otpGuesses}${userId}`,
  /** LIMIT_REQUESTS_PER_IP's counter (request-counters.ts, not PostgreSQL). */
  requestsPerIp: (ip: string) => clientKey(ip),
};

/**
 * The per-account budget of judged code guesses: the codes a phone may get in
 * each window × the guesses of a challenge (5/10m,20/1d × 5 → 25/10m,100/1d),
 * which holds every 24 h span to 100 (docs/security.md). The sign-in spends
 * it (auth/sign-in/guess-budget.ts); the admin's list reads it. An account
 * out of it gets ACCOUNT_LOCKED.
 */
export function codeGuessRules(config: Pick<Config, 'limits' | 'otp'>): LimitRule[] {
  return config.limits.otpPerPhone.map((rule) => ({ limit: rule.limit * config.otp.maxAttempts, windowSeconds: rule.windowSeconds }));
}
