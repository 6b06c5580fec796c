// Process entry of `npm start`: serve until SIGINT/SIGTERM, then close cleanly.
// `boreal serve` runs the same function, so both refuse a bad start alike.

import { readEnvironment } from './config.js';
import { serveUntilSignalled } from './server.js';

serveUntilSignalled(readEnvironment()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Boreal Portal cannot start:', error);
    process.exit(1);
  },
);
