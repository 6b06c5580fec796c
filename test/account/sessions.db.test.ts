// Sessions a user can see and end, and an admin's view of them (API.md "Your
// account", admin routes). Every revocation takes effect at once for the
// access tokens: they are checked against the live session.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, json, postJson, signIn, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, auditRows, createUser, expectProblem } from '../auth/support.js';
import { call, isLive, signInFrom, type Session } from './support.js';

describe('GET /api/auth/sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, SESSION_IDLE_TTL: '30m', SESSION_MAX_TTL: '12h' } });
  });
  afterAll(async () => t.close());

  it('lists the live sessions newest first, with where the verify step came from, and marks the current one', async () => {
    const user = await createUser(t);
    const first = await signInFrom(t, user, 'FirstBrowser/1', '192.0.2.10');
    t.clock.advanceSeconds(5);
    const second = await signInFrom(t, user, 'SecondBrowser/2', '192.0.2.20');
    await signInFrom(t, await createUser(t)); // another user's: not listed
    const response = await call(t, 'GET', '/api/auth/sessions', first);
    expect(response.statusCode).toBe(200);
    const { items } = json(response);
    const createdSecond = t.clock.now();
    expect(items).toEqual([
      {
        id: JSON.parse(Buffer.from(second.accessToken.split('.')[1]!, 'base64url').toString()).sid,
        createdAt: createdSecond.toISOString(),
        lastUsedAt: null,
        expiresAt: new Date(createdSecond.getTime() + 30 * 60 * 1000).toISOString(),
        ip: '192.0.2.20',
        userAgent: 'SecondBrowser/2',
        amr: ['pwd', 'sms'],
        current: false,
      },
      expect.objectContaining({ ip: '192.0.2.10', userAgent: 'FirstBrowser/1', current: true }),
    ]);
  });

  it('a refresh shows in lastUsedAt and moves expiresAt; revoked sessions are not listed', async () => {
    const user = await createUser(t);
    const session = await signInFrom(t, user);
    const ended = await signInFrom(t, user);
    await call(t, 'POST', '/api/auth/logout', ended);
    t.clock.advanceSeconds(60);
    const refreshed = json(await postJson(t.app, '/api/auth/refresh', { refreshToken: session.refreshToken }));
    const current = { ...session, headers: { authorization: `Bearer ${refreshed.accessToken}` } };
    const { items } = json(await call(t, 'GET', '/api/auth/sessions', current));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ lastUsedAt: t.clock.now().toISOString(), expiresAt: new Date(t.clock.now().getTime() + 30 * 60 * 1000).toISOString(), current: true });
  });
});

describe('DELETE /api/auth/sessions/:id and /api/auth/sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  const sidOf = (session: Session) => JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()).sid as string;

  it('ends one session at once (204): its access and refresh tokens stop working, the others go on; audited SESSION_REVOKED', async () => {
    const user = await createUser(t);
    const mine = await signInFrom(t, user);
    const other = await signInFrom(t, user);
    const response = await call(t, 'DELETE', `/api/auth/sessions/${sidOf(other).toUpperCase()}`, mine);
    expect(response.statusCode).toBe(204);
    expect(await isLive(t, other)).toBe(false);
    expect((await postJson(t.app, '/api/auth/refresh', { refreshToken: other.refreshToken })).statusCode).toBe(401);
    expect(await isLive(t, mine)).toBe(true);
    const events = (await auditRows(t, 'SESSION_REVOKED')).filter((event) => event.user_id === user.id);
    expect(events).toEqual([expect.objectContaining({ actor_id: user.id, detail: expect.objectContaining({ sessionId: sidOf(other) }) })]);
  });

  it('answers 404 NOT_FOUND for another user\'s session, an unknown id or a malformed one, and ends nothing', async () => {
    const user = await createUser(t);
    const mine = await signInFrom(t, user);
    const stranger = await signInFrom(t, await createUser(t));
    for (const id of [sidOf(stranger), '00000000-0000-4000-8000-000000000000', 'nope']) {
      expectProblem(await call(t, 'DELETE', `/api/auth/sessions/${id}`, mine), 404, 'NOT_FOUND');
    }
    expect(await isLive(t, stranger)).toBe(true);
  });

  it('an already ended session answers 404', async () => {
    const user = await createUser(t);
    const mine = await signInFrom(t, user);
    const other = await signInFrom(t, user);
    expect((await call(t, 'DELETE', `/api/auth/sessions/${sidOf(other)}`, mine)).statusCode).toBe(204);
    expectProblem(await call(t, 'DELETE', `/api/auth/sessions/${sidOf(other)}`, mine), 404, 'NOT_FOUND');
  });

  it('ending the current session by id signs it out', async () => {
    const user = await createUser(t);
    const mine = await signInFrom(t, user);
    expect((await call(t, 'DELETE', `/api/auth/sessions/${sidOf(mine)}`, mine)).statusCode).toBe(204);
    expect(await isLive(t, mine)).toBe(false);
  });

  it('sign out everywhere ends every session of the user, this one included, and no one else\'s; audited with detail.count', async () => {
    const user = await createUser(t);
    const sessions = [await signInFrom(t, user), await signInFrom(t, user), await signInFrom(t, user)];
    const bystander = await signInFrom(t, await createUser(t));
    expect((await call(t, 'DELETE', '/api/auth/sessions', sessions[0])).statusCode).toBe(204);
    for (const session of sessions) expect(await isLive(t, session)).toBe(false);
    expect(await isLive(t, bystander)).toBe(true);
    const events = (await auditRows(t, 'SESSION_REVOKED')).filter((event) => event.user_id === user.id);
    expect(events).toEqual([expect.objectContaining({ actor_id: user.id, detail: expect.objectContaining({ count: 3 }) })]);
  });

  it('needs a token: 401 AUTHENTICATION_REQUIRED', async () => {
    expectProblem(await call(t, 'GET', '/api/auth/sessions'), 401, 'AUTHENTICATION_REQUIRED');
    expectProblem(await call(t, 'DELETE', '/api/auth/sessions'), 401, 'AUTHENTICATION_REQUIRED');
  });
});

describe('admin: GET and DELETE /api/rbac/users/:id/sessions', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    const tokens = await signIn(t.app);
    admin = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, userId: tokens.user.id, headers: { authorization: `Bearer ${tokens.accessToken}` } };
  });
  afterAll(async () => t.close());

  it('lists a user\'s live sessions without `current`', async () => {
    const user = await createUser(t);
    await signInFrom(t, user, 'Phone/1', '192.0.2.77');
    const response = await call(t, 'GET', `/api/rbac/users/${user.id}/sessions`, admin);
    expect(response.statusCode).toBe(200);
    const { items } = json(response);
    expect(items).toEqual([expect.objectContaining({ ip: '192.0.2.77', userAgent: 'Phone/1', amr: ['pwd', 'sms'] })]);
    expect(items[0]).not.toHaveProperty('current');
  });

  it('ends every session of the user at once (204), audited SESSION_REVOKED by the admin', async () => {
    const user = await createUser(t);
    const sessions = [await signInFrom(t, user), await signInFrom(t, user)];
    expect((await call(t, 'DELETE', `/api/rbac/users/${user.id}/sessions`, admin)).statusCode).toBe(204);
    for (const session of sessions) expect(await isLive(t, session)).toBe(false);
    expect(json(await call(t, 'GET', `/api/rbac/users/${user.id}/sessions`, admin)).items).toEqual([]);
    expect(await isLive(t, admin)).toBe(true);
    const events = (await auditRows(t, 'SESSION_REVOKED')).filter((event) => event.user_id === user.id);
    expect(events).toEqual([expect.objectContaining({ actor_id: admin.userId, detail: expect.objectContaining({ count: 2 }) })]);
  });

  it('answers 404 NOT_FOUND for an unknown user', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      expectProblem(await call(t, method, '/api/rbac/users/00000000-0000-4000-8000-000000000000/sessions', admin), 404, 'NOT_FOUND');
      expectProblem(await call(t, method, '/api/rbac/users/zzz/sessions', admin), 404, 'NOT_FOUND');
    }
  });

  it('is for users:manage only: staff get 403 FORBIDDEN', async () => {
    const staff = await signInFrom(t, await createUser(t, { roles: ['staff'] }));
    const user = await createUser(t);
    expectProblem(await call(t, 'GET', `/api/rbac/users/${user.id}/sessions`, staff), 403, 'FORBIDDEN');
    expectProblem(await call(t, 'DELETE', `/api/rbac/users/${user.id}/sessions`, staff), 403, 'FORBIDDEN');
    expectProblem(await call(t, 'POST', `/api/rbac/users/${user.id}/password-setup`, staff), 403, 'FORBIDDEN');
  });
});
