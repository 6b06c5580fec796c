// Issue #9.10: every /api answer, errors and 404s included, says not to
// cache it and not to sniff it; HTML pages carry a Content-Security-Policy
// that refuses framing; public readiness names the OTP provider and never
// where it is or which account.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS } from '../helpers/limits-env.js';

function expectApiHeaders(response: LightMyRequestResponse): void {
  expect(response.headers['cache-control'], `${response.statusCode} ${response.body.slice(0, 100)}`).toBe('no-store');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
}

describe('headers of /api answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it.each([
    ['liveness (200)', 'GET', '/api/health', undefined],
    ['readiness (200)', 'GET', '/api/health/ready', undefined],
    ['an unknown /api route (404)', 'GET', '/api/nothing-here', undefined],
    ['a protected route without a token (401)', 'GET', '/api/applications', undefined],
    ['a bad token (401)', 'GET', '/api/auth/me', { authorization: 'Bearer nope' }],
    ['a query string on the path', 'GET', '/api/health?x=1', undefined],
  ] as const)('%s: Cache-Control no-store and nosniff', async (_name, method, url, headers) => {
    expectApiHeaders(await t.app.inject({ method, url, ...(headers ? { headers } : {}) }));
  });

  it('a refused body (400, 415, wrong password 401) carries them too', async () => {
    expectApiHeaders(await postJson(t.app, '/api/auth/login', { email: 1 }));
    expectApiHeaders(await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: 'x', headers: { 'content-type': 'text/plain' } }));
    expectApiHeaders(await postJson(t.app, '/api/public/applications', { businessName: 'a\u0000' }));
  });
});

describe('HTML pages refuse framing and declare a policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS, seed: false });
  });
  afterAll(async () => t.close());

  it('/docs: a CSP with frame-ancestors none, only its own scripts, no inline script', async () => {
    for (const url of ['/docs', '/docs/']) {
      const response = await t.app.inject({ method: 'GET', url });
      const page = response.statusCode === 302 ? await t.app.inject({ method: 'GET', url: String(response.headers.location) }) : response;
      if (!String(page.headers['content-type']).startsWith('text/html')) continue;
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      // The page's scripts are files the CSP allows, never inline code.
      expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('the viewer’s own script and style files are served under the policy', async () => {
    const initializer = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(initializer.statusCode).toBe(200);
    expect(initializer.body).toContain('SwaggerUIBundle');
    const css = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
    expect(css.statusCode).toBe(200);
  });
});

describe('readiness names the provider, never its SID, base URL or credentials', () => {
  let fake: FakeTwilio;
  let t: TestApp | undefined;
  beforeEach(async () => {
    fake = await startFakeTwilioVerify();
  });
  afterEach(async () => {
    await t?.close();
    await fake.close();
  });

  const twilioApp = (env: Record<string, string> = {}) =>
    createTestApp({
      seed: false,
      env: {
        TWILIO_ACCOUNT_SID: fake.accountSid,
        TWILIO_AUTH_TOKEN: fake.authToken,
        TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
        TWILIO_VERIFY_BASE_URL: fake.url,
        TWILIO_TIMEOUT: '2s',
        ...env,
      },
    });

  const expectNothingSecret = (body: string, serviceSid = fake.serviceSid) => {
    for (const secret of [serviceSid, fake.accountSid, fake.authToken, fake.url, new URL(fake.url).host]) expect(body).not.toContain(secret);
  };

  it('when ready', async () => {
    t = await twilioApp();
    const response = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(json(response).checks.otp.provider).toBe('twilio-verify');
    expectNothingSecret(response.body);
  });

  it('when Twilio is out of reach (the detail names the setting, not its value)', async () => {
    t = await twilioApp();
    fake.setMode('down');
    const response = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(json(response).checks.otp.detail).toMatch(/TWILIO_VERIFY_BASE_URL/);
    expectNothingSecret(response.body);
  });

  it('when the service SID is unknown (20404)', async () => {
    const wrongSid = 'VA' + '0'.repeat(32);
    t = await twilioApp({ TWILIO_VERIFY_SERVICE_SID: wrongSid });
    const response = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(json(response).checks.otp.detail).toMatch(/TWILIO_VERIFY_SERVICE_SID/);
    expectNothingSecret(response.body, wrongSid);
  });
});
