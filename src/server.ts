// Boot: settings → database (migrated, seeded in development) → services →
// app → listen. Shared by `npm start`, `boreal serve` and the production build.

import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loggerOptions, prettyLogStream } from './logging.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { connectDatabase, type DatabaseHandle } from './db/connect.js';
import { DEVELOPMENT_ADMIN, seedDevelopmentAdmin } from './users/development-seed.js';
import { createAccessTokensFor, createServices, type Services } from './services.js';
import { releaseYoungGeneration } from './young-generation.js';

/** JSON lines in production; outside it, pretty lines when pino-pretty is installed. */
export function createLogger(config: Pick<Config, 'logLevel' | 'isProduction'>, destination: 1 | 2 = 1): Logger {
  const pretty = config.isProduction ? undefined : prettyLogStream(destination);
  return pino(loggerOptions(config.logLevel), pretty ?? pino.destination({ fd: destination, sync: true }));
}

/** Opens the configured database and applies the committed migrations. */
export async function openMigratedDatabase(config: Config, role: 'server' | 'command' = 'command'): Promise<DatabaseHandle> {
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role });
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}

/** The innermost cause's message ("connect ECONNREFUSED 127.0.0.1:5432"), not a wrapper's ("Failed query: …"). */
export function rootCauseMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (!(current instanceof Error)) return String(current);
  const code = (current as { code?: unknown }).code;
  const message = current.message || current.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  address: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // Keys first: an unusable JWT_PRIVATE_KEYS stops the start before the database is touched.
  const jwt = await createAccessTokensFor(config);
  if (config.twilio && !config.twilio.baseUrl.startsWith('https://')) {
    logger.warn(`TWILIO_VERIFY_BASE_URL=${config.twilio.baseUrl} is not https: codes go to a stand-in, not to Twilio. Unset it to reach https://verify.twilio.com.`);
  }
  const database = await openMigratedDatabase(config, 'server').catch((error: unknown) => {
    const setting = config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR';
    throw new Error(`the database of ${setting} cannot be opened and migrated (${rootCauseMessage(error)}): check ${setting} and that the database accepts connections.`, { cause: error });
  });
  const services = await createServices(config, database, logger, { jwt });
  const closeAll = async () => {
    await services.close();
    await database.close();
  };
  let app: FastifyInstance;
  let address: string;
  try {
    // The embedded database only: admin123 and the console code never reach a database others use (defect 9.4).
    if (config.seedDevelopmentAdmin && database.kind === 'pglite') await seedDevelopmentAdmin(services.db, services.passwords);
    await shareWithCommands(database, logger);
    app = await buildApp(services, { logger });
    address = await app.listen({ port: config.port, host: config.host });
    // Start-up is over: from here the young generation grows under load by V8's own rule.
    releaseYoungGeneration();
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
  logger.info({ otpProvider: services.otp.name, database: database.kind, production: config.isProduction }, `Boreal Portal listening on ${address}`);
  if (!config.isProduction) {
    const seeded = config.seedDevelopmentAdmin && database.kind === 'pglite';
    logger.info(developmentBanner({ address, seeded, otpProvider: services.otp.name, devCode: config.otp.devCode }));
  }
  return {
    app,
    services,
    address,
    async close() {
      await app.close();
      await closeAll();
    },
  };
}

/** What a person starting the development server needs: where to go, and how to sign in. */
export function developmentBanner(options: { address: string; seeded: boolean; otpProvider: string; devCode: string }): string {
  const lines = [
    'Boreal Portal is running (development).',
    `  Staff portal   ${options.address}/app/`,
    `  API reference  ${options.address}/docs`,
  ];
  if (options.seeded) lines.push(`  Sign in        ${DEVELOPMENT_ADMIN.email} / ${DEVELOPMENT_ADMIN.password}`);
  if (options.otpProvider === 'console') lines.push(`  Codes          not sent: always ${options.devCode}, and printed here ("DEV MODE: …")`);
  return lines.join('\n');
}

/**
 * `boreal` commands on the same DATA_DIR reach the embedded database through
 * this server (db/embedded-socket.ts). A socket that cannot open (a DATA_DIR
 * path too long for a unix socket) does not stop the server: commands then
 * refuse, naming it, instead of writing beside it.
 */
async function shareWithCommands(database: DatabaseHandle, logger: Logger): Promise<void> {
  if (!database.shareWithCommands) return;
  try {
    const socketPath = await database.shareWithCommands();
    logger.debug({ socketPath }, 'the embedded database is shared with boreal commands');
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, 'cannot share the embedded database with boreal commands: they will refuse to run beside this server');
  }
}

/** The lines a refused start prints: one per problem, each naming its setting. */
export function formatConfigProblems(error: ConfigError): string {
  return `Boreal Portal cannot start. Fix these settings:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`;
}

/** The longest a SIGTERM waits for requests in flight (orchestrators usually kill at 10-30 s). */
export const SHUTDOWN_GRACE_MS = 8000;

/**
 * `npm start` and `boreal serve`: check the settings, start, and close cleanly
 * on SIGINT/SIGTERM. Resolves with the process exit code: 1 when the start is
 * refused (bad settings, unusable keys, unreachable database), within seconds.
 */
export async function serveUntilSignalled(env: Record<string, string | undefined>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${formatConfigProblems(error)}\n`);
    return 1;
  }
  const logger = createLogger(config);
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${formatConfigProblems(error)}\n`);
    } else {
      logger.fatal({ err: error }, `Boreal Portal cannot start: ${(error as Error).message}`);
    }
    return 1;
  }
  return new Promise<number>((resolve) => {
    let closing = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (closing) return;
        closing = true;
        logger.info(`${signal}: closing`);
        // Stops listening at once (new connections are refused, requests on
        // kept-alive ones answer 503), lets the requests in flight finish,
        // then closes the database. A request that hangs does not hold the
        // process: an orchestrator kills it soon after SIGTERM anyway.
        setTimeout(() => {
          logger.error(`requests still in flight ${SHUTDOWN_GRACE_MS / 1000} s after ${signal}: exiting without them`);
          resolve(1);
        }, SHUTDOWN_GRACE_MS).unref();
        server.close().then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ err: error }, 'close failed');
            resolve(1);
          },
        );
      });
    }
  });
}
