// Burst tests for the counters of a challenge: parallel requests can never
// make a sixth guess, a second sign-in or a second send inside the cooldown
// (ARCHITECTURE.md "Challenge, not code").

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { otpChallenges, sessions } from '../../src/db/schema.js';
import { createConsoleOtpProvider } from '../../src/otp/console.js';
import type { OtpProvider } from '../../src/otp/provider.js';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem, startLogin, verifyCode } from './support.js';

const BURST = 20;
const WRONG_CODE = '55667788';

const countBy = <T,>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});

describe('bursts against one challenge', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it(`${BURST} parallel wrong codes: exactly 5 are judged (INVALID_OTP 4…0), the rest OTP_ATTEMPTS_EXCEEDED`, async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: BURST }, () => verifyCode(t, tempToken, WRONG_CODE)));

    expect(countBy(answers, (answer) => `${answer.statusCode} ${json(answer).code}`)).toEqual({
      '401 INVALID_OTP': 5,
      [`429 OTP_ATTEMPTS_EXCEEDED`]: BURST - 5,
    });
    const remaining = answers.filter((answer) => json(answer).code === 'INVALID_OTP').map((answer) => json(answer).attemptsRemaining);
    expect(remaining.sort()).toEqual([0, 1, 2, 3, 4]);
    for (const answer of answers) {
      if (answer.statusCode === 429) expect(answer.headers['retry-after']).toBe('0');
    }

    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    expect(row).toMatchObject({ attempts: 5, endedReason: 'attempts' });
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id);
    expect(events.filter((event) => event.type === 'OTP_FAILED')).toHaveLength(5);
    expect(events.filter((event) => event.type === 'OTP_ATTEMPTS_EXCEEDED')).toHaveLength(1);
    // The account's run of wrong codes counts the 5 judged guesses only.
    const [lock] = await t.database.query<{ failures: number }>(sql`select failures from lockouts where key = ${`lockout:otp:${user.id}`}`);
    expect(lock?.failures).toBe(5);
  });

  it(`${BURST} parallel right codes: exactly one 200, every other INVALID_TEMP_TOKEN, one session`, async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: BURST }, () => verifyCode(t, tempToken)));

    expect(countBy(answers, (answer) => `${answer.statusCode} ${answer.statusCode === 200 ? 'signed in' : json(answer).code}`)).toEqual({
      '200 signed in': 1,
      '401 INVALID_TEMP_TOKEN': BURST - 1,
    });
    const userSessions = await t.services.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(userSessions).toHaveLength(1);
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id);
    expect(events.filter((event) => event.type === 'LOGIN_SUCCEEDED')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'OTP_FAILED')).toHaveLength(0);
  });

  it(`${BURST} parallel resends after the cooldown: exactly one code is sent and counted, the rest OTP_RESEND_TOO_SOON`, async () => {
    const user = await createUser(t, { phone: '+16135550181' });
    const tempToken = await startLogin(t, user);
    t.clock.advanceSeconds(t.config.otp.resendCooldownSeconds);
    const answers = await Promise.all(Array.from({ length: BURST }, () => postJson(t.app, '/api/auth/otp/resend', { tempToken })));

    expect(countBy(answers, (answer) => `${answer.statusCode} ${answer.statusCode === 200 ? 'sent' : json(answer).code}`)).toEqual({
      '200 sent': 1,
      '429 OTP_RESEND_TOO_SOON': BURST - 1,
    });
    for (const answer of answers.filter((answer) => answer.statusCode === 429)) expectProblem(answer, 429, 'OTP_RESEND_TOO_SOON');

    const [row] = await t.services.db.select().from(otpChallenges).where(eq(otpChallenges.id, tempToken.split('.')[0]!));
    expect(row!.sends).toBe(2);
    const events = (await auditRows(t)).filter((event) => event.user_id === user.id && event.type === 'OTP_SENT');
    expect(events).toHaveLength(2);
    // A resend refused by the cooldown is not counted against the phone's send limit.
    const [counter] = await t.database.query<{ n: number | string }>(
      sql`select cardinality(hits) as n from rate_limit_counters where key = ${`otp:phone:${user.phone}`}`,
    );
    expect(Number(counter!.n)).toBe(2);
  });
});

/** The console provider judging each code after a round trip, as Twilio does: guesses are in flight together. */
function slowProvider(judgeDelayMs: number): OtpProvider {
  const inner = createConsoleOtpProvider({ devCode: '123456', logger: { info() {}, warn() {}, error() {} } as never });
  return {
    ...inner,
    async checkCode(input) {
      await new Promise((resolve) => setTimeout(resolve, judgeDelayMs));
      return inner.checkCode(input);
    },
  };
}

describe('bursts against one challenge, with a provider that takes time to judge a code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { otp: slowProvider(40) } });
  });
  afterAll(async () => t.close());

  it(`${BURST} parallel right codes: one 200; the losers, even those that found every guess in flight, INVALID_TEMP_TOKEN`, async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: BURST }, () => verifyCode(t, tempToken)));
    expect(countBy(answers, (answer) => `${answer.statusCode} ${answer.statusCode === 200 ? 'signed in' : json(answer).code}`)).toEqual({
      '200 signed in': 1,
      '401 INVALID_TEMP_TOKEN': BURST - 1,
    });
  });

  it(`${BURST} parallel wrong codes: still exactly 5 judged, the rest OTP_ATTEMPTS_EXCEEDED`, async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: BURST }, () => verifyCode(t, tempToken, WRONG_CODE)));
    expect(countBy(answers, (answer) => `${answer.statusCode} ${json(answer).code}`)).toEqual({
      '401 INVALID_OTP': 5,
      '429 OTP_ATTEMPTS_EXCEEDED': BURST - 5,
    });
  });
});
