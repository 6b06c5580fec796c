// The one set of logger options: the server, the CLI and the tests log
// through pino with the same redactions, so no entry point can leak what
// another hides.

import type { LoggerOptions } from 'pino';

/** Never logged: passwords, codes, tokens, credentials (pino `redact` paths). */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.code',
  '*.tempToken',
  '*.refreshToken',
  '*.accessToken',
  '*.authToken',
  'body.password',
  'body.code',
  'body.tempToken',
  'body.refreshToken',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } };
}
