// GET /metrics (API.md "Metrics") and the hook that feeds it: every answer by
// method, route PATTERN and status (a raw URL would put ids, and with them
// unbounded series, into labels), every 429 by its code, and the sign-in
// outcomes read from the sign-in routes' answers (sign-in-outcomes.ts).
//
// The route is always registered, so the route table is the same in every
// mode; without METRICS_TOKEN it answers 404 like a route that is not there.
// It is not counted by the request limit: a scraper every 15 s must never be
// refused, nor use up an operator's allowance.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics/port.js';
import { recordSignInAnswer } from './sign-in-outcomes.js';

/** The route label of an answer that matched no route (404s, malformed URLs): one series, whatever was asked. */
export const UNMATCHED_ROUTE = 'unmatched';

export function recordAnswers(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    metrics.httpRequest({ method: request.method, route, status, durationSeconds: reply.elapsedTime / 1000 });
    if (status === 429 && reply.problemCode) metrics.rateLimited(reply.problemCode);
    recordSignInAnswer(metrics, { method: request.method, route, status, problemCode: reply.problemCode });
  });
}

/** Compares digests, so neither the time taken nor an early exit tells how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export const metricsRoutes = (metrics: Metrics, token: string | undefined): FastifyPluginAsync => async (app) => {
  app.get('/metrics', {
    config: { access: { public: true }, rateLimit: false },
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics (needs Authorization: Bearer <METRICS_TOKEN>; 404 when METRICS_TOKEN is unset)',
      response: {
        200: { description: 'The Prometheus text format', content: { 'text/plain': { schema: Type.String() } } },
      },
    },
  }, async (request, reply) => {
    if (token === undefined) throw new AppError('NOT_FOUND');
    const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !sameSecret(match[1]!, token)) throw new AppError('AUTHENTICATION_REQUIRED', { detail: 'Send Authorization: Bearer <METRICS_TOKEN>.' });
    const body = await metrics.render();
    return reply.type(metrics.contentType).send(body);
  });
};
