// The embedded database (PGlite under DATA_DIR) has one owner: the process
// that opened it. PGlite is not made to be opened twice: a `boreal` command
// that opened it beside a running development server wrote into its own copy,
// printed success, and the server never saw the write (API.md "Operating it":
// no command reports success for a write that is then lost).
//
// So the owner writes its pid into DATA_DIR (server.pid) and a server shares
// its database over the PostgreSQL wire protocol on a unix socket in DATA_DIR
// (@electric-sql/pglite-socket). Anyone else opening the embedded database:
// - connects through that socket when it answers (the write is the server's, seen at once);
// - else, when the owner is alive, refuses, naming it (a server starting up,
//   a socket it could not open, or another command holding the database);
// - else (the owner is gone: files left by a crash) removes the stale files
//   and becomes the owner itself.
//
// PGlite runs one statement at a time; the socket server queues the
// commands' statements between the server's own, and keeps a command's
// transaction together. Development only: production has DATABASE_URL.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { sql } from 'drizzle-orm';
import { connectPostgres, type DatabaseHandle } from './connect.js';
import { wrapPglite } from './connect-pglite.js';

/** pg reaches a unix socket as `<host directory>/.s.PGSQL.<port>`, so the socket is named that way. */
export const EMBEDDED_SOCKET_PORT = 5432;
const OWNER_FILE = 'server.pid';
/** Commands beside the server at once (each holds one connection). */
const MAX_COMMAND_CONNECTIONS = 8;
const SOCKET_CONNECT_TIMEOUT_MS = 3000;

export const embeddedSocketPath = (dataDir: string) => path.join(path.resolve(dataDir), `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
export const ownerFilePath = (dataDir: string) => path.join(path.resolve(dataDir), OWNER_FILE);

export interface EmbeddedOwner {
  pid: number;
  /** `server`: `npm start` / `boreal serve`; `command`: a `boreal` command that found no server. */
  role: 'server' | 'command';
  startedAt: string;
}

/** Refused: DATA_DIR's database belongs to a live process whose socket cannot be used. */
export class EmbeddedDatabaseBusyError extends Error {
  constructor(readonly owner: EmbeddedOwner, dataDir: string, reason: string) {
    super(
      owner.role === 'server'
        ? `the development server (pid ${owner.pid}, started ${owner.startedAt}) owns the embedded database under DATA_DIR=${dataDir}, and ${reason}: let it finish starting and try again, or stop it (Ctrl-C) and run the command again`
        : `another boreal command (pid ${owner.pid}) is using the embedded database under DATA_DIR=${dataDir}: wait for it to finish, then try again`,
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readOwner(dataDir: string): Promise<EmbeddedOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(ownerFilePath(dataDir), 'utf8')) as EmbeddedOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** A pg handle through the server's socket, or undefined when nothing answers there. */
async function connectThroughSocket(dataDir: string): Promise<DatabaseHandle | undefined> {
  const handle = connectPostgres({
    host: path.dirname(embeddedSocketPath(dataDir)),
    port: EMBEDDED_SOCKET_PORT,
    user: 'postgres',
    database: 'postgres',
    // One connection: the socket server serialises statements anyway, and a
    // transaction must keep to the connection that began it.
    max: 1,
    connectionTimeoutMillis: SOCKET_CONNECT_TIMEOUT_MS,
  });
  try {
    await handle.query(sql`select 1`);
    return { ...handle, kind: 'pglite' };
  } catch {
    await handle.close().catch(() => {});
    return undefined;
  }
}

/** Takes DATA_DIR's database for this process, or names the live process that has it. Atomic: `wx` fails when the file exists. */
async function claimOwnership(dataDir: string, role: EmbeddedOwner['role']): Promise<void> {
  const owner: EmbeddedOwner = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(ownerFilePath(dataDir), `${JSON.stringify(owner)}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = await readOwner(dataDir);
    if (current && isAlive(current.pid)) throw new EmbeddedDatabaseBusyError(current, dataDir, 'its database socket does not answer');
    // Left by a process that is gone (a crash, a kill -9): its socket file too.
    await rm(ownerFilePath(dataDir), { force: true });
    await rm(embeddedSocketPath(dataDir), { force: true });
  }
  throw new Error(`cannot take the embedded database under DATA_DIR=${dataDir}: ${OWNER_FILE} keeps coming back`);
}

/**
 * Opens the embedded database of DATA_DIR: through a running server's socket
 * when one answers, else as its owner (see the top of this file).
 */
export async function openEmbeddedDatabase(dataDir: string, role: EmbeddedOwner['role']): Promise<DatabaseHandle> {
  await mkdir(dataDir, { recursive: true });
  const throughServer = await connectThroughSocket(dataDir);
  if (throughServer) return throughServer;
  await claimOwnership(dataDir, role);
  let client: PGlite;
  try {
    const directory = path.join(dataDir, 'pglite');
    await mkdir(directory, { recursive: true });
    client = new PGlite(directory);
    await client.waitReady;
  } catch (error) {
    await rm(ownerFilePath(dataDir), { force: true });
    throw error;
  }
  const handle = wrapPglite(client);
  let socketServer: PGLiteSocketServer | undefined;
  return {
    ...handle,
    async shareWithCommands() {
      const socketPath = embeddedSocketPath(dataDir);
      await rm(socketPath, { force: true });
      socketServer = new PGLiteSocketServer({ db: client, path: socketPath, maxConnections: MAX_COMMAND_CONNECTIONS });
      await socketServer.start();
      return socketPath;
    },
    async close() {
      await socketServer?.stop().catch(() => {});
      await handle.close();
      await rm(embeddedSocketPath(dataDir), { force: true });
      const owner = await readOwner(dataDir);
      if (owner?.pid === process.pid) await rm(ownerFilePath(dataDir), { force: true });
    },
  };
}
