// POST /api/auth/password (API.md "Your account"): the current password is
// required and counted toward the login's password lock, so a stolen access
// token is no password oracle; the new one follows the policy; every other
// session ends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginStep, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, retryAfter, type CreatedUser } from '../auth/support.js';
import { changePassword, isLive, signInFrom } from './support.js';

describe('POST /api/auth/password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, LOCKOUT_PASSWORD: '10/15m' } });
  });
  afterAll(async () => t.close());

  it('changes the password: 204, the new one signs in, the old one no longer does', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    const response = await changePassword(t, session, user.password, 'a brand new passphrase 7');
    expect(response.statusCode).toBe(204);
    expect((await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password })).statusCode).toBe(401);
    await expect(loginStep(t.app, user.email, 'a brand new passphrase 7')).resolves.toEqual(expect.any(String));
  });

  it('ends every other session of the user and keeps the one that asked', async () => {
    const user = await createUser(t);
    const asking = await signInFrom(t, user, 'Asking/1');
    const other = await signInFrom(t, user, 'Other/1');
    const bystander = await signInFrom(t, await createUser(t));
    expect((await changePassword(t, asking, user.password, 'another fine passphrase')).statusCode).toBe(204);
    expect(await isLive(t, asking)).toBe(true);
    expect(await isLive(t, other)).toBe(false);
    expect(await isLive(t, bystander)).toBe(true);
    expect((await postJson(t.app, '/api/auth/refresh', { refreshToken: other.refreshToken })).statusCode).toBe(401);
  });

  it('audits PASSWORD_CHANGED without either password', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    await changePassword(t, session, user.password, 'audited passphrase 99');
    const events = (await auditRows(t, 'PASSWORD_CHANGED')).filter((event) => event.user_id === user.id);
    expect(events).toEqual([expect.objectContaining({ actor_id: user.id, detail: expect.objectContaining({ via: 'change' }) })]);
    expect(JSON.stringify(events)).not.toContain(user.password);
    expect(JSON.stringify(events)).not.toContain('audited passphrase 99');
  });

  it('a wrong current password answers 403 CURRENT_PASSWORD_INVALID and changes nothing', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    expectProblem(await changePassword(t, session, 'not my password', 'fresh passphrase 11'), 403, 'CURRENT_PASSWORD_INVALID');
    await expect(loginStep(t.app, user.email, user.password)).resolves.toEqual(expect.any(String));
  });

  // [what is wrong with the new password, current password of the user?, new password]
  const refusedNewPasswords: [string, (user: CreatedUser) => string][] = [
    ['too short', () => 'short'],
    ['too long', () => 'x'.repeat(129)],
    ['a common password', () => 'password123'],
    ['the current one', (user) => user.password],
  ];
  it.each(refusedNewPasswords)('a new password that is %s answers 400 at /newPassword', async (_what, newPassword) => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    const body = expectProblem(await changePassword(t, session, user.password, newPassword(user)), 400, 'VALIDATION_FAILED');
    expect(body.errors.map((error: { path: string }) => error.path)).toEqual(['/newPassword']);
    await expect(loginStep(t.app, user.email, user.password)).resolves.toEqual(expect.any(String));
  });

  it('needs a signed-in user: 401 without a token', async () => {
    const response = await postJson(t.app, '/api/auth/password', { currentPassword: 'x', newPassword: 'whatever passphrase' });
    expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
  });

  it('wrong current password ×10 locks the email (429 ACCOUNT_LOCKED, also for the right one and at login) — no oracle', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      expectProblem(await changePassword(t, session, `wrong guess ${attempt}`, 'fresh passphrase 12'), 403, 'CURRENT_PASSWORD_INVALID');
    }
    const locked = await changePassword(t, session, user.password, 'fresh passphrase 12');
    expectProblem(locked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(locked)).toBeGreaterThan(14 * 60);
    // The same lock as the login's: the password step is refused too, whatever the password.
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }), 429, 'ACCOUNT_LOCKED');
    expect((await auditRows(t, 'ACCOUNT_LOCKED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
    // When the lock ends, the right password works again (in a new session: the access token has expired meanwhile).
    t.clock.advanceSeconds(15 * 60 + 1);
    expect((await changePassword(t, await signInFrom(t, user), user.password, 'fresh passphrase 12')).statusCode).toBe(204);
  });

  it('wrong guesses at login and here add up on the same count', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect((await postJson(t.app, '/api/auth/login', { email: user.email, password: `login guess ${attempt}` })).statusCode).toBe(401);
    }
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expectProblem(await changePassword(t, session, `change guess ${attempt}`, 'fresh passphrase 13'), 403, 'CURRENT_PASSWORD_INVALID');
    }
    expectProblem(await changePassword(t, session, user.password, 'fresh passphrase 13'), 429, 'ACCOUNT_LOCKED');
  });
});
