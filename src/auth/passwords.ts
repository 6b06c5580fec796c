// argon2id with OWASP's parameters (m=19 MiB, t=2, p=1). `verifyDummy` burns
// the same time as a real check, so an unknown email cannot be told apart
// from a wrong password by timing: it takes the same queue as every hash.
//
// Every hash waits for a slot (PASSWORD_HASH_CONCURRENCY at once): argon2
// runs on libuv's thread pool, and a login burst that filled it would stall
// everything else that uses it. A hash that could not start within
// MAX_HASH_WAIT_MS (5 s) is refused at once with 503 SERVICE_UNAVAILABLE and a
// Retry-After (docs/operations.md), rather than making every request wait.

import { hash, verify } from '@node-rs/argon2';
import { AppError, tryAgainIn } from '../errors.js';
import { createBoundedWork, WorkQueueFull, type BoundedWork } from './bounded-work.js';

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Costs what `verify` costs; always false. For unknown accounts. */
  verifyDummy(password: string): Promise<false>;
}

export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The longest a password check may expect to wait for a slot; a sign-in that would wait longer is refused (503). */
export const MAX_HASH_WAIT_MS = 5000;

/** argon2 cost parameters; tests lower them. */
export interface Argon2Parameters {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasherOptions extends Partial<Argon2Parameters> {
  /** Hashes at once (PASSWORD_HASH_CONCURRENCY); default 1. */
  concurrency?: number;
  maxWaitMs?: number;
  /** A queue shared with another hasher (tests); default: a new one. */
  queue?: BoundedWork;
}

export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const { concurrency = 1, maxWaitMs = MAX_HASH_WAIT_MS, queue: sharedQueue, ...argon2 } = options;
  const parameters = { ...ARGON2_OPTIONS, ...argon2 } as typeof ARGON2_OPTIONS;
  const queue = sharedQueue ?? createBoundedWork({ concurrency, maxWaitMs });
  let dummyHash: Promise<string> | undefined;

  const inQueue = async <T>(task: () => Promise<T>): Promise<T> => {
    try {
      return await queue.run(task);
    } catch (error) {
      if (!(error instanceof WorkQueueFull)) throw error;
      throw new AppError('SERVICE_UNAVAILABLE', {
        detail: `The server is busy checking other passwords. ${tryAgainIn(error.retryAfterSeconds)}`,
        retryAfterSeconds: error.retryAfterSeconds,
      });
    }
  };
  const verifyHash = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false; // a malformed stored hash is a failed check, never a 500 that tells the account exists
    }
  };
  return {
    hash: (password) => inQueue(() => hash(password, parameters)),
    verify: (passwordHash, password) => inQueue(() => verifyHash(passwordHash, password)),
    async verifyDummy(password) {
      // Made outside the queue (once per process): only the check itself must cost what a real one costs.
      dummyHash ??= hash('boreal-dummy-password-for-timing', parameters);
      const stored = await dummyHash;
      await inQueue(() => verifyHash(stored, password));
      return false;
    },
  };
}
