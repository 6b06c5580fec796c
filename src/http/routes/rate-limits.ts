// API.md DELETE /api/rbac/rate-limits: an admin clears the limits and locks
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

export const rateLimitRoutes = (services: Services): FastifyPluginAsync => async (app) => {
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
