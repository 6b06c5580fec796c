// API.md "Login": password, then one-time code, then tokens.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { NoContent } from '../schemas/common.js';
import { LoginBody, LoginResponse, MeResponse, RefreshBody, ResendBody, ResendResponse, TokenResponse, VerifyBody } from '../schemas/auth.js';
import { AppError, validationError } from '../../errors.js';

/** The browser as it names itself, cut short: it is shown in the session list, not trusted. */
export const userAgentOf = (request: FastifyRequest): string | null => request.headers['user-agent']?.slice(0, 400) || null;

/** Token-bearing answers must never be stored by a cache (RFC 6749 §5.1). */
const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');

export const authRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { signIn, sessionTokens } = services;

  routes.post('/api/auth/login', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: 'Check email and password; send a one-time code', body: LoginBody, response: { 200: LoginResponse } },
  }, async (request, reply) => {
    noStore(reply);
    return signIn.login({ email: request.body.email, password: request.body.password, ip: request.ip });
  });

  routes.post('/api/auth/otp/resend', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: 'Send the code of a pending sign-in again, by SMS or a voice call', body: ResendBody, response: { 200: ResendResponse } },
  }, async (request, reply) => {
    noStore(reply);
    return signIn.resend({ tempToken: request.body.tempToken, channel: request.body.channel, ip: request.ip });
  });

  routes.post('/api/auth/otp/verify', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: 'Complete the sign-in with a code or a recovery code', body: VerifyBody, response: { 200: TokenResponse } },
  }, async (request, reply) => {
    noStore(reply);
    const { tempToken, code, recoveryCode } = request.body;
    if ((code === undefined) === (recoveryCode === undefined)) {
      throw validationError(code === undefined ? '/code' : '/recoveryCode', 'Send either a code or a recovery code.');
    }
    return signIn.verify({ tempToken, code, recoveryCode, ip: request.ip, userAgent: userAgentOf(request) });
  });

  routes.post('/api/auth/refresh', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: 'Exchange a refresh token for new tokens', body: RefreshBody, response: { 200: TokenResponse } },
  }, async (request, reply) => {
    noStore(reply);
    return sessionTokens.refresh({ refreshToken: request.body.refreshToken, ip: request.ip });
  });

  routes.post('/api/auth/logout', {
    config: { access: { signedIn: true } },
    schema: { tags: ['auth'], summary: 'End this session everywhere', security: [{ bearer: [] }], response: { 204: NoContent } },
  }, async (request, reply) => {
    await sessionTokens.logout({ principal: principalOf(request), ip: request.ip });
    return reply.code(204).send(null);
  });

  routes.get('/api/auth/me', {
    config: { access: { signedIn: true } },
    schema: { tags: ['auth'], summary: 'The signed-in user', security: [{ bearer: [] }], response: { 200: MeResponse } },
  }, async (request, reply) => {
    noStore(reply);
    const user = await services.findUserView(principalOf(request).userId);
    if (!user) throw new AppError('INVALID_TOKEN');
    return { user, security: await services.authenticators.summary(user.id) };
  });
};
