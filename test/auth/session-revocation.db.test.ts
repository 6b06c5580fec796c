// Sessions served from memory stay exactly as revocable as read from the
// database: a revocation made anywhere (here by a plain UPDATE, as another
// instance or a CLI command would) reaches this instance through
// LISTEN/NOTIFY within 100 ms; a change of the user reaches /me's view; a
// change of the user's second factors reaches /me's security summary; and
// the instance that revokes drops the session before it answers.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, json, signIn, type TestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';
import { createUser } from './support.js';
import { enrollAuthenticator } from './factors-support.js';

const me = (t: TestApp, accessToken: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) });

describe('session cache and revocation notices', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await within(5000, async () => t.services.sessionCache.listening);
  });
  afterAll(async () => t?.close());

  it('a session checked once is served from memory, and a revocation by another writer ends it within 100 ms', async () => {
    const { accessToken } = await signIn(t.app);
    expect((await me(t, accessToken)).statusCode).toBe(200);
    expect(t.services.sessionCache.size().sessions).toBeGreaterThanOrEqual(1);
    await t.database.query(sql`update sessions set revoked_at = now(), revoked_reason = 'test' where revoked_at is null`);
    const took = await within(100, async () => (await me(t, accessToken)).statusCode === 401);
    expect(took).toBeLessThanOrEqual(100);
    expect(json(await me(t, accessToken)).code).toBe('INVALID_TOKEN');
  });

  it('logout: the same instance refuses the token at once (before any notice could be needed)', async () => {
    const { accessToken } = await signIn(t.app);
    expect((await me(t, accessToken)).statusCode).toBe(200);
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(accessToken) });
    expect(logout.statusCode).toBe(204);
    expect((await me(t, accessToken)).statusCode).toBe(401);
  });

  it("a change of the user reaches /me's cached view within 100 ms", async () => {
    const { accessToken, user } = await signIn(t.app);
    expect(json(await me(t, accessToken)).user.name).not.toBe('Renamed Elsewhere');
    await t.database.query(sql`update users set name = 'Renamed Elsewhere' where id = ${user.id}`);
    await within(100, async () => json(await me(t, accessToken)).user.name === 'Renamed Elsewhere');
  });

  it('disabling the user elsewhere ends their cached sessions within 100 ms', async () => {
    const { accessToken, user } = await signIn(t.app);
    expect((await me(t, accessToken)).statusCode).toBe(200);
    await t.database.query(sql`update users set disabled = true where id = ${user.id}`);
    await within(100, async () => (await me(t, accessToken)).statusCode === 401);
    await t.database.query(sql`update users set disabled = false where id = ${user.id}`);
  });

  it("a recovery code spent or removed by another writer reaches /me's cached security summary within 100 ms", async () => {
    const user = await createUser(t);
    const { accessToken } = await enrollAuthenticator(t, user);
    expect(json(await me(t, accessToken)).security).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    expect(t.services.sessionCache.security(user.id)).toMatchObject({ recoveryCodesLeft: 10 }); // cached: only a notice can change it now
    await t.database.query(sql`update recovery_codes set used_at = now() where id = (select id from recovery_codes where user_id = ${user.id} limit 1)`);
    await within(100, async () => json(await me(t, accessToken)).security.recoveryCodesLeft === 9);
    expect(t.services.sessionCache.security(user.id)).toMatchObject({ recoveryCodesLeft: 9 });
    await t.database.query(sql`delete from recovery_codes where user_id = ${user.id}`);
    await within(100, async () => json(await me(t, accessToken)).security.recoveryCodesLeft === 0);
  });

  it("the phone or the authenticator changed by another writer reaches /me's cached security summary within 100 ms", async () => {
    const user = await createUser(t);
    const { accessToken } = await enrollAuthenticator(t, user);
    expect(json(await me(t, accessToken)).security).toMatchObject({ phone: expect.any(String), totp: true });
    expect(t.services.sessionCache.security(user.id)).toBeDefined();
    await t.database.query(sql`update users set phone = null where id = ${user.id}`);
    await within(100, async () => json(await me(t, accessToken)).security.phone === null);
    expect(t.services.sessionCache.security(user.id)).toBeDefined();
    await t.database.query(sql`update users set totp_secret_encrypted = null where id = ${user.id}`);
    await within(100, async () => json(await me(t, accessToken)).security.totp === false);
  });
});
