// API.md "Roles and permissions": user administration, `users:manage` only.

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { AdminUserView } from '../schemas/common.js';
import { NoContent } from '../schemas/common.js';
import { PasswordSetupLink, UserSessionList } from '../schemas/account.js';
import { CreateUserBody, CreatedUser, UpdateUserBody, UserIdParams, UserList, UserListQuery } from '../schemas/users.js';
import { sessionJson } from './account.js';
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
    schema: {
      tags,
      security,
      summary: 'Create a user (409 CONFLICT on a taken email)',
      description: 'Without a password the user is invited: the answer carries passwordSetup, the link to hand them.',
      body: CreateUserBody,
      response: { 201: CreatedUser },
    },
  }, async (request, reply) => {
    const { passwordSetup, ...user } = await services.userAdmin.createUser(request.body, { actorId: principalOf(request).userId, ip: request.ip });
    return reply.code(201).send(passwordSetup ? { ...user, passwordSetup: { ...passwordSetup, expiresAt: passwordSetup.expiresAt.toISOString() } } : user);
  });

  routes.post('/api/rbac/users/:id/password-setup', {
    config: { access: { permission: 'users:manage' } },
    schema: {
      tags,
      security,
      summary: 'Issue a password-setup link (an invitation, or a reset)',
      description: 'Replaces any earlier link of the user; the current password keeps working until the link is used.',
      params: UserIdParams,
      response: { 201: PasswordSetupLink },
    },
  }, async (request, reply) => {
    const link = await services.passwordSetup.issue(request.params.id, { actorId: principalOf(request).userId, ip: request.ip });
    reply.header('Cache-Control', 'no-store');
    return reply.code(201).send({ ...link, expiresAt: link.expiresAt.toISOString() });
  });

  routes.get('/api/rbac/users/:id/sessions', {
    config: { access: { permission: 'users:manage' } },
    schema: { tags, security, summary: 'A user\'s live sessions, newest first', params: UserIdParams, response: { 200: UserSessionList } },
  }, async (request) => ({ items: (await services.sessionList.listOfUser(request.params.id)).map(sessionJson) }));

  routes.delete('/api/rbac/users/:id/sessions', {
    config: { access: { permission: 'users:manage' } },
    schema: { tags, security, summary: 'End every session of a user', params: UserIdParams, response: { 204: NoContent } },
  }, async (request, reply) => {
    await services.sessionList.endAllOfUser(request.params.id, { actorId: principalOf(request).userId, ip: request.ip });
    return reply.code(204).send(null);
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
