// An application's reference is its row's seq (migration 0005), so the
// newest-first list, ordered by seq, is in reference order even when two
// creations interleave. Upgrading a database whose references ran ahead of
// seq must not hand out a reference twice.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/db/connect.js';

const clients: PGlite[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A copy of migrations/ whose journal stops before `tag`: the database as an older release left it. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'boreal-migrations-'));
  folders.push(folder);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const stop = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(stop, `${tag} is in the journal`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, stop);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

async function openDatabase() {
  const client = new PGlite();
  clients.push(client);
  return drizzle(client);
}

const insertApplication = (reference?: string) =>
  sql`insert into applications (business_name, contact_name, contact_email, contact_phone, amount_requested, currency, product_type${reference ? sql`, reference` : sql``})
      values ('Acme', 'Ada', 'ada@example.com', '+16135550123', 1000, 'CAD', 'term_loan'${reference ? sql`, ${reference}` : sql``})
      returning seq, reference`;

describe('application references', () => {
  it('on a new database start at APP-000001 and are the seq of each row', async () => {
    const db = await openDatabase();
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push(...(await db.execute<{ seq: number; reference: string }>(insertApplication())).rows);
    expect(rows.map((row) => row.reference)).toEqual(['APP-000001', 'APP-000002', 'APP-000003']);
    expect(rows.map((row) => Number(row.seq))).toEqual([1, 2, 3]);
  });

  it('are the seq of each row of a multi-row insert too', async () => {
    const db = await openDatabase();
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await db.execute<{ seq: number; reference: string }>(sql`
      insert into applications (id, seq, reference, business_name, contact_name, contact_email, contact_phone, amount_requested, currency, product_type)
      values (default, default, default, 'A', 'Ada', 'a@example.com', '+16135550123', 1000, 'CAD', 'term_loan'),
             (default, default, default, 'B', 'Bob', 'b@example.com', '+16135550123', 1000, 'CAD', 'term_loan')
      returning seq, reference`);
    expect(rows.map((row) => [Number(row.seq), row.reference])).toEqual([
      [1, 'APP-000001'],
      [2, 'APP-000002'],
    ]);
  });

  it('after the upgrade continue past every reference already handed out', async () => {
    const db = await openDatabase();
    await migrate(db, { migrationsFolder: migrationsBefore('0005_reference_from_seq') });
    await db.execute(insertApplication());
    // A reference ahead of seq, as the old separate sequence could leave one.
    await db.execute(insertApplication('APP-000050'));

    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const { rows } = await db.execute<{ seq: number; reference: string }>(insertApplication());
    expect(rows[0]!.reference).toBe('APP-000051');
    expect(Number(rows[0]!.seq)).toBe(51);
  });
});
