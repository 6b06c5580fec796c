// Recovery codes: ten per set, each 10 characters of Crockford base32 (50
// random bits), shown once. They are stored as HMAC-SHA256 under a key
// derived from DATA_ENCRYPTION_KEY: 50 bits hashed plainly could be searched
// offline from a dump (2^50 SHA-256 is days on one GPU); keyed, the dump
// alone is useless. Spending one is one conditional UPDATE, so of parallel
// uses exactly one wins.

import { createHmac, hkdfSync } from 'node:crypto';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Clock, Random } from '../../core/clock.js';
import type { Database, DbExecutor } from '../../db/connect.js';
import { recoveryCodes } from '../../db/schema.js';
import { preparedStatement } from '../../db/prepared.js';

export const RECOVERY_CODES_PER_SET = 10;

/** A sign-in with an authenticator says whether codes are left to fall back on: prepared (src/db/prepared.ts). */
const unusedCodeCount = preparedStatement<{ userId: string }, { left: number }[]>('recovery_codes_unused_count', (db) =>
  db
    .select({ left: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, sql.placeholder('userId')), isNull(recoveryCodes.usedAt))),
);
/** Crockford's alphabet: no i, l, o, u, so a code read aloud or retyped is not misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export interface RecoveryCodeStore {
  /** Replaces the user's set (in `executor`'s transaction); returns the new codes, to be shown once. */
  replaceSet(userId: string, executor: DbExecutor): Promise<string[]>;
  /** Spends `code` if it is an unused code of the user's set; returns how many are left, or undefined. */
  spend(userId: string, code: string): Promise<{ left: number } | undefined>;
  countLeft(userId: string, executor?: DbExecutor): Promise<number>;
  removeAll(userId: string, executor: DbExecutor): Promise<void>;
}

/** `k7qpm-3xw9d`: what a user may type, spaces, dashes and case aside; i/l read as 1, o as 0. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

export function createRecoveryCodeStore(deps: { db: Database; clock: Clock; random: Random; dataKey: () => Promise<Buffer> }): RecoveryCodeStore {
  const { db, clock, random } = deps;
  let hashKey: Buffer | undefined;
  const hashOf = async (userId: string, code: string) => {
    // Its own key, derived: the encryption key itself is never used for two purposes.
    hashKey ??= Buffer.from(hkdfSync('sha256', await deps.dataKey(), Buffer.alloc(0), 'boreal recovery codes v1', 32));
    return createHmac('sha256', hashKey).update(`${userId}:${normalizeRecoveryCode(code)}`).digest('hex');
  };

  function newCode(): string {
    // 10 characters × 5 bits from 7 random bytes (56 bits, 6 unused).
    const bytes = random.bytes(7);
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    let text = '';
    for (let i = 0; i < 10; i += 1) {
      text = ALPHABET[Number(value & 31n)]! + text;
      value >>= 5n;
    }
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  }

  const countLeft: RecoveryCodeStore['countLeft'] = async (userId, executor = db) => {
    const [row] = await unusedCodeCount(executor, { userId });
    return Number(row?.left ?? 0);
  };

  return {
    async replaceSet(userId, executor) {
      const codes = new Set<string>();
      while (codes.size < RECOVERY_CODES_PER_SET) codes.add(newCode());
      await executor.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
      const now = clock.now();
      const rows = await Promise.all([...codes].map(async (code) => ({ userId, codeHash: await hashOf(userId, code), createdAt: now })));
      await executor.insert(recoveryCodes).values(rows);
      return [...codes];
    },

    async spend(userId, code) {
      const normalized = normalizeRecoveryCode(code);
      if (!/^[0-9a-hjkmnp-tv-z]{10}$/.test(normalized)) return undefined;
      const [spent] = await db
        .update(recoveryCodes)
        .set({ usedAt: clock.now() })
        .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, await hashOf(userId, normalized)), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      return spent ? { left: await countLeft(userId) } : undefined;
    },

    countLeft,

    async removeAll(userId, executor) {
      await executor.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    },
  };
}
