// API.md "Your account" (password, sessions) and the public use of a
// password-setup link ("Account lifecycle").

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SessionSummary } from '../../auth/sessions.js';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { NoContent } from '../schemas/common.js';
import { ChangePasswordBody, OwnSessionList, PasswordSetupBody, PasswordSetupResult, SessionIdParams } from '../schemas/account.js';

const tags = ['account'];
const security = [{ bearer: [] }];

export function sessionJson(session: SessionSummary) {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt?.toISOString() ?? null,
    expiresAt: session.expiresAt.toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
    amr: session.amr,
  };
}

const noContent = (reply: FastifyReply) => reply.code(204).send(null);

export const accountRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { passwordChange, passwordSetup, sessionList } = services;

  routes.post('/api/auth/password', {
    config: { access: { signedIn: true } },
    schema: {
      tags,
      security,
      summary: 'Change your password',
      description: 'A wrong currentPassword answers 403 CURRENT_PASSWORD_INVALID and counts toward LOCKOUT_PASSWORD (then 429 ACCOUNT_LOCKED). Every other session ends.',
      body: ChangePasswordBody,
      response: { 204: NoContent },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    await passwordChange.changePassword({
      userId: principal.userId,
      sessionId: principal.sessionId,
      currentPassword: request.body.currentPassword,
      newPassword: request.body.newPassword,
      ip: request.ip,
    });
    return noContent(reply);
  });

  routes.post('/api/auth/password/setup', {
    config: { access: { public: true } },
    schema: {
      tags,
      summary: 'Set a password with a password-setup link (invitation or reset)',
      description: 'Unknown, used, replaced or expired token: 401 INVALID_SETUP_TOKEN. Counted by LIMIT_LOGIN_PER_IP.',
      body: PasswordSetupBody,
      response: { 200: PasswordSetupResult },
    },
  }, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return passwordSetup.complete({ token: request.body.token, password: request.body.password, ip: request.ip });
  });

  routes.get('/api/auth/sessions', {
    config: { access: { signedIn: true } },
    schema: { tags, security, summary: 'Your live sessions, newest first', response: { 200: OwnSessionList } },
  }, async (request) => {
    const principal = principalOf(request);
    const items = await sessionList.listOwn({ userId: principal.userId, sessionId: principal.sessionId });
    return { items: items.map((item) => ({ ...sessionJson(item), current: item.current })) };
  });

  routes.delete('/api/auth/sessions/:id', {
    config: { access: { signedIn: true } },
    schema: { tags, security, summary: 'End one of your sessions', params: SessionIdParams, response: { 204: NoContent } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    await sessionList.endOwn({ userId: principal.userId, sessionId: principal.sessionId }, request.params.id, request.ip);
    return noContent(reply);
  });

  routes.delete('/api/auth/sessions', {
    config: { access: { signedIn: true } },
    schema: { tags, security, summary: 'Sign out everywhere (this session included)', response: { 204: NoContent } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    await sessionList.endAllOwn({ userId: principal.userId, sessionId: principal.sessionId }, request.ip);
    return noContent(reply);
  });
};
