// Process entry of `npm start`: check the settings, then serve until
// SIGINT/SIGTERM. The settings come first and alone: a production start with a
// bad setting exits before the server's modules (Fastify, the database
// drivers, Twilio's SDK) are even loaded, well within two seconds.
// `boreal serve` runs the same function, so both refuse a bad start alike.

import { holdYoungGenerationDuringStart } from './young-generation.js';

async function main(): Promise<number> {
  // Before any heavy module is loaded: start-up must not size V8's young generation (young-generation.ts).
  holdYoungGenerationDuringStart();
  const { ConfigError, loadConfig, readEnvironment } = await import('./config.js');
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
