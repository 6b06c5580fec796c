// User administration: creation rules (password policy, phone, roles, lender),
// changes that end sessions, the rule that nobody changes their own roles,
// the audit trail without secrets, and lenders.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { json, postJson, type TestApp } from '../helpers/app.js';
import { createPortalApp, expectProblem, makeCast, makeUser, send, signInAs, type Cast } from './support.js';

let t: TestApp;
let cast: Cast;
let serial = 0;
beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
});
afterAll(async () => t?.close());

const newUserBody = (overrides: Record<string, unknown> = {}) => {
  serial += 1;
  return { email: `New.Person${serial}@Example.test`, name: `New Person ${serial}`, password: 'lichen on granite', roles: ['staff'], phone: `+1 613 555 ${3000 + serial}`, ...overrides };
};
const createViaApi = (body: unknown) => send(t.app, 'POST', '/api/rbac/users', { headers: cast.admin.headers, body });
const patchUser = (id: string, body: unknown, headers = cast.admin.headers) => send(t.app, 'PATCH', `/api/rbac/users/${id}`, { headers, body });

describe('POST /api/rbac/users', () => {
  it('creates the user (201), normalising email and phone, never showing a hash, and the user can sign in', async () => {
    const body = newUserBody();
    const response = await createViaApi(body);
    expect(response.statusCode).toBe(201);
    const user = json(response);
    expect(user).toEqual({
      id: expect.any(String),
      email: body.email.toLowerCase(),
      name: body.name,
      phone: `+1613555${3000 + serial}`,
      roles: ['staff'],
      lenderId: null,
      disabled: false,
      createdAt: t.clock.now().toISOString(),
      totp: false,
    });
    expect(response.body).not.toMatch(/argon2|hash/i);
    const signedIn = await signInAs(t, body.email, body.password);
    expect(signedIn.id).toBe(user.id);
  });

  it('records USER_CREATED by the admin, without the password or its hash', async () => {
    const body = newUserBody();
    const user = json(await createViaApi(body));
    const [event] = await t.services.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(event).toMatchObject({ type: 'USER_CREATED', userId: user.id, actorId: cast.admin.id, ip: '127.0.0.1' });
    expect(JSON.stringify(event)).not.toContain(body.password);
    expect(JSON.stringify(event)).not.toMatch(/argon2|hash/i);
  });

  it('answers 409 CONFLICT for a taken email, whatever its case', async () => {
    const body = newUserBody();
    expect((await createViaApi(body)).statusCode).toBe(201);
    expectProblem(await createViaApi({ ...body, email: body.email.toUpperCase() }), 409, 'CONFLICT');
  });

  it('refuses a common password with a clear message at /password', async () => {
    const problem = expectProblem(await createViaApi(newUserBody({ password: 'Password123' })), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([{ path: '/password', message: expect.stringMatching(/too common/) }]);
  });

  it('creates a lender user with its lender', async () => {
    const response = await createViaApi(newUserBody({ roles: ['lender'], lenderId: cast.lenders.a.id }));
    expect(json(response)).toMatchObject({ roles: ['lender'], lenderId: cast.lenders.a.id });
  });
});

describe('createUser, the function the CLI calls', () => {
  const input = () => {
    serial += 1;
    return { email: `cli${serial}@example.test`, name: 'From the CLI', password: 'tundra wind chill', roles: ['staff' as const], phone: null };
  };
  const failure = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as AppError);

  it('creates a user with a null actor and records it', async () => {
    const user = await t.services.userAdmin.createUser(input(), { actorId: null, ip: null });
    expect(user).toMatchObject({ roles: ['staff'], phone: null, disabled: false });
    const [event] = await t.services.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    expect(event).toMatchObject({ type: 'USER_CREATED', actorId: null, ip: null });
  });

  it.each([
    [{ password: 'short' }, '/password'],
    [{ password: 'iloveyou' }, '/password'],
    [{ email: 'not an email' }, '/email'],
    [{ name: '   ' }, '/name'],
    [{ phone: '12' }, '/phone'],
    [{ roles: ['owner'] }, '/roles/0'],
    [{ roles: ['lender'] }, '/lenderId'],
    [{ roles: ['lender'], lenderId: '00000000-0000-4000-8000-000000000000' }, '/lenderId'],
    [{ lenderId: 'nope' }, '/lenderId'],
  ])('refuses %j with VALIDATION_FAILED at %s', async (overrides, path) => {
    const error = await failure(t.services.userAdmin.createUser({ ...input(), ...(overrides as object) }, { actorId: null, ip: null }));
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.errors?.map((field) => field.path)).toEqual([path]);
  });

  it('answers CONFLICT for a taken email, also when two creations race', async () => {
    const same = input();
    const results = await Promise.allSettled([t.services.userAdmin.createUser(same, { actorId: null, ip: null }), t.services.userAdmin.createUser(same, { actorId: null, ip: null })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as AppError).code).toBe('CONFLICT');
  });
});

describe('PATCH /api/rbac/users/:id', () => {
  it('changes the name and removes the phone with null, answering the whole user', async () => {
    const user = await makeUser(t, ['staff']);
    const response = await patchUser(user.id, { name: 'Renamed Person', phone: null });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ id: user.id, name: 'Renamed Person', phone: null, roles: ['staff'], disabled: false });
    const [event] = await t.services.db.select().from(auditEvents).where(eq(auditEvents.type, 'USER_UPDATED')).then((rows) => rows.filter((row) => row.userId === user.id));
    expect(event).toMatchObject({ actorId: cast.admin.id, detail: { changes: { name: { to: 'Renamed Person' }, phone: { to: null } } } });
  });

  it('a role change revokes every session of that user at once', async () => {
    const user = await makeUser(t, ['staff']);
    const second = await signInAs(t, user.email, user.password);
    expect((await send(t.app, 'GET', '/api/auth/me', { headers: user.headers })).statusCode).toBe(200);

    const response = await patchUser(user.id, { roles: ['lender'], lenderId: cast.lenders.b.id });
    expect(json(response)).toMatchObject({ roles: ['lender'], lenderId: cast.lenders.b.id });

    for (const session of [user, second]) {
      expectProblem(await send(t.app, 'GET', '/api/auth/me', { headers: session.headers }), 401, 'INVALID_TOKEN');
      expectProblem(await postJson(t.app, '/api/auth/refresh', { refreshToken: session.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    }
    const again = await signInAs(t, user.email, user.password);
    expect(json(await send(t.app, 'GET', '/api/auth/me', { headers: again.headers })).user).toMatchObject({ roles: ['lender'], permissions: ['applications:read'] });
  });

  it('disabling revokes the sessions and the user can no longer sign in', async () => {
    const user = await makeUser(t, ['staff']);
    expect(json(await patchUser(user.id, { disabled: true })).disabled).toBe(true);
    expectProblem(await send(t.app, 'GET', '/api/auth/me', { headers: user.headers }), 401, 'INVALID_TOKEN');
    expectProblem(await postJson(t.app, '/api/auth/login', { email: user.email, password: user.password }), 401, 'INVALID_CREDENTIALS');
  });

  it('a change of name alone leaves the sessions alone', async () => {
    const user = await makeUser(t, ['staff']);
    await patchUser(user.id, { name: 'Still Signed In' });
    expect((await send(t.app, 'GET', '/api/auth/me', { headers: user.headers })).statusCode).toBe(200);
  });

  it('nobody changes their own roles (403 FORBIDDEN), nor disables themselves', async () => {
    expectProblem(await patchUser(cast.admin.id, { roles: ['admin', 'staff'] }), 403, 'FORBIDDEN');
    expectProblem(await patchUser(cast.admin.id, { disabled: true }), 403, 'FORBIDDEN');
    expect((await send(t.app, 'GET', '/api/auth/me', { headers: cast.admin.headers })).statusCode).toBe(200);
  });

  it('the role lender needs a lender: VALIDATION_FAILED at /lenderId', async () => {
    const user = await makeUser(t, ['staff']);
    const problem = expectProblem(await patchUser(user.id, { roles: ['lender'] }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([{ path: '/lenderId', message: expect.any(String) }]);
    const lender = await makeUser(t, ['lender'], cast.lenders.a.id);
    expectProblem(await patchUser(lender.id, { lenderId: null }), 400, 'VALIDATION_FAILED');
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('answers 404 NOT_FOUND for the id %j', async (id) => {
    expectProblem(await patchUser(id, { name: 'Nobody' }), 404, 'NOT_FOUND');
  });
});

describe('GET /api/rbac/users', () => {
  it('walks every user, newest first, page by page', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const body: Record<string, any> = json(await send(t.app, 'GET', `/api/rbac/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: cast.admin.headers }));
      expect(body.items.length).toBeLessThanOrEqual(3);
      ids.push(...body.items.map((item: { id: string }) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(cast.admin.id);
    expect(ids.at(-1)).toBe(cast.admin.id);
    expect(ids.indexOf(cast.lenderB.id)).toBeLessThan(ids.indexOf(cast.lenderA.id));
  });
});

describe('lenders', () => {
  it('an admin creates one (201) and staff can list them', async () => {
    const response = await send(t.app, 'POST', '/api/rbac/lenders', { headers: cast.admin.headers, body: { name: '  Aurora Capital  ' } });
    expect(response.statusCode).toBe(201);
    expect(json(response)).toEqual({ id: expect.any(String), name: 'Aurora Capital' });
    const list = json(await send(t.app, 'GET', '/api/rbac/lenders', { headers: cast.staff.headers }));
    expect(list.items).toContainEqual(json(response));
  });

  it('a taken name, in any case, is 409 CONFLICT', async () => {
    expectProblem(await send(t.app, 'POST', '/api/rbac/lenders', { headers: cast.admin.headers, body: { name: cast.lenders.a.name.toUpperCase() } }), 409, 'CONFLICT');
  });
});
