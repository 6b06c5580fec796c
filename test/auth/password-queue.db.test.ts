// Through HTTP: a sign-in that would wait too long for a password-hash slot
// is refused at once with 503 SERVICE_UNAVAILABLE and Retry-After, never a
// 500 nor an unbounded wait; once the queue drains, sign-ins succeed again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundedWork } from '../../src/auth/bounded-work.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { ADMIN, createTestApp, json, postJson, type TestApp } from '../helpers/app.js';

describe('password-hash queue through HTTP', () => {
  const queue = createBoundedWork({ concurrency: 1, maxWaitMs: 500, initialTaskMs: 1000 });
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ overrides: { passwords: createPasswordHasher({ memoryCost: 1024, timeCost: 1, queue }) } });
  });
  afterAll(async () => t?.close());

  it('a login that cannot get a hash slot in time answers 503 SERVICE_UNAVAILABLE with Retry-After, at once', async () => {
    let release!: () => void;
    const occupied = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    for (const email of [ADMIN.email, 'nobody@boreal.com']) {
      const response = await postJson(t.app, '/api/auth/login', { email, password: ADMIN.password });
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(json(response)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    }
    expect(Date.now() - started).toBeLessThan(1000);
    release();
    await occupied;
    const again = await postJson(t.app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(again.statusCode).toBe(200);
  });
});
