// The OpenAPI 3.1 document (`GET /openapi.json`) and its viewer (`/docs`),
// generated from the route schemas themselves, so the document cannot drift
// from what the server validates and serialises. Registered before every
// route module: @fastify/swagger and the hook below only see routes added
// after them.

import { createRequire } from 'node:module';
import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from 'typebox';
import { routeAccess } from '../access.js';
import { Problem } from '../schemas/common.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors.js';
import { describeCodes, problemCodesOf, problemEntry } from '../problem-codes.js';

const PROBLEM_REF = { $ref: 'Problem#' };

/** Error answers are problem documents (RFC 9457) whatever the route. */
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM_REF } },
});

/**
 * Every route documents (and serialises through) the Problem schema for 4xx
 * and 5xx unless it declares its own: an error shape is part of the contract
 * of each route, and as an allowlist it keeps stray members out of errors.
 * Routes that need a token say so with the bearer scheme.
 */
export function documentRoute(route: RouteOptions): void {
  const schema = (route.schema ??= {}) as { response?: Record<string, unknown>; security?: unknown };
  // The bearer requirement follows from the declared access, so the document cannot forget it.
  const access = routeAccess(route);
  if (access && !('public' in access)) schema.security ??= [{ bearer: [] }];
  const response = (schema.response ??= {});
  // A specific status (e.g. 503 of readiness) keeps its own schema: Fastify
  // prefers an exact status over its range, so the range still covers the rest.
  const declares = (range: string) => Object.keys(response).some((status) => status.toLowerCase() === range);
  // The codes this route may answer, listed under their range (problem-codes.ts).
  const codes = problemCodesOf(route);
  const listed = (from: number, to: number) => {
    const inRange = codes.filter((code) => ERROR_CATALOGUE[code].status >= from && ERROR_CATALOGUE[code].status < to);
    return inRange.length === 0 ? '' : `\n\nCodes:\n${describeCodes(inRange)}`;
  };
  if (!declares('4xx')) response['4xx'] = problemResponse(`Client error: an RFC 9457 problem document; branch on \`code\`.${listed(400, 500)}`);
  if (!declares('5xx')) response['5xx'] = problemResponse(`Server error: an RFC 9457 problem document, never with internals.${listed(500, 600)}`);
}

/** Who may call a route, in words (`x-access`): its declared access (access.ts). */
function describeAccess(access: ReturnType<typeof routeAccess>): string {
  if (!access || 'public' in access) return 'public';
  if ('signedIn' in access) return 'signed in';
  if ('permission' in access) return `permission ${access.permission}`;
  return `any of the permissions ${access.anyPermission.join(', ')}`;
}

/** "/api/applications/:id" → "/api/applications/{id}", as the document names paths. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The viewer's page loads only its own files (it has no inline script);
 * Swagger UI sets style attributes at run time, so styles alone may be
 * inline. Nothing may frame it.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const OpenApiDocument = Type.Object(
  { openapi: Type.String(), info: Type.Object({}, { additionalProperties: true }), paths: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: 'An OpenAPI 3.1 document' },
);

/** package.json sits three levels above both src/http/routes and dist/http/routes. */
const PACKAGE_VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(Problem);
  // Each operation's codes also as data (`x-problem-codes`: code, status,
  // detail), for generated references such as docs/api.md.
  const codesByOperation = new Map<string, { codes: ErrorCode[]; access: string }>();
  app.addHook('onRoute', (route) => {
    documentRoute(route);
    const access = describeAccess(routeAccess(route));
    for (const method of [route.method].flat()) codesByOperation.set(`${String(method).toLowerCase()} ${openApiPath(route.url)}`, { codes: problemCodesOf(route), access });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Boreal Portal API',
        version: PACKAGE_VERSION,
        description: 'Staff sign-in (password, then an SMS code), roles, financing applications. Errors are RFC 9457 problem documents.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    // Shared schemas keep their own name ("Problem") instead of "def-0".
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      const { openapiObject } = documentObject;
      for (const [path, operations] of Object.entries(openapiObject.paths ?? {})) {
        for (const [method, operation] of Object.entries(operations as Record<string, Record<string, unknown>>)) {
          const known = codesByOperation.get(`${method} ${path}`);
          if (!known) continue;
          operation['x-access'] = known.access;
          operation['x-problem-codes'] = known.codes.map(problemEntry);
        }
      }
      return openapiObject;
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });

  app.get('/openapi.json', {
    config: { access: { public: true } },
    schema: { tags: ['docs'], summary: 'This OpenAPI 3.1 document', response: { 200: OpenApiDocument } },
  }, async () => app.swagger());
}
