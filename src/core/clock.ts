// Time and randomness are injected into every domain module, so a test can
// drive time past an expiry without sleeping and fix the "random" bytes.

import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Random {
  /** `size` cryptographically random bytes. */
  bytes(size: number): Buffer;
}

export const cryptoRandom: Random = { bytes: (size) => randomBytes(size) };
