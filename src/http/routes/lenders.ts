import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { createLender, listLenders } from '../../users/lenders.js';
import { CreateLenderBody, Lender, LenderList } from '../schemas/users.js';
import { principalOf } from '../access.js';

const tags = ['rbac'];
const security = [{ bearer: [] }];

export const lenderRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  // Staff pick a lender when they route an application; admins when they create a lender user.
  routes.get('/api/rbac/lenders', {
    config: { access: { anyPermission: ['users:manage', 'applications:write'] } },
    schema: { tags, security, summary: 'Lenders, by name', response: { 200: LenderList } },
  }, async () => ({ items: await listLenders(services.db) }));

  routes.post('/api/rbac/lenders', {
    config: { access: { permission: 'users:manage' } },
    schema: { tags, security, summary: 'Create a lender (409 CONFLICT on a taken name)', body: CreateLenderBody, response: { 201: Lender } },
  }, async (request, reply) => {
    const creator = { actorId: principalOf(request).userId, ip: request.ip };
    return reply.code(201).send(await createLender(services, request.body.name, services.clock.now(), creator));
  });
};
