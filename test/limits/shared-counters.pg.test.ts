// Two server instances on one PostgreSQL share every limit and lock: an
// attacker spreading requests over instances gains nothing, and an admin's
// clear on one instance frees the other. (Runs when TEST_DATABASE_URL is set.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, signIn, TestClock, type TestApp } from '../helpers/app.js';
import { createPostgresDatabase } from '../helpers/database.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { codesSent, createUser, expect429, ROOMY, WRONG_CODE } from './support.js';

let database: DatabaseHandle;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  database = await createPostgresDatabase();
  // One clock for both: they stand for two processes reading the same time.
  const clock = new TestClock();
  const env = { LIMIT_OTP_PER_IP: ROOMY.LIMIT_OTP_PER_IP, LIMIT_REQUESTS_PER_IP: ROOMY.LIMIT_REQUESTS_PER_IP };
  a = await createTestApp({ database, clock, env });
  b = await createTestApp({ database, clock, env });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.close();
});

const loginOn = (t: TestApp, body: { email: string; password: string }, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: { email: body.email, password: body.password } });
const verifyOn = (t: TestApp, tempToken: string, code: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/otp/verify', headers: { 'content-type': 'application/json' }, payload: { tempToken, code } });

describe('two instances, one PostgreSQL', () => {
  it('codes per phone are counted once across instances: 3 on A and 2 on B spend the 5', async () => {
    const user = await createUser(a);
    for (let i = 0; i < 3; i += 1) expect((await loginOn(a, user, '198.51.100.1')).statusCode).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await loginOn(b, user, '198.51.100.1')).statusCode).toBe(200);
    expect429(await loginOn(a, user, '198.51.100.1'), 'OTP_RATE_LIMITED');
    expect429(await loginOn(b, user, '198.51.100.1'), 'OTP_RATE_LIMITED');
  });

  it('a parallel burst spread over both instances sends exactly 5 codes', async () => {
    const user = await createUser(a);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => loginOn(i % 2 === 0 ? a : b, user, `198.51.100.${100 + i}`)));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(5);
    for (const answer of answers.filter((answer) => answer.statusCode !== 200)) expect429(answer, 'OTP_RATE_LIMITED');
    expect(await codesSent(a, user.id)).toBe(5);
  });

  it('sign-ins per IP are shared: 30 over both, the 31st refused on either', async () => {
    const ip = '198.51.100.31';
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => loginOn(i % 2 === 0 ? a : b, { email: `shared${i}@example.test`, password: 'x' }, ip)));
    expect(answers.filter((answer) => answer.statusCode === 401)).toHaveLength(30);
    expect429(await loginOn(b, { email: 'shared@example.test', password: 'x' }, ip), 'LOGIN_RATE_LIMITED');
  });

  it('the password lock is shared: 5 wrong on A and 5 on B lock the email on both', async () => {
    const user = await createUser(a);
    for (let i = 0; i < 5; i += 1) await loginOn(a, { email: user.email, password: 'wrong' }, `198.51.100.${40 + i}`);
    for (let i = 0; i < 5; i += 1) await loginOn(b, { email: user.email, password: 'wrong' }, `198.51.100.${50 + i}`);
    expect429(await loginOn(a, user, '198.51.100.60'), 'ACCOUNT_LOCKED');
    expect429(await loginOn(b, user, '198.51.100.61'), 'ACCOUNT_LOCKED');
  });

  it('the code lock is shared, and an admin clearing on A frees the account on B', async () => {
    const user = await createUser(a, { phone: '+16135557002' });
    for (const t of [a, b]) {
      const tempToken = json(await loginOn(t, user, '198.51.100.70')).tempToken as string;
      for (let i = 0; i < 5; i += 1) await verifyOn(t, tempToken, WRONG_CODE);
    }
    expect429(await loginOn(b, user, '198.51.100.71'), 'ACCOUNT_LOCKED');
    const admin = await signIn(a.app);
    const cleared = await a.app.inject({ method: 'DELETE', url: `/api/rbac/rate-limits?email=${encodeURIComponent(user.email)}`, headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(json(cleared).cleared).toBeGreaterThanOrEqual(2);
    const tempToken = json(await loginOn(b, user, '198.51.100.72')).tempToken as string;
    expect((await verifyOn(b, tempToken, b.config.otp.devCode)).statusCode).toBe(200);
  });
});
