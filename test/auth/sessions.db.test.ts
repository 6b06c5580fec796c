// POST /api/auth/refresh and /api/auth/logout: rotating refresh tokens, reuse
// detection, idle and absolute session ends (API.md "Login", RFC 9700 §4.14).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { sessions } from '../../src/db/schema.js';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import {
  RELAXED_LIMITS,
  auditRows,
  createUser,
  expectProblem,
  getMe,
  refresh,
  signInAs,
  unknownOpaqueToken,
  type CreatedUser,
  type TokenAnswer,
} from './support.js';

const logout = (t: TestApp, accessToken?: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });

describe('refresh: rotation and reuse detection', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('a refresh answers like verify, with a NEW refresh token and no-store; the new tokens work', async () => {
    const signedIn = await signInAs(t, user);
    const response = await refresh(t, signedIn.refreshToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = json<TokenAnswer>(response);
    expect(body).toEqual({
      tokenType: 'Bearer',
      accessToken: expect.any(String),
      expiresIn: 900,
      refreshToken: expect.any(String),
      refreshExpiresIn: 1800,
      user: signedIn.user,
    });
    expect(body.refreshToken).not.toBe(signedIn.refreshToken);
    expect(body.accessToken).not.toBe(signedIn.accessToken);
    expect((await getMe(t, body.accessToken)).statusCode).toBe(200);
    expect((await refresh(t, body.refreshToken)).statusCode).toBe(200);
  });

  it('a spent refresh token presented again: 401 REFRESH_TOKEN_REUSED, and the whole session is revoked', async () => {
    const signedIn = await signInAs(t, user);
    const rotated = json<TokenAnswer>(await refresh(t, signedIn.refreshToken));

    const reused = await refresh(t, signedIn.refreshToken);
    const body = expectProblem(reused, 401, 'REFRESH_TOKEN_REUSED');
    expect(body.detail).toMatch(/sign in again/i);

    // Every token descended from that login stops working.
    expectProblem(await refresh(t, rotated.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await getMe(t, rotated.accessToken), 401, 'INVALID_TOKEN');
    expectProblem(await getMe(t, signedIn.accessToken), 401, 'INVALID_TOKEN');
    // Presented yet again, the spent token of a now revoked session is simply invalid.
    expectProblem(await refresh(t, signedIn.refreshToken), 401, 'INVALID_REFRESH_TOKEN');

    const events = (await auditRows(t)).filter((event) => event.user_id === user.id && event.type === 'REFRESH_TOKEN_REUSED');
    expect(events).toHaveLength(1);
  });

  it('reuse revokes only the session it belongs to: another sign-in of the same user keeps working', async () => {
    const other = await signInAs(t, user);
    const victim = await signInAs(t, user);
    await refresh(t, victim.refreshToken);
    expectProblem(await refresh(t, victim.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    expect((await getMe(t, other.accessToken)).statusCode).toBe(200);
    expect((await refresh(t, other.refreshToken)).statusCode).toBe(200);
  });

  it('parallel refreshes with one token: exactly one 200, and the session ends', async () => {
    const signedIn = await signInAs(t, user);
    const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(t, signedIn.refreshToken)));
    const winners = answers.filter((answer) => answer.statusCode === 200);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((answer) => answer.statusCode !== 200);
    for (const loser of losers) {
      expect(loser.statusCode).toBe(401);
      expect(['REFRESH_TOKEN_REUSED', 'INVALID_REFRESH_TOKEN']).toContain(json(loser).code);
    }
    expect(losers.some((loser) => json(loser).code === 'REFRESH_TOKEN_REUSED')).toBe(true);

    const winner = json<TokenAnswer>(winners[0]!);
    expectProblem(await refresh(t, winner.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await getMe(t, winner.accessToken), 401, 'INVALID_TOKEN');
    const [row] = await t.services.db.select().from(sessions).where(eq(sessions.id, signedIn.refreshToken.split('.')[0]!));
    expect(row!.revokedAt).not.toBeNull();
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['an empty secret', () => `${crypto.randomUUID()}.`],
    ['an unknown well-formed token', () => unknownOpaqueToken()],
    ['a JWT-shaped string', () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ])('%s: 401 INVALID_REFRESH_TOKEN', async (_name, token) => {
    expectProblem(await refresh(t, token()), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('the right session id with a wrong secret is INVALID_REFRESH_TOKEN and does not end the session (the id is no secret)', async () => {
    const signedIn = await signInAs(t, user);
    const [sessionId] = signedIn.refreshToken.split('.');
    const forged = `${sessionId}.${Buffer.alloc(32, 9).toString('base64url')}`;
    expectProblem(await refresh(t, forged), 401, 'INVALID_REFRESH_TOKEN');
    expect((await getMe(t, signedIn.accessToken)).statusCode).toBe(200);
    expect((await refresh(t, signedIn.refreshToken)).statusCode).toBe(200);
  });

  it('a refresh token of a disabled user is INVALID_REFRESH_TOKEN', async () => {
    const victim = await createUser(t);
    const signedIn = await signInAs(t, victim);
    await t.database.query((await import('drizzle-orm')).sql`update users set disabled = true where id = ${victim.id}`);
    expectProblem(await refresh(t, signedIn.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await getMe(t, signedIn.accessToken), 401, 'INVALID_TOKEN');
  });
});

describe('refresh: SESSION_IDLE_TTL and SESSION_MAX_TTL (defaults 30m and 12h)', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('a refresh token unused for SESSION_IDLE_TTL is INVALID_REFRESH_TOKEN; one second earlier it works', async () => {
    const early = await signInAs(t, user);
    const late = await signInAs(t, user);
    t.clock.advanceSeconds(1799);
    expect((await refresh(t, early.refreshToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(1);
    expectProblem(await refresh(t, late.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('refreshing every 25 minutes keeps a session until SESSION_MAX_TTL, with refreshExpiresIn = min(idle, what is left)', async () => {
    let tokens = await signInAs(t, user);
    expect(tokens.refreshExpiresIn).toBe(1800);
    const seen: number[] = [];
    for (let elapsed = 25 * 60; elapsed < 12 * 3600; elapsed += 25 * 60) {
      t.clock.advanceSeconds(25 * 60);
      const response = await refresh(t, tokens.refreshToken);
      expect(response.statusCode, `refresh at ${elapsed}s`).toBe(200);
      tokens = json<TokenAnswer>(response);
      seen.push(tokens.refreshExpiresIn);
      expect(tokens.refreshExpiresIn).toBe(Math.min(1800, 12 * 3600 - elapsed));
    }
    // 12 h = 28.8 periods of 25 min: the last refresh, at 11h40m, got the 20 minutes left.
    expect(seen.at(-1)).toBe(20 * 60);
    t.clock.advanceSeconds(20 * 60);
    expectProblem(await refresh(t, tokens.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('refresh: the absolute end also ends access tokens', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, SESSION_IDLE_TTL: '30m', SESSION_MAX_TTL: '1h' } });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('an access token still within ACCESS_TOKEN_TTL stops working when its session reaches SESSION_MAX_TTL', async () => {
    let tokens = await signInAs(t, user);
    t.clock.advanceSeconds(25 * 60);
    tokens = json<TokenAnswer>(await refresh(t, tokens.refreshToken));
    expect(tokens.refreshExpiresIn).toBe(1800);
    t.clock.advanceSeconds(25 * 60);
    tokens = json<TokenAnswer>(await refresh(t, tokens.refreshToken));
    expect(tokens.refreshExpiresIn).toBe(600);
    t.clock.advanceSeconds(9 * 60);
    expect((await getMe(t, tokens.accessToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(60); // the session's hour is over; the access token had 5 more minutes
    expectProblem(await getMe(t, tokens.accessToken), 401, 'INVALID_TOKEN');
    expectProblem(await refresh(t, tokens.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('logout', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('204 with no body; then the access token is INVALID_TOKEN and the refresh token INVALID_REFRESH_TOKEN', async () => {
    const signedIn = await signInAs(t, user);
    const response = await logout(t, signedIn.accessToken);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    const me = await getMe(t, signedIn.accessToken);
    expectProblem(me, 401, 'INVALID_TOKEN');
    expect(me.headers['www-authenticate']).toContain('error="invalid_token"');
    expectProblem(await refresh(t, signedIn.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await logout(t, signedIn.accessToken), 401, 'INVALID_TOKEN');

    const events = (await auditRows(t)).filter((event) => event.user_id === user.id && event.type === 'LOGOUT');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: user.id, detail: { sessionId: signedIn.refreshToken.split('.')[0] } });
  });

  it('ends only its own session: another sign-in of the same user keeps working', async () => {
    const kept = await signInAs(t, user);
    const ended = await signInAs(t, user);
    expect((await logout(t, ended.accessToken)).statusCode).toBe(204);
    expect((await getMe(t, kept.accessToken)).statusCode).toBe(200);
    expect((await refresh(t, kept.refreshToken)).statusCode).toBe(200);
  });

  it('after a refresh, logging out with the newest access token also ends the older access token', async () => {
    const signedIn = await signInAs(t, user);
    const rotated = json<TokenAnswer>(await refresh(t, signedIn.refreshToken));
    expect((await logout(t, rotated.accessToken)).statusCode).toBe(204);
    expectProblem(await getMe(t, signedIn.accessToken), 401, 'INVALID_TOKEN');
    expectProblem(await refresh(t, rotated.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('without a token: 401 AUTHENTICATION_REQUIRED', async () => {
    const response = await logout(t);
    expectProblem(response, 401, 'AUTHENTICATION_REQUIRED');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="boreal"');
  });
});
