// Sign-in attempts per IP (LIMIT_LOGIN_PER_IP 30/10m), consecutive wrong
// passwords per email (LOCKOUT_PASSWORD 10/15m, unknown emails alike) and
// consecutive wrong codes per account across challenges (LOCKOUT_OTP 10/15m):
// each hit, answered with a 429 that says when, released by the clock.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { auditOfType, createUser, expect429, login, loginOk, resend, ROOMY, verify, WRONG_CODE } from './support.js';

const loginFrom = (t: TestApp, body: { email: string; password: string }, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: { email: body.email, password: body.password } });

describe('sign-in attempts per IP, default 30/10m', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_OTP_PER_PHONE: ROOMY.LIMIT_OTP_PER_PHONE } });
  });
  afterAll(async () => t.close());

  it('30 attempts of any outcome; the 31st is LOGIN_RATE_LIMITED even with the right password; released on time', async () => {
    const user = await createUser(t);
    const ip = '203.0.113.30';
    for (let i = 0; i < 30; i += 1) {
      // Unknown emails, wrong passwords and right ones all count.
      const body = i % 3 === 0 ? { email: `nobody${i}@example.test`, password: 'x' } : i % 3 === 1 ? { email: user.email, password: 'wrong' } : user;
      expect((await loginFrom(t, body, ip)).statusCode).not.toBe(429);
      t.clock.advanceSeconds(10);
    }
    const refused = await loginFrom(t, user, ip);
    expect(expect429(refused, 'LOGIN_RATE_LIMITED')).toBe(600 - 300);
    expect(json(refused).detail).toBe('Too many sign-in attempts from this network. Try again in 5 minutes.');
    expect((await loginFrom(t, user, '203.0.113.31')).statusCode).toBe(200);
    t.clock.advanceSeconds(299);
    expect429(await loginFrom(t, user, ip), 'LOGIN_RATE_LIMITED');
    t.clock.advanceSeconds(1);
    expect((await loginFrom(t, user, ip)).statusCode).toBe(200);
  });

  it('a burst of 50 parallel attempts from one address: exactly 30 are heard', async () => {
    const ip = '203.0.113.50';
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => loginFrom(t, { email: `burst${i}@example.test`, password: 'x' }, ip)));
    expect(answers.filter((answer) => answer.statusCode === 401)).toHaveLength(30);
    for (const answer of answers.filter((answer) => answer.statusCode !== 401)) expect429(answer, 'LOGIN_RATE_LIMITED');
  });

  it('IPv6 clients count per /64: rotating the interface id buys nothing', async () => {
    for (let i = 0; i < 30; i += 1) {
      expect((await loginFrom(t, { email: `v6-${i}@example.test`, password: 'x' }, `2001:db8:7:7::${(i + 1).toString(16)}`)).statusCode).toBe(401);
    }
    expect429(await loginFrom(t, { email: 'v6@example.test', password: 'x' }, '2001:db8:7:7:ffff:1:2:3'), 'LOGIN_RATE_LIMITED');
    expect((await loginFrom(t, { email: 'v6@example.test', password: 'x' }, '2001:db8:7:8::1')).statusCode).toBe(401);
  });
});

describe('consecutive wrong passwords per email, default 10/15m', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { LIMIT_LOGIN_PER_IP: ROOMY.LIMIT_LOGIN_PER_IP, LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP } });
  });
  afterAll(async () => t.close());

  it('the 10th wrong password locks the email for 15 minutes, whatever the password; attempts during the lock do not extend it', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 10; i += 1) expect((await login(t, { email: user.email, password: `wrong ${i}` })).statusCode).toBe(401);
    const locked = await login(t, user);
    expect(expect429(locked, 'ACCOUNT_LOCKED')).toBe(900);
    expect(json(locked).detail).toBe('This account is locked after too many wrong passwords. Try again in 15 minutes.');
    t.clock.advanceSeconds(600);
    for (let i = 0; i < 5; i += 1) expect429(await login(t, { email: user.email, password: 'wrong again' }), 'ACCOUNT_LOCKED');
    expect(expect429(await login(t, user), 'ACCOUNT_LOCKED')).toBe(300);
    t.clock.advanceSeconds(300);
    expect((await login(t, user)).statusCode).toBe(200);
    expect(await auditOfType(t, 'ACCOUNT_LOCKED')).toEqual([expect.objectContaining({ user_id: user.id, detail: { email: user.email, by: 'password' } })]);
  });

  it('from many addresses alike (the lock is per email, not per IP)', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 10; i += 1) await loginFrom(t, { email: user.email, password: 'wrong' }, `192.0.2.${i + 1}`);
    expect429(await loginFrom(t, user, '192.0.2.200'), 'ACCOUNT_LOCKED');
  });

  it('an unknown email locks alike, and its 429 is the very same as a real account\'s: it reveals nothing', async () => {
    const user = await createUser(t);
    const ghost = { email: 'ghost-of-limits@example.test', password: 'whatever' };
    for (let i = 0; i < 10; i += 1) {
      expect((await login(t, { email: user.email, password: 'wrong' })).statusCode).toBe(401);
      expect((await login(t, ghost)).statusCode).toBe(401);
    }
    const real = await login(t, user);
    const unknown = await login(t, ghost);
    expect(expect429(unknown, 'ACCOUNT_LOCKED')).toBe(expect429(real, 'ACCOUNT_LOCKED'));
    expect(unknown.body).toBe(real.body);
    const { date: _d1, ...realHeaders } = real.headers;
    const { date: _d2, ...unknownHeaders } = unknown.headers;
    expect(unknownHeaders).toEqual(realHeaders);
  });

  it('the right password ends the run: 9 wrong, right, 9 wrong is no lock', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 9; i += 1) await login(t, { email: user.email, password: 'wrong' });
    expect((await login(t, user)).statusCode).toBe(200);
    for (let i = 0; i < 9; i += 1) expect((await login(t, { email: user.email, password: 'wrong' })).statusCode).toBe(401);
    expect((await login(t, user)).statusCode).toBe(200);
  });

  it('a parallel burst of 40 wrong passwords: at most 10 are judged, one lock, audited once', async () => {
    const user = await createUser(t);
    const before = (await auditOfType(t, 'ACCOUNT_LOCKED')).length;
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(t, { email: user.email, password: 'wrong' })));
    for (const answer of answers.filter((answer) => answer.statusCode === 429)) expect429(answer, 'ACCOUNT_LOCKED');
    expect(expect429(await login(t, user), 'ACCOUNT_LOCKED')).toBe(900);
    expect((await auditOfType(t, 'ACCOUNT_LOCKED')).length - before).toBe(1);
  });
});

describe('consecutive wrong codes per account across challenges, default 10/15m', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { LIMIT_LOGIN_PER_IP: ROOMY.LIMIT_LOGIN_PER_IP, LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_OTP_PER_PHONE: ROOMY.LIMIT_OTP_PER_PHONE } });
  });
  afterAll(async () => t.close());

  async function wrongCodes(tempToken: string, count: number) {
    const answers = [];
    for (let i = 0; i < count; i += 1) answers.push(await verify(t, tempToken, WRONG_CODE));
    return answers;
  }

  it('5 wrong on one challenge and 5 on the next lock the account: a new login does not reset the count', async () => {
    const user = await createUser(t);
    const first = await loginOk(t, user);
    const answers = await wrongCodes(first, 5);
    expect(answers.map((answer) => json(answer).attemptsRemaining)).toEqual([4, 3, 2, 1, 0]);
    expect429(await verify(t, first, WRONG_CODE), 'OTP_ATTEMPTS_EXCEEDED');
    expect429(await resend(t, first), 'OTP_ATTEMPTS_EXCEEDED');

    const second = await loginOk(t, user);
    await wrongCodes(second, 5);
    const locked = await login(t, user);
    expect(expect429(locked, 'ACCOUNT_LOCKED')).toBe(900);
    expect(json(locked).detail).toBe('This account is locked after too many wrong codes. Try again in 15 minutes.');
    t.clock.advanceSeconds(900);
    const third = await loginOk(t, user);
    expect((await verify(t, third, t.config.otp.devCode)).statusCode).toBe(200);
  });

  it('a resend does not reset the count, and every open challenge of a locked account answers ACCOUNT_LOCKED, even to the right code', async () => {
    const user = await createUser(t);
    await wrongCodes(await loginOk(t, user), 5);
    const open = await loginOk(t, user);
    await wrongCodes(open, 2);
    t.clock.advanceSeconds(30);
    expect((await resend(t, open)).statusCode).toBe(200);
    await wrongCodes(open, 1);
    t.clock.advanceSeconds(30);
    expect((await resend(t, open)).statusCode).toBe(200);
    // 5 + 2 + 1 = 8 so far; two more make 10.
    const [ninth, tenth] = await wrongCodes(open, 2);
    expect(json(ninth!)).toMatchObject({ code: 'INVALID_OTP', attemptsRemaining: 1 });
    expect(json(tenth!)).toMatchObject({ code: 'INVALID_OTP', attemptsRemaining: 0 });
    expect429(await login(t, user), 'ACCOUNT_LOCKED');
  });

  it('locked mid-challenge: the challenge\'s remaining guesses are refused, the right code included', async () => {
    const t2 = await createTestApp({ seed: false, env: { ...ROOMY, LOCKOUT_OTP: '7/15m' } });
    try {
      const user = await createUser(t2);
      const first = await loginOk(t2, user);
      for (let i = 0; i < 5; i += 1) await verify(t2, first, WRONG_CODE);
      const open = await loginOk(t2, user);
      await verify(t2, open, WRONG_CODE);
      await verify(t2, open, WRONG_CODE);
      const refused = await verify(t2, open, t2.config.otp.devCode);
      expect(expect429(refused, 'ACCOUNT_LOCKED')).toBe(900);
      t2.clock.advanceSeconds(300);
      expect(expect429(await verify(t2, open, WRONG_CODE), 'ACCOUNT_LOCKED')).toBe(600);
      expect429(await login(t2, user), 'ACCOUNT_LOCKED');
    } finally {
      await t2.close();
    }
  });

  it('a success ends the run: 9 wrong, a right code, 9 wrong is no lock', async () => {
    const user = await createUser(t);
    await wrongCodes(await loginOk(t, user), 5);
    const second = await loginOk(t, user);
    await wrongCodes(second, 4);
    expect((await verify(t, second, t.config.otp.devCode)).statusCode).toBe(200);
    await wrongCodes(await loginOk(t, user), 5);
    const fourth = await loginOk(t, user);
    await wrongCodes(fourth, 4);
    expect((await verify(t, fourth, t.config.otp.devCode)).statusCode).toBe(200);
  });

  it('OTP_ATTEMPTS_EXCEEDED has Retry-After: 0 and says to sign in again', async () => {
    const user = await createUser(t);
    const tempToken = await loginOk(t, user);
    await wrongCodes(tempToken, 5);
    const answer = await verify(t, tempToken, t.config.otp.devCode);
    expect(expect429(answer, 'OTP_ATTEMPTS_EXCEEDED')).toBe(0);
    expect(answer.headers['retry-after']).toBe('0');
  });
});
