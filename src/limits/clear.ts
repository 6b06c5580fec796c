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
import { AppError, validationError } from '../errors.js';
import { normalizePhone } from '../otp/phone.js';
import type { Services } from '../services.js';
import { findUserByEmail, normalizeEmail } from '../users/users-repository.js';
import { limitKeys } from './limits.js';
import { attachedRequestCounters, createRedisRequestCounters } from './request-counters.js';

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

export async function clearRateLimits(
  services: Services,
  target: { phone?: string; ip?: string; email?: string },
  actor: { actorId: string | null; ip: string | null },
): Promise<number> {
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
    const user = await findUserByEmail(services.db, email);
    if (user) {
      userId = user.id;
      keys.add(limitKeys.otpLockout(user.id));
      keys.add(limitKeys.otpGuesses(user.id));
    }
    detail.email = email;
  }

  let cleared = await services.limits.clear([...keys]);
  if (ip !== undefined) cleared += await clearRequestCounter(services, ip);

  await services.audit.record({
    type: 'RATE_LIMIT_CLEARED',
    userId,
    actorId: actor.actorId,
    ip: actor.ip,
    detail: { ...detail, cleared },
  });
  return cleared;
}

/** The LIMIT_REQUESTS_PER_IP counter of `ip`, where this process can reach it. */
async function clearRequestCounter(services: Services, ip: string): Promise<number> {
  const key = limitKeys.requestsPerIp(ip);
  const counters = attachedRequestCounters(services);
  if (counters) return counters.clear(key);
  if (!services.config.redisUrl) return 0;
  const shared = createRedisRequestCounters({ url: services.config.redisUrl, clock: services.clock });
  try {
    await shared.ready();
    return await shared.clear(key);
  } catch (error) {
    // The database counters are cleared and the clear is audited all the same.
    services.logger.warn({ err: { message: (error as Error).message } }, 'Redis does not answer: the request counter of this address was not cleared');
    return 0;
  } finally {
    await shared.close();
  }
}
