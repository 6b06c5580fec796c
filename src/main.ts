// Process entry of `npm start`: check the settings, then serve until
// SIGINT/SIGTERM. The settings come first and alone: a production start with a
// bad setting exits before the server's modules (Fastify, the database
// drivers, Twilio's SDK) are even loaded, well within two seconds.
// `boreal serve` runs the same function, so both refuse a bad start alike.

import { ConfigError, loadConfig, readEnvironment } from './config.js';

async function main(): Promise<number> {
  const env = readEnvironment();
  try {
    loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Boreal Portal cannot start. Fix these settings:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    return 1;
  }
  const { serveUntilSignalled } = await import('./server.js');
  return serveUntilSignalled(env);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Boreal Portal cannot start:', error);
    process.exit(1);
  },
);
