// An admin's way out of a limit (API.md DELETE /api/rbac/rate-limits and
// `boreal rate-limits clear`): the incident behind this product was an IP
// limit that locked people out for 11 minutes with no way to clear it.
//
// What one target clears:
// - phone: the codes sent to that phone (LIMIT_OTP_PER_PHONE);
// - ip: sign-ins (LIMIT_LOGIN_PER_IP), codes (LIMIT_OTP_PER_IP) and public
//   applications (limitKeys.intakePerIp) from that client, and its LIMIT_REQUESTS_PER_IP
//   counter: in Redis when REDIS_URL is set (reached from any process, the
//   CLI included), else the in-memory counter of the app that serves this
//   call. The CLI cannot reach a running server's memory; that counter ends
//   with its window (one minute by default). IPv6 clients count per /64
//   (see client-ip.ts), so clearing one IPv6 address clears its /64;
// - email: the wrong-password lock of that email and, when a user has that
//   email, the wrong-code lock and the daily code-guess budget of that
//   account ("Clearing an email also unlocks that account (both lock kinds)").
// The answer counts the counters and locks that existed and went. Every
// clear is audited as RATE_LIMIT_CLEARED, even one that found nothing.

import { isIP } from 'node:net';
import type { AuditLog } from '../audit/audit.js';
import type { Database } from '../db/connect.js';
import { AppError, validationError } from '../errors.js';
import { normalizePhone } from '../otp/phone.js';
import { findUserByEmail, normalizeEmail } from '../users/users-repository.js';
import { type Limits } from './limits.js';
import { limitKeys } from './limit-keys.js';
import type { RequestCounters } from './request-counters.js';

export interface RateLimitTarget {
  phone?: string;
  ip?: string;
  email?: string;
}

export interface RateLimitClearActor {
  /** The admin (null for the CLI, run by an operator). */
  actorId: string | null;
  ip: string | null;
}

export interface RateLimitClearingDeps {
  db: Database;
  limits: Pick<Limits, 'clear'>;
  /** The process's LIMIT_REQUESTS_PER_IP counters (Redis-backed when REDIS_URL is set). */
  requestCounters: Pick<RequestCounters, 'clear'>;
  audit: AuditLog;
}

export interface RateLimitClearing {
  /** Returns how many counters and locks existed and went. */
  clear(target: RateLimitTarget, actor: RateLimitClearActor): Promise<number>;
}

export function createRateLimitClearing(deps: RateLimitClearingDeps): RateLimitClearing {
  return { clear: (target, actor) => clearRateLimits(deps, target, actor) };
}

async function clearRateLimits(deps: RateLimitClearingDeps, target: RateLimitTarget, actor: RateLimitClearActor): Promise<number> {
  if (target.phone === undefined && target.ip === undefined && target.email === undefined) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'Name what to clear: a phone, an ip or an email.',
      errors: [{ path: '/', message: 'must have at least one of phone, ip, email' }],
    });
  }

  const keys = new Set<string>();
  const detail: Record<string, unknown> = {};
  let userId: string | null = null;

  if (target.phone !== undefined) {
    const phone = normalizePhone(target.phone);
    if (!phone) throw validationError('/phone', 'must be a valid phone number, like +16135550100');
    keys.add(limitKeys.otpPerPhone(phone));
    detail.phone = phone;
  }

  let ip: string | undefined;
  if (target.ip !== undefined) {
    ip = target.ip.trim();
    if (isIP(ip) === 0) throw validationError('/ip', 'must be an IPv4 or IPv6 address');
    keys.add(limitKeys.loginPerIp(ip));
    keys.add(limitKeys.otpPerIp(ip));
    keys.add(limitKeys.intakePerIp(ip));
    detail.ip = ip;
  }

  if (target.email !== undefined) {
    const email = normalizeEmail(target.email);
    if (email === '') throw validationError('/email', 'must not be empty');
    keys.add(limitKeys.passwordLockout(email));
    const user = await findUserByEmail(deps.db, email);
    if (user) {
      userId = user.id;
      keys.add(limitKeys.otpLockout(user.id));
      keys.add(limitKeys.otpGuesses(user.id));
    }
    detail.email = email;
  }

  let cleared = await deps.limits.clear([...keys]);
  // Redis away: the counters of this process are cleared, the Redis one is
  // not (the counters log it); the database counters are cleared and the
  // clear is audited all the same.
  if (ip !== undefined) cleared += await deps.requestCounters.clear(limitKeys.requestsPerIp(ip));

  await deps.audit.record({
    type: 'RATE_LIMIT_CLEARED',
    userId,
    actorId: actor.actorId,
    ip: actor.ip,
    detail: { ...detail, cleared },
  });
  return cleared;
}
