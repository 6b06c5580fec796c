// LIMIT_REQUESTS_PER_IP's counters in Redis (REDIS_URL), falling back to
// this instance's memory while Redis does not answer (see
// request-counters.ts). A module of its own so that ioredis is loaded only
// when REDIS_URL is set.

import { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { createMemoryRequestCounters, REDIS_REQUEST_KEY_PREFIX, type RequestCounters } from './request-counters.js';

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

