// Prepared statements (src/db/prepared.ts): built once, run by name on the
// database and on transactions, with results mapped as Drizzle maps them.

import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { columnValue, preparedSql, preparedStatement } from '../../src/db/prepared.js';
import { lockouts } from '../../src/db/schema.js';
import { createTestDatabase } from '../helpers/database.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

/** The named statements this connection has prepared: pg's cache on PostgreSQL; PGlite, in-process, prepares none by name. */
const preparedNames = async (executor: DatabaseHandle['db']) =>
  ((await executor.execute(sql`select name from pg_prepared_statements order by name`)) as unknown as { rows: { name: string }[] }).rows.map((row) => row.name);

describe('preparedStatement', () => {
  it('builds once, maps rows as Drizzle does, and runs on the database and on a transaction', async () => {
    let builds = 0;
    const upsert = preparedStatement<{ key: string; failures: number; lockedUntil: Date | null; at: Date }, (typeof lockouts.$inferSelect)[]>('test_lockout_upsert', (db) => {
      builds += 1;
      return db
        .insert(lockouts)
        .values({
          key: sql.placeholder('key'),
          failures: sql.placeholder('failures'),
          lockedUntil: columnValue('lockedUntil', lockouts.lockedUntil),
          updatedAt: columnValue('at', lockouts.updatedAt),
        })
        .onConflictDoUpdate({ target: lockouts.key, set: { failures: sql`excluded.failures` } })
        .returning();
    });
    const at = new Date('2026-12-02T08:00:00.000Z');
    const [first] = await upsert(handle.db, { key: 'a', failures: 1, lockedUntil: null, at });
    expect(first).toEqual({ key: 'a', failures: 1, lockedUntil: null, updatedAt: at });

    const inTransaction = await handle.db.transaction(async (tx) => {
      const [second] = await upsert(tx, { key: 'b', failures: 2, lockedUntil: at, at });
      await upsert(tx, { key: 'b', failures: 3, lockedUntil: at, at });
      return { second, names: await preparedNames(tx) };
    });
    expect(inTransaction.second).toEqual({ key: 'b', failures: 2, lockedUntil: at, updatedAt: at });
    expect(inTransaction.names).toEqual(handle.kind === 'postgres' ? ['test_lockout_upsert'] : []);
    expect((await handle.db.select().from(lockouts).where(eq(lockouts.key, 'b')))[0]!.failures).toBe(3);
    expect(builds).toBe(1);
  });

  it('refuses, naming the statement, a prepared query without the parts it reads (a Drizzle upgrade that renamed them)', async () => {
    const renamed = preparedStatement<Record<string, never>, unknown>('test_renamed_parts', () => ({
      prepare: () => ({ getQuery: () => ({ sql: 'select 1', params: [] }), isResponseInArrayMode: false }) as never,
    }));
    await expect(renamed(handle.db, {})).rejects.toThrow(/test_renamed_parts: Drizzle's prepared query no longer has the parts/);
  });
});

describe('preparedSql', () => {
  it('runs hand-written SQL with placeholders, answering the driver rows', async () => {
    const sum = preparedSql<{ a: number; b: number }, { total: number }>('test_sum', sql`select ${sql.placeholder('a')}::int + ${sql.placeholder('b')}::int as total`);
    expect(await sum(handle.db, { a: 2, b: 3 })).toEqual([{ total: 5 }]);
    expect(await handle.db.transaction((tx) => sum(tx, { a: 40, b: 2 }))).toEqual([{ total: 42 }]);
  });

  it('passes arrays whole, whatever their strings hold (the limits send their keys as text[])', async () => {
    const keys = ['email:"quoted"@example.com', 'a,b', '{braces}', 'back\\slash', 'NULL', ''];
    const echo = preparedSql<{ keys: string[] }, { key: string }>('test_echo_keys', sql`select unnest(${sql.placeholder('keys')}::text[]) as key`);
    expect((await echo(handle.db, { keys })).map((row) => row.key)).toEqual(keys);
  });
});
