// Who may call what, generated from the app's own route table: every route
// the app registers must have a row here (a new route without one fails the
// suite), each row states the access the route must declare, and each row is
// called as nobody, a lender, staff and an admin. A lender meets another
// lender's application as 404, never 403.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RouteAccess } from '../../src/http/access.js';
import { defaultWebUiDirectory } from '../../src/http/routes/web.js';
import type { RoleName } from '../../src/core/vocabulary.js';
import { json, type TestApp } from '../helpers/app.js';
import { captureRouteTable, routeKey, type CapturedRoute } from '../portal/route-table.js';
import {
  applicationBody,
  createApplicationAs,
  createPortalApp,
  makeCast,
  makeUser,
  send,
  signInAs,
  type Cast,
  type SignedInUser,
} from '../portal/support.js';

const ROLES = ['none', 'lender', 'staff', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface MatrixContext {
  cast: Cast;
  /** Belongs to lender B: the matrix's lender user (of lender A) must not see it. */
  otherLendersApplicationId: string;
  /** A user the admin may change (not the admin: nobody changes their own roles). */
  targetUserId: string;
  serial: () => number;
}

interface Row {
  access: RouteAccess;
  /** Expected status as [none, lender, staff, admin]. */
  expect: readonly [number, number, number, number];
  request?: (context: MatrixContext) => { url?: string; body?: unknown };
  /** The call ends the caller's session: make it with a session of its own. */
  freshSession?: boolean;
  /** The call ends every session of the caller: make it as a new user of the same role. */
  freshUser?: boolean;
}

const PUBLIC = { public: true } as const;
const SIGNED_IN = { signedIn: true } as const;
const everyone = (status: number) => [status, status, status, status] as const;

/** Public routes that need a body are called with `{}`: a 400 proves the route was reached without a token. */
const MATRIX: Record<string, Row> = {
  'GET /api/health': { access: PUBLIC, expect: everyone(200) },
  'GET /api/health/ready': { access: PUBLIC, expect: everyone(200) },
  'GET /.well-known/jwks.json': { access: PUBLIC, expect: everyone(200) },
  'GET /openapi.json': { access: PUBLIC, expect: everyone(200) },
  // METRICS_TOKEN is unset here: the route is there, and answers 404 to everyone (metrics.db.test.ts covers the token).
  'GET /metrics': { access: PUBLIC, expect: everyone(404) },
  'GET /docs': { access: PUBLIC, expect: everyone(200) },
  'GET /docs/json': { access: PUBLIC, expect: everyone(200) },
  'GET /docs/yaml': { access: PUBLIC, expect: everyone(200) },
  // swagger-ui sends the old index address on to /docs.
  'GET /docs/static/index.html': { access: PUBLIC, expect: everyone(302) },
  'GET /docs/static/swagger-initializer.js': { access: PUBLIC, expect: everyone(200) },
  'GET /docs/static/*': { access: PUBLIC, expect: everyone(200), request: () => ({ url: '/docs/static/swagger-ui.css' }) },
  'HEAD /docs/static/*': { access: PUBLIC, expect: everyone(200), request: () => ({ url: '/docs/static/swagger-ui.css' }) },
  // The web UI (src/http/routes/web.ts): the same routes whether or not dist/web is built, so a missing file answers 404 either way.
  'GET /': { access: PUBLIC, expect: everyone(302) },
  'GET /app': { access: PUBLIC, expect: everyone(302) },
  'GET /app/*': { access: PUBLIC, expect: everyone(404), request: () => ({ url: '/app/no-such-file.js' }) },
  'HEAD /app/*': { access: PUBLIC, expect: everyone(404), request: () => ({ url: '/app/no-such-file.js' }) },
  // The page of password-setup links: the UI's index.html once it is built, else 404 saying how to build it.
  'GET /app/set-password': { access: PUBLIC, expect: everyone(existsSync(path.join(defaultWebUiDirectory(), 'index.html')) ? 200 : 404) },

  'POST /api/auth/login': { access: PUBLIC, expect: everyone(400), request: () => ({ body: {} }) },
  'POST /api/auth/otp/resend': { access: PUBLIC, expect: everyone(400), request: () => ({ body: {} }) },
  'POST /api/auth/otp/verify': { access: PUBLIC, expect: everyone(400), request: () => ({ body: {} }) },
  'POST /api/auth/refresh': { access: PUBLIC, expect: everyone(400), request: () => ({ body: {} }) },
  'POST /api/auth/logout': { access: SIGNED_IN, expect: [401, 204, 204, 204], freshSession: true },
  'GET /api/auth/me': { access: SIGNED_IN, expect: [401, 200, 200, 200] },
  'GET /api/rbac/roles': { access: SIGNED_IN, expect: [401, 200, 200, 200] },
  'POST /api/auth/password': { access: SIGNED_IN, expect: [401, 400, 400, 400], request: () => ({ body: {} }) },
  'POST /api/auth/password/setup': { access: PUBLIC, expect: everyone(400), request: () => ({ body: {} }) },
  'GET /api/auth/sessions': { access: SIGNED_IN, expect: [401, 200, 200, 200] },
  'DELETE /api/auth/sessions': { access: SIGNED_IN, expect: [401, 204, 204, 204], freshUser: true },
  'DELETE /api/auth/sessions/:id': {
    access: SIGNED_IN,
    expect: [401, 404, 404, 404],
    request: () => ({ url: '/api/auth/sessions/00000000-0000-4000-8000-000000000000' }),
  },
  'POST /api/auth/totp': { access: SIGNED_IN, expect: [401, 200, 200, 200] },
  'POST /api/auth/totp/confirm': { access: SIGNED_IN, expect: [401, 400, 400, 400], request: () => ({ body: {} }) },
  'POST /api/auth/totp/disable': { access: SIGNED_IN, expect: [401, 400, 400, 400], request: () => ({ body: {} }) },
  'POST /api/auth/recovery-codes': { access: SIGNED_IN, expect: [401, 400, 400, 400], request: () => ({ body: {} }) },
  'DELETE /api/rbac/users/:id/totp': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 404],
    request: (context) => ({ url: `/api/rbac/users/${context.targetUserId}/totp` }),
  },

  'GET /api/applications': { access: { permission: 'applications:read' }, expect: [401, 200, 200, 200] },
  'POST /api/applications': {
    access: { permission: 'applications:write' },
    expect: [401, 403, 201, 201],
    request: () => ({ body: applicationBody() }),
  },
  'GET /api/applications/:id': {
    access: { permission: 'applications:read' },
    expect: [401, 404, 200, 200],
    request: (context) => ({ url: `/api/applications/${context.otherLendersApplicationId}` }),
  },
  'PATCH /api/applications/:id': {
    access: { permission: 'applications:write' },
    expect: [401, 403, 200, 200],
    request: (context) => ({ url: `/api/applications/${context.otherLendersApplicationId}`, body: { note: 'matrix' } }),
  },
  'GET /api/applications/:id/history': {
    access: { permission: 'applications:read' },
    expect: [401, 404, 200, 200],
    request: (context) => ({ url: `/api/applications/${context.otherLendersApplicationId}/history` }),
  },
  'POST /api/public/applications': { access: PUBLIC, expect: everyone(201), request: () => ({ body: applicationBody() }) },

  'GET /api/rbac/lenders': { access: { anyPermission: ['users:manage', 'applications:write'] }, expect: [401, 403, 200, 200] },
  'POST /api/rbac/lenders': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 201],
    request: (context) => ({ body: { name: `Matrix Lender ${context.serial()}` } }),
  },
  'GET /api/rbac/users': { access: { permission: 'users:manage' }, expect: [401, 403, 403, 200] },
  'POST /api/rbac/users': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 201],
    request: (context) => ({ body: { email: `matrix-${context.serial()}@example.test`, name: 'Matrix', password: 'aurora borealis 42', roles: ['staff'] } }),
  },
  'PATCH /api/rbac/users/:id': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 200],
    request: (context) => ({ url: `/api/rbac/users/${context.targetUserId}`, body: { name: `Renamed ${context.serial()}` } }),
  },
  'POST /api/rbac/users/:id/password-setup': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 201],
    request: (context) => ({ url: `/api/rbac/users/${context.targetUserId}/password-setup` }),
  },
  'GET /api/rbac/users/:id/sessions': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 200],
    request: (context) => ({ url: `/api/rbac/users/${context.targetUserId}/sessions` }),
  },
  'DELETE /api/rbac/users/:id/sessions': {
    access: { permission: 'users:manage' },
    expect: [401, 403, 403, 204],
    request: (context) => ({ url: `/api/rbac/users/${context.targetUserId}/sessions` }),
  },
  'GET /api/rbac/audit': { access: { permission: 'audit:read' }, expect: [401, 403, 403, 200] },
  'GET /api/rbac/rate-limits': { access: { permission: 'rate-limits:clear' }, expect: [401, 403, 403, 200] },
  'DELETE /api/rbac/rate-limits': {
    access: { permission: 'rate-limits:clear' },
    expect: [401, 403, 403, 200],
    request: () => ({ url: '/api/rbac/rate-limits?ip=203.0.113.9' }),
  },
};

const FRESH_USER_ROLES: Record<Role, RoleName[]> = { none: [], lender: ['lender'], staff: ['staff'], admin: ['admin'] };

const FAILURE_CODES: Record<number, string> = { 401: 'AUTHENTICATION_REQUIRED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

describe('the endpoint × role matrix', () => {
  let t: TestApp;
  let routes: CapturedRoute[];
  let context: MatrixContext;

  beforeAll(async () => {
    const captured = await captureRouteTable(() => createPortalApp());
    t = captured.result;
    routes = captured.routes;
    const cast = await makeCast(t);
    const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.b.id });
    const target = await makeUser(t, ['staff']);
    let serial = 0;
    context = { cast, otherLendersApplicationId: application.id, targetUserId: target.id, serial: () => (serial += 1) };
  });
  afterAll(async () => t?.close());

  it('has a row for every route the app registers, and a route for every row', () => {
    const registered = routes.map(routeKey);
    expect(registered.filter((key) => !(key in MATRIX)), 'routes without a row in MATRIX: declare who may call them').toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !registered.includes(key)), 'rows for routes the app does not register').toEqual([]);
  });

  it('every route declares the access its row expects', () => {
    for (const route of routes) expect({ route: routeKey(route), access: route.access }).toEqual({ route: routeKey(route), access: MATRIX[routeKey(route)]?.access });
  });

  const callers = (cast: Cast): Record<Role, SignedInUser | null> => ({ none: null, lender: cast.lenderA, staff: cast.staff, admin: cast.admin });

  it.each(Object.entries(MATRIX))('%s answers none / lender / staff / admin as expected', async (key, row) => {
    const [method, path] = key.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE' | 'HEAD', string];
    const observed: number[] = [];
    for (const role of ROLES) {
      let caller = callers(context.cast)[role];
      if (caller && row.freshSession) caller = await signInAs(t, caller.email, caller.password);
      if (caller && row.freshUser) caller = await makeUser(t, FRESH_USER_ROLES[role], role === 'lender' ? context.cast.lenders.a.id : null);
      const request = row.request?.(context) ?? {};
      const response = await t.app.inject({
        method,
        url: request.url ?? path,
        ...(request.body !== undefined ? { payload: request.body as object } : {}),
        headers: { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(caller?.headers ?? {}) },
      });
      observed.push(response.statusCode);
      const code = FAILURE_CODES[response.statusCode];
      if (code && method !== 'HEAD') expect(json(response).code, `${key} as ${role}`).toBe(code);
    }
    expect(observed, `${key}: statuses for ${ROLES.join(' / ')}`).toEqual([...row.expect]);
  });

  it('a session survives the matrix: only the fresh sessions were logged out', async () => {
    const me = await send(t.app, 'GET', '/api/auth/me', { headers: context.cast.admin.headers });
    expect(me.statusCode).toBe(200);
  });
});
