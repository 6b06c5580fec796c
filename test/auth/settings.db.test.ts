// The lifetimes and limits of the sign-in follow their settings (API.md
// "Operating it"): OTP_TTL, OTP_MAX_ATTEMPTS, OTP_RESEND_COOLDOWN,
// ACCESS_TOKEN_TTL, SESSION_IDLE_TTL, SESSION_MAX_TTL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, createUser, expectProblem, getMe, refresh, retryAfter, signInAs, startLogin, verifyCode, type CreatedUser, type TokenAnswer } from './support.js';

const SETTINGS = {
  OTP_TTL: '2m',
  OTP_MAX_ATTEMPTS: '3',
  OTP_RESEND_COOLDOWN: '10s',
  ACCESS_TOKEN_TTL: '1m',
  SESSION_IDLE_TTL: '5m',
  SESSION_MAX_TTL: '8m',
};

describe('settings change the answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, ...SETTINGS } });
  });
  afterAll(async () => t.close());
  const newUser = () => createUser(t);

  it('OTP_TTL=2m and OTP_RESEND_COOLDOWN=10s show in the login answer', async () => {
    const user = await newUser();
    const response = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
    expect(json(response)).toMatchObject({ expiresIn: 120, otp: { resendAfter: 10 } });
  });

  it('OTP_TTL=2m: the code works at 119 s and is OTP_EXPIRED at 120 s', async () => {
    const user = await newUser();
    const good = await startLogin(t, user);
    t.clock.advanceSeconds(119);
    expect((await verifyCode(t, good)).statusCode).toBe(200);
    const late = await startLogin(t, user);
    t.clock.advanceSeconds(120);
    expectProblem(await verifyCode(t, late), 401, 'OTP_EXPIRED');
  });

  it('OTP_RESEND_COOLDOWN=10s: too soon at 4 s (Retry-After 6), sent at 10 s with resendAfter 10', async () => {
    const user = await newUser();
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(4);
    const early = await postJson(t.app, '/api/auth/otp/resend', { tempToken });
    expectProblem(early, 429, 'OTP_RESEND_TOO_SOON');
    expect(retryAfter(early)).toBe(6);
    t.clock.advanceSeconds(6);
    const sent = await postJson(t.app, '/api/auth/otp/resend', { tempToken });
    expect(sent.statusCode).toBe(200);
    expect(json(sent).resendAfter).toBe(10);
  });

  it('OTP_MAX_ATTEMPTS=3: attemptsRemaining 2, 1, 0, then OTP_ATTEMPTS_EXCEEDED', async () => {
    const user = await newUser();
    const tempToken = await startLogin(t, user);
    const remaining = [];
    for (let i = 0; i < 3; i += 1) remaining.push(expectProblem(await verifyCode(t, tempToken, '11112222'), 401, 'INVALID_OTP').attemptsRemaining);
    expect(remaining).toEqual([2, 1, 0]);
    expectProblem(await verifyCode(t, tempToken), 429, 'OTP_ATTEMPTS_EXCEEDED');
  });

  it('ACCESS_TOKEN_TTL=1m: expiresIn 60, exp − iat = 60, good at 59 s, TOKEN_EXPIRED at 60 s', async () => {
    const user = await newUser();
    const tokens = await signInAs(t, user);
    expect(tokens.expiresIn).toBe(60);
    const claims = decodeJwt(tokens.accessToken);
    expect(claims.exp! - claims.iat!).toBe(60);
    t.clock.advanceSeconds(59);
    expect((await getMe(t, tokens.accessToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(1);
    expectProblem(await getMe(t, tokens.accessToken), 401, 'TOKEN_EXPIRED');
  });

  it('SESSION_IDLE_TTL=5m: refreshExpiresIn 300; a refresh token unused for 5 minutes is INVALID_REFRESH_TOKEN', async () => {
    const user = await newUser();
    const idle = await signInAs(t, user);
    expect(idle.refreshExpiresIn).toBe(300);
    t.clock.advanceSeconds(300);
    expectProblem(await refresh(t, idle.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('SESSION_MAX_TTL=8m: refreshExpiresIn shrinks to what is left of the session, which then ends', async () => {
    const user: CreatedUser = await newUser();
    let tokens = await signInAs(t, user);
    t.clock.advanceSeconds(4 * 60);
    tokens = json<TokenAnswer>(await refresh(t, tokens.refreshToken));
    expect(tokens.refreshExpiresIn).toBe(240); // min(300, 480 − 240)
    t.clock.advanceSeconds(3 * 60);
    tokens = json<TokenAnswer>(await refresh(t, tokens.refreshToken));
    expect(tokens.refreshExpiresIn).toBe(60); // min(300, 480 − 420)
    expect(tokens.expiresIn).toBe(60);
    t.clock.advanceSeconds(60);
    expectProblem(await refresh(t, tokens.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });
});
