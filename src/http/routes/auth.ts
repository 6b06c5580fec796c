// API.md "Login": password, then one-time code, then tokens.

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { principalOf } from '../access.js';
import { NoContent } from '../schemas/common.js';
import { LoginBody, LoginResponse, MeResponse, RefreshBody, ResendResponse, TempTokenBody, TokenResponse, VerifyBody } from '../schemas/auth.js';
import { AppError } from '../../errors.js';

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
    schema: { tags: ['auth'], summary: 'Send the code of a pending sign-in again', body: TempTokenBody, response: { 200: ResendResponse } },
  }, async (request, reply) => {
    noStore(reply);
    return signIn.resend({ tempToken: request.body.tempToken, ip: request.ip });
  });

  routes.post('/api/auth/otp/verify', {
    config: { access: { public: true } },
    schema: { tags: ['auth'], summary: 'Complete the sign-in with the code', body: VerifyBody, response: { 200: TokenResponse } },
  }, async (request, reply) => {
    noStore(reply);
    return signIn.verify({ tempToken: request.body.tempToken, code: request.body.code, ip: request.ip });
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
    return { user };
  });
};
