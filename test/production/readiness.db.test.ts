// GET /api/health/ready tells a load balancer whether sign-in can work: the
// database answers and the OTP provider accepts our credentials. A Twilio
// refusing them (20003) or out of reach makes it 503, while liveness
// (/api/health) stays 200: the process is fine, its provider is not.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { createTestApp, json, type TestApp } from '../helpers/app.js';

let fake: FakeTwilio;
const apps: TestApp[] = [];

beforeEach(async () => {
  fake = await startFakeTwilioVerify();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await fake.close();
});

/** A fresh app each time: readiness remembers the provider's answer for a few seconds. */
async function twilioApp(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await createTestApp({
    env: {
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
      TWILIO_VERIFY_BASE_URL: fake.url,
      TWILIO_TIMEOUT: '2s',
      ...env,
    },
    seed: false,
  });
  apps.push(app);
  return app;
}

const ready = (app: TestApp) => app.app.inject({ method: 'GET', url: '/api/health/ready' });
const live = (app: TestApp) => app.app.inject({ method: 'GET', url: '/api/health' });

describe('readiness with Twilio Verify', () => {
  it('is 200 when the Verify service answers to our credentials, and says which provider', async () => {
    const t = await twilioApp();
    const response = await ready(t);
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, otp: { ok: true, provider: 'twilio-verify' } },
    });
    expect(fake.requests).toContainEqual(expect.objectContaining({ method: 'GET', path: `/v2/Services/${fake.serviceSid}` }));
  });

  it('is 503 when Twilio refuses the credentials (20003), naming what to fix; liveness stays 200', async () => {
    const t = await twilioApp();
    fake.failNext(20003, 401);
    const response = await ready(t);
    expect(response.statusCode).toBe(503);
    const body = json(response);
    expect(body).toMatchObject({ status: 'unavailable', checks: { database: { ok: true }, otp: { ok: false, provider: 'twilio-verify' } } });
    expect(body.checks.otp.detail).toMatch(/20003.*TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    expect(response.body).not.toContain(fake.authToken);
    expect((await live(t)).statusCode).toBe(200);
  });

  it('is 503 with a wrong auth token (the fake checks Basic auth like Twilio)', async () => {
    const t = await twilioApp({ TWILIO_AUTH_TOKEN: '0'.repeat(32) });
    const response = await ready(t);
    expect(response.statusCode).toBe(503);
    expect(json(response).checks.otp.ok).toBe(false);
  });

  it('is 503 when Twilio is out of reach; liveness stays 200', async () => {
    const t = await twilioApp();
    fake.setMode('down');
    const response = await ready(t);
    expect(response.statusCode).toBe(503);
    expect(json(response).checks.otp).toMatchObject({ ok: false, provider: 'twilio-verify' });
    expect(json(response).checks.otp.detail).toMatch(/TWILIO_VERIFY_BASE_URL/);
    expect((await live(t)).statusCode).toBe(200);
  });

  it('is 503 when the Verify service SID is not the account’s (20404)', async () => {
    const t = await twilioApp({ TWILIO_VERIFY_SERVICE_SID: 'VA' + '0'.repeat(32) });
    const response = await ready(t);
    expect(response.statusCode).toBe(503);
    expect(json(response).checks.otp.detail).toMatch(/TWILIO_VERIFY_SERVICE_SID/);
  });
});

describe('readiness in development', () => {
  it('is 200 with the console provider named', async () => {
    const t = await createTestApp({ seed: false });
    apps.push(t);
    const response = await ready(t);
    expect(response.statusCode).toBe(200);
    expect(json(response).checks.otp).toMatchObject({ ok: true, provider: 'console' });
  });
});
