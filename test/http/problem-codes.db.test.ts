// The OpenAPI document lists, per route, every problem code it may answer
// (x-problem-codes, and in its 4xx/5xx descriptions), generated from the
// catalogue: each listed code exists there with its status and detail, every
// catalogue code is listed by some route, and answers the suites know of
// carry a code their route lists.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/errors.js';
import { DOMAIN_CODES } from '../../src/http/problem-codes.js';
import { ADMIN, bearer, createTestApp, json, loginStep, signIn, type TestApp } from '../helpers/app.js';

/** Catalogued, answered by no route: HEAD routes are not exposed and other methods meet the 404 of an unknown route. */
const ANSWERED_BY_NO_ROUTE: ErrorCode[] = ['METHOD_NOT_ALLOWED'];

type Operation = { 'x-problem-codes'?: { code: string; status: number; detail: string }[]; 'x-access'?: string; responses: Record<string, { description: string }> };
let t: TestApp;
let operations: Map<string, Operation>;

const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const listed = (method: string, url: string) => (operations.get(`${method.toLowerCase()} ${openApiPath(url)}`)?.['x-problem-codes'] ?? []).map((entry) => entry.code);

beforeAll(async () => {
  t = await createTestApp({ env: { LIMIT_LOGIN_PER_IP: '3/1m' } });
  const document = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
  operations = new Map();
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(methods)) operations.set(`${method} ${path}`, operation);
  }
});

afterAll(async () => {
  await t.close();
});

describe('problem codes in the OpenAPI document', () => {
  it('every operation lists its codes, each from the catalogue with its status and detail, and says who may call it', () => {
    expect(operations.size).toBeGreaterThan(20);
    for (const [key, operation] of operations) {
      const codes = operation['x-problem-codes'];
      expect(codes, key).toBeDefined();
      expect(operation['x-access'], key).toMatch(/^(public|signed in|permission |any of the permissions )/);
      for (const entry of codes!) {
        const catalogued = ERROR_CATALOGUE[entry.code as ErrorCode];
        expect(catalogued, `${key} lists ${entry.code}`).toBeDefined();
        expect(entry).toEqual({ code: entry.code, status: catalogued.status, detail: catalogued.detail });
      }
    }
  });

  it('every catalogue code is listed by some route', () => {
    const everyListed = new Set([...operations.values()].flatMap((operation) => (operation['x-problem-codes'] ?? []).map((entry) => entry.code)));
    const missing = Object.keys(ERROR_CATALOGUE).filter((code) => !everyListed.has(code) && !ANSWERED_BY_NO_ROUTE.includes(code as ErrorCode));
    expect(missing).toEqual([]);
  });

  it('the domain table names only routes that exist', () => {
    for (const key of Object.keys(DOMAIN_CODES)) {
      const [method, url] = key.split(' ') as [string, string];
      expect(operations.has(`${method.toLowerCase()} ${openApiPath(url)}`), key).toBe(true);
    }
  });

  it('the 4xx description names the codes too, for a reader of /docs', () => {
    const login = operations.get('post /api/auth/login')!;
    expect(login.responses['4XX']!.description).toContain('`401 INVALID_CREDENTIALS`: The email or password is incorrect.');
    expect(login.responses['5XX']!.description).toContain('`503 OTP_PROVIDER_UNAVAILABLE`');
  });

  it('answers seen on each route carry a code that route lists', async () => {
    const { app } = t;
    const admin = await signIn(app);
    const tempToken = await loginStep(app);
    const seen: [string, string, Promise<{ body: string }>][] = [
      ['POST', '/api/auth/login', app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: ADMIN.email, password: 'wrong-password-1' } })],
      ['POST', '/api/auth/login', app.inject({ method: 'POST', url: '/api/auth/login', payload: 'x', headers: { 'content-type': 'text/plain' } })],
      ['POST', '/api/auth/login', app.inject({ method: 'POST', url: '/api/auth/login', payload: '{', headers: { 'content-type': 'application/json' } })],
      ['POST', '/api/auth/otp/verify', app.inject({ method: 'POST', url: '/api/auth/otp/verify', payload: { tempToken, code: '000000' } })],
      ['POST', '/api/auth/otp/verify', app.inject({ method: 'POST', url: '/api/auth/otp/verify', payload: { tempToken: 'nope', code: '000000' } })],
      ['POST', '/api/auth/otp/resend', app.inject({ method: 'POST', url: '/api/auth/otp/resend', payload: { tempToken } })],
      ['POST', '/api/auth/refresh', app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: 'x.y' } })],
      ['GET', '/api/auth/me', app.inject({ method: 'GET', url: '/api/auth/me' })],
      ['GET', '/api/auth/me', app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer('not-a-jwt') })],
      ['GET', '/api/applications/:id', app.inject({ method: 'GET', url: '/api/applications/00000000-0000-4000-8000-000000000000', headers: bearer(admin.accessToken) })],
      ['GET', '/api/applications', app.inject({ method: 'GET', url: '/api/applications?limit=500', headers: bearer(admin.accessToken) })],
      ['POST', '/api/rbac/lenders', app.inject({ method: 'POST', url: '/api/rbac/lenders', payload: { name: 'Dup' }, headers: bearer(admin.accessToken) }).then(() => app.inject({ method: 'POST', url: '/api/rbac/lenders', payload: { name: 'Dup' }, headers: bearer(admin.accessToken) }))],
      ['GET', '/metrics', app.inject({ method: 'GET', url: '/metrics' })],
    ];
    for (const [method, url, answer] of seen) {
      const code = JSON.parse((await answer).body).code as string | undefined;
      expect(code, `${method} ${url}`).toBeDefined();
      expect(listed(method, url), `${method} ${url} answered ${code}`).toContain(code);
    }
  });
});
