// POST /api/auth/otp/verify and /otp/resend: one login's challenge
// (API.md "Login", "Fine points").

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { otpChallenges } from '../../src/db/schema.js';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import {
  RELAXED_LIMITS,
  auditRows,
  createUser,
  expectProblem,
  retryAfter,
  signInAs,
  startLogin,
  unknownOpaqueToken,
  verifyCode,
  type CreatedUser,
} from './support.js';

const WRONG_CODE = '99887766';

const resend = (t: TestApp, tempToken: string) => postJson(t.app, '/api/auth/otp/resend', { tempToken });

describe('temp tokens: good for one login, for resend and verify only', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  const badTokens: [string, () => string][] = [
    ['unknown (well-formed, names nothing)', () => unknownOpaqueToken()],
    ['malformed: no dot', () => 'garbage'],
    ['malformed: empty halves', () => '.'],
    ['malformed: not a uuid', () => 'not-a-uuid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['malformed: short secret', () => `${crypto.randomUUID()}.abc`],
    ['malformed: JWT-shaped', () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ];

  it.each(badTokens)('verify with a temp token %s: 401 INVALID_TEMP_TOKEN', async (_name, token) => {
    expectProblem(await verifyCode(t, token()), 401, 'INVALID_TEMP_TOKEN');
  });

  it.each(badTokens)('resend with a temp token %s: 401 INVALID_TEMP_TOKEN', async (_name, token) => {
    expectProblem(await resend(t, token()), 401, 'INVALID_TEMP_TOKEN');
  });

  it('the right challenge id with a wrong secret is INVALID_TEMP_TOKEN and costs the real challenge nothing', async () => {
    const tempToken = await startLogin(t, user);
    const [id] = tempToken.split('.');
    const forged = `${id}.${Buffer.alloc(32, 1).toString('base64url')}`;
    expectProblem(await verifyCode(t, forged, WRONG_CODE), 401, 'INVALID_TEMP_TOKEN');
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, id!));
    expect(row!.attempts).toBe(0);
    expect((await verifyCode(t, tempToken)).statusCode).toBe(200);
  });

  it('an already used temp token is INVALID_TEMP_TOKEN for verify and for resend', async () => {
    const tempToken = await startLogin(t, user);
    expect((await verifyCode(t, tempToken)).statusCode).toBe(200);
    expectProblem(await verifyCode(t, tempToken), 401, 'INVALID_TEMP_TOKEN');
    t.clock.advanceSeconds(31);
    expectProblem(await resend(t, tempToken), 401, 'INVALID_TEMP_TOKEN');
  });

  it('a newer login of the same user supersedes the older temp token', async () => {
    const older = await startLogin(t, user);
    const newer = await startLogin(t, user);
    expectProblem(await verifyCode(t, older), 401, 'INVALID_TEMP_TOKEN');
    t.clock.advanceSeconds(31);
    expectProblem(await resend(t, older), 401, 'INVALID_TEMP_TOKEN');
    expect((await verifyCode(t, newer)).statusCode).toBe(200);
  });

  it("another user's login does not supersede this one", async () => {
    const other = await createUser(t);
    const mine = await startLogin(t, user);
    await startLogin(t, other);
    expect((await verifyCode(t, mine)).statusCode).toBe(200);
  });

  it('a challenge is good until OTP_TTL: verify then answers OTP_EXPIRED, every time', async () => {
    const stillGood = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.ttlSeconds - 1);
    expect((await verifyCode(t, stillGood)).statusCode).toBe(200);

    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.ttlSeconds);
    const expired = expectProblem(await verifyCode(t, tempToken), 401, 'OTP_EXPIRED');
    expect(expired.detail).toMatch(/sign in again/i);
    // Still expired, not "unknown", when asked again (even with the right code).
    expectProblem(await verifyCode(t, tempToken), 401, 'OTP_EXPIRED');
  });

  it('an expired challenge: resend answers INVALID_TEMP_TOKEN, and verify still answers OTP_EXPIRED afterwards', async () => {
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.ttlSeconds + 1);
    expectProblem(await resend(t, tempToken), 401, 'INVALID_TEMP_TOKEN');
    expectProblem(await verifyCode(t, tempToken), 401, 'OTP_EXPIRED');
  });

  it('an expired challenge takes no guess: a wrong code after expiry is OTP_EXPIRED, not INVALID_OTP', async () => {
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.ttlSeconds + 5);
    expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'OTP_EXPIRED');
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    expect(row!.attempts).toBe(0);
  });
});

describe('wrong codes: OTP_MAX_ATTEMPTS per challenge', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  // A user per test: wrong codes add up towards the account lock (LOCKOUT_OTP), which is not what these tests are about.
  beforeEach(async () => {
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('wrong codes count down attemptsRemaining 4…0; then every code, right ones too, is OTP_ATTEMPTS_EXCEEDED with Retry-After 0', async () => {
    const tempToken = await startLogin(t, user);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const body = expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'INVALID_OTP');
      expect(Number.isInteger(body.attemptsRemaining)).toBe(true);
      remaining.push(body.attemptsRemaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);

    for (const code of [WRONG_CODE, t.config.otp.devCode]) {
      const exceeded = await verifyCode(t, tempToken, code);
      const body = expectProblem(exceeded, 429, 'OTP_ATTEMPTS_EXCEEDED');
      expect(exceeded.headers['retry-after']).toBe('0');
      expect(body.detail).toMatch(/sign in again/i);
    }
    const resent = await resend(t, tempToken);
    expectProblem(resent, 429, 'OTP_ATTEMPTS_EXCEEDED');
    expect(resent.headers['retry-after']).toBe('0');
  });

  it('the INVALID_OTP detail says how many attempts remain', async () => {
    const tempToken = await startLogin(t, user);
    expect(expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'INVALID_OTP').detail).toMatch(/4 attempts remain/);
    for (let i = 0; i < 3; i += 1) await verifyCode(t, tempToken, WRONG_CODE);
    expect(expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'INVALID_OTP').detail).toMatch(/sign in again/i);
  });

  it('a resend does not reset the failure count of the challenge', async () => {
    const tempToken = await startLogin(t, user);
    await verifyCode(t, tempToken, WRONG_CODE);
    await verifyCode(t, tempToken, WRONG_CODE);
    t.clock.advanceSeconds(t.config.otp.resendCooldownSeconds);
    expect((await resend(t, tempToken)).statusCode).toBe(200);
    expect(expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'INVALID_OTP').attemptsRemaining).toBe(2);
  });

  it('the right code after some wrong ones still signs in, and the next challenge starts with a full count', async () => {
    const tempToken = await startLogin(t, user);
    await verifyCode(t, tempToken, WRONG_CODE);
    expect((await verifyCode(t, tempToken)).statusCode).toBe(200);
    const next = await startLogin(t, user);
    expect(expectProblem(await verifyCode(t, next, WRONG_CODE), 401, 'INVALID_OTP').attemptsRemaining).toBe(4);
  });
});

describe('resend: OTP_RESEND_COOLDOWN between sends of one challenge', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    user = await createUser(t, { phone: '+16135550163' });
  });
  afterAll(async () => t.close());

  it('right after the login: 429 OTP_RESEND_TOO_SOON with Retry-After the rest of the cooldown', async () => {
    const tempToken = await startLogin(t, user);
    const first = await resend(t, tempToken);
    expectProblem(first, 429, 'OTP_RESEND_TOO_SOON');
    expect(retryAfter(first)).toBe(30);
    expect(json(first).detail).toMatch(/Try again in 30 seconds\./);

    t.clock.advanceSeconds(12);
    const second = await resend(t, tempToken);
    expectProblem(second, 429, 'OTP_RESEND_TOO_SOON');
    expect(retryAfter(second)).toBe(18);
    expect(json(second).detail).toMatch(/Try again in 18 seconds\./);
  });

  it('after the cooldown a resend sends again, answers the masked phone, and starts a new cooldown', async () => {
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(30);
    const before = (await auditRows(t)).length;
    const response = await resend(t, tempToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(json(response)).toEqual({ sent: true, resendAfter: 30, otp: { channel: 'sms', to: '+1 ••• ••• ••63' } });
    expect((await auditRows(t)).slice(before).map((event) => event.type)).toEqual(['OTP_SENT']);
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    expect(row!.sends).toBe(2);

    const again = await resend(t, tempToken);
    expectProblem(again, 429, 'OTP_RESEND_TOO_SOON');
    expect(retryAfter(again)).toBe(30);
    // The code sent by the resend signs in.
    expect((await verifyCode(t, tempToken)).statusCode).toBe(200);
  });

  it('a resend does not extend the life of the challenge', async () => {
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.ttlSeconds - 60);
    expect((await resend(t, tempToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(60);
    expectProblem(await verifyCode(t, tempToken), 401, 'OTP_EXPIRED');
  });
});

describe('account lock: LOCKOUT_OTP consecutive wrong codes across challenges', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS }); // LOCKOUT_OTP default 10/15m, OTP_MAX_ATTEMPTS 5
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('10 wrong codes over two challenges lock the account: the right password is then ACCOUNT_LOCKED for 15 minutes', async () => {
    for (let challenge = 0; challenge < 2; challenge += 1) {
      const tempToken = await startLogin(t, user);
      for (let i = 0; i < 5; i += 1) expectProblem(await verifyCode(t, tempToken, WRONG_CODE), 401, 'INVALID_OTP');
    }
    const locked = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
    const body = expectProblem(locked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(locked)).toBe(900);
    expect(body.detail).toMatch(/Try again in 15 minutes\./);
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id && event.type === 'ACCOUNT_LOCKED');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ by: 'otp' });

    t.clock.advanceSeconds(900);
    const signedIn = await signInAs(t, user);
    expect(signedIn.user.id).toBe(user.id);
  });
});

describe('account lock: every open challenge of a locked account answers ACCOUNT_LOCKED', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, LOCKOUT_OTP: '7/15m' } });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('after the 7th wrong code (5 + 2 over two challenges) the open challenge refuses even the right code, without extending the lock', async () => {
    const first = await startLogin(t, user);
    for (let i = 0; i < 5; i += 1) await verifyCode(t, first, WRONG_CODE);
    const second = await startLogin(t, user);
    expect(expectProblem(await verifyCode(t, second, WRONG_CODE), 401, 'INVALID_OTP').attemptsRemaining).toBe(4);
    expectProblem(await verifyCode(t, second, WRONG_CODE), 401, 'INVALID_OTP');

    const right = await verifyCode(t, second);
    expectProblem(right, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(right)).toBe(900);

    t.clock.advanceSeconds(300);
    const wrongDuringLock = await verifyCode(t, second, WRONG_CODE);
    expectProblem(wrongDuringLock, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(wrongDuringLock)).toBe(600);
    // A refused guess takes nothing from the challenge.
    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, second.split('.')[0]!));
    expect(row!.attempts).toBe(2);

    t.clock.advanceSeconds(600);
    // The lock is over; the challenge itself has expired meanwhile (OTP_TTL 10m): a new login signs in.
    expectProblem(await verifyCode(t, second), 401, 'OTP_EXPIRED');
    expect((await signInAs(t, user)).user.id).toBe(user.id);
  });
});
