// Issue #9.2 and #9.7: input that PostgreSQL cannot store (U+0000) is refused
// at its JSON-Pointer path before it reaches the database, wherever it comes
// (body, query, path parameter), and a failed statement is logged by its
// SQLSTATE, never with its parameters. Ids in paths compare as UUIDs
// whatever their case, so the self-change rule cannot be side-stepped.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { installErrorHandling } from '../../src/http/error-handler.js';
import { loggerOptions } from '../../src/logging.js';
import { users } from '../../src/db/schema.js';
import type { TestApp } from '../helpers/app.js';
import { applicationBody, createApplicationAs, createPortalApp, expectProblem, makeCast, send, snapshotDatabase, type Cast } from '../portal/support.js';

const NUL = '\u0000';

describe('U+0000 is refused at its path (issue #9.2)', () => {
  let t: TestApp;
  let cast: Cast;
  let application: Record<string, any>;
  beforeAll(async () => {
    t = await createPortalApp();
    cast = await makeCast(t);
    application = await createApplicationAs(t, cast.staff);
  });
  afterAll(async () => t.close());

  const cases: Array<[string, () => { method: 'GET' | 'POST' | 'PATCH'; url: string; body?: unknown; headers?: Record<string, string> }, string]> = [
    ['the public intake, unauthenticated', () => ({ method: 'POST', url: '/api/public/applications', body: applicationBody({ businessName: `Evil${NUL}Co` }) }), '/businessName'],
    ['a staff application', () => ({ method: 'POST', url: '/api/applications', body: applicationBody({ contactName: `Ada${NUL}` }), headers: cast.staff.headers }), '/contactName'],
    ['a search query', () => ({ method: 'GET', url: '/api/applications?q=%00', headers: cast.staff.headers }), '/q'],
    ['a note', () => ({ method: 'PATCH', url: `/api/applications/${application.id}`, body: { note: `a${NUL}b` }, headers: cast.staff.headers }), '/note'],
    ['a lender name', () => ({ method: 'POST', url: '/api/rbac/lenders', body: { name: `Bank${NUL}` }, headers: cast.admin.headers }), '/name'],
    ['a new user name', () => ({ method: 'POST', url: '/api/rbac/users', body: { email: 'nul@example.test', name: `N${NUL}`, password: 'spruce needles fall', roles: ['staff'] }, headers: cast.admin.headers }), '/name'],
    ['a user name change', () => ({ method: 'PATCH', url: `/api/rbac/users/${cast.staff.id}`, body: { name: `N${NUL}` }, headers: cast.admin.headers }), '/name'],
    ['a path parameter', () => ({ method: 'GET', url: '/api/applications/%00', headers: cast.staff.headers }), '/id'],
    ['an email at sign-in', () => ({ method: 'POST', url: '/api/auth/login', body: { email: `a${NUL}@example.test`, password: 'x' } }), '/email'],
    ['an object key', () => ({ method: 'POST', url: '/api/public/applications', body: { ...applicationBody(), [`x${NUL}`]: 1 } }), `/x${NUL}`],
  ];

  it.each(cases)('%s: 400 VALIDATION_FAILED at its path, nothing written, nothing logged of it', async (_name, request, path) => {
    const before = await snapshotDatabase(t);
    const logsBefore = t.logs.length;
    const { method, url, body, headers } = request();
    const response = await send(t.app, method, url, { body, headers });
    const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toContainEqual({ path, message: expect.stringMatching(/U\+0000/) });
    expect(await snapshotDatabase(t)).toEqual(before);
    const newLogs = t.logs.slice(logsBefore).join('\n');
    expect(newLogs).not.toMatch(/Failed query|params:|\$argon2/);
    expect(newLogs).not.toContain('ada@example.test');
  });
});

describe('a failed statement is logged by its SQLSTATE, never with its parameters (issue #9.2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createPortalApp();
  });
  afterAll(async () => t.close());

  it('logs SQLSTATE, table and constraint; not the query, not a parameter, not a hash', async () => {
    const [admin] = await t.services.db.select().from(users).limit(1);
    // A real driver error (pg or PGlite, through Drizzle) whose message holds every parameter.
    const failure = await t.services.db
      .insert(users)
      .values({ email: admin!.email, name: 'Duplicate', passwordHash: admin!.passwordHash })
      .then(() => undefined, (error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure!.message)).toContain(admin!.passwordHash!); // what must never be logged

    const lines: string[] = [];
    const logger = pino(loggerOptions('info') as pino.LoggerOptions, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger });
    installErrorHandling(app);
    app.get('/boom', async () => { throw failure; });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();

    expectProblem(response, 500, 'INTERNAL_ERROR');
    expect(response.body).not.toContain(admin!.email);
    const log = lines.join('\n');
    expect(log).toContain('23505');
    expect(log).toMatch(/users/);
    expect(log).not.toContain(admin!.passwordHash!);
    expect(log).not.toContain(admin!.email);
    expect(log).not.toMatch(/insert into|Failed query|params/i);
  });

  it('an unforeseen non-database error is still logged with its stack', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger });
    installErrorHandling(app);
    app.get('/boom', async () => { throw new TypeError('cannot read x of undefined'); });
    expectProblem(await app.inject({ method: 'GET', url: '/boom' }), 500, 'INTERNAL_ERROR');
    await app.close();
    expect(lines.join('\n')).toContain('cannot read x of undefined');
  });

  it('the database still answers after refused input (no poisoned connection)', async () => {
    const rows = await t.database.query<{ one: number }>(sql`select 1 as one`);
    expect(rows[0]!.one).toBe(1);
  });
});

describe('ids in paths compare as UUIDs whatever their case (issue #9.7)', () => {
  let t: TestApp;
  let cast: Cast;
  beforeAll(async () => {
    t = await createPortalApp();
    cast = await makeCast(t);
  });
  afterAll(async () => t.close());

  it('an admin cannot change their own roles through their id in capitals: 403 FORBIDDEN, roles unchanged', async () => {
    const own = cast.admin.id.toUpperCase();
    expect(own).not.toBe(cast.admin.id);
    const before = await snapshotDatabase(t);
    expectProblem(await send(t.app, 'PATCH', `/api/rbac/users/${own}`, { headers: cast.admin.headers, body: { roles: ['staff'] } }), 403, 'FORBIDDEN');
    expectProblem(await send(t.app, 'PATCH', `/api/rbac/users/${own}`, { headers: cast.admin.headers, body: { disabled: true } }), 403, 'FORBIDDEN');
    expect(await snapshotDatabase(t)).toEqual(before);
    const me = await send(t.app, 'GET', '/api/auth/me', { headers: cast.admin.headers });
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body).user.roles).toContain('admin');
  });

  it('an application is found by its id in capitals, with its id in lower case', async () => {
    const application = await createApplicationAs(t, cast.staff);
    const response = await send(t.app, 'GET', `/api/applications/${String(application.id).toUpperCase()}`, { headers: cast.staff.headers });
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body).id).toBe(application.id);
    const history = await send(t.app, 'GET', `/api/applications/${String(application.id).toUpperCase()}/history`, { headers: cast.staff.headers });
    expect(history.statusCode).toBe(200);
  });

  it('a lender still sees nothing of another lender’s application by its id in capitals', async () => {
    const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
    const upper = String(application.id).toUpperCase();
    expectProblem(await send(t.app, 'GET', `/api/applications/${upper}`, { headers: cast.lenderB.headers }), 404, 'NOT_FOUND');
    expect((await send(t.app, 'GET', `/api/applications/${upper}`, { headers: cast.lenderA.headers })).statusCode).toBe(200);
  });
});

describe('URLs the router refuses are problem documents too (found by test/fuzz)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createPortalApp({ seed: false });
  });
  afterAll(async () => t.close());

  it('a path that is not valid percent-encoding: 400 VALIDATION_FAILED, with the /api headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/applications/%E0%A4%A' });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expectProblem(await t.app.inject({ method: 'HEAD', url: '/docs/static/%E0%A4%A' }), 400, 'VALIDATION_FAILED');
  });

  it('a path parameter longer than any id: 404 NOT_FOUND', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: `/api/applications/${'x'.repeat(500)}` }), 404, 'NOT_FOUND');
  });
});
