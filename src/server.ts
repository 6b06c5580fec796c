// Boot: settings → database (migrated, seeded in development) → services →
// app → listen. Shared by `npm start`, `boreal serve` and the production build.

import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import type { Config } from './config.js';
import { connectDatabase, type DatabaseHandle } from './db/connect.js';
import { seedDevelopmentAdmin } from './db/seed.js';
import { createServices, type Services } from './services.js';

export function createLogger(config: Pick<Config, 'logLevel'>, destination: 1 | 2 = 1): Logger {
  return pino(loggerOptions(config.logLevel) as pino.LoggerOptions, pino.destination({ fd: destination, sync: true }));
}

/** Opens the configured database and applies the committed migrations. */
export async function openMigratedDatabase(config: Config): Promise<DatabaseHandle> {
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  address: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openMigratedDatabase(config);
  const services = await createServices(config, database, logger);
  if (config.seedDevelopmentAdmin) await seedDevelopmentAdmin(services.db, services.passwords);
  const app = await buildApp(services, { logger });
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ otpProvider: services.otp.name, database: database.kind, production: config.isProduction }, `Boreal Portal listening on ${address}`);
  return {
    app,
    services,
    address,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
