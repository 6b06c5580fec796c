// PASSWORD_HASH_CONCURRENCY and the fail-fast queue: no more argon2 hashes in
// flight than allowed, a burst beyond what can be served in time refused at
// once with 503 SERVICE_UNAVAILABLE and a Retry-After, and the dummy check of
// unknown accounts in the same queue as real ones.

import { describe, expect, it } from 'vitest';
import { createBoundedWork, WorkQueueFull } from '../../src/auth/bounded-work.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { AppError } from '../../src/errors.js';

const FAST_ARGON2 = { memoryCost: 1024, timeCost: 1 } as const;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('bounded work', () => {
  it('never runs more tasks at once than its concurrency, and runs every queued one in order', async () => {
    const work = createBoundedWork({ concurrency: 2, maxWaitMs: 60_000, initialTaskMs: 1 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        work.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(index);
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toHaveLength(10);
    expect(work.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('refuses at once a task whose expected wait passes maxWaitMs, with the wait in whole seconds', async () => {
    // 1 at a time, 400 ms a task: the 1st runs, the 2nd and 3rd wait 400 and 800 ms, a 4th would wait 1200 ms.
    const work = createBoundedWork({ concurrency: 1, maxWaitMs: 1000, initialTaskMs: 400 });
    const gate = deferred();
    const accepted = [0, 1, 2].map(() => work.run(() => gate.promise));
    const refusedAt = Date.now();
    const refusal = await work.run(async () => 'ran').catch((error: unknown) => error);
    expect(Date.now() - refusedAt).toBeLessThan(50);
    expect(refusal).toBeInstanceOf(WorkQueueFull);
    expect((refusal as WorkQueueFull).retryAfterSeconds).toBe(2);
    gate.resolve();
    await Promise.all(accepted);
    expect(work.stats().waiting).toBe(0);
  });

  it('a failing task frees its slot for the next', async () => {
    const work = createBoundedWork({ concurrency: 1, maxWaitMs: 60_000 });
    const failed = work.run(async () => {
      throw new Error('boom');
    });
    const next = work.run(async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

describe('password hasher', () => {
  it('a burst past what can be served in time answers 503 SERVICE_UNAVAILABLE with Retry-After, and the admitted checks still succeed', async () => {
    const queue = createBoundedWork({ concurrency: 1, maxWaitMs: 300, initialTaskMs: 100 });
    const hasher = createPasswordHasher({ ...FAST_ARGON2, queue });
    const stored = await hasher.hash('correct horse');
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => hasher.verify(stored, 'correct horse')));
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason);
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect((error as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect((error as AppError).detail).toMatch(/Try again in \d+ seconds?\./);
    }
    for (const outcome of admitted) expect((outcome as PromiseFulfilledResult<boolean>).value).toBe(true);
  });

  it('the dummy check of an unknown account waits in the same queue as real checks (and is refused alike)', async () => {
    const queue = createBoundedWork({ concurrency: 1, maxWaitMs: 60_000, initialTaskMs: 1 });
    const hasher = createPasswordHasher({ ...FAST_ARGON2, queue });
    const stored = await hasher.hash('correct horse');
    await hasher.verifyDummy('warm the dummy hash');
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, queue.stats().waiting)), 0);
    await Promise.all([hasher.verify(stored, 'x'), hasher.verifyDummy('y'), hasher.verify(stored, 'z'), hasher.verifyDummy('w')]);
    clearInterval(watch);
    expect(queue.stats().running).toBe(0);
    expect(peak).toBeGreaterThanOrEqual(1);

    const full = createBoundedWork({ concurrency: 1, maxWaitMs: 0, initialTaskMs: 1000 });
    const busy = createPasswordHasher({ ...FAST_ARGON2, queue: full });
    const gate = deferred();
    const occupied = full.run(() => gate.promise);
    await expect(busy.verifyDummy('second')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(busy.verify(stored, 'third')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    gate.resolve();
    await occupied;
  });

  it('with concurrency 1 no two hashes overlap', async () => {
    const queue = createBoundedWork({ concurrency: 1, maxWaitMs: 60_000 });
    const hasher = createPasswordHasher({ ...FAST_ARGON2, queue });
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, queue.stats().running)), 0);
    await Promise.all(Array.from({ length: 6 }, (_, index) => hasher.hash(`password ${index}`)));
    clearInterval(watch);
    expect(peak).toBe(1);
  });
});
