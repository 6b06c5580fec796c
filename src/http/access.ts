// Who may call a route is declared on the route itself (`config.access`) and
// enforced by hooks added here, so the route table alone says who can do
// what. A route that declares nothing refuses to register: a new route can
// never be public by accident.

import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { AppError } from '../errors.js';
import type { VerifyAccessToken } from '../auth/access-token-check.js';
import { can, type Permission, type Principal } from '../rbac/roles.js';

export type RouteAccess =
  | { public: true }
  | { signedIn: true }
  | { permission: Permission }
  | { anyPermission: Permission[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Routes that plugins register under these prefixes (the OpenAPI viewer, the web UI's static files) are public. */
const PLUGIN_PUBLIC_PREFIXES = ['/docs', '/app'];

export function routeAccess(route: Pick<RouteOptions, 'url' | 'config'>): RouteAccess | undefined {
  const declared = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (declared) return declared;
  if (PLUGIN_PUBLIC_PREFIXES.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))) return { public: true };
  return undefined;
}

/** The signed-in principal of a request that passed `authenticate`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('AUTHENTICATION_REQUIRED');
  return request.principal;
}

export function authenticate(verifyAccessToken: VerifyAccessToken): onRequestHookHandler {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header) throw new AppError('AUTHENTICATION_REQUIRED');
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (!match) throw new AppError('INVALID_TOKEN');
    request.principal = await verifyAccessToken(match[1]!);
  };
}

/** 403 FORBIDDEN unless the principal holds the permission (or one of them). */
export function authorize(...permissions: Permission[]): onRequestHookHandler {
  if (permissions.length === 0) throw new Error('authorize() needs at least one permission');
  return async (request) => {
    const principal = principalOf(request);
    if (!permissions.some((permission) => can(principal, permission))) throw new AppError('FORBIDDEN');
  };
}

/** Adds the hooks that a route's declared access needs; throws for a route that declares none. */
export function enforceRouteAccess(app: FastifyInstance, verifyAccessToken: VerifyAccessToken): void {
  const authenticateHook = authenticate(verifyAccessToken);
  app.addHook('onRoute', (route) => {
    const access = routeAccess(route);
    if (!access) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access: say who may call it.`);
    }
    if ('public' in access) return;
    const hooks: onRequestHookHandler[] = [authenticateHook];
    if ('permission' in access) hooks.push(authorize(access.permission));
    if ('anyPermission' in access) hooks.push(authorize(...access.anyPermission));
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [...hooks, ...existing] as RouteOptions['onRequest'];
  });
}
