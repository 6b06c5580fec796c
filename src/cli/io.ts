// What every `boreal` command shares: where it writes, how it reads the
// settings, and how it opens the database and the domain services. Commands
// take a CliIo instead of touching process.* so tests run them in-process.

import pino, { type Logger } from 'pino';
import { loggerOptions } from '../logging.js';
import { generateKeySet } from '../auth/access-tokens.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import { AppError } from '../errors.js';
import { openMigratedDatabase, rootCauseMessage } from '../server.js';
import { createServices, type Services } from '../services.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  /** Logs and errors: `routes` and `keys generate` keep stdout for their output alone. */
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
}

/** A command's answer: the process exit code. */
export type ExitCode = number;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** The settings, or undefined after printing one line per problem (the caller exits 1). */
export function loadSettings(io: CliIo, report: NodeJS.WritableStream = io.stderr): Config | undefined {
  try {
    return loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) writeLine(report, `✗ ${problem}`);
    return undefined;
  }
}

/** pino to stderr, so a command's stdout holds only its output. */
export function cliLogger(io: CliIo, level: string): Logger {
  return pino(loggerOptions(level), io.stderr);
}

export interface OpenedServices {
  services: Services;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * The configured database (migrated, as the server does at start) and the
 * services over it. Commands sign no token, so without JWT_PRIVATE_KEYS they
 * get throwaway keys rather than writing development keys into DATA_DIR.
 */
export async function openServices(config: Config, io: CliIo): Promise<OpenedServices> {
  const logger = cliLogger(io, config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openMigratedDatabase(config);
  try {
    const services = await createServices(config, database, logger, { keySet: config.jwt.privateKeys ?? (await generateKeySet()) });
    return {
      services,
      database,
      async close() {
        await services.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * Runs a command over the opened services and closes them after, whatever
 * happens. A database that cannot be opened is one line naming the setting
 * to check, and exit 1; an AppError from `run` is its detail and one line per
 * field, named by `flagOf` as the operator typed it, and exit 1.
 */
export async function withServices(
  config: Config,
  io: CliIo,
  run: (services: Services) => Promise<ExitCode>,
  flagOf: (pointer: string) => string = (pointer) => pointer,
): Promise<ExitCode> {
  let opened;
  try {
    opened = await openServices(config, io);
  } catch (error) {
    writeLine(io.stderr, `✗ the database cannot be opened: ${messageOf(error)}. Check ${config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR'}.`);
    return EXIT_FAILED;
  }
  try {
    return await run(opened.services);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    writeLine(io.stderr, `✗ ${error.detail}`);
    for (const fieldError of error.errors ?? []) writeLine(io.stderr, `  ${flagOf(fieldError.path)} ${fieldError.message}`);
    return EXIT_FAILED;
  } finally {
    await opened.close();
  }
}

/** "postgres://user:secret@db:5432/boreal" → "PostgreSQL at db:5432/boreal": never the password. */
export function describeDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `the embedded database under ${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}

/** The message of a failure, for one line of output: its innermost cause, where the reason is. */
export function messageOf(error: unknown): string {
  return rootCauseMessage(error);
}
