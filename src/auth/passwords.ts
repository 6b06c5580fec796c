// argon2id with OWASP's parameters (m=19 MiB, t=2, p=1). `verifyDummy` burns
// the same time as a real check, so an unknown email cannot be told apart
// from a wrong password by timing.

import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Costs what `verify` costs; always false. For unknown accounts. */
  verifyDummy(password: string): Promise<false>;
}

export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function createPasswordHasher(options: Partial<typeof ARGON2_OPTIONS> = {}): PasswordHasher {
  const parameters = { ...ARGON2_OPTIONS, ...options };
  let dummyHash: Promise<string> | undefined;
  const verifyHash = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false; // a malformed stored hash is a failed check, never a 500 that tells the account exists
    }
  };
  return {
    hash: (password) => hash(password, parameters),
    verify: verifyHash,
    async verifyDummy(password) {
      dummyHash ??= hash('boreal-dummy-password-for-timing', parameters);
      await verifyHash(await dummyHash, password);
      return false;
    },
  };
}
