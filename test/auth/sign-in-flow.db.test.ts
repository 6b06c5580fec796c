import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, bearer, createTestApp, json, loginStep, postJson, signIn, type TestApp } from '../helpers/app.js';

describe('the whole sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('password, then the console code, then /me with the access token', async () => {
    const login = await postJson(t.app, '/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
    expect(login.statusCode).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const body = json(login);
    expect(body).toMatchObject({ status: 'OTP_REQUIRED', expiresIn: 600, otp: { channel: 'sms', to: '+1 ••• ••• ••00', resendAfter: 30 } });
    expect(t.logs.join('')).toContain('DEV MODE: Your OTP code is: 123456');

    const verify = await postJson(t.app, '/api/auth/otp/verify', { tempToken: body.tempToken, code: '123456' });
    expect(verify.statusCode).toBe(200);
    expect(verify.headers['cache-control']).toBe('no-store');
    const tokens = json(verify);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 1800, user: { email: ADMIN.email, roles: ['admin'], lenderId: null } });
    expect(tokens.user.permissions).toContain('users:manage');

    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(tokens.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(json(me).user.id).toBe(tokens.user.id);
  });

  it('a temp token is single use: after success it is INVALID_TEMP_TOKEN', async () => {
    const tempToken = await loginStep(t.app);
    expect((await postJson(t.app, '/api/auth/otp/verify', { tempToken, code: '123456' })).statusCode).toBe(200);
    const again = await postJson(t.app, '/api/auth/otp/verify', { tempToken, code: '123456' });
    expect(again.statusCode).toBe(401);
    expect(json(again).code).toBe('INVALID_TEMP_TOKEN');
  });

  it('the email is matched case-insensitively', async () => {
    const tokens = await signIn(t.app, ADMIN.email.toUpperCase());
    expect(tokens.user.id).toBeTruthy();
  });
});
