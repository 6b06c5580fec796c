// POST /api/auth/login: the password step (API.md "Login").

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.js';
import { otpChallenges } from '../../src/db/schema.js';
import { createConsoleOtpProvider } from '../../src/otp/console.js';
import type { OtpProvider } from '../../src/otp/provider.js';
import { AppError } from '../../src/errors.js';
import { ADMIN, createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, comparableHeaders, createUser, expectProblem, retryAfter, type CreatedUser } from './support.js';

/** The app's real hasher, counting its calls: proves the unknown-email path pays for an argon2 verification too. */
function countingHasher() {
  const real = createPasswordHasher();
  const calls = { verify: 0, verifyDummy: 0 };
  const hasher: PasswordHasher = {
    hash: (password) => real.hash(password),
    async verify(passwordHash, password) {
      calls.verify += 1;
      return real.verify(passwordHash, password);
    },
    async verifyDummy(password) {
      calls.verifyDummy += 1;
      return real.verifyDummy(password);
    },
  };
  return { hasher, calls };
}

const login = (t: TestApp, email: string, password: string, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, headers: { 'content-type': 'application/json' }, ...(remoteAddress ? { remoteAddress } : {}) });

describe('login: the password step', () => {
  let t: TestApp;
  const counting = countingHasher();
  let staff: CreatedUser;
  let disabled: CreatedUser;
  let phoneless: CreatedUser;
  let abroad: CreatedUser;

  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { passwords: counting.hasher } });
    staff = await createUser(t, { phone: '+16135550142' });
    disabled = await createUser(t, { disabled: true });
    phoneless = await createUser(t, { phone: null });
    abroad = await createUser(t, { phone: '+33612345678' });
  });
  afterAll(async () => t.close());

  it('the right password answers OTP_REQUIRED with a temp token, the masked phone and no-store', async () => {
    const response = await login(t, staff.email, staff.password);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = json(response);
    expect(body).toEqual({
      status: 'OTP_REQUIRED',
      tempToken: expect.any(String),
      expiresIn: 600,
      otp: { channel: 'sms', to: '+1 ••• ••• ••42', resendAfter: 30 },
      factors: ['sms', 'call'],
    });
    expect(body.tempToken.length).toBeGreaterThan(40);
    expect(response.body).not.toContain('6135550142');
  });

  it('unknown email, wrong password and disabled user answer the very same INVALID_CREDENTIALS', async () => {
    const answers = {
      unknownEmail: await login(t, 'nobody-here@example.test', 'whatever-password'),
      wrongPassword: await login(t, staff.email, 'not the password'),
      disabledRightPassword: await login(t, disabled.email, disabled.password),
      disabledWrongPassword: await login(t, disabled.email, 'not the password'),
    };
    const reference = answers.unknownEmail;
    const body = expectProblem(reference, 401, 'INVALID_CREDENTIALS');
    expect(body.detail).not.toMatch(/disabled|unknown|exist/i);
    for (const [name, response] of Object.entries(answers)) {
      expect({ name, status: response.statusCode }).toEqual({ name, status: 401 });
      expect({ name, body: response.body }).toEqual({ name, body: reference.body });
      expect({ name, headers: comparableHeaders(response) }).toEqual({ name, headers: comparableHeaders(reference) });
    }
  });

  it('an unknown email still costs one argon2 verification (verifyDummy), like a known one', async () => {
    const before = { ...counting.calls };
    expectProblem(await login(t, 'ghost@example.test', 'some password'), 401, 'INVALID_CREDENTIALS');
    expect(counting.calls.verifyDummy - before.verifyDummy).toBe(1);
    expect(counting.calls.verify - before.verify).toBe(0);

    const middle = { ...counting.calls };
    expectProblem(await login(t, staff.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    expect(counting.calls.verify - middle.verify).toBe(1);
    expect(counting.calls.verifyDummy - middle.verifyDummy).toBe(0);
  });

  it('the right password of a user without a phone: 409 PHONE_NOT_ENROLLED, and no code is sent', async () => {
    const before = (await auditRows(t)).length;
    const body = expectProblem(await login(t, phoneless.email, phoneless.password), 409, 'PHONE_NOT_ENROLLED');
    expect(body.detail).toMatch(/phone/i);
    const events = (await auditRows(t)).slice(before);
    expect(events.map((event) => event.type)).not.toContain('OTP_SENT');
    const challenges = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.userId, phoneless.id));
    expect(challenges).toEqual([]);
  });

  it('a wrong password of a user without a phone is still INVALID_CREDENTIALS (the phone is not revealed first)', async () => {
    expectProblem(await login(t, phoneless.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
  });

  it('a phone outside OTP_ALLOWED_COUNTRIES: 403 PHONE_COUNTRY_NOT_ALLOWED, before any send', async () => {
    const before = (await auditRows(t)).length;
    expectProblem(await login(t, abroad.email, abroad.password), 403, 'PHONE_COUNTRY_NOT_ALLOWED');
    const events = (await auditRows(t)).slice(before).map((event) => event.type);
    expect(events).not.toContain('OTP_SENT');
    expect(events).not.toContain('OTP_SEND_FAILED');
  });

  it('the email is matched whatever its case', async () => {
    const response = await login(t, staff.email.toUpperCase(), staff.password);
    expect(response.statusCode).toBe(200);
  });
});

describe('login: LOCKOUT_PASSWORD locks an email after consecutive wrong passwords', () => {
  let t: TestApp;
  let user: CreatedUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, LOCKOUT_PASSWORD: '3/15m' } });
    user = await createUser(t);
  });
  afterAll(async () => t.close());

  it('the 3 wrong passwords allowed are INVALID_CREDENTIALS; then even the right one is ACCOUNT_LOCKED until the lock ends', async () => {
    for (let i = 0; i < 3; i += 1) expectProblem(await login(t, user.email, `wrong ${i}`), 401, 'INVALID_CREDENTIALS');
    const locked = await login(t, user.email, user.password);
    expectProblem(locked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(locked)).toBe(900);
    expect(json(locked).detail).toMatch(/Try again in 15 minutes\./);

    t.clock.advanceSeconds(600);
    const stillLocked = await login(t, user.email, user.password);
    expectProblem(stillLocked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(stillLocked)).toBe(300); // attempts during the lock do not extend it

    t.clock.advanceSeconds(300);
    expect((await login(t, user.email, user.password)).statusCode).toBe(200);
  });

  it('an unknown email is counted and locked alike, so a lock does not tell that an account exists', async () => {
    const ghost = 'ghost-locked@example.test';
    for (let i = 0; i < 3; i += 1) expectProblem(await login(t, ghost, `wrong ${i}`), 401, 'INVALID_CREDENTIALS');
    const locked = await login(t, ghost, 'anything');
    expectProblem(locked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(locked)).toBe(900);
    const events = await auditRows(t);
    expect(events.filter((event) => event.type === 'ACCOUNT_LOCKED' && event.detail.email === ghost)).toHaveLength(1);
  });

  it('a right password ends the run of wrong ones', async () => {
    const other = await createUser(t);
    for (let i = 0; i < 2; i += 1) expectProblem(await login(t, other.email, `wrong ${i}`), 401, 'INVALID_CREDENTIALS');
    expect((await login(t, other.email, other.password)).statusCode).toBe(200);
    for (let i = 0; i < 2; i += 1) expectProblem(await login(t, other.email, `wrong again ${i}`), 401, 'INVALID_CREDENTIALS');
    expect((await login(t, other.email, other.password)).statusCode).toBe(200);
  });
});

describe('login: send limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, LIMIT_LOGIN_PER_IP: '3/10m', LIMIT_OTP_PER_PHONE: '2/10m' } });
  });
  afterAll(async () => t.close());

  it('LIMIT_LOGIN_PER_IP counts every attempt, whatever its outcome: 3 allowed, the 4th LOGIN_RATE_LIMITED', async () => {
    const ip = '203.0.113.7';
    expectProblem(await login(t, 'nobody@example.test', 'x', ip), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(t, ADMIN.email, 'wrong', ip), 401, 'INVALID_CREDENTIALS');
    expect((await login(t, ADMIN.email, ADMIN.password, ip)).statusCode).toBe(200);
    const refused = await login(t, ADMIN.email, ADMIN.password, ip);
    expectProblem(refused, 429, 'LOGIN_RATE_LIMITED');
    expect(retryAfter(refused)).toBe(600);
    expect(json(refused).detail).toMatch(/Try again in 10 minutes\./);
    // Another address is not concerned.
    expect((await login(t, 'nobody@example.test', 'x', '203.0.113.8')).statusCode).toBe(401);
  });

  it('LIMIT_OTP_PER_PHONE: the 3rd code to one phone within the window is OTP_RATE_LIMITED, and nothing is sent', async () => {
    const user = await createUser(t, { phone: '+16135550177' });
    expect((await login(t, user.email, user.password, '198.51.100.1')).statusCode).toBe(200);
    t.clock.advanceSeconds(60);
    expect((await login(t, user.email, user.password, '198.51.100.2')).statusCode).toBe(200);
    const before = (await auditRows(t)).length;
    const refused = await login(t, user.email, user.password, '198.51.100.3');
    expectProblem(refused, 429, 'OTP_RATE_LIMITED');
    expect(retryAfter(refused)).toBe(540);
    expect(json(refused).detail).toBe('Too many OTP requests. Try again in 9 minutes.');
    expect((await auditRows(t)).slice(before).map((event) => event.type)).not.toContain('OTP_SENT');
  });
});

describe('login: provider failures keep their meaning', () => {
  let t: TestApp;
  let failure: Error | undefined;
  beforeAll(async () => {
    const consoleProvider = createConsoleOtpProvider({ devCode: '123456', logger: { info() {}, warn() {}, error() {} } as never });
    const otp: OtpProvider = {
      ...consoleProvider,
      async startVerification(phone) {
        if (failure) throw failure;
        return consoleProvider.startVerification(phone);
      },
    };
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { otp } });
  });
  afterAll(async () => t.close());

  it.each([
    ['the number refused', 'OTP_DELIVERY_FAILED', 502, new AppError('OTP_DELIVERY_FAILED')],
    ['the provider down', 'OTP_PROVIDER_UNAVAILABLE', 503, new AppError('OTP_PROVIDER_UNAVAILABLE')],
    ['an unforeseen provider error', 'OTP_PROVIDER_UNAVAILABLE', 503, new Error('socket hang up at 10.0.0.3:443 token=abc')],
  ] as const)('%s answers %s (%i), audited as OTP_SEND_FAILED, with no challenge left behind', async (_label, code, status, error) => {
    const user = await createUser(t);
    failure = error;
    try {
      const response = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
      const body = expectProblem(response, status, code);
      expect(response.body).not.toContain('10.0.0.3');
      expect(body.detail).not.toContain('token=');
    } finally {
      failure = undefined;
    }
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id).map((event) => event.type);
    expect(events).toContain('OTP_SEND_FAILED');
    expect(events).not.toContain('OTP_SENT');
    const challenges = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.userId, user.id));
    expect(challenges).toEqual([]);
  });
});
