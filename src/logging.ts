// The one set of logger options: the server, the CLI and the tests log
// through pino with the same redactions, so no entry point can leak what
// another hides.

import { createRequire } from 'node:module';
import type { DestinationStream, LoggerOptions } from 'pino';

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

/**
 * Development logs a person reads: pino-pretty (a dev dependency) writing to
 * `fd`, or undefined when it is not installed (`npm ci --omit=dev`): the
 * caller then writes JSON as in production. Loaded only when asked, so a
 * production start never touches it.
 */
export function prettyLogStream(fd: 1 | 2): DestinationStream | undefined {
  let pretty: (options: Record<string, unknown>) => DestinationStream;
  try {
    pretty = createRequire(import.meta.url)('pino-pretty') as typeof pretty;
  } catch {
    return undefined;
  }
  return pretty({ destination: fd, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}
