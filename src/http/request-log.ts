// One log line per request in development: Fastify's own pair ("incoming
// request", then "request completed") doubles every line a person has to
// read. Production keeps Fastify's pair, whose fields log tooling expects.
// The path is logged without its query, which may hold an email or a phone
// (DELETE /api/rbac/rate-limits?email=…).

import type { FastifyInstance } from 'fastify';

export function logOneLinePerRequest(app: FastifyInstance): void {
  // At debug only: who is in flight (e.g. at a shutdown), without doubling the info lines.
  app.addHook('onRequest', async (request) => {
    request.log.debug({ method: request.method, path: request.url.split('?', 1)[0] }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?', 1)[0];
    request.log.info(
      { method: request.method, path, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) },
      `${request.method} ${path} → ${reply.statusCode} (${Math.round(reply.elapsedTime)} ms)`,
    );
  });
}
