// GET /api/rbac/audit: newest first, filtered by type and by the user an
// event is about, paged by an opaque cursor; each item has exactly the
// fields of API.md.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, postJson, type TestApp } from '../helpers/app.js';
import { createPortalApp, makeCast, send, type Cast } from './support.js';

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
  await postJson(t.app, '/api/auth/login', { email: 'nobody@example.test', password: 'wrong password' });
  await postJson(t.app, '/api/auth/login', { email: cast.staff.email, password: 'wrong password' });
});
afterAll(async () => t?.close());

const audit = async (query: string) => {
  const response = await send(t.app, 'GET', `/api/rbac/audit${query}`, { headers: cast.admin.headers });
  expect(response.statusCode, response.body).toBe(200);
  return json(response);
};

describe('GET /api/rbac/audit', () => {
  it('answers the newest events first, 50 by default, each with exactly the contract\'s fields', async () => {
    const body = await audit('');
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.length).toBeLessThanOrEqual(50);
    for (const item of body.items) expect(Object.keys(item).sort()).toEqual(['actorId', 'at', 'detail', 'id', 'ip', 'type', 'userId']);
    const times = body.items.map((item: { at: string }) => item.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(body.items[0].type).toBe('LOGIN_FAILED');
  });

  it('filters by type, and a failed login of an unknown email has userId null and actorId null', async () => {
    const body = await audit('?type=LOGIN_FAILED');
    expect(body.items.every((item: { type: string }) => item.type === 'LOGIN_FAILED')).toBe(true);
    expect(body.items.some((item: { userId: string | null; actorId: string | null }) => item.userId === null && item.actorId === null)).toBe(true);
  });

  it('filters by the user an event is about', async () => {
    const body = await audit(`?userId=${cast.staff.id}`);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((item: { userId: string }) => item.userId === cast.staff.id)).toBe(true);
    expect(body.items.map((item: { type: string }) => item.type)).toEqual(expect.arrayContaining(['USER_CREATED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED']));
  });

  it('walks every event exactly once with the cursor', async () => {
    const all = await audit('?limit=200');
    expect(all.nextCursor).toBeNull();
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const body: Record<string, any> = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...body.items.map((item: { id: string }) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.items.map((item: { id: string }) => item.id));
  });

  it('never holds a password, a code or a token', async () => {
    const body = JSON.stringify((await audit('?limit=200')).items);
    for (const secret of [cast.staff.password, 'wrong password', cast.staff.accessToken, cast.staff.refreshToken, '123456']) expect(body).not.toContain(secret);
  });
});
