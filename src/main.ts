// Process entry of `npm start`: serve until SIGINT/SIGTERM, then close cleanly.

import { ConfigError, loadConfig } from './config.js';
import { createLogger, startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Boreal Portal cannot start. Fix these settings:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `Boreal Portal cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      logger.info(`${signal}: closing`);
      server.close().then(
        () => process.exit(0),
        (error) => {
          logger.error({ err: error }, 'close failed');
          process.exit(1);
        },
      );
    });
  }
}

void main();
