// Helpers of the limits suites: users with their own phone, and the one
// assertion every 429 must pass (API.md "Errors": Retry-After in whole
// seconds, a detail that says when in words, agreeing with the header).

import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { RoleName } from '../../src/core/vocabulary.js';
import { json, postJson, type TestApp } from '../helpers/app.js';
import { auditRows } from '../helpers/audit.js';
import { PROBLEM_CONTENT_TYPE } from '../helpers/problems.js';
import { insertUser } from '../helpers/users.js';

export interface LimitsUser {
  id: string;
  email: string;
  password: string;
  phone: string;
}

let serial = 0;

/** A user written straight into the database, with a phone of its own (+1 613 555 01xx…). */
export async function createUser(t: TestApp, options: { phone?: string; roles?: RoleName[] } = {}): Promise<LimitsUser> {
  serial += 1;
  const email = `limits-${serial}-${process.pid}@example.test`;
  const password = `limits password ${serial}`;
  const phone = options.phone ?? `+1613555${String(2000 + serial).slice(-4)}`;
  const id = await insertUser(t, { email, name: `Limits ${serial}`, password, phone, roles: options.roles ?? ['staff'] });
  return { id, email, password, phone };
}

export const login = (t: TestApp, user: { email: string; password: string }, headers: Record<string, string> = {}) =>
  postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }, headers);
export const resend = (t: TestApp, tempToken: string) => postJson(t.app, '/api/auth/otp/resend', { tempToken });
export const verify = (t: TestApp, tempToken: string, code: string) => postJson(t.app, '/api/auth/otp/verify', { tempToken, code });

export const WRONG_CODE = '000000';

/** The password step, asserting 200; returns the temp token. */
export async function loginOk(t: TestApp, user: { email: string; password: string }): Promise<string> {
  const response = await login(t, user);
  expect(response.statusCode, response.body).toBe(200);
  return json(response).tempToken as string;
}

/**
 * A 429 problem of `code` with a Retry-After of whole seconds and a detail
 * ending "Try again in N minutes." (N rounded up) or "in N seconds" (under a
 * minute), both saying the same wait. Returns Retry-After in seconds.
 */
export function expect429(response: LightMyRequestResponse, code: string): number {
  expect({ status: response.statusCode, code: json(response).code }, response.body).toEqual({ status: 429, code });
  expect(response.headers['content-type']).toMatch(PROBLEM_CONTENT_TYPE);
  const header = response.headers['retry-after'];
  expect(header, `Retry-After of ${response.body}`).toMatch(/^\d+$/);
  const seconds = Number(header);
  const detail = json(response).detail as string;
  if (code === 'OTP_ATTEMPTS_EXCEEDED') {
    expect(seconds).toBe(0);
    expect(detail).toMatch(/sign in again/i);
    return seconds;
  }
  expect(seconds).toBeGreaterThanOrEqual(1);
  const words = /Try again in (\d+) (second|seconds|minute|minutes)\.$/.exec(detail);
  expect(words, `detail "${detail}"`).not.toBeNull();
  const amount = Number(words![1]);
  if (seconds < 60) expect({ amount, unit: words![2] }).toEqual({ amount: seconds, unit: seconds === 1 ? 'second' : 'seconds' });
  else expect(amount).toBe(Math.ceil(seconds / 60));
  return seconds;
}

/** How many OTP_SENT audit events the app wrote (sends attempted at the provider that went through). */
export async function codesSent(t: TestApp, userId?: string): Promise<number> {
  const [row] = await t.database.query<{ n: number | string }>(
    userId === undefined
      ? sql`select count(*) as n from audit_events where type = 'OTP_SENT'`
      : sql`select count(*) as n from audit_events where type = 'OTP_SENT' and user_id = ${userId}`,
  );
  return Number(row!.n);
}

export type { AuditRow } from '../helpers/audit.js';

export const auditOfType = (t: TestApp, type: string) => auditRows(t, type);

/** Limits high enough to stay out of the way of a suite about another limit. */
export const ROOMY = {
  LIMIT_LOGIN_PER_IP: '100000/1m',
  LIMIT_OTP_PER_PHONE: '100000/1m',
  LIMIT_OTP_PER_IP: '100000/1m',
  LIMIT_REQUESTS_PER_IP: '100000/1m',
} as const;
