// Helpers of the account-lifecycle suites: sign-ins that say which browser
// they come from, and calls of the account routes.

import type { LightMyRequestResponse } from 'fastify';
import { json, loginStep, postJson, type TestApp } from '../helpers/app.js';

export interface Session {
  accessToken: string;
  refreshToken: string;
  userId: string;
  headers: { authorization: string };
}

/** The whole sign-in (console provider's code), the verify step sent with this User-Agent and address. */
export async function signInFrom(t: TestApp, user: { email: string; password: string }, userAgent = 'TestBrowser/1.0', ip = '127.0.0.1'): Promise<Session> {
  const tempToken = await loginStep(t.app, user.email, user.password);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/auth/otp/verify',
    payload: { tempToken, code: '123456' },
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    remoteAddress: ip,
  });
  if (response.statusCode !== 200) throw new Error(`verify failed: ${response.statusCode} ${response.body}`);
  const body = json(response);
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, userId: body.user.id, headers: { authorization: `Bearer ${body.accessToken}` } };
}

export function call(t: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, session?: Session, body?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as object }),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(session?.headers ?? {}) },
  });
}

export const changePassword = (t: TestApp, session: Session, currentPassword: string, newPassword: string) =>
  call(t, 'POST', '/api/auth/password', session, { currentPassword, newPassword });

export const setPassword = (t: TestApp, token: string, password: string, ip?: string) =>
  ip === undefined
    ? postJson(t.app, '/api/auth/password/setup', { token, password })
    : t.app.inject({ method: 'POST', url: '/api/auth/password/setup', payload: { token, password }, headers: { 'content-type': 'application/json' }, remoteAddress: ip });

/** 200 from /me: the access token's session is live. */
export async function isLive(t: TestApp, session: Session): Promise<boolean> {
  const response = await call(t, 'GET', '/api/auth/me', session);
  if (response.statusCode !== 200 && response.statusCode !== 401) throw new Error(`unexpected /me answer ${response.statusCode}`);
  return response.statusCode === 200;
}

