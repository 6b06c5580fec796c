// Twilio slow (longer than TWILIO_TIMEOUT) and down during a login storm:
// every login answers within the timeout (503 OTP_PROVIDER_UNAVAILABLE),
// and what does not need Twilio (liveness, /me of a signed-in user) is not
// slowed down by the logins waiting on it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { ADMIN, bearer, createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { createUser, ROOMY, type LimitsUser } from '../limits/support.js';

const TIMEOUT_MS = 1000;
const STORM = 8;
/** The timeout, plus the password checks queued ahead (8 × argon2id on one slot) and a loaded machine's margin. */
const LOGIN_BOUND_MS = TIMEOUT_MS + 2500;
const UNAFFECTED_BOUND_MS = 500;

describe('Twilio slow or down during a login storm', () => {
  let fake: FakeTwilio;
  let t: TestApp;
  let users: LimitsUser[];
  let adminToken: string;
  beforeAll(async () => {
    fake = await startFakeTwilioVerify();
    t = await createTestApp({
      env: {
        ...ROOMY,
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
        TWILIO_VERIFY_BASE_URL: fake.url,
        TWILIO_TIMEOUT: `${TIMEOUT_MS / 1000}s`,
      },
    });
    users = [];
    for (let i = 0; i < STORM; i += 1) users.push(await createUser(t));
    const login = await postJson(t.app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(login.statusCode).toBe(200);
    const verify = await postJson(t.app, '/api/auth/otp/verify', { tempToken: json(login).tempToken, code: fake.lastCode(ADMIN.phone) });
    expect(verify.statusCode).toBe(200);
    adminToken = json(verify).accessToken;
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it.each(['slow', 'down'] as const)('Twilio %s: every login answers 503 OTP_PROVIDER_UNAVAILABLE within the timeout; health and /me stay fast', async (mode) => {
    fake.setMode(mode);
    try {
      const storm = users.map(async (user) => {
        const started = Date.now();
        const response = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
        return { response, ms: Date.now() - started };
      });
      // While the storm waits on Twilio: the routes that do not need it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const [health, me] = await Promise.all([
          t.app.inject({ method: 'GET', url: '/api/health' }),
          t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(adminToken) }),
        ]);
        expect(health.statusCode).toBe(200);
        expect(me.statusCode).toBe(200);
        expect(Date.now() - started).toBeLessThan(UNAFFECTED_BOUND_MS);
      }
      for (const { response, ms } of await Promise.all(storm)) {
        expect(response.statusCode, response.body).toBe(503);
        expect(json(response).code).toBe('OTP_PROVIDER_UNAVAILABLE');
        expect(ms).toBeLessThan(LOGIN_BOUND_MS);
      }
    } finally {
      fake.setMode('normal');
    }
  });
});
