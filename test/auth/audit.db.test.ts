// Every step of the sign-in leaves its audit event, and no audit row or log
// line ever holds a password, a code or a token (API.md "Roles and
// permissions": audit types; "Development mode": the one DEV MODE line).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, postRaw, refresh, startLogin, verifyCode, type AuditRow, type CreatedUser, type TokenAnswer } from './support.js';

// Distinctive values: found anywhere, they can only have come from where they must not.
const DEV_CODE = '58274619';
const WRONG_CODES = ['86420975', '31975308', '64208642', '97531086', '20864297', '75319753'];
const ALICE_PASSWORD = 'Alice-pw:quartz-lantern-0193';
const BOB_PASSWORD = 'Bob-pw:velvet-harbor-7741';
const GUESSED_PASSWORD = 'Guess-pw:amber-falcon-5520';

describe('audit events and secrets of the whole sign-in', () => {
  let t: TestApp;
  let alice: CreatedUser;
  let bob: CreatedUser;
  const secrets: { name: string; value: string }[] = [];
  const keep = (name: string, value: string) => {
    secrets.push({ name, value });
    // The secret half of an opaque token, and the signature of a JWT, are secrets on their own.
    const parts = value.split('.');
    if (parts.length === 2 && parts[1]!.length >= 40) secrets.push({ name: `${name} (secret half)`, value: parts[1]! });
    if (parts.length === 3) secrets.push({ name: `${name} (signature)`, value: parts[2]! });
  };
  const eventsOf = (rows: AuditRow[], userId: string | null) => rows.filter((row) => row.user_id === userId);

  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, OTP_DEV_CODE: DEV_CODE, LOCKOUT_OTP: '6/15m', LOG_LEVEL: 'trace' } });
    alice = await createUser(t, { password: ALICE_PASSWORD, email: 'alice@example.test' });
    bob = await createUser(t, { password: BOB_PASSWORD, email: 'bob@example.test' });
    for (const password of [ALICE_PASSWORD, BOB_PASSWORD, GUESSED_PASSWORD]) keep('a password', password);
    keep('the code', DEV_CODE);
    for (const code of WRONG_CODES) keep('a wrong code', code);

    // Alice: wrong password, then the whole sign-in with a resend, a refresh, a reuse, a second sign-in and a logout.
    await postJson(t.app, '/api/auth/login', { email: 'nobody@example.test', password: GUESSED_PASSWORD });
    await postJson(t.app, '/api/auth/login', { email: alice.email, password: GUESSED_PASSWORD });
    const aliceTemp = await startLogin(t, alice);
    keep('a temp token', aliceTemp);
    t.clock.advanceSeconds(30);
    expect((await postJson(t.app, '/api/auth/otp/resend', { tempToken: aliceTemp })).statusCode).toBe(200);
    expect((await verifyCode(t, aliceTemp, WRONG_CODES[0])).statusCode).toBe(401);
    const signedIn = json<TokenAnswer>(await verifyCode(t, aliceTemp));
    keep('an access token', signedIn.accessToken);
    keep('a refresh token', signedIn.refreshToken);
    const rotated = json<TokenAnswer>(await refresh(t, signedIn.refreshToken));
    keep('an access token', rotated.accessToken);
    keep('a refresh token', rotated.refreshToken);
    expect((await refresh(t, signedIn.refreshToken)).statusCode).toBe(401); // reuse
    const again = json<TokenAnswer>(await verifyCode(t, await startLogin(t, alice)));
    keep('an access token', again.accessToken);
    keep('a refresh token', again.refreshToken);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${again.accessToken}` } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${again.accessToken}` } })).statusCode).toBe(204);
    // Refused requests carrying secrets: they must not be echoed into logs either.
    await postJson(t.app, '/api/auth/otp/verify', { tempToken: aliceTemp, code: `${DEV_CODE}x` });
    await postRaw(t.app, '/api/auth/login', `{"email":"${alice.email}","password":"${ALICE_PASSWORD}"`);
    await postRaw(t.app, '/api/auth/refresh', `refreshToken=${rotated.refreshToken}`, 'application/x-www-form-urlencoded');
    await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${rotated.accessToken}` } });

    // Bob: 5 wrong codes end a challenge; the 6th, on a new one, locks the account (LOCKOUT_OTP 6).
    const bobFirst = await startLogin(t, bob);
    keep('a temp token', bobFirst);
    for (const code of WRONG_CODES.slice(0, 5)) expect((await verifyCode(t, bobFirst, code)).statusCode).toBe(401);
    const bobSecond = await startLogin(t, bob);
    keep('a temp token', bobSecond);
    expect((await verifyCode(t, bobSecond, WRONG_CODES[5])).statusCode).toBe(401);
    expect((await verifyCode(t, bobSecond)).statusCode).toBe(429);
  });
  afterAll(async () => t.close());

  it('LOGIN_FAILED for an unknown email has userId and actorId null; for a wrong password the user, still no actor', async () => {
    const rows = await auditRows(t);
    const unknown = rows.filter((row) => row.type === 'LOGIN_FAILED' && row.detail.email === 'nobody@example.test');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ user_id: null, actor_id: null, ip: '127.0.0.1' });
    const wrong = rows.filter((row) => row.type === 'LOGIN_FAILED' && row.user_id === alice.id);
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toMatchObject({ actor_id: null, ip: '127.0.0.1' });
  });

  it("alice's sign-in writes, in order, OTP_SENT (login and resend), OTP_FAILED, LOGIN_SUCCEEDED, TOKEN_REFRESHED, REFRESH_TOKEN_REUSED, …, LOGOUT", async () => {
    const types = eventsOf(await auditRows(t), alice.id).map((row) => row.type);
    expect(types).toEqual([
      'LOGIN_FAILED',
      'OTP_SENT',
      'OTP_SENT',
      'OTP_FAILED',
      'LOGIN_SUCCEEDED',
      'TOKEN_REFRESHED',
      'REFRESH_TOKEN_REUSED',
      'OTP_SENT',
      'LOGIN_SUCCEEDED',
      'LOGOUT',
    ]);
    const rows = eventsOf(await auditRows(t), alice.id);
    for (const row of rows.filter((event) => ['OTP_SENT', 'OTP_FAILED', 'LOGIN_SUCCEEDED', 'TOKEN_REFRESHED', 'LOGOUT'].includes(event.type))) {
      expect(row.actor_id).toBe(alice.id);
    }
  });

  it("bob's wrong codes write OTP_FAILED each, OTP_ATTEMPTS_EXCEEDED once for the ended challenge, and ACCOUNT_LOCKED once", async () => {
    const types = eventsOf(await auditRows(t), bob.id).map((row) => row.type);
    expect(types).toEqual([
      'OTP_SENT',
      'OTP_FAILED',
      'OTP_FAILED',
      'OTP_FAILED',
      'OTP_FAILED',
      'OTP_FAILED',
      'OTP_ATTEMPTS_EXCEEDED',
      'OTP_SENT',
      'OTP_FAILED',
      'ACCOUNT_LOCKED',
    ]);
  });

  it('no audit row holds a password, a code or a token', async () => {
    const rows = JSON.stringify(await auditRows(t));
    for (const secret of secrets) expect(rows, `audit rows contain ${secret.name}`).not.toContain(secret.value);
  });

  it('no log line holds a password, a code or a token; the code shows only in the DEV MODE line', async () => {
    expect(t.logs.length).toBeGreaterThan(20);
    const devLines = t.logs.filter((line) => line.includes('DEV MODE: Your OTP code is:'));
    expect(devLines.length).toBe(5); // alice: login, resend, second login; bob: two logins
    for (const line of devLines) expect(line).toContain(`DEV MODE: Your OTP code is: ${DEV_CODE}`);
    for (const [index, line] of t.logs.entries()) {
      const checked = line.replace(`DEV MODE: Your OTP code is: ${DEV_CODE}`, 'DEV MODE line');
      for (const secret of secrets) expect(checked, `log line ${index} contains ${secret.name}: ${line}`).not.toContain(secret.value);
    }
  });

  it('no answer but the token answers themselves echoes a secret (problem details included)', async () => {
    const wrong = await verifyCode(t, await startLogin(t, alice), WRONG_CODES[1]);
    const malformed = await postRaw(t.app, '/api/auth/login', `{"email":"${alice.email}","password":"${ALICE_PASSWORD}",}`);
    const invalid = await postJson(t.app, '/api/auth/login', { email: alice.email, password: ALICE_PASSWORD, extra: true });
    for (const response of [wrong, malformed, invalid]) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      for (const secret of secrets) expect(response.body, `answer contains ${secret.name}`).not.toContain(secret.value);
    }
  });
});
