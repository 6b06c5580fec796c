// LIMIT_REQUESTS_PER_IP: every request, signed in or not, on every route but
// health (routes opt out with `config: { rateLimit: false }`), the 404
// handler included. @fastify/rate-limit does the counting through its
// `createRateLimit`, called from one app-wide onRequest hook rather than the
// plugin's per-route hooks: app-wide hooks run before the routes' own, so a
// request is counted before `authenticate` can refuse it (a flood of requests
// without a token must count too), and a route's own `config.rateLimit` stays
// free to add a stricter limit of its own (with an `errorResponseBuilder`
// returning an AppError: the error handler maps no bare 429).
//
// The client is `request.ip`: the socket address, or what TRUST_PROXY lets the
// proxy say (Fastify `trustProxy`). X-Forwarded-For is ignored unless
// TRUST_PROXY trusts its sender, so a spoofed header buys nothing; a request
// without an address counts as the client "unknown" (client-ip.ts).

import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tooManyRequests } from '../errors.js';
import { clientKey } from '../limits/client-ip.js';
import type { LimitRule } from '../core/limit-rule.js';
import type { RequestCounters } from '../limits/request-counters.js';
import type { ReadinessExtras } from './routes/health.js';

export interface RequestLimit {
  counters: RequestCounters;
  /** What this module adds to GET /api/health/ready (Redis, when used). */
  readiness: ReadinessExtras;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** @fastify/rate-limit's store interface over our counters (which use the injected clock). */
function storeOver(counters: RequestCounters, prefix = '') {
  return class RequestCountersStore {
    incr(key: string, callback: StoreCallback, timeWindowMs: number) {
      counters.increment(prefix + key, timeWindowMs).then(
        ({ current, ttlMs }) => callback(null, { current, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    read(key: string, callback: StoreCallback, timeWindowMs: number) {
      counters.read(prefix + key, timeWindowMs).then(
        ({ current, ttlMs }) => callback(null, { current, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    /** A route's own `config.rateLimit` counts apart from the app-wide limit. */
    child(routeOptions: object) {
      // At run time the plugin passes the route's merged settings, the route under `routeInfo`.
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      const Child = storeOver(counters, `${prefix}${String(route?.method)}${String(route?.url)}-`);
      return new Child();
    }
  };
}

export function clientOf(request: FastifyRequest): string {
  return clientKey(request.ip || request.socket?.remoteAddress);
}

/**
 * Registers the request limit on the root instance; call before any route.
 * The counters come from the composition root, which also hands them to the
 * admin's clear (limits/clear.ts) and closes them.
 */
export async function registerRequestLimit(app: FastifyInstance, options: { counters: RequestCounters; rule: LimitRule }): Promise<RequestLimit> {
  const { counters, rule } = options;
  await app.register(fastifyRateLimit, {
    global: false,
    max: rule.limit,
    timeWindow: rule.windowSeconds * 1000,
    store: storeOver(counters),
    keyGenerator: clientOf,
  });
  const countRequest = app.createRateLimit();

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.rateLimit === false) return;
    const result = await countRequest(request);
    // No X-RateLimit-* headers on answers: a count that changes from one
    // answer to the next would make the same answers differ (API.md wants
    // unknown email and wrong password alike to the byte).
    if (!result.isAllowed && result.isExceeded) {
      throw tooManyRequests('RATE_LIMITED', 'Too many requests from this address.', result.ttlInSeconds);
    }
  });

  return {
    counters,
    readiness: counters.kind === 'redis' ? { redis: () => counters.check() } : {},
  };
}
