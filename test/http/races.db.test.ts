// Bursts of parallel requests against the counters and "once" rules that the
// other suites do not burst already (issue #9 "What else it must deliver").
// Already covered elsewhere: a challenge's guesses, the right-code claim and
// the resend claim (test/auth/otp-bursts.db.test.ts), refresh rotation
// (test/auth/sessions.db.test.ts), sign-in attempts per IP and the password
// lock (test/limits/lockouts.db.test.ts). Here: the public intake's per-IP
// limit, the account's code-guess budget, and a refresh-token burst that
// also proves what it leaves behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { PUBLIC_INTAKE_LIMIT_PER_IP } from '../../src/http/routes/public-applications.js';
import { limitKeys } from '../../src/limits/limit-keys.js';
import { createTestApp, json, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, createUser, startLogin, verifyCode } from '../auth/support.js';
import { applicationBody, createPortalApp, expectProblem } from '../portal/support.js';

const BURST = 25;
const countBy = (items: string[]) => items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [item]: (counts[item] ?? 0) + 1 }), {});
const outcome = (response: { statusCode: number; body: string }) => `${response.statusCode} ${response.statusCode < 300 ? '' : json(response as never).code}`.trim();

describe('the public intake limit under a burst from one address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createPortalApp({ seed: false });
  });
  afterAll(async () => t.close());

  it(`${BURST} parallel applications: exactly the limit is filed, the rest RATE_LIMITED`, async () => {
    const limit = PUBLIC_INTAKE_LIMIT_PER_IP[0]!.limit;
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, index) =>
        t.app.inject({ method: 'POST', url: '/api/public/applications', payload: applicationBody({ businessName: `Burst ${index}` }), headers: { 'content-type': 'application/json' }, remoteAddress: '198.51.100.7' }),
      ),
    );
    expect(countBy(answers.map(outcome))).toEqual({ '201': limit, '429 RATE_LIMITED': BURST - limit });
    for (const answer of answers.filter((item) => item.statusCode === 429)) expectProblem(answer, 429, 'RATE_LIMITED');
    const [row] = await t.database.query<{ filed: number }>(sql`select count(*)::int as filed from applications where business_name like 'Burst %'`);
    expect(row!.filed).toBe(limit);
  });
});

describe('the account’s code-guess budget under a burst', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One code per phone an hour: a budget of OTP_MAX_ATTEMPTS (5) judged guesses.
    t = await createTestApp({ seed: false, env: { ...RELAXED_LIMITS, LIMIT_OTP_PER_PHONE: '1/1h', LOCKOUT_OTP: '1000/1m' } });
  });
  afterAll(async () => t.close());

  it(`${BURST} parallel wrong codes: the budget records exactly 5 guesses, never more`, async () => {
    const user = await createUser(t);
    const tempToken = await startLogin(t, user);
    const answers = await Promise.all(Array.from({ length: BURST }, () => verifyCode(t, tempToken, '99887766')));
    const outcomes = countBy(answers.map(outcome));
    expect(outcomes['401 INVALID_OTP']).toBe(5);
    expect(Object.keys(outcomes).every((key) => key === '401 INVALID_OTP' || key.startsWith('429 '))).toBe(true);
    const [counter] = await t.database.query<{ hits: number }>(sql`select coalesce(array_length(hits, 1), 0)::int as hits from rate_limit_counters where key = ${limitKeys.otpGuesses(user.id)}`);
    expect(counter?.hits).toBe(5);
    // The budget is spent: no new sign-in of the account gets a challenge.
    const again = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('refresh rotation under a burst', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS, seed: false });
  });
  afterAll(async () => t.close());

  it(`${BURST} parallel refreshes with one token: one 200, the rest refused, and the session ends (even the winner's new tokens)`, async () => {
    const user = await createUser(t);
    const signedIn = json((await verifyCode(t, await startLogin(t, user))) as never);
    const answers = await Promise.all(Array.from({ length: BURST }, () => postJson(t.app, '/api/auth/refresh', { refreshToken: signedIn.refreshToken })));
    const outcomes = countBy(answers.map(outcome));
    expect(outcomes['200']).toBe(1);
    expect(Object.keys(outcomes).every((key) => key === '200' || key === '401 REFRESH_TOKEN_REUSED' || key === '401 INVALID_REFRESH_TOKEN')).toBe(true);
    expect(outcomes['401 REFRESH_TOKEN_REUSED']).toBeGreaterThanOrEqual(1);
    const winner = json(answers.find((answer) => answer.statusCode === 200)! as never);
    expect((await postJson(t.app, '/api/auth/refresh', { refreshToken: winner.refreshToken })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${winner.accessToken}` } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${signedIn.accessToken}` } })).statusCode).toBe(401);
    const live = await t.database.query<{ live: number }>(sql`select count(*)::int as live from sessions where user_id = ${user.id} and revoked_at is null`);
    expect(live[0]!.live).toBe(0);
  });
});

