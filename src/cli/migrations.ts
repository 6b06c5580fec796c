// `boreal migrate`, and the migration status `doctor` reports. Drizzle's
// migrator records the newest applied migration's journal time in
// drizzle.__drizzle_migrations and applies every later one; the status reads
// the same two things.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, connectDatabase, type DatabaseHandle } from '../db/connect.js';
import { EXIT_FAILED, EXIT_OK, describeDatabase, loadSettings, messageOf, writeLine, type CliIo, type ExitCode } from './io.js';

export interface MigrationStatus {
  total: number;
  applied: number;
}

export async function migrationStatus(database: DatabaseHandle): Promise<MigrationStatus> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const [table] = await database.query<{ present: boolean }>(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  let newest: number | null = null;
  if (table?.present) {
    const [row] = await database.query<{ newest: string | number | null }>(sql`select max(created_at) as newest from drizzle.__drizzle_migrations`);
    newest = row?.newest === null || row?.newest === undefined ? null : Number(row.newest);
  }
  const applied = newest === null ? 0 : journal.entries.filter((entry) => entry.when <= newest).length;
  return { total: journal.entries.length, applied };
}

export async function migrateCommand(io: CliIo): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  const where = describeDatabase(config);
  let database: DatabaseHandle | undefined;
  try {
    database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const before = await migrationStatus(database);
    await database.migrate();
    const after = await migrationStatus(database);
    const now = after.applied - before.applied;
    writeLine(io.stdout, `✓ ${where}: ${now === 0 ? 'already up to date' : `applied ${now} migration${now === 1 ? '' : 's'}`}; ${after.applied} of ${after.total} applied.`);
    return EXIT_OK;
  } catch (error) {
    writeLine(io.stderr, `✗ migrations could not be applied to ${where}: ${messageOf(error)}. Check ${config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR'} and that the database accepts connections.`);
    return EXIT_FAILED;
  } finally {
    await database?.close().catch(() => {});
  }
}
