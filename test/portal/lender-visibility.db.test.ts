// Object-level access: a lender user sees only the applications routed to
// its own lender, by list, by id and by history; every other application is
// 404 to it, exactly like one that does not exist (never 403).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type TestApp } from '../helpers/app.js';
import { createApplicationAs, createPortalApp, expectProblem, makeCast, makeUser, send, type Cast } from './support.js';

let t: TestApp;
let cast: Cast;
let ofA: Record<string, any>[];
let ofB: Record<string, any>;
let unrouted: Record<string, any>;

beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
  ofA = [await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id }), await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id })];
  ofB = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.b.id });
  unrouted = await createApplicationAs(t, cast.staff);
});
afterAll(async () => t?.close());

const listAll = async (headers: Record<string, string>, query = '') => {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const response = await send(t.app, 'GET', `/api/applications?limit=1${query}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    expect(response.statusCode).toBe(200);
    const body = json(response);
    ids.push(...body.items.map((item: { id: string }) => item.id));
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
};

describe('a lender user', () => {
  it('lists only its lender\'s applications, on every page and with every filter', async () => {
    expect((await listAll(cast.lenderA.headers)).sort()).toEqual(ofA.map((item) => item.id).sort());
    expect(await listAll(cast.lenderB.headers)).toEqual([ofB.id]);
    expect((await listAll(cast.lenderA.headers, '&status=submitted')).sort()).toEqual(ofA.map((item) => item.id).sort());
    expect(await listAll(cast.lenderA.headers, `&q=${encodeURIComponent(ofB.businessName)}`)).toEqual([]);
  });

  it('reads its own application and its history', async () => {
    expect(json(await send(t.app, 'GET', `/api/applications/${ofA[0]!.id}`, { headers: cast.lenderA.headers }))).toEqual(ofA[0]);
    expect((await send(t.app, 'GET', `/api/applications/${ofA[0]!.id}/history`, { headers: cast.lenderA.headers })).statusCode).toBe(200);
  });

  it.each([
    ['another lender\'s', () => ofB.id],
    ['an unrouted', () => unrouted.id],
  ])('meets %s application as 404 NOT_FOUND, by id and by history, the same as a missing one', async (_label, id) => {
    const missing = await send(t.app, 'GET', '/api/applications/00000000-0000-4000-8000-000000000000', { headers: cast.lenderA.headers });
    const byId = await send(t.app, 'GET', `/api/applications/${id()}`, { headers: cast.lenderA.headers });
    const history = await send(t.app, 'GET', `/api/applications/${id()}/history`, { headers: cast.lenderA.headers });
    expectProblem(byId, 404, 'NOT_FOUND');
    expectProblem(history, 404, 'NOT_FOUND');
    expect(byId.body).toBe(missing.body);
  });

  it('cannot change applications (403: it lacks applications:write, whatever the application)', async () => {
    expectProblem(await send(t.app, 'PATCH', `/api/applications/${ofA[0]!.id}`, { headers: cast.lenderA.headers, body: { status: 'in_review' } }), 403, 'FORBIDDEN');
  });

  it('loses sight of an application routed elsewhere at once', async () => {
    const moving = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
    expect((await send(t.app, 'GET', `/api/applications/${moving.id}`, { headers: cast.lenderA.headers })).statusCode).toBe(200);
    await send(t.app, 'PATCH', `/api/applications/${moving.id}`, { headers: cast.staff.headers, body: { lenderId: cast.lenders.b.id } });
    expectProblem(await send(t.app, 'GET', `/api/applications/${moving.id}`, { headers: cast.lenderA.headers }), 404, 'NOT_FOUND');
    expect((await send(t.app, 'GET', `/api/applications/${moving.id}`, { headers: cast.lenderB.headers })).statusCode).toBe(200);
  });
});

describe('staff and admins', () => {
  it('see every application', async () => {
    for (const user of [cast.staff, cast.admin]) {
      const ids = await listAll(user.headers);
      for (const id of [...ofA.map((item) => item.id), ofB.id, unrouted.id]) expect(ids).toContain(id);
    }
  });

  it('a user who is both lender and staff is not limited: applications:write sees everything', async () => {
    const both = await makeUser(t, ['staff', 'lender'], cast.lenders.a.id);
    expect((await send(t.app, 'GET', `/api/applications/${ofB.id}`, { headers: both.headers })).statusCode).toBe(200);
  });
});
