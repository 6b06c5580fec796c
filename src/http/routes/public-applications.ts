// The public intake (API.md "Public routes"): a business applies without an
// account. Anyone can call it, so it answers only the reference and the
// status, and each address may submit only so many per hour.

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { tooManyRequests } from '../../errors.js';
import { limitKeys, PUBLIC_INTAKE_LIMIT_PER_IP } from '../../limits/limit-keys.js';
import { PublicApplicationBody, PublicApplicationReceipt } from '../schemas/applications.js';

// Generous for a business (a few tries), tight for a script filling the queue
// with junk. Kept beside the limit keys, where the admin's list reads it too.
export { PUBLIC_INTAKE_LIMIT_PER_IP };

export const publicApplicationRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/api/public/applications', {
    config: { access: { public: true } },
    // Counted before the body is even parsed: every attempt counts, valid or
    // not (API.md "Limits count attempts"), and a flood costs no parsing.
    onRequest: async (request) => {
      const decision = await services.limits.consume(limitKeys.intakePerIp(request.ip), PUBLIC_INTAKE_LIMIT_PER_IP);
      if (!decision.allowed) throw tooManyRequests('RATE_LIMITED', 'Too many applications from this address.', decision.retryAfterSeconds);
    },
    schema: {
      tags: ['public'],
      summary: 'Apply for financing without an account',
      description: `Rate limited per IP address (${PUBLIC_INTAKE_LIMIT_PER_IP.map((rule) => `${rule.limit} per ${rule.windowSeconds / 60} minutes`).join(', ')}).`,
      body: PublicApplicationBody,
      response: { 201: PublicApplicationReceipt },
    },
  }, async (request, reply) => {
    const created = await services.applications.createApplication(request.body, null);
    return reply.code(201).send({ reference: created.reference, status: 'submitted' as const });
  });
};
