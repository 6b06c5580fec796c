// LIMIT_REQUESTS_PER_IP in Redis (REDIS_URL): the counters really live in
// Redis, instances share them, an admin's clear (route or CLI) reaches them,
// and readiness reports Redis. Runs when TEST_REDIS_URL is set; then a Redis
// that does not answer FAILS this suite (beforeAll), it is not skipped.
//
// The outage suite at the end needs no Redis and always runs: with Redis
// away, requests are still limited (per instance, in memory) and never wait.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestApp, json, signIn, TestClock, testKeySet, type TestApp } from '../helpers/app.js';
import { createServices } from '../../src/services.js';
import { REDIS_REQUEST_KEY_PREFIX } from '../../src/limits/request-counters.js';
import { expect429, ROOMY } from './support.js';

const redisUrl = process.env.TEST_REDIS_URL;
const LIMIT = 5;
const env = (url: string) => ({ ...ROOMY, LIMIT_REQUESTS_PER_IP: `${LIMIT}/1m`, REDIS_URL: url });
/** Addresses of this run only, so parallel runs on one Redis never meet. */
const runAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const get = (t: TestApp, remoteAddress: string, url = '/.well-known/jwks.json') => t.app.inject({ method: 'GET', url, remoteAddress });

describe.skipIf(!redisUrl)('request limit in Redis (TEST_REDIS_URL)', () => {
  let redis: Redis;
  let a: TestApp;
  let b: TestApp;
  const used: string[] = [];
  const address = () => {
    const ip = runAddress();
    used.push(ip);
    return ip;
  };

  beforeAll(async () => {
    // No retries: a Redis that does not answer fails the suite here.
    redis = new Redis(redisUrl!, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } catch (error) {
      throw new Error(`TEST_REDIS_URL is set but Redis does not answer there: ${(error as Error).message}`);
    }
    const clock = new TestClock();
    a = await createTestApp({ clock, env: env(redisUrl!) });
    b = await createTestApp({ clock, env: env(redisUrl!) });
  });
  afterAll(async () => {
    if (redis?.status === 'ready' && used.length > 0) await redis.del(...used.map((ip) => REDIS_REQUEST_KEY_PREFIX + ip));
    await a?.close();
    await b?.close();
    redis?.disconnect();
  });

  it('readiness reports Redis', async () => {
    const ready = await a.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(json(ready).checks.redis).toEqual({ ok: true, detail: 'answers' });
  });

  it('the counter lives in Redis, with the window as its expiry', async () => {
    const ip = address();
    for (let i = 0; i < 3; i += 1) expect((await get(a, ip)).statusCode).toBe(200);
    expect(await redis.get(REDIS_REQUEST_KEY_PREFIX + ip)).toBe('3');
    const ttl = await redis.pttl(REDIS_REQUEST_KEY_PREFIX + ip);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('two instances share it: 3 on A and 2 on B spend the 5; the 6th is refused on either, with Retry-After', async () => {
    const ip = address();
    for (let i = 0; i < 3; i += 1) expect((await get(a, ip)).statusCode).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await get(b, ip)).statusCode).toBe(200);
    const wait = expect429(await get(a, ip), 'RATE_LIMITED');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect429(await get(b, ip), 'RATE_LIMITED');
  });

  it('a parallel burst over both instances lets exactly 5 through', async () => {
    const ip = address();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => get(i % 2 === 0 ? a : b, ip)));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(LIMIT);
  });

  it('the list of who is limited shows an address limited on A when asked on B', async () => {
    const ip = address();
    for (let i = 0; i < LIMIT; i += 1) await get(a, ip);
    const admin = await signIn(b.app);
    const answer = await b.app.inject({ method: 'GET', url: '/api/rbac/rate-limits', remoteAddress: address(), headers: { authorization: `Bearer ${admin.accessToken}` } });
    const item = json(answer).items.find((candidate: { subject: string }) => candidate.subject === ip);
    expect(item).toMatchObject({ kind: 'ip', code: 'RATE_LIMITED', userId: null });
    expect(item.retryAfterSeconds).toBeGreaterThan(0);
    expect(item.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('an admin clearing the ip on B removes the Redis counter: the address is served again on A', async () => {
    const ip = address();
    for (let i = 0; i <= LIMIT; i += 1) await get(a, ip);
    expect429(await get(a, ip), 'RATE_LIMITED');
    const admin = await signIn(b.app);
    const answer = await b.app.inject({ method: 'DELETE', url: `/api/rbac/rate-limits?ip=${ip}`, remoteAddress: address(), headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(json(answer)).toEqual({ cleared: 1 });
    expect(await redis.exists(REDIS_REQUEST_KEY_PREFIX + ip)).toBe(0);
    expect((await get(a, ip)).statusCode).toBe(200);
  });

  it('the CLI (no app in its process) clears the Redis counter too', async () => {
    const ip = address();
    for (let i = 0; i <= LIMIT; i += 1) await get(a, ip);
    // Services no app is built on, with counters of their own: what `boreal rate-limits clear` builds.
    const cliServices = await createServices(a.config, a.database, a.services.logger, { keySet: await testKeySet() });
    try {
      expect(await cliServices.rateLimitClearing.clear({ ip }, { actorId: null, ip: null })).toBe(1);
    } finally {
      await cliServices.close();
    }
    expect((await get(b, ip)).statusCode).toBe(200);
  });
});
