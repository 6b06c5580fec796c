// GET /openapi.json is generated from the routes' own schemas: it must be a
// valid OpenAPI 3.1 document, list every route of the route table, and
// document the problem shape of errors on each of them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { AppError } from '../../src/errors.js';
import { installErrorHandling } from '../../src/http/error-handler.js';
import { registerOpenApi } from '../../src/http/routes/openapi.js';
import { json, type TestApp } from '../helpers/app.js';
import { captureRouteTable, type CapturedRoute } from '../portal/route-table.js';
import { createPortalApp, send, signInAdmin } from '../portal/support.js';

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }>; security?: unknown[] };
type Spec = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

/** Fastify's `/a/:id` is OpenAPI's `/a/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('GET /openapi.json', () => {
  let t: TestApp;
  let routes: CapturedRoute[];
  let spec: Spec;

  beforeAll(async () => {
    const captured = await captureRouteTable(() => createPortalApp());
    t = captured.result;
    routes = captured.routes;
    const response = await send(t.app, 'GET', '/openapi.json');
    expect(response.statusCode).toBe(200);
    spec = json<Spec>(response);
  });
  afterAll(async () => t?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(structuredClone(spec) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('every schema in it compiles as JSON Schema 2020-12 (the dialect of OpenAPI 3.1)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            const schema = { ...(media.schema as object), components: { schemas: spec.components.schemas } };
            expect(() => ajv.compile(schema), `${method.toUpperCase()} ${path} ${status}`).not.toThrow();
          }
        }
      }
    }
  });

  it('lists every route of the route table (only the /docs viewer and the web UI at / and /app hide their pages)', () => {
    const documented = new Set(Object.entries(spec.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)));
    const shown = routes.filter((route) => !route.hidden);
    const isViewerOrWebUi = (url: string) => url.startsWith('/docs') || url === '/' || url === '/app' || url.startsWith('/app/');
    expect(routes.filter((route) => route.hidden && !isViewerOrWebUi(route.url)).map((route) => `${route.method} ${route.url}`)).toEqual([]);
    expect(shown.length).toBeGreaterThan(20);
    expect(shown.map((route) => `${route.method} ${openApiPath(route.url)}`).filter((key) => !documented.has(key))).toEqual([]);
    expect(documented.size).toBe(shown.length);
  });

  it('documents a problem+json 4XX and 5XX on every operation, and a success answer', () => {
    expect(spec.components.schemas.Problem).toMatchObject({ type: 'object', required: expect.arrayContaining(['type', 'title', 'status', 'code', 'detail']) });
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const range of ['4XX', '5XX']) {
          expect(operation.responses[range]?.content?.['application/problem+json']?.schema, `${where} ${range}`).toEqual({ $ref: '#/components/schemas/Problem' });
        }
        expect(Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status)), `${where} has a 2xx`).toBe(true);
      }
    }
  });

  it('declares the bearer scheme on exactly the routes that need a token', () => {
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const route of routes.filter((candidate) => !candidate.hidden)) {
      const operation = spec.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
      const isPublic = route.access !== undefined && 'public' in route.access;
      expect({ route: `${route.method} ${route.url}`, security: operation.security ?? null }).toEqual({
        route: `${route.method} ${route.url}`,
        security: isPublic ? null : [{ bearer: [] }],
      });
    }
  });

  it('serves the viewer at /docs without a token', async () => {
    const docs = await send(t.app, 'GET', '/docs');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
  });

  it('error answers go through the Problem schema and keep their field errors', async () => {
    const admin = await signInAdmin(t);
    const response = await send(t.app, 'GET', '/api/applications?limit=500', { headers: admin.headers });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(response)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/limit', message: expect.any(String) }] });
  });

  it('the Problem schema is an allowlist: a member outside it never reaches the client', async () => {
    const bare = Fastify();
    installErrorHandling(bare);
    await registerOpenApi(bare);
    bare.get('/boom', { config: { access: { public: true } } }, async () => {
      throw new AppError('INVALID_OTP', { extra: { attemptsRemaining: 2, internalQuery: 'select * from users' } });
    });
    const response = await bare.inject({ method: 'GET', url: '/boom' });
    await bare.close();
    expect(response.statusCode).toBe(401);
    expect(json(response)).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'INVALID_OTP', detail: expect.any(String), attemptsRemaining: 2 });
  });
});
