// Codes sent per phone (LIMIT_OTP_PER_PHONE 5/10m,20/1d), per IP
// (LIMIT_OTP_PER_IP) and per challenge (OTP_RESEND_COOLDOWN): each hit,
// answered with a 429 that says when, and released by the injected clock at
// exactly that time. Sends refused by our limits count against nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { limitKeys } from '../../src/limits/limit-keys.js';
import { codesSent, createUser, expect429, login, loginOk, resend, ROOMY } from './support.js';

async function hitsOf(t: TestApp, key: string): Promise<number> {
  const [row] = await t.database.query<{ n: number | string | null }>(sql`select cardinality(hits) as n from rate_limit_counters where key = ${key}`);
  return Number(row?.n ?? 0);
}

describe('codes per phone, default 5/10m,20/1d', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Every request here comes from one address: its own limits are another suite's.
    t = await createTestApp({ seed: false, env: { LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_LOGIN_PER_IP: ROOMY.LIMIT_LOGIN_PER_IP } });
  });
  afterAll(async () => t.close());

  it('5 codes in 10 minutes; the 6th is OTP_RATE_LIMITED, saying when; exactly then one more goes', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 5; i += 1) {
      await loginOk(t, user);
      t.clock.advanceSeconds(60);
    }
    const refused = await login(t, user);
    // Sends at 0..4 min; now 5 min: the first leaves the window at 10 min.
    expect(expect429(refused, 'OTP_RATE_LIMITED')).toBe(300);
    expect(json(refused).detail).toBe('Too many OTP requests. Try again in 5 minutes.');
    // Refused sends are not counted: hammering changes neither the count nor the wait.
    for (let i = 0; i < 5; i += 1) expect429(await login(t, user), 'OTP_RATE_LIMITED');
    expect(await hitsOf(t, limitKeys.otpPerPhone(user.phone))).toBe(5);
    t.clock.advanceSeconds(299);
    expect(expect429(await login(t, user), 'OTP_RATE_LIMITED')).toBe(1);
    t.clock.advanceSeconds(1);
    await loginOk(t, user);
    expect429(await login(t, user), 'OTP_RATE_LIMITED');
    expect(await codesSent(t, user.id)).toBe(6);
  });

  it('20 codes a day: the 21st waits until the first of them is 24 h old', async () => {
    const user = await createUser(t);
    const start = t.clock.now().getTime();
    for (let batch = 0; batch < 4; batch += 1) {
      for (let i = 0; i < 5; i += 1) await loginOk(t, user);
      t.clock.advanceSeconds(600);
    }
    // Now 40 min after the first send; it leaves the day at 24 h.
    const refused = await login(t, user);
    const wait = expect429(refused, 'OTP_RATE_LIMITED');
    expect(wait).toBe(24 * 3600 - 40 * 60);
    expect(json(refused).detail).toBe('Too many OTP requests. Try again in 1400 minutes.');
    t.clock.advanceSeconds(wait - 1);
    expect429(await login(t, user), 'OTP_RATE_LIMITED');
    t.clock.advanceSeconds(1);
    expect(t.clock.now().getTime() - start).toBe(24 * 3600 * 1000);
    // The 5 sends of the first batch leave the day together: 5 go, then the next batch's wait.
    for (let i = 0; i < 5; i += 1) await loginOk(t, user);
    expect(expect429(await login(t, user), 'OTP_RATE_LIMITED')).toBe(600);
    expect(await codesSent(t, user.id)).toBe(25);
  });

  it('resends count per phone as logins do', async () => {
    const user = await createUser(t);
    const tempToken = await loginOk(t, user);
    for (let i = 0; i < 4; i += 1) {
      t.clock.advanceSeconds(30);
      expect((await resend(t, tempToken)).statusCode).toBe(200);
    }
    t.clock.advanceSeconds(30);
    // Past the cooldown, so the refusal is the phone's window, not the cooldown.
    // Sends at 0, 30, 60, 90, 120 s; now 150 s: the first leaves the window at 600 s.
    expect(expect429(await resend(t, tempToken), 'OTP_RATE_LIMITED')).toBe(600 - 150);
  });

  it('a burst of 20 parallel logins sends exactly 5 codes', async () => {
    const user = await createUser(t);
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(t, user)));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(5);
    for (const answer of answers.filter((answer) => answer.statusCode !== 200)) expect429(answer, 'OTP_RATE_LIMITED');
    expect(await codesSent(t, user.id)).toBe(5);
    expect(await hitsOf(t, limitKeys.otpPerPhone(user.phone))).toBe(5);
  });
});

describe('codes per IP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { LIMIT_OTP_PER_IP: '3/1h', LIMIT_OTP_PER_PHONE: '2/1h' } });
  });
  afterAll(async () => t.close());

  const loginFrom = (user: { email: string; password: string }, remoteAddress: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: { email: user.email, password: user.password } });

  it('3 codes an hour for one address, whoever they are for; other addresses are not affected', async () => {
    const users = await Promise.all([createUser(t), createUser(t), createUser(t), createUser(t)]);
    for (const user of users.slice(0, 3)) expect((await loginFrom(user, '198.51.100.7')).statusCode).toBe(200);
    t.clock.advanceSeconds(60);
    const refused = await loginFrom(users[3]!, '198.51.100.7');
    expect(expect429(refused, 'OTP_RATE_LIMITED')).toBe(3600 - 60);
    expect(json(refused).detail).toBe('Too many OTP requests. Try again in 59 minutes.');
    expect((await loginFrom(users[3]!, '198.51.100.8')).statusCode).toBe(200);
    t.clock.advanceSeconds(3540);
    expect((await loginFrom(users[0]!, '198.51.100.7')).statusCode).toBe(200);
  });

  it('a send refused per IP is not counted per phone (and the reverse)', async () => {
    const [filler, victim] = await Promise.all([createUser(t), createUser(t)]);
    for (let i = 0; i < 2; i += 1) expect((await loginFrom(filler, '198.51.100.20')).statusCode).toBe(200);
    expect((await loginFrom(victim, '198.51.100.20')).statusCode).toBe(200);
    // The address is spent: these are refused, and must not eat the victim's phone allowance (2/1h).
    for (let i = 0; i < 3; i += 1) expect429(await loginFrom(victim, '198.51.100.20'), 'OTP_RATE_LIMITED');
    expect(await hitsOf(t, limitKeys.otpPerPhone(victim.phone))).toBe(1);
    expect((await loginFrom(victim, '198.51.100.21')).statusCode).toBe(200);
    // Now the phone is spent: refused per phone, not counted per IP.
    expect429(await loginFrom(victim, '198.51.100.22'), 'OTP_RATE_LIMITED');
    expect(await hitsOf(t, limitKeys.otpPerIp('198.51.100.22'))).toBe(0);
  });
});

describe('resend cooldown, default 30s', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false });
  });
  afterAll(async () => t.close());

  it('a resend inside the cooldown is OTP_RESEND_TOO_SOON with the seconds left; at the end it goes', async () => {
    const user = await createUser(t);
    const tempToken = await loginOk(t, user);
    const tooSoon = await resend(t, tempToken);
    expect(expect429(tooSoon, 'OTP_RESEND_TOO_SOON')).toBe(30);
    expect(json(tooSoon).detail).toBe('A code was sent moments ago. Try again in 30 seconds.');
    t.clock.advanceSeconds(29);
    const last = await resend(t, tempToken);
    expect(expect429(last, 'OTP_RESEND_TOO_SOON')).toBe(1);
    expect(json(last).detail).toMatch(/Try again in 1 second\.$/);
    t.clock.advanceSeconds(1);
    expect(json(await resend(t, tempToken))).toMatchObject({ sent: true, resendAfter: 30 });
    expect429(await resend(t, tempToken), 'OTP_RESEND_TOO_SOON');
  });

  it('10 parallel resends after the cooldown: one sends, and only that one is counted per phone', async () => {
    const user = await createUser(t);
    const tempToken = await loginOk(t, user);
    t.clock.advanceSeconds(30);
    const answers = await Promise.all(Array.from({ length: 10 }, () => resend(t, tempToken)));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(1);
    for (const answer of answers.filter((answer) => answer.statusCode !== 200)) expect429(answer, 'OTP_RESEND_TOO_SOON');
    expect(await codesSent(t, user.id)).toBe(2);
    expect(await hitsOf(t, limitKeys.otpPerPhone(user.phone))).toBe(2);
  });
});
