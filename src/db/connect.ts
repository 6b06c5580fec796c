// One Drizzle database over either engine: PostgreSQL through a `pg` pool when
// DATABASE_URL is set, else the embedded PGlite (the same PostgreSQL, compiled
// to WebAssembly) under DATA_DIR. Same SQL, same migrations, no dialect drift.

import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.js';
import { listenPostgres, type ChannelHandlers, type ChannelSubscription } from './notifications.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction of `Database`: what `db.transaction(async (tx) => …)` hands in. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * What a repository or the audit log runs its statements on: the database, or
 * a transaction of it, so a use case can put several writes in one
 * transaction without casting.
 */
export type DbExecutor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** Applies the committed migrations that are not applied yet. */
  migrate(): Promise<void>;
  /** Runs one raw statement and returns its rows (both drivers answer `{ rows }`). */
  query<Row>(statement: SQL): Promise<Row[]>;
  /** The embedded database's owner only: serves it to `boreal` commands on a socket in DATA_DIR (embedded-socket.ts); returns its path. */
  shareWithCommands?(): Promise<string>;
  /** LISTEN on `channel` (over a connection of its own for PostgreSQL): see notifications.ts. */
  listen(channel: string, handlers: ChannelHandlers): Promise<ChannelSubscription>;
  close(): Promise<void>;
}

/** migrations/ sits at the package root: two levels above both src/db and dist/db. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * DATABASE_URL's PostgreSQL, else the embedded database of DATA_DIR: through
 * a running development server when there is one, so that no two processes
 * open it (embedded-socket.ts). `role` says who asks: a server shares it once started.
 */
export async function connectDatabase(options: { databaseUrl: string | undefined; dataDir: string; role?: 'server' | 'command' }): Promise<DatabaseHandle> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl);
  // Loaded only for the embedded database: a server on PostgreSQL never pays for PGlite's WebAssembly.
  const { openEmbeddedDatabase } = await import('./embedded-socket.js');
  return openEmbeddedDatabase(options.dataDir, options.role ?? 'command');
}

/** The pool's application_name: operators (and the fault tests) find the app's backends by it. */
export const POOL_APPLICATION_NAME = 'boreal';

// Every wait on the database is bounded (API.md "Errors": 503, never an
// unbounded wait): a connection within CONNECT_TIMEOUT_MS, a statement
// within STATEMENT_TIMEOUT_MS (on the server, and on the client for a server
// that stopped answering).
const CONNECT_TIMEOUT_MS = 3000;
const STATEMENT_TIMEOUT_MS = 10_000;

/** A `postgres://` URL, or pool settings (a `boreal` command reaching the development server's socket). */
export function connectPostgres(target: string | pg.PoolConfig): DatabaseHandle {
  const settings = typeof target === 'string' ? { connectionString: target, max: 10 } : target;
  const pool = new pg.Pool({
    application_name: POOL_APPLICATION_NAME,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1000,
    ...settings,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema });
  return handleOver(db, 'postgres', () => migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER }), () => pool.end(), async (channel, handlers) =>
    listenPostgres(typeof target === 'string' ? target : { ...target }, channel, handlers),
  );
}

export function handleOver(
  db: Database,
  kind: DatabaseHandle['kind'],
  migrate: () => Promise<void>,
  close: () => Promise<void>,
  listen: DatabaseHandle['listen'],
): DatabaseHandle {
  return {
    db,
    kind,
    migrate,
    listen,
    // Both drivers answer `{ rows }`; Drizzle's type for it differs per driver.
    query: async <Row>(statement: SQL) => ((await db.execute(statement)) as unknown as { rows: Row[] }).rows,
    close,
  };
}

/** A cheap round trip, for readiness and `doctor`. */
export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  await handle.query(sql`select 1`);
}
