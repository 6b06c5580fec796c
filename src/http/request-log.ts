// One log line per request in development: Fastify's own pair ("incoming
// request", then "request completed") doubles every line a person has to
// read. Production keeps Fastify's pair, whose fields log tooling expects.
// The path is logged without its query, which may hold an email or a phone
// (DELETE /api/rbac/rate-limits?email=…).

import type { FastifyInstance } from 'fastify';
import { levels } from 'pino';

export function logOneLinePerRequest(app: FastifyInstance): void {
  // Each hook only where its line is printed: below that level it would build
  // a line for nothing on every request (the level is fixed for a process).
  const printed = (level: 'debug' | 'info') => levels.values[level]! >= (levels.values[app.log.level] ?? Infinity);
  if (printed('debug')) {
    // Who is in flight (e.g. at a shutdown), without doubling the info lines.
    app.addHook('onRequest', async (request) => {
      request.log.debug({ method: request.method, path: request.url.split('?', 1)[0] }, 'incoming request');
    });
  }
  if (!printed('info')) return;
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?', 1)[0];
    request.log.info(
      { method: request.method, path, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) },
      `${request.method} ${path} → ${reply.statusCode} (${Math.round(reply.elapsedTime)} ms)`,
    );
  });
}
