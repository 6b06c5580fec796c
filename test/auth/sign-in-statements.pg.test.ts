// Issue #13: a sign-in of a few statements. Every statement the `pg` driver
// is handed during one step is counted here, on a real PostgreSQL, with the
// transactions they commit in: an autocommitted statement is a transaction of
// its own, BEGIN … COMMIT is one however many statements it holds.
//
// The budget: at most 8 statements per step on the happy path, each one
// prepared (sent under a name: built once, parsed once per connection). A step is one
// transaction per stretch between slow calls: the password hash and the
// provider's send or check are never inside a transaction (a lock held across
// them would queue every sign-in behind a 5-second provider timeout), so a
// login is 3 (before the hash, between hash and send, after the send) and a
// verify by SMS 2 (before and after the code is judged). An authenticator's
// verify is 4: its judge reads the sealed secret and spends the time step
// (the replay guard) in statements of their own (factors/authenticators.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { json, postJson, type TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, createUser } from './support.js';
import { enrollAuthenticator, recordingProvider, totpCode } from './factors-support.js';

interface StepCost {
  statements: string[];
  transactions: number;
  /** Statements sent without a name: built and parsed again on every request (src/db/prepared.ts names the hot path's). */
  unnamed: string[];
}

/** Counts what the driver runs while `step` runs (this process's pg clients only). */
function statementCounter() {
  const inTransaction = new WeakSet<object>();
  let current: StepCost | undefined;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; name?: string } | undefined;
    const text = (typeof first === 'string' ? first : first?.text ?? '').trim();
    const keyword = text.split(/\s+/, 1)[0]!.toLowerCase();
    if (current) {
      if (keyword === 'begin') {
        inTransaction.add(this);
        current.transactions += 1;
      } else if (keyword === 'commit' || keyword === 'rollback') {
        inTransaction.delete(this);
      } else {
        const shown = text.replace(/\s+/g, ' ').slice(0, 120);
        current.statements.push(shown);
        if (typeof first !== 'object' || !first.name) current.unnamed.push(shown);
        if (!inTransaction.has(this)) current.transactions += 1;
      }
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  return {
    async measure<T>(step: () => Promise<T>): Promise<{ result: T; cost: StepCost }> {
      current = { statements: [], transactions: 0, unnamed: [] };
      try {
        const result = await step();
        return { result, cost: current };
      } finally {
        current = undefined;
      }
    },
    restore() {
      pg.Client.prototype.query = original;
    },
  };
}

describe('sign-in statements per step (PostgreSQL)', () => {
  let t: TestApp;
  const counter = statementCounter();

  beforeAll(async () => {
    // A provider that touches no database, as Twilio (the console provider looks up whom a code is for).
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { otp: recordingProvider() } });
  });
  afterAll(async () => {
    counter.restore();
    await t?.close();
  });

  const report = (step: string, cost: StepCost) =>
    `${step}: ${cost.statements.length} statements in ${cost.transactions} transactions\n  ${cost.statements.join('\n  ')}`;

  /** At most 8 statements in `maxTransactions`, every one of them prepared. */
  function expectWithinBudget(step: string, cost: StepCost, maxTransactions: number) {
    expect(cost.statements.length, report(step, cost)).toBeLessThanOrEqual(8);
    expect(cost.transactions, report(step, cost)).toBeLessThanOrEqual(maxTransactions);
    expect(cost.unnamed, `every statement of the ${step} prepared`).toEqual([]);
  }

  it('login by SMS: at most 8 statements in 3 transactions; verify: at most 8 in 2', async () => {
    const user = await createUser(t);
    // Warm: the first request of a process prepares what later ones reuse.
    const warm = await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password });
    await postJson(t.app, '/api/auth/otp/verify', { tempToken: json(warm).tempToken, code: '123456' });

    const { result: login, cost: loginCost } = await counter.measure(() => postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }));
    expect(login.statusCode, login.body).toBe(200);
    const { result: verify, cost: verifyCost } = await counter.measure(() => postJson(t.app, '/api/auth/otp/verify', { tempToken: json(login).tempToken, code: '123456' }));
    expect(verify.statusCode, verify.body).toBe(200);

    expectWithinBudget('login', loginCost, 3);
    expectWithinBudget('verify', verifyCost, 2);
  });

  it('login with an authenticator: at most 8 statements in 3 transactions; verify: at most 8 in 4', async () => {
    const user = await createUser(t);
    const { secret } = await enrollAuthenticator(t, user);

    const { result: login, cost: loginCost } = await counter.measure(() => postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }));
    expect(login.statusCode, login.body).toBe(200);
    const code = totpCode(t, secret);
    const { result: verify, cost: verifyCost } = await counter.measure(() => postJson(t.app, '/api/auth/otp/verify', { tempToken: json(login).tempToken, code }));
    expect(verify.statusCode, verify.body).toBe(200);

    expectWithinBudget('login', loginCost, 3);
    expectWithinBudget('verify', verifyCost, 4);
  });
});
