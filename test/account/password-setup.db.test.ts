// Password-setup links (API.md "Account lifecycle"): invitations and resets
// through one mechanism. A link works once, for PASSWORD_SETUP_TTL, a newer
// one replaces it, and its token is never in a log line or an audit row.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { passwordSetupTokens } from '../../src/db/schema.js';
import { sha256Hex } from '../../src/auth/crypto.js';
import { createTestApp, json, loginStep, postJson, signIn, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem } from '../auth/support.js';
import { call, isLive, setPassword, signInFrom, type Session } from './support.js';

const PUBLIC_URL = 'https://portal.boreal.example';

describe('password-setup links', () => {
  let t: TestApp;
  let admin: Session;
  const issuedTokens: string[] = [];
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, PUBLIC_URL, PASSWORD_SETUP_TTL: '72h' } });
    const tokens = await signIn(t.app);
    admin = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, userId: tokens.user.id, headers: { authorization: `Bearer ${tokens.accessToken}` } };
  });
  afterAll(async () => t.close());

  async function invite(overrides: Record<string, unknown> = {}) {
    serial += 1;
    const response = await call(t, 'POST', '/api/rbac/users', admin, {
      email: `invitee-${serial}@example.test`,
      name: `Invitee ${serial}`,
      roles: ['staff'],
      phone: `+1613555${String(4000 + serial)}`,
      ...overrides,
    });
    expect(response.statusCode, response.body).toBe(201);
    const user = json(response);
    issuedTokens.push(user.passwordSetup.token);
    return user;
  }

  async function issueFor(userId: string) {
    const response = await call(t, 'POST', `/api/rbac/users/${userId}/password-setup`, admin);
    expect(response.statusCode, response.body).toBe(201);
    const link = json(response);
    issuedTokens.push(link.token);
    return link;
  }

  it('a user created without a password gets a link: 201 with passwordSetup { token, url, expiresAt }, passwordSet false', async () => {
    const user = await invite();
    expect(user).toMatchObject({ passwordSet: false, totp: false, roles: ['staff'] });
    expect(user.passwordSetup.token).toMatch(/^[\w-]{43}$/); // 256 bits
    expect(Buffer.from(user.passwordSetup.token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(user.passwordSetup.url).toBe(`${PUBLIC_URL}/app/set-password#token=${user.passwordSetup.token}`);
    expect(user.passwordSetup.expiresAt).toBe(new Date(t.clock.now().getTime() + 72 * 3600 * 1000).toISOString());
  });

  it('stores only the hash of the token', async () => {
    const user = await invite();
    const rows = await t.services.db.select().from(passwordSetupTokens).where(eq(passwordSetupTokens.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(sha256Hex(user.passwordSetup.token));
    expect(JSON.stringify(rows)).not.toContain(user.passwordSetup.token);
  });

  it('a user with no password yet gets INVALID_CREDENTIALS at login, like a wrong password', async () => {
    const user = await invite();
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: 'anything at all 1' }), 401, 'INVALID_CREDENTIALS');
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: '' }), 400, 'VALIDATION_FAILED');
  });

  it('the link sets the password once: 200 PASSWORD_SET with the email; the user then signs in; a second use is INVALID_SETUP_TOKEN', async () => {
    const user = await invite();
    const response = await setPassword(t, user.passwordSetup.token, 'my own passphrase 1');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(json(response)).toEqual({ status: 'PASSWORD_SET', email: user.email });
    await expect(loginStep(t.app, user.email, 'my own passphrase 1')).resolves.toEqual(expect.any(String));
    expectProblem(await setPassword(t, user.passwordSetup.token, 'another passphrase 2'), 401, 'INVALID_SETUP_TOKEN');
    const view = json(await call(t, 'GET', '/api/rbac/users?limit=100', admin)).items.find((item: { id: string }) => item.id === user.id);
    expect(view.passwordSet).toBe(true);
  });

  it('a link used twice in parallel sets the password once', async () => {
    const user = await invite();
    const answers = await Promise.all(['parallel pass one 1', 'parallel pass two 2', 'parallel pass three 3', 'parallel pass four 4'].map((password) => setPassword(t, user.passwordSetup.token, password)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([200, 401, 401, 401]);
    for (const answer of answers.filter((item) => item.statusCode === 401)) expectProblem(answer, 401, 'INVALID_SETUP_TOKEN');
    expect((await auditRows(t, 'PASSWORD_CHANGED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
  });

  it('a link replaced by a newer one answers INVALID_SETUP_TOKEN; the newer one works', async () => {
    const user = await invite();
    const newer = await issueFor(user.id);
    expectProblem(await setPassword(t, user.passwordSetup.token, 'replaced passphrase 1'), 401, 'INVALID_SETUP_TOKEN');
    expect((await setPassword(t, newer.token, 'replaced passphrase 1')).statusCode).toBe(200);
  });

  it('an expired link answers INVALID_SETUP_TOKEN', async () => {
    const user = await invite();
    t.clock.advanceSeconds(72 * 3600 + 1);
    expectProblem(await setPassword(t, user.passwordSetup.token, 'expired passphrase 1'), 401, 'INVALID_SETUP_TOKEN');
    const tokens = await signIn(t.app);
    admin = { ...admin, accessToken: tokens.accessToken, headers: { authorization: `Bearer ${tokens.accessToken}` } };
  });

  it.each([
    ['unknown', 'A'.repeat(43)],
    ['malformed', 'not a token'],
  ])('an %s token answers INVALID_SETUP_TOKEN', async (_what, token) => {
    expectProblem(await setPassword(t, token, 'some passphrase 10'), 401, 'INVALID_SETUP_TOKEN');
  });

  it('a password the policy refuses answers 400 at /password and the link stays good', async () => {
    const user = await invite();
    const refused = expectProblem(await setPassword(t, user.passwordSetup.token, 'password123'), 400, 'VALIDATION_FAILED');
    expect(refused.errors).toEqual([expect.objectContaining({ path: '/password' })]);
    expectProblem(await setPassword(t, user.passwordSetup.token, 'short'), 400, 'VALIDATION_FAILED');
    expect((await setPassword(t, user.passwordSetup.token, 'finally a good one 5')).statusCode).toBe(200);
  });

  it('a reset: the current password works until the link is used; using it ends every session and clears the email\'s lock', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    const link = await issueFor(user.id);
    expect(link.url).toBe(`${PUBLIC_URL}/app/set-password#token=${link.token}`);
    await expect(loginStep(t.app, user.email, user.password)).resolves.toEqual(expect.any(String));
    for (let attempt = 1; attempt <= 10; attempt += 1) await postJson(t.app, '/api/auth/login', { email: user.email, password: `bad guess ${attempt}` });
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }), 429, 'ACCOUNT_LOCKED');
    expect((await setPassword(t, link.token, 'reset passphrase 77')).statusCode).toBe(200);
    expect(await isLive(t, session)).toBe(false);
    expect((await postJson(t.app, '/api/auth/refresh', { refreshToken: session.refreshToken })).statusCode).toBe(401);
    await expect(loginStep(t.app, user.email, 'reset passphrase 77')).resolves.toEqual(expect.any(String));
  });

  it('issuing for an unknown user answers 404 NOT_FOUND; ids compare whatever their case', async () => {
    expectProblem(await call(t, 'POST', '/api/rbac/users/00000000-0000-4000-8000-000000000000/password-setup', admin), 404, 'NOT_FOUND');
    expectProblem(await call(t, 'POST', '/api/rbac/users/not-a-uuid/password-setup', admin), 404, 'NOT_FOUND');
    const user = await createUser(t);
    expect((await call(t, 'POST', `/api/rbac/users/${user.id.toUpperCase()}/password-setup`, admin)).statusCode).toBe(201);
  });

  it('audits PASSWORD_SETUP_ISSUED (by the admin) and PASSWORD_CHANGED via setup', async () => {
    const user = await invite();
    await setPassword(t, user.passwordSetup.token, 'audited setup pass 3', '192.0.2.44');
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id);
    expect(events.map((event) => event.type)).toEqual(['USER_CREATED', 'PASSWORD_SETUP_ISSUED', 'PASSWORD_CHANGED']);
    expect(events[1]).toMatchObject({ actor_id: admin.userId, detail: expect.objectContaining({ purpose: 'invitation' }) });
    expect(events[2]).toMatchObject({ actor_id: user.id, ip: '192.0.2.44', detail: expect.objectContaining({ via: 'setup' }) });
  });

  it('is counted by LIMIT_LOGIN_PER_IP (429 LOGIN_RATE_LIMITED)', async () => {
    const limited = await createTestApp({ env: { ...RELAXED_LIMITS, LIMIT_LOGIN_PER_IP: '3/10m' } });
    try {
      for (let attempt = 1; attempt <= 3; attempt += 1) expectProblem(await setPassword(limited, 'B'.repeat(43), 'some passphrase 10', '198.51.100.7'), 401, 'INVALID_SETUP_TOKEN');
      const refused = await setPassword(limited, 'B'.repeat(43), 'some passphrase 10', '198.51.100.7');
      expectProblem(refused, 429, 'LOGIN_RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('no setup token ever reaches a log line or an audit row', async () => {
    expect(issuedTokens.length).toBeGreaterThan(5);
    const logs = t.logs.join('\n');
    const audit = JSON.stringify(await auditRows(t));
    for (const token of issuedTokens) {
      expect(logs).not.toContain(token);
      expect(audit).not.toContain(token);
    }
    // The logs were captured: the requests that carried the tokens are in them.
    expect(logs).toContain('/api/auth/password/setup');
    expect(logs).toContain('/password-setup');
  });
});
