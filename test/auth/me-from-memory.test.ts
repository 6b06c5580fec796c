// A warm GET /api/auth/me answers from memory: the session, the user view and
// the security summary each cost no statement once read, and a change of the
// summary is read again once, then served from memory again. Counted on the
// embedded database, whose driver this test wraps (as login-statements.test.ts
// does): the statements are the same SQL on PostgreSQL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { wrapPglite } from '../../src/db/connect-pglite.js';
import { bearer, json, postJson, signIn, type TestApp, createTestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';
import { RELAXED_LIMITS, createUser } from './support.js';
import { enrollAuthenticator } from './factors-support.js';

describe('/me from memory', () => {
  let statements = 0;
  let database: DatabaseHandle;
  let t: TestApp;
  beforeAll(async () => {
    const client = new PGlite();
    database = wrapPglite(client);
    await database.migrate();
    for (const method of ['query', 'exec', 'transaction'] as const) {
      const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        statements += 1;
        return original(...args);
      };
    }
    t = await createTestApp({ env: RELAXED_LIMITS, database });
    await within(5000, async () => t.services.sessionCache.listening);
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });

  /** /me's answer and how many statements it cost. */
  const me = async (accessToken: string) => {
    const before = statements;
    const response = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) });
    expect(response.statusCode, response.body).toBe(200);
    return { body: json(response), statements: statements - before };
  };

  it('a warm /me makes no statement: session, user view and security summary all from memory', async () => {
    const user = await createUser(t);
    const { accessToken } = await signIn(t.app, user.email, user.password);
    const cold = await me(accessToken);
    expect(cold.statements).toBeGreaterThan(0); // the counter sees /me's reads
    const warm = await me(accessToken);
    expect(warm.statements).toBe(0);
    expect(warm.body).toEqual(cold.body);
    expect(warm.body.security).toEqual({ phone: expect.any(String), totp: false, recoveryCodesLeft: 0 });
  });

  it('after a change of the summary (enrolled, a recovery code spent, disabled) /me reads it once, then answers from memory again', async () => {
    const user = await createUser(t);
    const { accessToken } = await signIn(t.app, user.email, user.password);
    await me(accessToken);
    expect((await me(accessToken)).statements).toBe(0);

    const enrolled = await enrollAuthenticator(t, user);
    const afterEnrolling = await me(accessToken);
    expect(afterEnrolling.body.security).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
    expect(afterEnrolling.statements).toBeGreaterThan(0);
    expect((await me(accessToken)).statements).toBe(0);

    const tempToken = json(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password })).tempToken as string;
    expect((await postJson(t.app, '/api/auth/otp/verify', { tempToken, recoveryCode: enrolled.recoveryCodes[0] })).statusCode).toBe(200);
    const afterSpending = await me(accessToken);
    expect(afterSpending.body.security).toMatchObject({ totp: true, recoveryCodesLeft: 9 });
    expect((await me(accessToken)).statements).toBe(0);

    expect((await postJson(t.app, '/api/auth/totp/disable', { password: user.password }, bearer(accessToken))).statusCode).toBe(204);
    expect((await me(accessToken)).body.security).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
    const warm = await me(accessToken);
    expect(warm.statements).toBe(0);
    expect(warm.body.security).toMatchObject({ totp: false, recoveryCodesLeft: 0 });
  });
});
