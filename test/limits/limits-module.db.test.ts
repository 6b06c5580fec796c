// The limits module on its own: sliding windows and lockouts, driven by the
// injected clock (no sleeping), with parallel bursts against the atomic upsert.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { LimitRule } from '../../src/core/limit-rule.js';

let t: TestApp;
let serial = 0;
const key = (name: string) => `test:${name}:${++serial}`;

beforeAll(async () => {
  t = await createTestApp({ seed: false });
});
afterAll(async () => t.close());

describe('consume: sliding windows', () => {
  it('a limit of N allows N; the next is refused, with the exact wait rounded up', async () => {
    const k = key('n');
    const rules: LimitRule[] = [{ limit: 3, windowSeconds: 60 }];
    for (let i = 0; i < 3; i += 1) {
      expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
      t.clock.advanceSeconds(10);
    }
    // Hits at 0, 10, 20; now 30: the first leaves the window at 60 → 30 s.
    expect(await t.services.limits.consume(k, rules)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('refused attempts are not counted: after the announced wait, exactly one more is let through', async () => {
    const k = key('refused');
    const rules: LimitRule[] = [{ limit: 2, windowSeconds: 100 }];
    await t.services.limits.consume(k, rules);
    t.clock.advanceSeconds(1);
    await t.services.limits.consume(k, rules);
    for (let i = 0; i < 20; i += 1) expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
    const { retryAfterSeconds } = await t.services.limits.consume(k, rules);
    expect(retryAfterSeconds).toBe(99);
    t.clock.advanceSeconds(retryAfterSeconds - 1);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
    t.clock.advanceSeconds(1);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
  });

  it('several rules: the longest wait among the rules that refuse is announced, and is enough', async () => {
    const k = key('two-rules');
    const rules: LimitRule[] = [{ limit: 2, windowSeconds: 60 }, { limit: 3, windowSeconds: 3600 }];
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
    const short = await t.services.limits.consume(k, rules);
    expect(short).toEqual({ allowed: false, retryAfterSeconds: 60 });
    t.clock.advanceSeconds(60);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
    const long = await t.services.limits.consume(k, rules);
    expect(long).toEqual({ allowed: false, retryAfterSeconds: 3540 });
    t.clock.advanceSeconds(long.retryAfterSeconds);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
  });

  it('an attempt of several hits fits only whole, and its refund gives back exactly those hits', async () => {
    const k = key('count');
    const rules: LimitRule[] = [{ limit: 5, windowSeconds: 60 }];
    const three = await t.services.limits.consume(k, rules, { count: 3 });
    expect(three.allowed).toBe(true);
    // 3 of 5 taken: another 3 does not fit, and is not recorded in part.
    t.clock.advanceSeconds(10);
    expect(await t.services.limits.consume(k, rules, { count: 3 })).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect((await t.services.limits.consume(k, rules, { count: 2 })).allowed).toBe(true);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
    // Refunding the first attempt frees its 3 hits, no more: 3 fit again, a 4th does not.
    await t.services.limits.refund(k, three.recordedAt!, { count: 3 });
    expect((await t.services.limits.consume(k, rules, { count: 3 })).allowed).toBe(true);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
  });

  it('an attempt of more hits than a rule allows in a window is refused, records nothing and throws nothing', async () => {
    const k = key('too-large');
    const rules: LimitRule[] = [{ limit: 2, windowSeconds: 600 }];
    expect(await t.services.limits.consume(k, rules, { count: 3 })).toEqual({ allowed: false, retryAfterSeconds: 600 });
    expect((await t.services.limits.consume(k, rules, { count: 2 })).allowed).toBe(true);
  });

  it('consumeAll records on every key or on none', async () => {
    const [a, b] = [key('all-a'), key('all-b')];
    const one: LimitRule[] = [{ limit: 1, windowSeconds: 60 }];
    const two: LimitRule[] = [{ limit: 2, windowSeconds: 60 }];
    expect((await t.services.limits.consumeAll([{ key: a, rules: two }, { key: b, rules: one }])).allowed).toBe(true);
    // b is full: a is refused with it and keeps its one hit, so one more fits on a alone.
    expect(await t.services.limits.consumeAll([{ key: a, rules: two }, { key: b, rules: one }])).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect((await t.services.limits.consume(a, two)).allowed).toBe(true);
    expect((await t.services.limits.consume(a, two)).allowed).toBe(false);
  });

  it('a sub-second wait is announced as 1 second, never 0', async () => {
    const k = key('subsecond');
    const rules: LimitRule[] = [{ limit: 1, windowSeconds: 1 }];
    await t.services.limits.consume(k, rules);
    t.clock.advanceSeconds(0.9);
    expect(await t.services.limits.consume(k, rules)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('endFailureRunAndPeek reads a counter as consume would decide, and records nothing', async () => {
    const k = key('peek');
    const rules: LimitRule[] = [{ limit: 1, windowSeconds: 60 }];
    const peek = async () => (await t.services.limits.endFailureRunAndPeek(key('run'), { lockoutKey: key('lock'), counter: { key: k, rules } })).counter;
    for (let i = 0; i < 5; i += 1) expect((await peek()).allowed).toBe(true);
    await t.services.limits.consume(k, rules);
    expect(await peek()).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('refund takes back one allowed attempt', async () => {
    const k = key('refund');
    const rules: LimitRule[] = [{ limit: 2, windowSeconds: 60 }];
    const first = await t.services.limits.consume(k, rules);
    const second = await t.services.limits.consume(k, rules);
    expect(second.recordedAt).toBe(first.recordedAt);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
    await t.services.limits.refund(k, second.recordedAt!);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(true);
    expect((await t.services.limits.consume(k, rules)).allowed).toBe(false);
  });

  it('a burst of 30 parallel consumes of a 5-limit lets exactly 5 through', async () => {
    const k = key('burst');
    const rules: LimitRule[] = [{ limit: 5, windowSeconds: 600 }];
    const decisions = await Promise.all(Array.from({ length: 30 }, () => t.services.limits.consume(k, rules)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    expect(decisions.filter((decision) => !decision.allowed).every((decision) => decision.retryAfterSeconds === 600)).toBe(true);
  });

  it('parallel bursts at moving instants never put more than the limit in any window', async () => {
    const k = key('moving');
    const rules: LimitRule[] = [{ limit: 4, windowSeconds: 60 }];
    const allowedAt: number[] = [];
    for (let round = 0; round < 12; round += 1) {
      const decisions = await Promise.all(Array.from({ length: 10 }, () => t.services.limits.consume(k, rules)));
      const at = t.clock.now().getTime();
      for (const decision of decisions) if (decision.allowed) allowedAt.push(at);
      t.clock.advanceSeconds(17);
    }
    for (const start of allowedAt) {
      expect(allowedAt.filter((at) => at >= start && at < start + 60_000).length).toBeLessThanOrEqual(4);
    }
  });
});

describe('lockouts: consecutive failures', () => {
  const rule: LimitRule = { limit: 3, windowSeconds: 900 };

  it('the Nth consecutive failure locks for the window; failures during the lock neither count nor extend it', async () => {
    const k = key('lock');
    expect((await t.services.limits.recordFailure(k, rule)).locked).toBe(false);
    expect((await t.services.limits.recordFailure(k, rule)).locked).toBe(false);
    const third = await t.services.limits.recordFailure(k, rule);
    expect(third).toMatchObject({ locked: true, lockedNow: true, retryAfterSeconds: 900, failures: 3 });
    t.clock.advanceSeconds(300);
    const during = await t.services.limits.recordFailure(k, rule);
    expect(during).toMatchObject({ locked: true, lockedNow: false, retryAfterSeconds: 600, failures: 3 });
    t.clock.advanceSeconds(599);
    expect((await t.services.limits.lockoutState(k)).retryAfterSeconds).toBe(1);
    t.clock.advanceSeconds(1);
    expect(await t.services.limits.lockoutState(k)).toMatchObject({ locked: false, failures: 0 });
    // A new run starts from one.
    expect(await t.services.limits.recordFailure(k, rule)).toMatchObject({ locked: false, failures: 1 });
  });

  it('a success (reset) ends the run of failures', async () => {
    const k = key('reset');
    await t.services.limits.recordFailure(k, rule);
    await t.services.limits.recordFailure(k, rule);
    await t.services.limits.resetFailures(k);
    expect((await t.services.limits.recordFailure(k, rule)).failures).toBe(1);
  });

  it('a parallel burst of failures locks once: exactly one reports lockedNow', async () => {
    const k = key('burst-lock');
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => t.services.limits.recordFailure(k, rule)));
    expect(outcomes.filter((outcome) => outcome.lockedNow)).toHaveLength(1);
    expect(await t.services.limits.lockoutState(k)).toMatchObject({ locked: true, failures: 3, retryAfterSeconds: 900 });
  });

  it('clear removes counters and locks by key and counts what went', async () => {
    const a = key('clear-a');
    const b = key('clear-b');
    await t.services.limits.consume(a, [{ limit: 1, windowSeconds: 60 }]);
    await t.services.limits.recordFailure(b, { limit: 1, windowSeconds: 60 });
    expect(await t.services.limits.clear([a, b, key('absent')])).toBe(2);
    expect((await t.services.limits.consume(a, [{ limit: 1, windowSeconds: 60 }])).allowed).toBe(true);
    expect((await t.services.limits.lockoutState(b)).locked).toBe(false);
    expect(await t.services.limits.clear([])).toBe(0);
  });
});
