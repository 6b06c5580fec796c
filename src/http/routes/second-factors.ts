// API.md "Second factors": the signed-in user's authenticator app and
// recovery codes, and the admin's reset of a lost authenticator.

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { NoContent } from '../schemas/common.js';
import { PasswordBody, RecoveryCodeSet, TotpConfirmBody, TotpEnrollment } from '../schemas/auth.js';
import { UserIdParams } from '../schemas/users.js';

/** Secrets shown once (the authenticator secret, recovery codes) must never be stored by a cache. */
const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');

const tags = ['auth'];
const security = [{ bearer: [] }];

export const secondFactorRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { authenticators } = services;
  const actorOf = (request: Parameters<typeof principalOf>[0]) => ({ userId: principalOf(request).userId, ip: request.ip });

  routes.post('/api/auth/totp', {
    config: { access: { signedIn: true } },
    schema: {
      tags, security,
      summary: 'Start (or restart) setting up an authenticator app',
      description: '409 CONFLICT when one is already enrolled. Not enrolled until confirmed.',
      response: { 200: TotpEnrollment },
    },
  }, async (request, reply) => {
    noStore(reply);
    return authenticators.startEnrollment(actorOf(request));
  });

  routes.post('/api/auth/totp/confirm', {
    config: { access: { signedIn: true } },
    schema: {
      tags, security,
      summary: 'Confirm the authenticator app with its first code; answers ten recovery codes, shown once',
      body: TotpConfirmBody,
      response: { 200: RecoveryCodeSet },
    },
  }, async (request, reply) => {
    noStore(reply);
    return authenticators.confirmEnrollment(actorOf(request), request.body.code);
  });

  routes.post('/api/auth/totp/disable', {
    config: { access: { signedIn: true } },
    schema: {
      tags, security,
      summary: 'Remove the authenticator app and recovery codes (needs the password)',
      body: PasswordBody,
      response: { 204: NoContent },
    },
  }, async (request, reply) => {
    await authenticators.disable(actorOf(request), request.body.password);
    return reply.code(204).send(null);
  });

  routes.post('/api/auth/recovery-codes', {
    config: { access: { signedIn: true } },
    schema: {
      tags, security,
      summary: 'A new set of ten recovery codes; the old set stops working (needs the password)',
      body: PasswordBody,
      response: { 200: RecoveryCodeSet },
    },
  }, async (request, reply) => {
    noStore(reply);
    return authenticators.regenerateRecoveryCodes(actorOf(request), request.body.password);
  });

  routes.delete('/api/rbac/users/:id/totp', {
    config: { access: { permission: 'users:manage' } },
    schema: {
      tags: ['rbac'], security,
      summary: "Remove a user's lost authenticator app and recovery codes (404 when none)",
      params: UserIdParams,
      response: { 204: NoContent },
    },
  }, async (request, reply) => {
    await authenticators.reset(request.params.id, actorOf(request));
    return reply.code(204).send(null);
  });
};
