// API.md "Second factors" (the account side): disabling the authenticator and
// new recovery codes need the password, a wrong one counting toward
// LOCKOUT_PASSWORD like at login; the admin's reset of a lost authenticator.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { bearer, json, postJson, signIn, type TestApp, createTestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, startLogin } from './support.js';
import { enrollAuthenticator } from './factors-support.js';
import { ADMIN } from '../helpers/app.js';

describe('disabling the authenticator and new recovery codes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, LOCKOUT_PASSWORD: '3/15m' } });
  });
  afterAll(async () => t.close());

  it('new recovery codes need an enrolled authenticator (409), then the password; the old set stops working, audited RECOVERY_CODES_GENERATED', async () => {
    const user = await createUser(t);
    const { accessToken } = await signIn(t.app, user.email, user.password);
    expectProblem(await postJson(t.app, '/api/auth/recovery-codes', { password: user.password }, bearer(accessToken)), 409, 'CONFLICT');
    const enrolled = await enrollAuthenticator(t, user);
    expectProblem(await postJson(t.app, '/api/auth/recovery-codes', { password: 'not it' }, bearer(enrolled.accessToken)), 403, 'CURRENT_PASSWORD_INVALID');
    const response = await postJson(t.app, '/api/auth/recovery-codes', { password: user.password }, bearer(enrolled.accessToken));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const fresh = json(response).recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => enrolled.recoveryCodes.includes(code))).toEqual([]);
    expectProblem(await postJson(t.app, '/api/auth/otp/verify', { tempToken: await startLogin(t, user), recoveryCode: enrolled.recoveryCodes[0] }), 401, 'INVALID_OTP');
    expect((await postJson(t.app, '/api/auth/otp/verify', { tempToken: await startLogin(t, user), recoveryCode: fresh[0] })).statusCode).toBe(200);
    expect((await auditRows(t, 'RECOVERY_CODES_GENERATED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
  });

  it('disabling with the password removes the app and the codes (audited TOTP_DISABLED); the next login is by SMS again', async () => {
    const user = await createUser(t);
    const { accessToken, recoveryCodes } = await enrollAuthenticator(t, user);
    const response = await postJson(t.app, '/api/auth/totp/disable', { password: user.password }, bearer(accessToken));
    expect(response.statusCode).toBe(204);
    expect((await auditRows(t, 'TOTP_DISABLED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
    const login = json(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }));
    expect(login.otp.channel).toBe('sms');
    expect(login.factors).toEqual(['sms', 'call']);
    expectProblem(await postJson(t.app, '/api/auth/otp/verify', { tempToken: login.tempToken, recoveryCode: recoveryCodes[1] }), 401, 'INVALID_OTP');
  });

  it('wrong passwords count toward LOCKOUT_PASSWORD: 403 CURRENT_PASSWORD_INVALID until the lock, then 429 ACCOUNT_LOCKED here and at login', async () => {
    const user = await createUser(t);
    const { accessToken } = await enrollAuthenticator(t, user);
    for (let i = 0; i < 3; i += 1) {
      expectProblem(await postJson(t.app, '/api/auth/totp/disable', { password: `wrong ${i}` }, bearer(accessToken)), 403, 'CURRENT_PASSWORD_INVALID');
    }
    expectProblem(await postJson(t.app, '/api/auth/totp/disable', { password: user.password }, bearer(accessToken)), 429, 'ACCOUNT_LOCKED');
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }), 429, 'ACCOUNT_LOCKED');
    expect((await auditRows(t, 'ACCOUNT_LOCKED')).filter((event) => event.user_id === user.id)).toHaveLength(1);
    expect((await auditRows(t, 'TOTP_DISABLED')).filter((event) => event.user_id === user.id)).toHaveLength(0);
  });
});

describe('the admin resets a lost authenticator', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('DELETE /api/rbac/users/:id/totp removes app and codes (204, audited TOTP_RESET); the user view says totp; none left is 404; staff are refused', async () => {
    const admin = await signIn(t.app, ADMIN.email, ADMIN.password);
    const user = await createUser(t);
    const staff = await createUser(t);
    await enrollAuthenticator(t, user);
    const list = json(await t.app.inject({ method: 'GET', url: '/api/rbac/users?limit=100', headers: bearer(admin.accessToken) }));
    expect(list.items.find((item: { id: string }) => item.id === user.id).totp).toBe(true);

    const staffTokens = await signIn(t.app, staff.email, staff.password);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/api/rbac/users/${user.id}/totp`, headers: bearer(staffTokens.accessToken) }), 403, 'FORBIDDEN');
    const reset = await t.app.inject({ method: 'DELETE', url: `/api/rbac/users/${user.id}/totp`, headers: bearer(admin.accessToken) });
    expect(reset.statusCode).toBe(204);
    const audited = (await auditRows(t, 'TOTP_RESET')).filter((event) => event.user_id === user.id);
    expect(audited).toEqual([expect.objectContaining({ actor_id: admin.user.id })]);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/api/rbac/users/${user.id}/totp`, headers: bearer(admin.accessToken) }), 404, 'NOT_FOUND');
    // Found by the fuzz suite: an id that is no UUID names nobody (404), it never reaches the uuid column (500).
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/rbac/users/not-a-uuid/totp', headers: bearer(admin.accessToken) }), 404, 'NOT_FOUND');
    const after = json(await t.app.inject({ method: 'GET', url: '/api/rbac/users?limit=100', headers: bearer(admin.accessToken) }));
    expect(after.items.find((item: { id: string }) => item.id === user.id).totp).toBe(false);
    const login = json(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }));
    expect(login.otp.channel).toBe('sms');
  });

  it("the reset stamps the user's updated_at with the injected clock, not the database's", async () => {
    const user = await createUser(t);
    await enrollAuthenticator(t, user);
    t.clock.advanceSeconds(5 * 365 * 86_400); // years from the database's real time
    const admin = await signIn(t.app, ADMIN.email, ADMIN.password);
    const reset = await t.app.inject({ method: 'DELETE', url: `/api/rbac/users/${user.id}/totp`, headers: bearer(admin.accessToken) });
    expect(reset.statusCode).toBe(204);
    const [row] = await t.database.query<{ updated_at: Date | string }>(sql`select updated_at from users where id = ${user.id}`);
    expect(new Date(row!.updated_at).toISOString()).toBe(t.clock.now().toISOString());
  });
});
