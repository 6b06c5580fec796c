// API.md "Roles and permissions": user administration, `users:manage` only.

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { AdminUserView } from '../schemas/common.js';
import { CreateUserBody, UpdateUserBody, UserIdParams, UserList, UserListQuery } from '../schemas/users.js';
import { decodeSeqCursor, encodeSeqCursor } from '../seq-cursor.js';

const tags = ['rbac'];
const security = [{ bearer: [] }];

export const userRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  routes.get('/api/rbac/users', {
    config: { access: { permission: 'users:manage' } },
    schema: { tags, security, summary: 'Users, newest first', querystring: UserListQuery, response: { 200: UserList } },
  }, async (request) => {
    const page = await services.userAdmin.listUsers({ limit: request.query.limit ?? 25, afterSeq: decodeSeqCursor(request.query.cursor) });
    return { items: page.items, nextCursor: encodeSeqCursor(page.nextSeq) };
  });

  routes.post('/api/rbac/users', {
    config: { access: { permission: 'users:manage' } },
    schema: { tags, security, summary: 'Create a user (409 CONFLICT on a taken email)', body: CreateUserBody, response: { 201: AdminUserView } },
  }, async (request, reply) => {
    const user = await services.userAdmin.createUser(request.body, { actorId: principalOf(request).userId, ip: request.ip });
    return reply.code(201).send(user);
  });

  routes.patch('/api/rbac/users/:id', {
    config: { access: { permission: 'users:manage' } },
    schema: {
      tags,
      security,
      summary: 'Change roles, phone, name, lender, or disable a user',
      description: 'Changing roles or disabling ends the user\'s sessions. Changing your own roles answers 403 FORBIDDEN.',
      params: UserIdParams,
      body: UpdateUserBody,
      response: { 200: AdminUserView },
    },
  }, async (request) => services.userAdmin.updateUser(request.params.id, request.body, { actorId: principalOf(request).userId, ip: request.ip }));
};
