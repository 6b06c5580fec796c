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

import { Redis } from 'ioredis';
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
  /** Every key whose window holds at least `limit` requests now (its next request is refused), with the window's end. */
  limited(limit: number): Promise<Array<{ key: string; ttlMs: number }>>;
  /** Forgets `key`; returns how many live counters went (0 or 1). */
  clear(key: string): Promise<number>;
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

// One round trip, atomic in Redis: count, and start the window's expiry with
// its first request. A key somehow left without an expiry gets one, so a
// client can never be refused forever.
const INCREMENT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}`;

/**
 * A Redis client that never makes a request wait for a Redis that is away:
 * no offline queue (a command while disconnected fails at once, and the
 * counters fall back to memory), and a command timeout for one that hangs.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    // Retry the connection every second at most, forever: Redis may come back.
    retryStrategy: (times) => Math.min(times * 200, 1000),
  });
}

export interface RedisRequestCountersOptions {
  url: string;
  clock: Clock;
  /** Told once per outage (and once per recovery). */
  onStoreError?: (error: Error) => void;
  onStoreRecovered?: () => void;
}

export function createRedisRequestCounters(options: RedisRequestCountersOptions): RequestCounters {
  const redis = createRedisClient(options.url);
  const fallback = createMemoryRequestCounters(options.clock);
  let failing = false;
  // ioredis reports connection errors as events; unheard, they would crash the process.
  redis.on('error', (error: Error) => markFailing(error));

  function markFailing(error: Error) {
    if (!failing) options.onStoreError?.(error);
    failing = true;
  }
  function markHealthy() {
    if (failing) options.onStoreRecovered?.();
    failing = false;
  }

  return {
    kind: 'redis',
    async increment(key, windowMs) {
      try {
        const [current, ttlMs] = (await redis.eval(INCREMENT_SCRIPT, 1, REDIS_REQUEST_KEY_PREFIX + key, String(windowMs))) as [number, number];
        markHealthy();
        return { current, ttlMs };
      } catch (error) {
        markFailing(error as Error);
        return fallback.increment(key, windowMs);
      }
    },
    async read(key, windowMs) {
      try {
        const [count, ttlMs] = await Promise.all([redis.get(REDIS_REQUEST_KEY_PREFIX + key), redis.pttl(REDIS_REQUEST_KEY_PREFIX + key)]);
        return count === null ? { current: 0, ttlMs: 0 } : { current: Number(count), ttlMs: Math.max(0, ttlMs) };
      } catch {
        return fallback.read(key, windowMs);
      }
    },
    async limited(limit) {
      try {
        const found: Array<{ key: string; ttlMs: number }> = [];
        let cursor = '0';
        // SCAN walks the keyspace in steps without blocking Redis (KEYS would); an admin's list can afford it.
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_REQUEST_KEY_PREFIX}*`, 'COUNT', 1000);
          cursor = next;
          for (const fullKey of keys) {
            const [count, ttlMs] = await Promise.all([redis.get(fullKey), redis.pttl(fullKey)]);
            if (count !== null && Number(count) >= limit && ttlMs > 0) found.push({ key: fullKey.slice(REDIS_REQUEST_KEY_PREFIX.length), ttlMs });
          }
        } while (cursor !== '0');
        return found;
      } catch (error) {
        markFailing(error as Error);
        return fallback.limited(limit);
      }
    },
    async clear(key) {
      const local = await fallback.clear(key);
      // Redis down: the fallback counters are the ones in use, and they are cleared.
      const shared = await redis.del(REDIS_REQUEST_KEY_PREFIX + key).catch((error: Error) => {
        markFailing(error);
        return 0;
      });
      return Math.max(local, shared);
    },
    async check() {
      try {
        const answer = await redis.ping();
        return { ok: answer === 'PONG', detail: answer === 'PONG' ? 'answers' : `answered ${answer}` };
      } catch {
        return { ok: false, detail: 'does not answer' };
      }
    },
    async ready(timeoutMs = 2000) {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          redis.off('ready', onReady);
          reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        redis.once('ready', onReady);
      });
    },
    async close() {
      await fallback.close();
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

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
  const counters = createRedisRequestCounters({
    url: redisUrl,
    clock,
    onStoreError: (error) => logger.warn({ err: { message: error.message } }, "Redis does not answer: request limits fall back to this instance's memory"),
    onStoreRecovered: () => logger.info('Redis answers again: request limits are shared again'),
  });
  await counters.ready().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'Redis does not answer at start: request limits count in memory until it does'));
  return counters;
}
