// API.md GET and DELETE /api/rbac/rate-limits: an admin sees who is limited
// or locked now (src/limits/limited-list.ts) and clears the limits and locks
// of a phone, an IP or an email (what each clears: src/limits/clear.ts).

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';

const ClearQuery = Type.Object(
  {
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'A phone number, normalised to E.164' })),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'An IPv4 or IPv6 address' })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  },
  { additionalProperties: false },
);
const ClearResponse = Type.Object({ cleared: Type.Integer({ minimum: 0, description: 'Counters and locks removed' }) });
const LimitedSubject = Type.Object({
  kind: Type.Union([Type.Literal('phone'), Type.Literal('ip'), Type.Literal('email'), Type.Literal('account')]),
  subject: Type.String({ description: "What DELETE takes to clear it (query `phone`, `ip` or `email`; for `account`, the user's email)" }),
  code: Type.String({ description: 'The 429 code the subject gets now' }),
  retryAfterSeconds: Type.Integer({ minimum: 0 }),
  userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});
const ListResponse = Type.Object({ items: Type.Array(LimitedSubject, { description: 'The longest wait first' }) });

export const rateLimitRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/api/rbac/rate-limits', {
    config: { access: { permission: 'rate-limits:clear' } },
    schema: {
      tags: ['rbac'],
      summary: 'Who is limited or locked right now: phones, IPs, emails and accounts',
      security: [{ bearer: [] }],
      response: { 200: ListResponse },
    },
  }, async () => ({ items: await services.rateLimitListing.list() }));

  app.withTypeProvider<TypeBoxTypeProvider>().delete('/api/rbac/rate-limits', {
    config: { access: { permission: 'rate-limits:clear' } },
    schema: {
      tags: ['rbac'],
      summary: 'Clear the rate limits and locks of a phone, an IP or an email',
      security: [{ bearer: [] }],
      querystring: ClearQuery,
      response: { 200: ClearResponse },
    },
  }, async (request) => {
    const cleared = await services.rateLimitClearing.clear(request.query, { actorId: principalOf(request).userId, ip: request.ip ?? null });
    return { cleared };
  });
};
