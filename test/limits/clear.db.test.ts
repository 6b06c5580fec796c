// DELETE /api/rbac/rate-limits (and the rate-limit clearing use case, which the CLI shares):
// an admin clears a phone, an IP or an email; the next attempt goes through,
// and the clear is audited with its actor.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, signIn, type TestApp } from '../helpers/app.js';
import { auditOfType, codesSent, createUser, expect429, login, loginOk, ROOMY, verify, WRONG_CODE } from './support.js';

let t: TestApp;
let adminToken: string;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_REQUESTS_PER_IP: ROOMY.LIMIT_REQUESTS_PER_IP } });
  const admin = await signIn(t.app);
  adminToken = admin.accessToken;
  adminId = admin.user.id;
});
afterAll(async () => t.close());

/** The admin's calls come from their own address, so the limits under test are never theirs. */
function clear(query: string, token: string | null = adminToken) {
  return t.app.inject({
    method: 'DELETE',
    url: `/api/rbac/rate-limits${query}`,
    remoteAddress: '10.200.0.1',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

const loginFrom = (user: { email: string; password: string }, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: { email: user.email, password: user.password } });

describe('DELETE /api/rbac/rate-limits', () => {
  it('after an admin clears a phone, the next login sends a code again; the clear is audited with its actor', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 5; i += 1) await loginOk(t, user);
    expect429(await login(t, user), 'OTP_RATE_LIMITED');

    // Any written form of the number clears its E.164 counter.
    const national = `+1 (${user.phone.slice(2, 5)}) ${user.phone.slice(5, 8)}-${user.phone.slice(8)}`;
    const answer = await clear(`?phone=${encodeURIComponent(national)}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(json(answer)).toEqual({ cleared: 1 });

    const before = await codesSent(t, user.id);
    await loginOk(t, user);
    expect(await codesSent(t, user.id)).toBe(before + 1);

    const events = await auditOfType(t, 'RATE_LIMIT_CLEARED');
    expect(events.at(-1)).toMatchObject({ actor_id: adminId, user_id: null, ip: '10.200.0.1', detail: { phone: user.phone, cleared: 1 } });
  });

  it('an email: unlocks both lock kinds of that account (wrong passwords and wrong codes)', async () => {
    const user = await createUser(t, { phone: '+16135557001' });
    // Wrong codes: two challenges of 5 lock the account.
    for (let round = 0; round < 2; round += 1) {
      const tempToken = await loginFrom(user, '192.0.2.10').then((answer) => json(answer).tempToken as string);
      for (let i = 0; i < 5; i += 1) await verify(t, tempToken, WRONG_CODE);
    }
    expect429(await loginFrom(user, '192.0.2.10'), 'ACCOUNT_LOCKED');
    // Wrong passwords: 10 lock the email.
    for (let i = 0; i < 10; i += 1) await loginFrom({ email: user.email, password: 'wrong' }, `192.0.2.${20 + i}`);

    const answer = await clear(`?email=${encodeURIComponent(user.email.toUpperCase())}`);
    // The password lock, the code lock and the code-guess budget.
    expect(json(answer)).toEqual({ cleared: 3 });
    const tempToken = json(await loginFrom(user, '192.0.2.40')).tempToken as string;
    expect((await verify(t, tempToken, t.config.otp.devCode)).statusCode).toBe(200);
    expect((await auditOfType(t, 'RATE_LIMIT_CLEARED')).at(-1)).toMatchObject({ actor_id: adminId, user_id: user.id, detail: { email: user.email, cleared: 3 } });
  });

  it('an unknown email\'s password lock is cleared too', async () => {
    const ghost = { email: 'nobody-at-all@example.test', password: 'x' };
    for (let i = 0; i < 10; i += 1) await loginFrom(ghost, `192.0.2.${50 + i}`);
    expect429(await loginFrom(ghost, '192.0.2.60'), 'ACCOUNT_LOCKED');
    expect(json(await clear(`?email=${ghost.email}`))).toEqual({ cleared: 1 });
    expect((await loginFrom(ghost, '192.0.2.61')).statusCode).toBe(401);
    expect((await auditOfType(t, 'RATE_LIMIT_CLEARED')).at(-1)).toMatchObject({ user_id: null, detail: { email: ghost.email } });
  });

  it('several targets at once; nothing to clear is { cleared: 0 } and still audited', async () => {
    const before = (await auditOfType(t, 'RATE_LIMIT_CLEARED')).length;
    expect(json(await clear('?phone=%2B16135559999&ip=192.0.2.250&email=quiet@example.test'))).toEqual({ cleared: 0 });
    const events = await auditOfType(t, 'RATE_LIMIT_CLEARED');
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)!.detail).toEqual({ phone: '+16135559999', ip: '192.0.2.250', email: 'quiet@example.test', cleared: 0 });
  });

  it.each([
    ['nothing named', '', '/'],
    ['an invalid phone', '?phone=12', '/phone'],
    ['a phone that is not a number', '?phone=call-me', '/phone'],
    ['an invalid ip', '?ip=300.1.1.1', '/ip'],
    ['an empty email', '?email=', '/email'],
    ['an unknown parameter', '?phone=%2B16135550100&user=x', '/user'],
  ])('%s (%s): 400 VALIDATION_FAILED at %s', async (_name, query, path) => {
    const answer = await clear(query);
    expect(answer.statusCode, answer.body).toBe(400);
    expect(json(answer)).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(json(answer).errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('without a token: 401; without rate-limits:clear: 403', async () => {
    expect(json(await clear('?ip=192.0.2.1', null)).code).toBe('AUTHENTICATION_REQUIRED');
    const staff = await createUser(t, { roles: ['staff'] });
    const tempToken = json(await loginFrom(staff, '10.200.0.2')).tempToken as string;
    const staffToken = json(await verify(t, tempToken, t.config.otp.devCode)).accessToken as string;
    const forbidden = await clear('?ip=192.0.2.1', staffToken);
    expect(forbidden.statusCode).toBe(403);
    expect(json(forbidden).code).toBe('FORBIDDEN');
  });
});

describe('rateLimitClearing.clear (what the CLI calls)', () => {
  it('clears, counts and audits with a null actor', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 5; i += 1) await loginOk(t, user);
    expect(await t.services.rateLimitClearing.clear({ phone: user.phone }, { actorId: null, ip: null })).toBe(1);
    expect((await auditOfType(t, 'RATE_LIMIT_CLEARED')).at(-1)).toMatchObject({ actor_id: null, ip: null, detail: { phone: user.phone, cleared: 1 } });
  });

  it('refuses an empty target and an invalid phone with VALIDATION_FAILED', async () => {
    await expect(t.services.rateLimitClearing.clear({}, { actorId: null, ip: null })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(t.services.rateLimitClearing.clear({ phone: 'nope' }, { actorId: null, ip: null })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: '/phone' }],
    });
  });
});

describe('clearing an ip', () => {
  let small: TestApp;
  beforeAll(async () => {
    // LIMIT_REQUESTS_PER_IP 5/1m: small enough to spend in a test.
    small = await createTestApp({ env: { LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_REQUESTS_PER_IP: '5/1m' } });
  });
  afterAll(async () => small.close());

  it('its sign-in, code and request counters go, and it may try again at once', async () => {
    const ip = '192.0.2.99';
    const user = await createUser(small);
    const from = (body: { email: string; password: string }) =>
      small.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: { email: body.email, password: body.password } });
    // 5 requests spend its LIMIT_REQUESTS_PER_IP: one good login, four wrong.
    expect((await from(user)).statusCode).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await from({ email: user.email, password: 'wrong' })).statusCode).toBe(401);
    expect429(await from(user), 'RATE_LIMITED');

    const admin = await signIn(small.app);
    const answer = await small.app.inject({ method: 'DELETE', url: `/api/rbac/rate-limits?ip=${ip}`, remoteAddress: '10.200.0.9', headers: { authorization: `Bearer ${admin.accessToken}` } });
    // login:ip, otp:ip, and the request counter.
    expect(json(answer)).toEqual({ cleared: 3 });
    expect((await from(user)).statusCode).toBe(200);
    expect((await auditOfType(small, 'RATE_LIMIT_CLEARED')).at(-1)).toMatchObject({ actor_id: admin.user.id, ip: '10.200.0.9', detail: { ip, cleared: 3 } });
  });
});
