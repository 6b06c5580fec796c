// Test databases. By default each call gets a clone of one migrated in-memory
// PGlite (migrating once per worker, cloning in milliseconds). With
// BOREAL_TEST_DB=postgres (the "postgres" Vitest project, when
// TEST_DATABASE_URL is set) each call gets a fresh database on that server,
// dropped on close.

import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { wrapPglite } from '../../src/db/connect-pglite.js';

let template: Promise<PGlite> | undefined;

async function migratedTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const client = new PGlite();
    await wrapPglite(client).migrate();
    return client;
  })();
  return template;
}

export function testDatabaseKind(): 'pglite' | 'postgres' {
  return process.env.BOREAL_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDatabaseKind() === 'postgres') return createPostgresDatabase();
  const clone = (await (await migratedTemplate()).clone()) as PGlite;
  return wrapPglite(clone);
}

/** A fresh, migrated database on TEST_DATABASE_URL's server; dropped by close(). */
export async function createPostgresDatabase(): Promise<DatabaseHandle & { url: string }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set, yet the postgres project runs');
  const name = `boreal_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = connectPostgres(url.toString());
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
