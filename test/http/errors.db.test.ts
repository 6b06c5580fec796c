// Every failure of the sign-in routes is an RFC 9457 problem of the one
// catalogue (API.md "Errors"): body format errors, unknown routes, missing or
// bad Bearer tokens, masked 5xx; and the public routes (health, ready, JWKS).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/auth/passwords.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { createConsoleOtpProvider } from '../../src/otp/console.js';
import { ADMIN, createTestApp, json, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, expectProblem, postRaw, signInAs, snapshotDatabase, type TokenAnswer } from '../auth/support.js';

const BODY_ROUTES = ['/api/auth/login', '/api/auth/otp/resend', '/api/auth/otp/verify', '/api/auth/refresh'] as const;
const BEARER_ROUTES = [
  ['POST', '/api/auth/logout'],
  ['GET', '/api/auth/me'],
  ['GET', '/api/rbac/roles'],
] as const;

describe('problem documents of the sign-in routes', () => {
  let t: TestApp;
  let tokens: TokenAnswer;
  let before: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    tokens = await signInAs(t, { email: ADMIN.email, password: ADMIN.password });
    before = await snapshotDatabase(t);
  });
  afterAll(async () => t.close());

  describe.each(BODY_ROUTES)('POST %s', (url) => {
    it.each([
      ['a truncated object', '{"email": "a@b.co", "password": '],
      ['a trailing comma', '{"tempToken": "x",}'],
      ['single quotes', "{'refreshToken': 'x'}"],
      ['bare words', 'hello'],
      ['two documents', '{} {}'],
    ])('malformed JSON (%s): 400 MALFORMED_JSON', async (_name, payload) => {
      const body = expectProblem(await postRaw(t.app, url, payload), 400, 'MALFORMED_JSON');
      expect(body.detail).toMatch(/JSON/);
    });

    it('an empty body with a JSON content type: 400 MALFORMED_JSON', async () => {
      expectProblem(await postRaw(t.app, url, '', 'application/json'), 400, 'MALFORMED_JSON');
      expectProblem(await postRaw(t.app, url, undefined, 'application/json; charset=utf-8'), 400, 'MALFORMED_JSON');
    });

    it.each([
      ['text/plain', '{"email":"a@b.co","password":"x"}'],
      ['text/plain; charset=utf-8', 'hello'],
      ['application/x-www-form-urlencoded', 'email=a%40b.co&password=x'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--x--'],
      ['application/xml', '<login/>'],
    ])('Content-Type %s: 415 UNSUPPORTED_MEDIA_TYPE', async (contentType, payload) => {
      expectProblem(await postRaw(t.app, url, payload, contentType), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a body over 64 KiB: 413 PAYLOAD_TOO_LARGE', async () => {
      const payload = JSON.stringify({ padding: 'x'.repeat(64 * 1024) });
      const body = expectProblem(await postRaw(t.app, url, payload), 413, 'PAYLOAD_TOO_LARGE');
      expect(body.detail).toMatch(/64 KiB/);
    });

    it('a body of exactly 64 KiB is read (and then refused by validation, not by size)', async () => {
      const frame = JSON.stringify({ padding: '' });
      const payload = JSON.stringify({ padding: 'x'.repeat(64 * 1024 - frame.length) });
      expect(Buffer.byteLength(payload)).toBe(64 * 1024);
      expectProblem(await postRaw(t.app, url, payload), 400, 'VALIDATION_FAILED');
    });

    it('nothing of the above changed the database', async () => {
      expect(await snapshotDatabase(t)).toEqual(before);
    });
  });

  it.each([
    ['GET', '/nope'],
    ['GET', '/api/nope'],
    ['POST', '/api/auth/nope'],
    ['GET', '/api/auth/login'],
    ['DELETE', '/api/auth/me'],
    ['POST', '/api/auth/login/'],
    ['GET', '/api/health/'],
    ['GET', '/.well-known/jwks'],
  ] as const)('%s %s: 404 NOT_FOUND', async (method, url) => {
    const response = await t.app.inject({ method, url });
    expectProblem(response, 404, 'NOT_FOUND');
    expect(json(response).title).toBe('Not Found');
  });

  describe.each(BEARER_ROUTES)('%s %s', (method, url) => {
    it('without a token: 401 AUTHENTICATION_REQUIRED, WWW-Authenticate: Bearer realm="boreal" (no error)', async () => {
      const response = await t.app.inject({ method, url });
      expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="boreal"');
    });

    it.each([
      ['a garbage token', 'Bearer not-a-token'],
      ['an unknown scheme', 'Basic YWRtaW46YWRtaW4xMjM='],
      ['a refresh token', () => `Bearer ${tokens.refreshToken}`],
    ])('with %s: 401 INVALID_TOKEN, WWW-Authenticate with error="invalid_token"', async (_name, header) => {
      const response = await t.app.inject({ method, url, headers: { authorization: typeof header === 'function' ? header() : header } });
      expectProblem(response, 401, 'INVALID_TOKEN');
      const challenge = response.headers['www-authenticate'];
      expect(challenge).toMatch(/^Bearer realm="boreal"/);
      expect(challenge).toContain('error="invalid_token"');
    });
  });

  it('GET /api/rbac/roles: any signed-in user gets every role with its permissions', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/rbac/roles', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(response.statusCode).toBe(200);
    const roles = json<{ roles: { name: string; permissions: string[] }[] }>(response).roles;
    expect(roles.map((role) => role.name)).toEqual(['admin', 'staff', 'lender']);
    expect(roles.find((role) => role.name === 'staff')!.permissions).toEqual(['applications:read', 'applications:write']);
    expect(roles.find((role) => role.name === 'lender')!.permissions).toEqual(['applications:read']);
    expect(roles.find((role) => role.name === 'admin')!.permissions).toEqual(
      expect.arrayContaining(['users:manage', 'rate-limits:clear', 'audit:read', 'applications:read', 'applications:write']),
    );
  });

  it('GET /api/auth/me: the user as in verify and their second factors, never a hash or a whole phone', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(json(response)).toEqual({ user: tokens.user, security: { phone: '+1 ••• ••• ••00', totp: false, recoveryCodesLeft: 0 } });
    expect(response.body).not.toMatch(/argon2|passwordHash|password_hash|\+1613/);
  });
});

describe('public routes: health, readiness, JWKS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('GET /api/health: 200 {"status":"ok"}', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: 'ok' });
  });

  it('GET /api/health/ready: 200 while the database answers and the OTP provider is configured', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ status: 'ready', checks: { database: { ok: true }, otp: { ok: true, provider: 'console' } } });
  });

  it('GET /api/health/ready: 503 with the failing check named when the OTP provider is not usable', async () => {
    // An app of its own on the same database: readiness remembers the provider's answer for a while.
    const unready = await createTestApp({
      env: RELAXED_LIMITS,
      database: t.database,
      seed: false,
      overrides: { otp: { ...createConsoleOtpProvider({ devCode: '123456', logger: { info() {}, warn() {}, error() {} } as never }), checkHealth: async () => ({ ok: false, detail: 'provider unreachable' }) } },
    });
    try {
      const response = await unready.app.inject({ method: 'GET', url: '/api/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(json(response)).toMatchObject({ status: 'unavailable', checks: { database: { ok: true }, otp: { ok: false, detail: 'provider unreachable' } } });
    } finally {
      await unready.close();
    }
  });

  it('GET /.well-known/jwks.json: 200, public keys only', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const { keys } = json<{ keys: Record<string, unknown>[] }>(response);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(expect.not.arrayContaining(['d']));
  });
});

describe('5xx answers are masked', () => {
  let t: TestApp;
  beforeAll(async () => {
    const real = createPasswordHasher();
    const exploding: PasswordHasher = {
      ...real,
      async verify() {
        throw new Error('relation "users" does not exist: SELECT password_hash FROM users WHERE email = $1');
      },
    };
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { passwords: exploding } });
  });
  afterAll(async () => t.close());

  it('an unforeseen failure: 500 INTERNAL_ERROR without its cause, logged with the request id', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN.email, password: 'whatever' } });
    const body = expectProblem(response, 500, 'INTERNAL_ERROR');
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
    expect(response.body).not.toMatch(/SELECT|relation|password_hash|at .*\.ts|stack/i);
    const logged = t.logs.find((line) => line.includes('relation \\"users\\" does not exist'));
    expect(logged).toBeDefined();
    expect(JSON.parse(logged!)).toMatchObject({ level: 50, reqId: expect.any(String) });
  });
});
