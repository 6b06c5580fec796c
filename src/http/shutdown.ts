// While the server closes (SIGTERM), requests that arrive on connections
// kept alive are refused with a problem document, 503 SERVICE_UNAVAILABLE
// and Retry-After, and the connection is closed so the client's next try
// reaches another instance. Fastify's own answer for this case is a bare
// JSON body, not one of the catalogue; the requests already in flight are
// untouched and finish, their connections closed after the answer.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

export function refuseRequestsWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('Connection', 'close');
    throw new AppError('SERVICE_UNAVAILABLE', { detail: 'This server is shutting down. Try again in 1 second.', retryAfterSeconds: 1 });
  });
  // The answers of requests in flight close their connection too: a kept-alive
  // one would otherwise hold the close open until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('Connection', 'close');
    return payload;
  });
}
