// Shared helpers of the sign-in suites (test/auth, test/http): users made
// directly in the database, problem-document assertions, database snapshots
// that prove a refused request changed nothing, and raw request senders.

import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RoleName } from '../../src/core/vocabulary.js';
import { json, loginStep, postJson, type TestApp } from '../helpers/app.js';
import { insertUser } from '../helpers/users.js';

export { RELAXED_LIMITS } from '../helpers/limits-env.js';
export { PROBLEM_CONTENT_TYPE, expectProblem } from '../helpers/problems.js';
export { auditRows, type AuditRow } from '../helpers/audit.js';

export interface CreatedUser {
  id: string;
  email: string;
  password: string;
  phone: string | null;
}

let userSerial = 0;

/** A user written straight into the database (no admin route needed), hashed with the app's own hasher. */
export async function createUser(
  t: TestApp,
  options: { email?: string; password?: string; phone?: string | null; roles?: RoleName[]; disabled?: boolean; name?: string } = {},
): Promise<CreatedUser> {
  userSerial += 1;
  const email = options.email ?? `user${userSerial}-${Date.now()}@example.test`;
  const password = options.password ?? `correct horse ${userSerial} battery`;
  const phone = options.phone === undefined ? `+1613555${String(1000 + userSerial).slice(-4)}` : options.phone;
  const id = await insertUser(t, {
    email: email.toLowerCase(),
    name: options.name ?? `User ${userSerial}`,
    password,
    phone,
    roles: options.roles ?? ['staff'],
    disabled: options.disabled ?? false,
  });
  return { id, email, password, phone };
}

/** The Retry-After header as a number (it must be whole seconds). */
export function retryAfter(response: LightMyRequestResponse): number {
  const header = response.headers['retry-after'];
  expect(header, 'Retry-After header').toMatch(/^\d+$/);
  return Number(header);
}

/** Tables the sign-in writes; a refused request must change none of them. */
export const SIGN_IN_TABLES = ['users', 'user_roles', 'otp_challenges', 'sessions', 'refresh_tokens', 'audit_events', 'rate_limit_counters', 'lockouts'] as const;

/** Row count and a digest of every row of each sign-in table: equal snapshots mean nothing was written. */
export async function snapshotDatabase(t: TestApp): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const table of SIGN_IN_TABLES) {
    const [row] = await t.database.query<{ rows: number | string; digest: string | null }>(
      sql.raw(`select count(*) as rows, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as digest from ${table} x`),
    );
    snapshot[table] = `${Number(row!.rows)}:${row!.digest}`;
  }
  return snapshot;
}

/** Sends a body exactly as given (already serialised), with the given content type (none when null). */
export async function postRaw(app: FastifyInstance, url: string, payload: string | Buffer | undefined, contentType: string | null = 'application/json', headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    ...(payload === undefined ? {} : { payload }),
    headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers },
  });
}

/** The password step for a user, asserting success; returns the temp token. */
export async function startLogin(t: TestApp, user: { email: string; password: string }, headers: Record<string, string> = {}): Promise<string> {
  return loginStep(t.app, user.email, user.password, headers);
}

export async function verifyCode(t: TestApp, tempToken: string, code: string = t.config.otp.devCode) {
  return postJson(t.app, '/api/auth/otp/verify', { tempToken, code });
}

export interface TokenAnswer {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: { id: string; email: string; name: string; roles: string[]; permissions: string[]; lenderId: string | null };
}

/** The whole sign-in of `user` with the console provider's code. */
export async function signInAs(t: TestApp, user: { email: string; password: string }): Promise<TokenAnswer> {
  const tempToken = await startLogin(t, user);
  const response = await verifyCode(t, tempToken);
  if (response.statusCode !== 200) throw new Error(`verify failed: ${response.statusCode} ${response.body}`);
  return json<TokenAnswer>(response);
}

export async function refresh(t: TestApp, refreshToken: string) {
  return postJson(t.app, '/api/auth/refresh', { refreshToken });
}

export async function getMe(t: TestApp, accessToken: string) {
  return t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${accessToken}` } });
}

/** Headers that differ between any two answers by nature, left out when answers are compared. */
export function comparableHeaders(response: LightMyRequestResponse): Record<string, unknown> {
  const { date: _date, 'request-id': _requestId, 'x-request-id': _xRequestId, ...rest } = response.headers;
  return rest;
}

/** A well-formed `uuid.secret` token that names nothing. */
export function unknownOpaqueToken(): string {
  return `${crypto.randomUUID()}.${Buffer.alloc(32, 7).toString('base64url')}`;
}

/** Base64url JSON, for hand-made JWT parts. */
export const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const unb64json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, any>;
