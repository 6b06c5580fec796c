// A bound on expensive CPU work (argon2): at most `concurrency` tasks run,
// the rest wait in order, and a task that could not start within
// `maxWaitMs` is refused at once instead of queued. Refusing early is the
// point: under a login storm every queued request would otherwise wait
// longer than its client does, and the event loop's thread pool would be
// saturated for everyone (token checks, the database driver's DNS, fs).

export class WorkQueueFull extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`the work queue is full; retry in ${retryAfterSeconds} s`);
    this.name = 'WorkQueueFull';
  }
}

export interface BoundedWork {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Running now, and waiting: for tests and metrics. */
  stats(): { running: number; waiting: number; averageTaskMs: number };
}

export interface BoundedWorkOptions {
  concurrency: number;
  /** The longest expected wait a task is queued for; beyond it, WorkQueueFull. */
  maxWaitMs: number;
  /** The duration assumed before any task has finished (then a moving average of real ones). */
  initialTaskMs?: number;
  now?: () => number;
}

/** Weight of the newest duration in the moving average: recent enough to follow a machine that slows down. */
const AVERAGE_WEIGHT = 0.2;

export function createBoundedWork(options: BoundedWorkOptions): BoundedWork {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const now = options.now ?? (() => performance.now());
  let averageTaskMs = options.initialTaskMs ?? 50;
  let running = 0;
  const waiting: Array<() => void> = [];

  const startNext = () => {
    if (running >= concurrency) return;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    async run(task) {
      if (running >= concurrency) {
        // This task starts once everything ahead of it has run, `concurrency` at a time.
        const expectedWaitMs = ((waiting.length + 1) / concurrency) * averageTaskMs;
        if (expectedWaitMs > options.maxWaitMs) throw new WorkQueueFull(Math.max(1, Math.ceil(expectedWaitMs / 1000)));
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      const startedAt = now();
      try {
        return await task();
      } finally {
        averageTaskMs += AVERAGE_WEIGHT * (now() - startedAt - averageTaskMs);
        running -= 1;
        startNext();
      }
    },
    stats: () => ({ running, waiting: waiting.length, averageTaskMs }),
  };
}
