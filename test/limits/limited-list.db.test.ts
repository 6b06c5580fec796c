// GET /api/rbac/rate-limits: every phone, IP, email and account refused right
// now, with the code it gets, its wait (longest first) and the subject that
// DELETE takes to free it; and what it lists, a clear of that subject ends.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, bearer, createTestApp, json, type TestApp } from '../helpers/app.js';
import { insertUser } from '../helpers/users.js';

const ADMIN_IP = '198.51.100.1';
const GUESSER_IP = '198.51.100.3';
const FLOODER_IP = '198.51.100.4';
const STUFFER_IP = '2001:db8:1:2::5';
const STAFF = { email: 'kari@example.test', name: 'Kari', password: 'Fjord-Lantern-82', phone: '+16135550177', roles: ['staff' as const] };

interface Item {
  kind: string;
  subject: string;
  code: string;
  retryAfterSeconds: number;
  userId: string | null;
}

let t: TestApp;
let staffId: string;

beforeEach(async () => {
  t = await createTestApp({
    env: {
      LIMIT_LOGIN_PER_IP: '2/1m',
      LOCKOUT_PASSWORD: '2/15m',
      LOCKOUT_OTP: '2/20m',
      LIMIT_OTP_PER_PHONE: '1/10m',
      LIMIT_REQUESTS_PER_IP: '12/1m',
    },
  });
  staffId = await insertUser(t, STAFF);
});

afterEach(async () => {
  await t.close();
});

const post = (url: string, body: unknown, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload: body as object });

async function adminHeaders(): Promise<Record<string, string>> {
  const login = await post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password }, ADMIN_IP);
  const verify = await post('/api/auth/otp/verify', { tempToken: json(login).tempToken, code: '123456' }, ADMIN_IP);
  return bearer(json(verify).accessToken);
}

async function list(headers: Record<string, string>): Promise<Item[]> {
  const response = await t.app.inject({ method: 'GET', url: '/api/rbac/rate-limits', headers, remoteAddress: ADMIN_IP });
  expect(response.statusCode).toBe(200);
  return json<{ items: Item[] }>(response).items;
}

describe('GET /api/rbac/rate-limits', () => {
  it('is empty when nobody is refused', async () => {
    // The admin's own sign-in used the phone's one code: clear it first.
    const headers = await adminHeaders();
    await t.app.inject({ method: 'DELETE', url: `/api/rbac/rate-limits?phone=${encodeURIComponent('+16135550100')}`, headers, remoteAddress: ADMIN_IP });
    expect(await list(headers)).toEqual([]);
  });

  it('lists each kind with its code, the longest wait first, and every listed subject clears', async () => {
    const headers = await adminHeaders();
    // A stuffer: wrong passwords for an unknown email from one IPv6 client, until its login window is full.
    for (let i = 0; i < 2; i += 1) expect((await post('/api/auth/login', { email: 'ghost@example.test', password: 'wrong-password-1' }, STUFFER_IP)).statusCode).toBe(401);
    // A guesser: signs in as staff, then two wrong codes lock the account.
    const login = await post('/api/auth/login', { email: STAFF.email, password: STAFF.password }, GUESSER_IP);
    expect(login.statusCode).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await post('/api/auth/otp/verify', { tempToken: json(login).tempToken, code: '000000' }, GUESSER_IP)).statusCode).toBe(401);
    // A flooder: the per-IP request limit.
    for (let i = 0; i < 12; i += 1) await t.app.inject({ method: 'GET', url: '/api/rbac/roles', remoteAddress: FLOODER_IP });

    const items = await list(headers);
    const admin = json(await t.app.inject({ method: 'GET', url: '/api/auth/me', headers, remoteAddress: ADMIN_IP })).user;
    expect(items).toEqual([
      { kind: 'account', subject: STAFF.email, code: 'ACCOUNT_LOCKED', retryAfterSeconds: 20 * 60, userId: staffId },
      { kind: 'email', subject: 'ghost@example.test', code: 'ACCOUNT_LOCKED', retryAfterSeconds: 15 * 60, userId: null },
      { kind: 'phone', subject: '+16135550100', code: 'OTP_RATE_LIMITED', retryAfterSeconds: 10 * 60, userId: admin.id },
      { kind: 'phone', subject: STAFF.phone, code: 'OTP_RATE_LIMITED', retryAfterSeconds: 10 * 60, userId: staffId },
      { kind: 'ip', subject: '198.51.100.4', code: 'RATE_LIMITED', retryAfterSeconds: 60, userId: null },
      { kind: 'ip', subject: '2001:db8:1:2::', code: 'LOGIN_RATE_LIMITED', retryAfterSeconds: 60, userId: null },
    ]);
    // What the list says is what the subject gets.
    const refused = await post('/api/auth/login', { email: 'ghost@example.test', password: 'wrong-password-1' }, '203.0.113.77');
    expect(json(refused).code).toBe('ACCOUNT_LOCKED');

    for (const item of items) {
      const query = { phone: 'phone', ip: 'ip', email: 'email', account: 'email' }[item.kind]!;
      const response = await t.app.inject({ method: 'DELETE', url: `/api/rbac/rate-limits?${query}=${encodeURIComponent(item.subject)}`, headers, remoteAddress: ADMIN_IP });
      expect(response.statusCode, item.subject).toBe(200);
    }
    expect(await list(headers)).toEqual([]);
    expect((await post('/api/auth/login', { email: STAFF.email, password: STAFF.password }, STUFFER_IP)).statusCode).toBe(200);
  });

  it('a lock that ended is no longer listed', async () => {
    const headers = await adminHeaders();
    for (let i = 0; i < 2; i += 1) await post('/api/auth/login', { email: 'ghost@example.test', password: 'wrong-password-1' }, STUFFER_IP);
    expect((await list(headers)).map((item) => item.subject)).toContain('ghost@example.test');
    t.clock.advanceSeconds(15 * 60);
    const subjects = (await list(await adminHeaders())).map((item) => item.subject);
    expect(subjects).not.toContain('ghost@example.test');
    expect(subjects).not.toContain('2001:db8:1:2::');
  });
});
