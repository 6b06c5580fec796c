// Parallel logins (issue #9): the password lock is reserved before the hash
// (9.1) and one open challenge per user (9.8). The statement count of known
// and unknown emails (9.11) is in login-statements.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.js';
import { otpChallenges } from '../../src/db/schema.js';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, retryAfter, verifyCode } from './support.js';

const countBy = <T,>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});

const login = (t: TestApp, email: string, password: string) => postJson(t.app, '/api/auth/login', { email, password });

/** The real hasher, whose checks of one password wait for a gate: a test can hold a right password mid-hash. */
function gatedHasher() {
  const real = createPasswordHasher();
  let held: { password: string; open: Promise<void>; release: () => void } | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => real.hash(password),
    async verify(passwordHash, password) {
      const result = await real.verify(passwordHash, password);
      if (held && password === held.password) await held.open;
      return result;
    },
    verifyDummy: (password) => real.verifyDummy(password),
  };
  return {
    hasher,
    hold(password: string) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      held = { password, open, release };
      return () => release();
    },
  };
}

describe('parallel wrong passwords against LOCKOUT_PASSWORD (10/15m)', () => {
  let t: TestApp;
  const gate = gatedHasher();
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { passwords: gate.hasher } });
  });
  afterAll(async () => t.close());

  it('20 parallel wrong passwords for one email: exactly 10 judged (INVALID_CREDENTIALS), 10 ACCOUNT_LOCKED, one lock audited once', async () => {
    const user = await createUser(t);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(t, user.email, `wrong ${i}`)));
    expect(countBy(answers, (answer) => `${answer.statusCode} ${json(answer).code}`)).toEqual({
      '401 INVALID_CREDENTIALS': 10,
      '429 ACCOUNT_LOCKED': 10,
    });
    for (const answer of answers.filter((answer) => answer.statusCode === 429)) {
      expect(retryAfter(answer)).toBeGreaterThanOrEqual(1);
      expect(retryAfter(answer)).toBeLessThanOrEqual(900);
    }
    const events = (await auditRows(t)).filter((event) => event.detail?.email === user.email.toLowerCase());
    expect(events.filter((event) => event.type === 'LOGIN_FAILED')).toHaveLength(10);
    expect(events.filter((event) => event.type === 'ACCOUNT_LOCKED')).toHaveLength(1);
    const locked = await login(t, user.email, user.password);
    expectProblem(locked, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(locked)).toBe(900);
  });

  it('a right password still being hashed when a burst locks the email is refused and does not clear the lock', async () => {
    const user = await createUser(t);
    const release = gate.hold(user.password);
    const right = login(t, user.email, user.password); // reserves its failure first, then waits mid-hash
    await new Promise((resolve) => setTimeout(resolve, 200));
    const wrong = await Promise.all(Array.from({ length: 9 }, (_, i) => login(t, user.email, `wrong ${i}`)));
    expect(wrong.map((answer) => json(answer).code)).toEqual(Array(9).fill('INVALID_CREDENTIALS'));
    release();
    expectProblem(await right, 429, 'ACCOUNT_LOCKED');
    // The lock the burst set holds, whole.
    const after = await login(t, user.email, user.password);
    expectProblem(after, 429, 'ACCOUNT_LOCKED');
    expect(retryAfter(after)).toBe(900);
    t.clock.advanceSeconds(900);
    expect((await login(t, user.email, user.password)).statusCode).toBe(200);
  });

  it('a right password between two bursts of 9 wrong ones ends the run: no lock', async () => {
    const user = await createUser(t);
    for (const _burst of [1, 2]) {
      const wrong = await Promise.all(Array.from({ length: 9 }, (_, i) => login(t, user.email, `wrong ${i}`)));
      expect(wrong.every((answer) => json(answer).code === 'INVALID_CREDENTIALS')).toBe(true);
      expect((await login(t, user.email, user.password)).statusCode).toBe(200);
    }
  });
});

describe('parallel logins of one user', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('20 parallel logins: no 5xx, at most one open challenge afterwards, and it is the one whose temp token signs in', async () => {
    const user = await createUser(t);
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(t, user.email, user.password)));
    // Each login reserves a failure of the email before its hash; right
    // passwords end the run, so the ones that waited for a slot are judged too.
    expect(countBy(answers, (answer) => `${answer.statusCode} ${answer.statusCode === 200 ? 'OTP_REQUIRED' : json(answer).code}`)).toEqual({
      '200 OTP_REQUIRED': 20,
    });
    const open = await t.services.db.select().from(otpChallenges).where(and(eq(otpChallenges.userId, user.id), isNull(otpChallenges.endedAt)));
    expect(open).toHaveLength(1);
    const accepted = answers.filter((answer) => answer.statusCode === 200);
    const outcomes = await Promise.all(accepted.map((answer) => verifyCode(t, json(answer).tempToken)));
    expect(countBy(outcomes, (answer) => (answer.statusCode === 200 ? 'signed in' : json(answer).code))).toEqual({
      'signed in': 1,
      INVALID_TEMP_TOKEN: accepted.length - 1,
    });
    // Right passwords end the run: no lock is left behind.
    expect((await login(t, user.email, user.password)).statusCode).toBe(200);
  });

  it('the database itself refuses a second open challenge for a user', async () => {
    const user = await createUser(t);
    const row = { userId: user.id, tempTokenHash: 'x', phone: user.phone, provider: 'console', expiresAt: new Date(Date.now() + 60_000) };
    await t.services.db.insert(otpChallenges).values(row);
    await expect(t.services.db.insert(otpChallenges).values(row)).rejects.toThrow();
  });
});
