// Shared fixtures of the portal suites: lenders and users of each role made
// through the domain (user-admin), signed in over HTTP, valid application
// bodies, problem assertions and database snapshots that prove a refused
// request changed nothing.

import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RoleName } from '../../src/core/vocabulary.js';
import { createLender } from '../../src/users/lenders.js';
import { ADMIN, bearer, createTestApp, json, signIn, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { RELAXED_LIMITS } from '../helpers/limits-env.js';

export const PORTAL_TEST_ENV = RELAXED_LIMITS;
export { PROBLEM_CONTENT_TYPE, expectProblem } from '../helpers/problems.js';

export function createPortalApp(options: TestAppOptions = {}): Promise<TestApp> {
  return createTestApp({ ...options, env: { ...PORTAL_TEST_ENV, ...options.env } });
}

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  headers: Record<string, string>;
}

let serial = 0;

/** A user created through `createUser` (the CLI's path), then signed in over HTTP with the console code. */
export async function makeUser(t: TestApp, roles: RoleName[], lenderId: string | null = null): Promise<SignedInUser> {
  serial += 1;
  const email = `${roles.join('-') || 'nobody'}-${serial}@example.test`;
  const password = `maple syrup river ${serial}`;
  const phone = `+1613555${String(2000 + serial).slice(-4)}`;
  const user = await t.services.userAdmin.createUser({ email, name: `Test ${roles.join(' ')} ${serial}`, password, roles, phone, lenderId }, { actorId: null, ip: null });
  return { ...(await signInAs(t, email, password)), id: user.id };
}

export async function signInAs(t: TestApp, email: string, password: string): Promise<SignedInUser> {
  const tokens = await signIn(t.app, email, password);
  return { id: tokens.user.id, email, password, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, headers: bearer(tokens.accessToken) };
}

export const signInAdmin = (t: TestApp) => signInAs(t, ADMIN.email, ADMIN.password);

export async function makeLender(t: TestApp, name = `Lender ${(serial += 1)}`): Promise<{ id: string; name: string }> {
  return createLender(t.services, name, t.clock.now(), { actorId: null, ip: null });
}

export interface Cast {
  admin: SignedInUser;
  staff: SignedInUser;
  lenderA: SignedInUser;
  lenderB: SignedInUser;
  lenders: { a: { id: string; name: string }; b: { id: string; name: string } };
}

/** Two lenders, a lender user of each, a staff user and the admin, all signed in. */
export async function makeCast(t: TestApp): Promise<Cast> {
  const a = await makeLender(t);
  const b = await makeLender(t);
  return {
    admin: await signInAdmin(t),
    staff: await makeUser(t, ['staff']),
    lenderA: await makeUser(t, ['lender'], a.id),
    lenderB: await makeUser(t, ['lender'], b.id),
    lenders: { a, b },
  };
}

export function applicationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    businessName: `Northern Widgets ${serial}`,
    contactName: 'Ada Tremblay',
    contactEmail: 'ada@example.test',
    contactPhone: '+16135550123',
    amountRequested: 2_500_000,
    currency: 'CAD',
    productType: 'term_loan',
    ...overrides,
  };
}

export async function send(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<LightMyRequestResponse> {
  const hasBody = options.body !== undefined;
  return app.inject({
    method,
    url,
    ...(hasBody ? { payload: options.body as object } : {}),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
  });
}

/** Creates an application through the API as `user` (staff or admin) and returns it. */
export async function createApplicationAs(t: TestApp, user: SignedInUser, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await send(t.app, 'POST', '/api/applications', { headers: user.headers, body: applicationBody(overrides) });
  expect(response.statusCode, response.body).toBe(201);
  return json(response);
}

/** The business tables' row counts and last changes: equal snapshots mean nothing was written. */
export async function snapshotDatabase(t: TestApp): Promise<Record<string, unknown>> {
  const rows = await t.database.query<Record<string, unknown>>(sql`
    select
      (select count(*)::int from applications) as applications,
      (select max(updated_at)::text from applications) as applications_updated,
      (select count(*)::int from application_history) as history,
      (select count(*)::int from users) as users,
      (select max(updated_at)::text from users) as users_updated,
      (select count(*)::int from user_roles) as user_roles,
      (select count(*)::int from lenders) as lenders,
      (select count(*)::int from audit_events) as audit_events,
      (select count(*)::int from sessions where revoked_at is null) as live_sessions`);
  return rows[0]!;
}
