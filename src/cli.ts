// The `boreal` command (bin/boreal.js runs the compiled dist/cli.js).
// See src/cli/run.ts for the commands and API.md "Operating it".

import { holdYoungGenerationDuringStart } from './young-generation.js';

// `boreal serve` starts the same server as `npm start`, so it holds V8's young
// generation during start-up too (young-generation.ts): before its modules load.
if (process.argv[2] === 'serve') holdYoungGenerationDuringStart();
const { readEnvironment } = await import('./config.js');
const { runCli } = await import('./cli/run.js');

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
