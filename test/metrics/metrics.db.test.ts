// GET /metrics: off without METRICS_TOKEN, behind its bearer token, outside
// the request limit, and every counter of API.md "Metrics" moves with what
// happened, by the route's pattern and never with personal data in a label.

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, bearer, createTestApp, json, loginStep, postJson, type TestApp } from '../helpers/app.js';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { DEVELOPMENT_ADMIN } from '../../src/users/development-seed.js';

const TOKEN = 'scrape-token-for-tests';
let t: TestApp | undefined;
let fake: FakeTwilio | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
  await fake?.close();
  fake = undefined;
});

async function scrape(app: TestApp['app']): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

/** The value of one series, or 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    const have = labelText.split(',');
    if (wanted.every((pair) => have.includes(pair)) && have.length === wanted.length) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** Every label value of every boreal_ series. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/^boreal_[a-z_]+\{([^}]*)\}/gm)].flatMap((match) => [...match[1]!.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((value) => value[1]!));
}

describe('GET /metrics access', () => {
  it('answers 404 NOT_FOUND when METRICS_TOKEN is unset', async () => {
    t = await createTestApp({ seed: false });
    const response = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(TOKEN) });
    expect(response.statusCode).toBe(404);
    expect(json(response).code).toBe('NOT_FOUND');
  });

  it('answers 401 AUTHENTICATION_REQUIRED without the token or with a wrong one', async () => {
    t = await createTestApp({ seed: false, env: { METRICS_TOKEN: TOKEN } });
    for (const headers of [{}, bearer('wrong-token'), { authorization: TOKEN }, bearer(`${TOKEN}x`)]) {
      const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(response.statusCode).toBe(401);
      expect(json(response).code).toBe('AUTHENTICATION_REQUIRED');
      expect(response.body).not.toContain('boreal_');
    }
  });

  it('is not counted by the request limit', async () => {
    t = await createTestApp({ seed: false, env: { METRICS_TOKEN: TOKEN, LIMIT_REQUESTS_PER_IP: '2/1m' } });
    for (let i = 0; i < 5; i += 1) await scrape(t.app);
    // The allowance of 2 is still whole.
    for (let i = 0; i < 2; i += 1) expect((await t.app.inject({ method: 'GET', url: '/api/rbac/roles' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/rbac/roles' })).statusCode).toBe(429);
  });

  it("serves Node's default process metrics", async () => {
    t = await createTestApp({ seed: false, env: { METRICS_TOKEN: TOKEN } });
    const text = await scrape(t.app);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});

describe('the counters move with what happened', () => {
  it('a sign-in, a wrong password, a wrong code, a limit and route patterns', async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, LIMIT_LOGIN_PER_IP: '4/1m' } });
    const { app } = t;
    const tempToken = await loginStep(app);
    expect((await postJson(app, '/api/auth/otp/verify', { tempToken, code: '000000' })).statusCode).toBe(401);
    const verified = await postJson(app, '/api/auth/otp/verify', { tempToken, code: '123456' });
    expect(verified.statusCode).toBe(200);
    const { accessToken, user } = json(verified);
    expect((await postJson(app, '/api/auth/login', { email: ADMIN.email, password: 'not-the-password' })).statusCode).toBe(401);
    expect((await postJson(app, '/api/auth/login', { email: 'nobody@example.com', password: 'whatever-it-is' })).statusCode).toBe(401);
    expect((await postJson(app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).statusCode).toBe(200);
    const limited = await postJson(app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(json(limited).code).toBe('LOGIN_RATE_LIMITED');
    const applicationId = randomUUID();
    expect((await app.inject({ method: 'GET', url: `/api/applications/${applicationId}`, headers: bearer(accessToken) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/no/such/route/${applicationId}` })).statusCode).toBe(404);

    const text = await scrape(app);
    expect(sample(text, 'boreal_logins_total', { outcome: 'otp_required' })).toBe(2);
    expect(sample(text, 'boreal_logins_total', { outcome: 'invalid_credentials' })).toBe(2);
    expect(sample(text, 'boreal_logins_total', { outcome: 'rate_limited' })).toBe(1);
    expect(sample(text, 'boreal_otp_sends_total', { channel: 'sms', outcome: 'sent' })).toBe(2);
    expect(sample(text, 'boreal_otp_verifications_total', { factor: 'sms', outcome: 'wrong' })).toBe(1);
    expect(sample(text, 'boreal_otp_verifications_total', { factor: 'sms', outcome: 'approved' })).toBe(1);
    expect(sample(text, 'boreal_rate_limited_total', { code: 'LOGIN_RATE_LIMITED' })).toBe(1);
    expect(sample(text, 'boreal_http_requests_total', { method: 'POST', route: '/api/auth/login', status: '401' })).toBe(2);
    expect(sample(text, 'boreal_http_requests_total', { method: 'GET', route: '/api/applications/:id', status: '404' })).toBe(1);
    expect(sample(text, 'boreal_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'boreal_http_request_duration_seconds_count', { method: 'POST', route: '/api/auth/otp/verify' })).toBe(2);

    const labels = labelValues(text);
    for (const personal of [ADMIN.email, 'nobody@example.com', DEVELOPMENT_ADMIN.phone, '127.0.0.1', user.id, applicationId, tempToken]) {
      expect(labels.some((value) => value.includes(personal)), personal).toBe(false);
      expect(text).not.toContain(personal);
    }
    for (const value of labels) expect(value).not.toMatch(/@|\+\d{6}|\d+\.\d+\.\d+\.\d+|[0-9a-f]{8}-[0-9a-f]{4}/i);
  });

  it('account lock by wrong passwords counts as account_locked and ACCOUNT_LOCKED', async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, LOCKOUT_PASSWORD: '2/15m' } });
    for (let i = 0; i < 2; i += 1) await postJson(t.app, '/api/auth/login', { email: ADMIN.email, password: 'not-the-password' });
    expect(json(await postJson(t.app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password })).code).toBe('ACCOUNT_LOCKED');
    const text = await scrape(t.app);
    expect(sample(text, 'boreal_logins_total', { outcome: 'account_locked' })).toBe(1);
    expect(sample(text, 'boreal_rate_limited_total', { code: 'ACCOUNT_LOCKED' })).toBe(1);
  });
});

describe('provider failures are counted by their code', () => {
  const twilioApp = async () => {
    fake = await startFakeTwilioVerify();
    return createTestApp({
      env: {
        METRICS_TOKEN: TOKEN,
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
        TWILIO_VERIFY_BASE_URL: fake.url,
        TWILIO_TIMEOUT: '1s',
      },
    });
  };

  it('Twilio down, refusing the credentials, blocking delivery and timing out', async () => {
    t = await twilioApp();
    const login = () => postJson(t!.app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });

    fake!.setMode('down');
    expect(json(await login()).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    fake!.setMode('normal');
    fake!.failNext(20003);
    expect(json(await login()).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    fake!.failNext(60410);
    expect(json(await login()).code).toBe('OTP_DELIVERY_FAILED');
    fake!.setMode('slow');
    expect(json(await login()).code).toBe('OTP_PROVIDER_UNAVAILABLE');
    fake!.setMode('normal');
    expect((await login()).statusCode).toBe(200);

    const text = await scrape(t.app);
    expect(sample(text, 'boreal_otp_provider_errors_total', { provider_code: 'network' })).toBe(1);
    expect(sample(text, 'boreal_otp_provider_errors_total', { provider_code: '20003' })).toBe(1);
    expect(sample(text, 'boreal_otp_provider_errors_total', { provider_code: '60410' })).toBe(1);
    expect(sample(text, 'boreal_otp_provider_errors_total', { provider_code: 'timeout' })).toBe(1);
    expect(sample(text, 'boreal_otp_sends_total', { channel: 'sms', outcome: 'provider_unavailable' })).toBe(3);
    expect(sample(text, 'boreal_otp_sends_total', { channel: 'sms', outcome: 'delivery_failed' })).toBe(1);
    expect(sample(text, 'boreal_otp_sends_total', { channel: 'sms', outcome: 'sent' })).toBe(1);
    expect(sample(text, 'boreal_logins_total', { outcome: 'otp_error' })).toBe(4);
    for (const value of labelValues(text)) expect(value).not.toContain(DEVELOPMENT_ADMIN.phone);
    expect(text).not.toContain(fake!.accountSid);
  });
});
