// Every problem `code` a route may answer, for its OpenAPI document (and so
// for /docs and docs/api.md), generated, not written twice: most codes follow
// from what the route is (its access: 401/403; its schema: 400/413/415; the
// request limit: 429 RATE_LIMITED; the database: 503; every route: 500), and the rest are the
// domain codes each route declares, in `config.errors` or in the table below.
// test/http/problem-codes.db.test.ts holds the lists against the catalogue.

import type { RouteOptions } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.js';
import { routeAccess } from './access.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Domain codes this route answers beyond those its access and schema imply. */
    errors?: readonly ErrorCode[];
  }
}

const SIGN_IN_DELIVERY: ErrorCode[] = ['PHONE_COUNTRY_NOT_ALLOWED', 'OTP_RATE_LIMITED', 'OTP_DELIVERY_FAILED', 'OTP_PROVIDER_UNAVAILABLE'];

/**
 * The domain codes of routes that do not declare `config.errors` themselves,
 * by "METHOD url" (kept here so that route modules other engineers are
 * changing need not change for their documentation).
 */
export const DOMAIN_CODES: Readonly<Record<string, readonly ErrorCode[]>> = {
  'POST /api/auth/login': ['INVALID_CREDENTIALS', 'LOGIN_RATE_LIMITED', 'ACCOUNT_LOCKED', 'PHONE_NOT_ENROLLED', ...SIGN_IN_DELIVERY],
  'POST /api/auth/otp/resend': ['INVALID_TEMP_TOKEN', 'OTP_RESEND_TOO_SOON', 'OTP_ATTEMPTS_EXCEEDED', 'PHONE_NOT_ENROLLED', ...SIGN_IN_DELIVERY],
  'POST /api/auth/otp/verify': ['INVALID_TEMP_TOKEN', 'INVALID_OTP', 'OTP_EXPIRED', 'OTP_ATTEMPTS_EXCEEDED', 'ACCOUNT_LOCKED', 'OTP_RATE_LIMITED', 'OTP_PROVIDER_UNAVAILABLE'],
  'POST /api/auth/refresh': ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'],
  'GET /api/applications/:id': ['NOT_FOUND'],
  'GET /api/applications/:id/history': ['NOT_FOUND'],
  'PATCH /api/applications/:id': ['NOT_FOUND', 'INVALID_TRANSITION'],
  'POST /api/rbac/lenders': ['CONFLICT'],
  'POST /api/rbac/users': ['CONFLICT'],
  'PATCH /api/rbac/users/:id': ['NOT_FOUND'],
  'POST /api/auth/password': ['CURRENT_PASSWORD_INVALID', 'ACCOUNT_LOCKED'],
  'POST /api/auth/password/setup': ['INVALID_SETUP_TOKEN', 'LOGIN_RATE_LIMITED'],
  'DELETE /api/auth/sessions/:id': ['NOT_FOUND'],
  'POST /api/auth/totp': ['CONFLICT'],
  'POST /api/auth/totp/confirm': ['CONFLICT'],
  'POST /api/auth/totp/disable': ['CURRENT_PASSWORD_INVALID', 'ACCOUNT_LOCKED', 'CONFLICT'],
  'POST /api/auth/recovery-codes': ['CURRENT_PASSWORD_INVALID', 'ACCOUNT_LOCKED', 'CONFLICT'],
  'POST /api/rbac/users/:id/password-setup': ['NOT_FOUND'],
  'GET /api/rbac/users/:id/sessions': ['NOT_FOUND'],
  'DELETE /api/rbac/users/:id/sessions': ['NOT_FOUND'],
  'DELETE /api/rbac/users/:id/totp': ['NOT_FOUND'],
  // Without METRICS_TOKEN the route is "not there"; a wrong token is a missing one.
  'GET /metrics': ['NOT_FOUND', 'AUTHENTICATION_REQUIRED'],
};

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface ProblemCodeEntry {
  code: ErrorCode;
  status: number;
  detail: string;
}

type RouteShape = Pick<RouteOptions, 'method' | 'url' | 'config' | 'schema'>;

export function problemCodesOf(route: RouteShape): ErrorCode[] {
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const config = (route.config ?? {}) as { errors?: readonly ErrorCode[]; rateLimit?: unknown };
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const codes = new Set<ErrorCode>();
  const access = routeAccess(route as Pick<RouteOptions, 'url' | 'config'>);
  if (access && !('public' in access)) {
    for (const code of ['AUTHENTICATION_REQUIRED', 'INVALID_TOKEN', 'TOKEN_EXPIRED'] as const) codes.add(code);
    if ('permission' in access || 'anyPermission' in access) codes.add('FORBIDDEN');
  }
  if (schema.body || schema.querystring || schema.params || route.url.includes(':')) codes.add('VALIDATION_FAILED');
  // A path parameter too long to be any id names nothing (error-handler.ts).
  if (route.url.includes(':')) codes.add('NOT_FOUND');
  if (schema.body && BODY_METHODS.has(String(method))) {
    for (const code of ['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'] as const) codes.add(code);
  }
  if (config.rateLimit !== false) codes.add('RATE_LIMITED');
  for (const code of config.errors ?? DOMAIN_CODES[`${String(method)} ${route.url}`] ?? []) codes.add(code);
  // API.md "Errors": a request that needs the database answers 503 when it cannot be reached.
  if (route.url.startsWith('/api/') && !route.url.startsWith('/api/health')) codes.add('SERVICE_UNAVAILABLE');
  codes.add('INTERNAL_ERROR');
  return [...codes].sort((a, b) => ERROR_CATALOGUE[a].status - ERROR_CATALOGUE[b].status || a.localeCompare(b));
}

export const problemEntry = (code: ErrorCode): ProblemCodeEntry => ({ code, status: ERROR_CATALOGUE[code].status, detail: ERROR_CATALOGUE[code].detail });

/** "- `401 INVALID_CREDENTIALS`: The email or password is incorrect." lines, for a response's description. */
export function describeCodes(codes: readonly ErrorCode[]): string {
  return codes.map((code) => `- \`${ERROR_CATALOGUE[code].status} ${code}\`: ${ERROR_CATALOGUE[code].detail}`).join('\n');
}
