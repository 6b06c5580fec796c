// Two instances on one PostgreSQL (two apps, two pools, one database), as
// behind a load balancer: a logout on A is refused by B within 100 ms; with
// B's listening connection killed, B reads the database on every request
// (so it still refuses revoked tokens at once), then listens again and
// serves from memory again.

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { LISTEN_APPLICATION_NAME } from '../../src/db/notifications.js';
import { createPostgresDatabase } from '../helpers/database.js';
import { bearer, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';

const me = (t: TestApp, accessToken: string) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) });
const logout = (t: TestApp, accessToken: string) => t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(accessToken) });

describe('revocation across two instances on one PostgreSQL', () => {
  let database: DatabaseHandle & { url: string };
  let secondPool: DatabaseHandle;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    secondPool = connectPostgres(database.url);
    a = await createTestApp({ database });
    b = await createTestApp({ database: secondPool, seed: false, clock: a.clock });
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
});
