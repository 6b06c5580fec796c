// The counters of LIMIT_REQUESTS_PER_IP (every route but health), kept out of
// PostgreSQL on purpose: they are touched on every request. Fixed windows
// (API.md leaves the shape to us): the first request of a client opens a
// window; the window's end is the exact wait a refused client is told.
//
// In memory by default, per instance, driven by the injected clock. With
// REDIS_URL, in Redis so that every instance shares them; if Redis stops
// answering, each instance falls back to its own memory counters rather than
// letting requests through uncounted (no limit is ever skipped) or refusing
// everyone (the incident behind this product was an outage of sign-in).

import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';

export interface RequestCount {
  /** Requests counted in the current window, this one included. */
  current: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

export interface RequestCounters {
  readonly kind: 'memory' | 'redis';
  /** Counts one request of `key` in a window of `windowMs`. */
  increment(key: string, windowMs: number): Promise<RequestCount>;
  /** The count without counting. */
  read(key: string, windowMs: number): Promise<RequestCount>;
  /** Forgets `key`; returns how many live counters went (0 or 1). */
  clear(key: string): Promise<number>;
  /** Every key whose window holds at least `limit` requests now (its next request is refused), with the window's end. */
  limited(limit: number): Promise<Array<{ key: string; ttlMs: number }>>;
  /** For readiness: does the shared store answer? */
  check(): Promise<{ ok: boolean; detail: string }>;
  /** Resolves once the shared store is connected; rejects after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Memory counters kept at most: past this, expired windows go first, then the oldest. */
const DEFAULT_MAX_MEMORY_ENTRIES = 100_000;

export function createMemoryRequestCounters(clock: Clock, maxEntries = DEFAULT_MAX_MEMORY_ENTRIES): RequestCounters {
  const windows = new Map<string, { count: number; endsAtMs: number }>();

  const evict = (nowMs: number) => {
    if (windows.size < maxEntries) return;
    for (const [key, window] of windows) if (window.endsAtMs <= nowMs) windows.delete(key);
    // Still full: drop the oldest windows (Map keeps insertion order). A
    // dropped client starts a fresh window: the price of a bounded memory.
    for (const key of windows.keys()) {
      if (windows.size < maxEntries) break;
      windows.delete(key);
    }
  };

  return {
    kind: 'memory',
    async increment(key, windowMs) {
      const nowMs = clock.now().getTime();
      let window = windows.get(key);
      if (!window || window.endsAtMs <= nowMs) {
        windows.delete(key);
        evict(nowMs);
        window = { count: 0, endsAtMs: nowMs + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { current: window.count, ttlMs: window.endsAtMs - nowMs };
    },
    async read(key) {
      const nowMs = clock.now().getTime();
      const window = windows.get(key);
      if (!window || window.endsAtMs <= nowMs) return { current: 0, ttlMs: 0 };
      return { current: window.count, ttlMs: window.endsAtMs - nowMs };
    },
    async limited(limit) {
      const nowMs = clock.now().getTime();
      return [...windows]
        .filter(([, window]) => window.endsAtMs > nowMs && window.count >= limit)
        .map(([key, window]) => ({ key, ttlMs: window.endsAtMs - nowMs }));
    },
    async clear(key) {
      const window = windows.get(key);
      windows.delete(key);
      return window && window.endsAtMs > clock.now().getTime() ? 1 : 0;
    },
    async check() {
      return { ok: true, detail: 'in memory' };
    },
    async ready() {},
    async close() {
      windows.clear();
    },
  };
}

/** Where the request counters live in Redis: `boreal:requests:<client key>`. */
export const REDIS_REQUEST_KEY_PREFIX = 'boreal:requests:';

/**
 * The request counters of one process, built once by the composition root
 * (services.ts) and handed to the request-limit hook and to the clearing use
 * case: in Redis when REDIS_URL is set, else in memory. Each change of Redis's
 * state is one log line. Resolves when Redis answers, or after its connect
 * timeout: a start without Redis counts in memory until it answers.
 */
export async function createRequestCounters(options: { redisUrl: string | undefined; clock: Clock; logger: Logger }): Promise<RequestCounters> {
  const { redisUrl, clock, logger } = options;
  if (!redisUrl) return createMemoryRequestCounters(clock);
  // ioredis is loaded only when REDIS_URL is set.
  const { createRedisRequestCounters } = await import('./redis-request-counters.js');
  const counters = createRedisRequestCounters({
    url: redisUrl,
    clock,
    onStoreError: (error) => logger.warn({ err: { message: error.message } }, "Redis does not answer: request limits fall back to this instance's memory"),
    onStoreRecovered: () => logger.info('Redis answers again: request limits are shared again'),
  });
  await counters.ready().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'Redis does not answer at start: request limits count in memory until it does'));
  return counters;
}
