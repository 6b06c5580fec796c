// LIMIT_REQUESTS_PER_IP with REDIS_URL set but Redis away (needs no Redis,
// so it always runs): requests are still limited, per instance in memory,
// and none waits for Redis; readiness says Redis does not answer but stays
// ready (API.md "Public routes").

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { expect429, ROOMY } from './support.js';

const LIMIT = 5;
const get = (t: TestApp, remoteAddress: string, url = '/.well-known/jwks.json') => t.app.inject({ method: 'GET', url, remoteAddress });

describe('request limit when Redis does not answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: connections are refused at once.
    t = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_REQUESTS_PER_IP: `${LIMIT}/1m`, REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => t?.close());

  it('readiness reports Redis as not answering, yet stays ready (the memory fallback serves)', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(json(ready).status).toBe('ready');
    expect(json(ready).checks.redis).toMatchObject({ ok: false });
  });

  it('requests are still limited (in memory, per instance), and none waits for Redis', async () => {
    const ip = '198.51.100.200';
    const started = Date.now();
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, ip)).statusCode).toBe(200);
    expect429(await get(t, ip), 'RATE_LIMITED');
    expect(Date.now() - started).toBeLessThan(2000);
    t.clock.advanceSeconds(60);
    expect((await get(t, ip)).statusCode).toBe(200);
  });
});
