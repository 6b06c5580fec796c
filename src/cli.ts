// The `boreal` command (bin/boreal.js runs the compiled dist/cli.js).
// See src/cli/run.ts for the commands and API.md "Operating it".

import { readEnvironment } from './config.js';
import { runCli } from './cli/run.js';

try {
  const code = await runCli(process.argv.slice(2), {
    env: readEnvironment(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  });
  // Sockets a command leaves to time out (pools, keep-alive agents) must not hold the shell.
  process.exit(code);
} catch (error) {
  console.error('boreal: unexpected failure:', error);
  process.exit(1);
}
