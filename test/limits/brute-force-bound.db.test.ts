// The bound of docs/security.md, proved by running it: an attacker who knows
// the password drives logins and code guesses at the fastest pace the server
// allows, from a fresh address every request (a botnet: no per-IP limit ever
// binds), for two days of the injected clock. Whenever refused it waits
// exactly the announced Retry-After. We count the guesses the server actually
// judged (calls of the provider's checkCode) in every 24 h span of two days.

import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp, json, TestClock, type TestApp } from '../helpers/app.js';
import { createConsoleOtpProvider } from '../../src/otp/console.js';
import type { OtpProvider } from '../../src/otp/provider.js';
import { createUser } from './support.js';
import { sql } from 'drizzle-orm';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { codeAtStep, currentStep } from '../../src/auth/factors/totp.js';
import { enrollAuthenticator } from '../auth/factors-support.js';

/** docs/security.md: (20 codes a day per phone) × (5 guesses per challenge). */
const GUESSES_PER_DAY_BOUND = 100;
const CODE_SPACE = 10 ** 6;
const DAY_MS = 24 * 3600 * 1000;

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function attackerRun(strategy: { holdFirstChallengeToItsLastSecond: boolean }) {
  const clock = new TestClock();
  const judgedAt: number[] = [];
  const real = createConsoleOtpProvider({ devCode: '123456', logger: pino({ level: 'silent' }) });
  const counting: OtpProvider = {
    ...real,
    name: real.name,
    async checkCode(input) {
      const outcome = await real.checkCode(input);
      judgedAt.push(clock.now().getTime());
      return outcome;
    },
  };
  app = await createTestApp({ seed: false, clock, overrides: { otp: counting } });
  const t = app;
  const victim = await createUser(t);

  let address = 0;
  const nextAddress = () => {
    address += 1;
    return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
  };
  const post = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, remoteAddress: nextAddress(), headers: { 'content-type': 'application/json' }, payload });

  const start = clock.now().getTime();
  let guess = 0;
  let challenges = 0;
  while (clock.now().getTime() - start < 2 * DAY_MS) {
    const login = await post('/api/auth/login', { email: victim.email, password: victim.password });
    if (login.statusCode === 429) {
      const wait = Number(login.headers['retry-after']);
      expect(['OTP_RATE_LIMITED', 'ACCOUNT_LOCKED']).toContain(json(login).code);
      expect(wait).toBeGreaterThan(0);
      clock.advanceSeconds(wait);
      continue;
    }
    expect(login.statusCode, login.body).toBe(200);
    challenges += 1;
    const { tempToken } = json(login);
    if (strategy.holdFirstChallengeToItsLastSecond && challenges === 1) clock.advanceSeconds(t.config.otp.ttlSeconds - 1);
    // Every guess the challenge allows, at once, each a different wrong code.
    const answers = await Promise.all(
      Array.from({ length: t.config.otp.maxAttempts }, () => post('/api/auth/otp/verify', { tempToken, code: String(++guess).padStart(6, '0') })),
    );
    for (const answer of answers) expect(['INVALID_OTP', 'ACCOUNT_LOCKED']).toContain(json(answer).code);
  }
  return { judgedAt, challenges };
}

/** The most judged guesses in any half-open 24 h span [s, s + 24 h). */
function busiestDay(judgedAt: number[]): number {
  const sorted = [...judgedAt].sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (let begin = 0; begin < sorted.length; begin += 1) {
    while (end < sorted.length && sorted[end]! < sorted[begin]! + DAY_MS) end += 1;
    most = Math.max(most, end - begin);
  }
  return most;
}

describe('brute force of a 6-digit code by an attacker who knows the password (default limits)', () => {
  it.each([
    ['at the fastest pace', false],
    // Without the per-account guess budget this one got 105: 20 challenges sent in the span + the one open at its start.
    ['holding the first challenge\'s guesses to its last second (the edge of the 24 h window)', true],
  ])('%s: at most 100 guesses judged in any 24 h span, so at most 1 in 10,000 a day', async (_name, hold) => {
    const { judgedAt, challenges } = await attackerRun({ holdFirstChallengeToItsLastSecond: hold });
    const most = busiestDay(judgedAt);
    expect(most).toBeLessThanOrEqual(GUESSES_PER_DAY_BOUND);
    // The bound is reached, not just respected: the run was at full pace.
    expect(most).toBe(GUESSES_PER_DAY_BOUND);
    expect(challenges).toBeGreaterThanOrEqual(35);

    // Each challenge is one uniformly random code and ≤ 5 distinct guesses at it.
    const perChallenge = 5 / CODE_SPACE;
    const challengesPerDay = most / 5;
    const exact = 1 - (1 - perChallenge) ** challengesPerDay;
    const unionBound = most / CODE_SPACE;
    expect(unionBound).toBeLessThanOrEqual(1 / 10_000);
    expect(exact).toBeLessThan(1 / 10_000);
    expect(exact).toBeCloseTo(9.99952e-5, 9);
  }, 180_000);
});

// The same attacker against a user with an authenticator app: no code is sent,
// so no per-phone limit paces the challenges; only the per-account budget
// does. An authenticator code is right at three steps (before, now, after), so
// each guess tries three codes and takes three from the budget: at most 33
// guesses, 99 codes tried, in any 24 h span. Recovery codes (50 bits) add
// nothing measurable: 100 guesses × 10 codes / 2^50 ≈ 10⁻¹².
describe('brute force of an authenticator code by an attacker who knows the password (default limits)', () => {
  it('at the fastest pace: at most 100 codes tried in any 24 h span (33 guesses of 3 steps), so at most 1 in 10,000 a day', async () => {
    const clock = new TestClock();
    app = await createTestApp({ seed: false, clock });
    const t = app;
    const victim = await createUser(t);
    const { secret } = await enrollAuthenticator(t, victim);
    const key = decodeBase32IgnorePadding(secret);

    let address = 0;
    const post = (url: string, payload: object) => {
      address += 1;
      const remoteAddress = `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
      return t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/json' }, payload });
    };
    const start = clock.now().getTime();
    let guess = 0;
    /** A code certainly wrong now: none of the three accepted steps' codes (so the run never signs in by luck). */
    const wrongCode = () => {
      const right = [-1, 0, 1].map((offset) => codeAtStep(key, currentStep(clock) + offset));
      let code: string;
      do code = String(++guess % CODE_SPACE).padStart(6, '0');
      while (right.includes(code));
      return code;
    };
    while (clock.now().getTime() - start < 2 * DAY_MS) {
      const login = await post('/api/auth/login', { email: victim.email, password: victim.password });
      if (login.statusCode === 429) {
        expect(json(login).code).toBe('ACCOUNT_LOCKED');
        clock.advanceSeconds(Number(login.headers['retry-after']));
        continue;
      }
      expect(login.statusCode, login.body).toBe(200);
      expect(json(login).otp.channel).toBe('totp');
      const { tempToken } = json(login);
      const answers = await Promise.all(Array.from({ length: t.config.otp.maxAttempts }, () => post('/api/auth/otp/verify', { tempToken, code: wrongCode() })));
      for (const answer of answers) expect(['INVALID_OTP', 'ACCOUNT_LOCKED']).toContain(json(answer).code);
      // Fewer codes left in the budget than one guess takes: wait as told (the login only peeks at the budget).
      if (answers.every((answer) => answer.statusCode === 429)) clock.advanceSeconds(Math.max(...answers.map((answer) => Number(answer.headers['retry-after']))));
    }
    const judged = await t.database.query<{ at: Date | string }>(sql`select at from audit_events where type = 'OTP_FAILED' and user_id = ${victim.id}`);
    const codesTriedPerGuess = 3;
    const mostGuesses = busiestDay(judged.map((row) => new Date(row.at).getTime()));
    expect(mostGuesses * codesTriedPerGuess).toBeLessThanOrEqual(GUESSES_PER_DAY_BOUND);
    expect(mostGuesses).toBe(Math.floor(GUESSES_PER_DAY_BOUND / codesTriedPerGuess)); // reached: the run was at full pace
    expect((mostGuesses * codesTriedPerGuess) / CODE_SPACE).toBeLessThan(1 / 10_000);
  }, 180_000);
});
