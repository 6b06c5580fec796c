// Two instances on one PostgreSQL (two apps, two pools, one database), as
// behind a load balancer: a logout on A is refused by B within 100 ms; with
// B's listening connection killed, B reads the database on every request
// (so it still refuses revoked tokens at once), then listens again and
// serves from memory again. The same for /me's security summary: a change of
// the second factors on A (enrolled, a recovery code used at sign-in, new
// codes, disabled, an admin's reset) shows on B within 100 ms, and at once
// while B cannot listen.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { LISTEN_APPLICATION_NAME } from '../../src/db/notifications.js';
import { createPostgresDatabase } from '../helpers/database.js';
import { ADMIN, bearer, createTestApp, json, postJson, signIn, type TestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';
import { RELAXED_LIMITS, createUser } from './support.js';
import { enrollAuthenticator, totpCode } from './factors-support.js';

const me = (t: TestApp, accessToken: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) });
const logout = (t: TestApp, accessToken: string) => t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(accessToken) });
const securityOn = async (t: TestApp, accessToken: string) => {
  const response = await me(t, accessToken);
  expect(response.statusCode, response.body).toBe(200);
  return json<{ security: { phone: string | null; totp: boolean; recoveryCodesLeft: number } }>(response).security;
};
/** B has the user's summary in memory (read twice: the second from the cache), so only a notice can change what B answers. */
const warm = async (t: TestApp, accessToken: string, userId: string) => {
  await securityOn(t, accessToken);
  const cached = await securityOn(t, accessToken);
  expect(t.services.sessionCache.security(userId)).toEqual(cached);
  return cached;
};
const signInWithRecoveryCode = async (t: TestApp, user: { email: string; password: string }, recoveryCode: string) => {
  const tempToken = json(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password })).tempToken as string;
  const verified = await postJson(t.app, '/api/auth/otp/verify', { tempToken, recoveryCode });
  expect(verified.statusCode, verified.body).toBe(200);
};

describe('revocation across two instances on one PostgreSQL', () => {
  let database: DatabaseHandle & { url: string };
  let secondPool: DatabaseHandle;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    secondPool = connectPostgres(database.url);
    a = await createTestApp({ database, env: RELAXED_LIMITS });
    b = await createTestApp({ database: secondPool, seed: false, clock: a.clock, env: RELAXED_LIMITS });
    await within(5000, async () => a.services.sessionCache.listening && b.services.sessionCache.listening);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await secondPool?.close();
    await database?.close();
  });

  it('a logout on A is refused by B within 100 ms (B had the session in memory)', async () => {
    const { accessToken } = await signIn(a.app);
    expect((await me(b, accessToken)).statusCode).toBe(200);
    expect((await me(b, accessToken)).statusCode).toBe(200);
    expect(b.services.sessionCache.size().sessions).toBeGreaterThanOrEqual(1);
    expect((await logout(a, accessToken)).statusCode).toBe(204);
    expect((await me(a, accessToken)).statusCode).toBe(401);
    const took = await within(100, async () => (await me(b, accessToken)).statusCode === 401);
    expect(took).toBeLessThanOrEqual(100);
  });

  it("with B's listening connection killed, B reads the database and refuses a revoked token at once; then it listens again", async () => {
    const first = await signIn(a.app);
    expect((await me(b, first.accessToken)).statusCode).toBe(200);
    // Kills both instances' listeners (they share the database and the name); B is the one watched.
    await database.query(sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = ${LISTEN_APPLICATION_NAME} and datname = current_database()`);
    await within(2000, async () => !b.services.sessionCache.listening);
    expect((await me(b, first.accessToken)).statusCode).toBe(200); // read from the database: still live
    expect((await logout(a, first.accessToken)).statusCode).toBe(204);
    // No notice can reach B now: it refuses because it reads the database.
    expect((await me(b, first.accessToken)).statusCode).toBe(401);

    await within(5000, async () => b.services.sessionCache.listening);
    const second = await signIn(a.app);
    expect((await me(b, second.accessToken)).statusCode).toBe(200);
    expect(b.services.sessionCache.size().sessions).toBeGreaterThanOrEqual(1);
    expect((await logout(a, second.accessToken)).statusCode).toBe(204);
    await within(100, async () => (await me(b, second.accessToken)).statusCode === 401);
  });

  it('an admin disabling the user on A ends their session on B within 100 ms', async () => {
    const admin = await signIn(a.app);
    const created = await a.app.inject({
      method: 'POST',
      url: '/api/rbac/users',
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      payload: { email: 'staffer@boreal.com', name: 'Staffer', password: 'a long enough passphrase 42', roles: ['staff'], phone: '+16135550111' },
    });
    expect(created.statusCode).toBe(201);
    const staff = await signIn(a.app, 'staffer@boreal.com', 'a long enough passphrase 42');
    expect((await me(b, staff.accessToken)).statusCode).toBe(200);
    const disabled = await a.app.inject({
      method: 'PATCH',
      url: `/api/rbac/users/${staff.user.id}`,
      headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    await within(100, async () => (await me(b, staff.accessToken)).statusCode === 401);
  });

  it("enrolling, a recovery code used at sign-in, new codes and disabling on A reach /me's summary on B within 100 ms", async () => {
    await within(5000, async () => a.services.sessionCache.listening && b.services.sessionCache.listening);
    const user = await createUser(a);
    const { accessToken } = await signIn(a.app, user.email, user.password);
    const started = await a.app.inject({ method: 'POST', url: '/api/auth/totp', headers: bearer(accessToken) });
    expect(started.statusCode).toBe(200);
    expect(await warm(b, accessToken, user.id)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    const confirmed = await postJson(a.app, '/api/auth/totp/confirm', { code: totpCode(a, json(started).secret) }, bearer(accessToken));
    expect(confirmed.statusCode).toBe(200);
    const recoveryCodes = json<{ recoveryCodes: string[] }>(confirmed).recoveryCodes;
    expect(await securityOn(a, accessToken)).toMatchObject({ totp: true, recoveryCodesLeft: 10 }); // A at once
    expect(await within(100, async () => (await securityOn(b, accessToken)).totp)).toBeLessThanOrEqual(100);

    expect(await warm(b, accessToken, user.id)).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    await signInWithRecoveryCode(a, user, recoveryCodes[0]!);
    expect((await securityOn(a, accessToken)).recoveryCodesLeft).toBe(9);
    await within(100, async () => (await securityOn(b, accessToken)).recoveryCodesLeft === 9);

    expect(await warm(b, accessToken, user.id)).toMatchObject({ recoveryCodesLeft: 9 });
    expect((await postJson(a.app, '/api/auth/recovery-codes', { password: user.password }, bearer(accessToken))).statusCode).toBe(200);
    expect((await securityOn(a, accessToken)).recoveryCodesLeft).toBe(10);
    await within(100, async () => (await securityOn(b, accessToken)).recoveryCodesLeft === 10);

    expect(await warm(b, accessToken, user.id)).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    expect((await postJson(a.app, '/api/auth/totp/disable', { password: user.password }, bearer(accessToken))).statusCode).toBe(204);
    expect(await securityOn(a, accessToken)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    await within(100, async () => !(await securityOn(b, accessToken)).totp);
    expect(await securityOn(b, accessToken)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
  });

  it("an admin's reset of the authenticator on A reaches /me's summary on B within 100 ms", async () => {
    await within(5000, async () => a.services.sessionCache.listening && b.services.sessionCache.listening);
    const user = await createUser(a);
    const { accessToken } = await enrollAuthenticator(a, user);
    const admin = await signIn(a.app, ADMIN.email, ADMIN.password);
    expect(await warm(b, accessToken, user.id)).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    const reset = await a.app.inject({ method: 'DELETE', url: `/api/rbac/users/${user.id}/totp`, headers: bearer(admin.accessToken) });
    expect(reset.statusCode).toBe(204);
    await within(100, async () => !(await securityOn(b, accessToken)).totp);
    expect(await securityOn(b, accessToken)).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
  });

  it("with B's listening connection killed, B reads the summary from the database (a change on A shows at once); listening again, it serves it from memory and hears changes", async () => {
    await within(5000, async () => a.services.sessionCache.listening && b.services.sessionCache.listening);
    const user = await createUser(a);
    const { accessToken, recoveryCodes } = await enrollAuthenticator(a, user);
    expect(await warm(b, accessToken, user.id)).toMatchObject({ recoveryCodesLeft: 10 });
    await database.query(sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = ${LISTEN_APPLICATION_NAME} and datname = current_database()`);
    await within(2000, async () => !b.services.sessionCache.listening);
    expect(await securityOn(b, accessToken)).toMatchObject({ recoveryCodesLeft: 10 });
    expect(b.services.sessionCache.security(user.id)).toBeUndefined(); // nothing kept while deaf
    await signInWithRecoveryCode(a, user, recoveryCodes[0]!);
    // No notice can reach B now: it answers right because it reads the database.
    expect(await securityOn(b, accessToken)).toMatchObject({ recoveryCodesLeft: 9 });

    await within(5000, async () => b.services.sessionCache.listening);
    expect(await warm(b, accessToken, user.id)).toMatchObject({ recoveryCodesLeft: 9 });
    await signInWithRecoveryCode(a, user, recoveryCodes[1]!);
    await within(100, async () => (await securityOn(b, accessToken)).recoveryCodesLeft === 8);
  });
});
