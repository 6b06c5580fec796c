// Property-based fuzzing of EVERY route of the route table (issue #9 "What
// else it must deliver"). The requests are generated from the routes
// themselves (method, url, params, query and body schemas, captured as the
// app is built), so a new route is fuzzed without a line of test. For every
// request, with and without a valid token:
//   - no 5xx;
//   - every 4xx is a problem document of the catalogue (src/errors.ts);
//   - a refused request (400, 404, 405, 413, 415) leaves the database as it was;
// and over the whole run no log line holds a password, a token, a hash, a
// failed statement's parameters or the canary put in secret-looking fields.
//
// FUZZ_RUNS sets the number of requests (default 10,000 on PostgreSQL, 1,500
// on PGlite); FUZZ_SEED replays a run (the seed is printed at the start).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { ADMIN, type TestApp } from '../helpers/app.js';
import { PROBLEM_CONTENT_TYPE } from '../helpers/problems.js';
import { testDatabaseKind } from '../helpers/database.js';
import { captureRouteTable, routeKey, type CapturedRoute } from '../portal/route-table.js';
import { sql } from 'drizzle-orm';
import { createApplicationAs, createPortalApp, makeCast, signInAs, type Cast, type SignedInUser } from '../portal/support.js';
import { CANARY, bodyFor, pathFor, queryStringFor, type BodyVariant, type Fixtures } from './requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? (testDatabaseKind() === 'postgres' ? 10_000 : 1_500));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);

/** Answers that refuse input outright: they must write nothing at all. */
const REFUSALS = new Set([400, 404, 405, 413, 415]);
const METHODS_WITH_BODY = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Argon2 judges these bodies (a password field): fuzzed less often, so the run stays short. */
const judgesPassword = (route: CapturedRoute) => /password/i.test(JSON.stringify((route.schema?.body as { properties?: object } | undefined)?.properties ?? {}));

interface FuzzRequest {
  route: CapturedRoute;
  path: string;
  query: string;
  body: BodyVariant | undefined;
  who: 'none' | 'admin' | 'staff' | 'garbage';
}

/** Counters of the limits: a refused request may count (an attempt is an attempt); nothing else may change. */
const COUNTER_TABLES = ['rate_limit_counters', 'lockouts'];

/**
 * A statement-level trigger on every other table bumps one row, in the same
 * transaction as the write: reading that row is a cheap and complete answer
 * to "did anything change", where counting rows of each table would miss an
 * update and cost a scan per request.
 */
async function installWriteCounter(test: TestApp): Promise<void> {
  const tables = await test.database.query<{ name: string }>(sql`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '%migrations%'`);
  await test.database.query(sql.raw(`create table fuzz_writes (id int primary key, n bigint not null)`));
  await test.database.query(sql.raw(`insert into fuzz_writes values (1, 0)`));
  await test.database.query(sql.raw(`create function fuzz_count_write() returns trigger language plpgsql as $$ begin update fuzz_writes set n = n + 1 where id = 1; return null; end $$;`));
  for (const { name } of tables) {
    if (COUNTER_TABLES.includes(name)) continue;
    await test.database.query(sql.raw(`create trigger fuzz_count_write after insert or update or delete on "${name}" for each statement execute function fuzz_count_write();`));
  }
}

async function writesSoFar(test: TestApp): Promise<number> {
  const [row] = await test.database.query<{ n: string | number }>(sql`select n from fuzz_writes where id = 1`);
  return Number(row!.n);
}

let t: TestApp;
let routes: CapturedRoute[];
let cast: Cast;
let fixtures: Fixtures;
const issuedTokens: string[] = [];

beforeAll(async () => {
  console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (${testDatabaseKind()})`);
  const captured = await captureRouteTable(() =>
    createPortalApp({
      env: { LOCKOUT_PASSWORD: '1000000/1m', LOCKOUT_OTP: '1000000/1m', LOG_LEVEL: 'info' },
      // Argon2 at its cheapest: the same code path, without 19 MiB per judged password.
      overrides: { passwords: createPasswordHasher({ memoryCost: 1024, timeCost: 1 } as unknown as Parameters<typeof createPasswordHasher>[0]) },
    }),
  );
  t = captured.result;
  routes = captured.routes;
  await installWriteCounter(t);
  cast = await makeCast(t);
  const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
  fixtures = { ids: [application.id, cast.staff.id, cast.lenderA.id, cast.lenders.a.id, cast.lenders.b.id] };
  issuedTokens.push(...[cast.admin, cast.staff, cast.lenderA, cast.lenderB].flatMap((user) => [user.accessToken, user.refreshToken]));
}, 120_000);
afterAll(async () => t?.close());

async function refreshed(user: SignedInUser, email: string, password: string): Promise<SignedInUser> {
  try {
    const again = await signInAs(t, email, password);
    issuedTokens.push(again.accessToken, again.refreshToken);
    return again;
  } catch {
    return user; // e.g. the staff user was disabled by a fuzzed PATCH: keep going with the dead token
  }
}

function headersFor(who: FuzzRequest['who']): Record<string, string> {
  if (who === 'admin') return cast.admin.headers;
  if (who === 'staff') return cast.staff.headers;
  if (who === 'garbage') return { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' };
  return {};
}

async function send(request: FuzzRequest): Promise<LightMyRequestResponse> {
  const url = request.query === '' ? request.path : `${request.path}?${request.query}`;
  const headers: Record<string, string> = { ...headersFor(request.who) };
  let payload: string | undefined;
  if (request.body) {
    if (request.body.kind === 'json') {
      payload = JSON.stringify(request.body.value) ?? 'null';
      headers['content-type'] = request.body.contentType;
    } else {
      payload = request.body.payload;
      if (request.body.contentType) headers['content-type'] = request.body.contentType;
    }
  }
  return t.app.inject({ method: request.route.method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
}

function expectCatalogueProblem(response: LightMyRequestResponse, label: string): void {
  expect(response.statusCode, label).toBeLessThan(500);
  if (response.statusCode < 400) return;
  expect(response.headers['content-type'], label).toMatch(PROBLEM_CONTENT_TYPE);
  const body = JSON.parse(response.body) as { code: keyof typeof ERROR_CATALOGUE; status: number; type: string; detail: string };
  expect(Object.keys(ERROR_CATALOGUE), label).toContain(body.code);
  expect({ status: body.status, catalogue: ERROR_CATALOGUE[body.code]?.status }, label).toEqual({ status: response.statusCode, catalogue: response.statusCode });
  expect(body.type, label).toBe('about:blank');
  expect(body.detail.length, label).toBeGreaterThan(0);
}

describe('fuzzing every route of the route table', () => {
  it('the route table is the whole app: API, public, docs and web routes are all fuzzed', () => {
    const keys = routes.map(routeKey);
    expect(keys).toEqual(expect.arrayContaining(['POST /api/public/applications', 'PATCH /api/applications/:id', 'PATCH /api/rbac/users/:id', 'GET /api/health/ready']));
    expect(routes.length).toBeGreaterThan(30);
  });

  it(`no 5xx, only catalogue problems, refused input writes nothing, no secret in the logs (${RUNS} requests)`, async () => {
    const weighted = routes.map((route) => ({ weight: judgesPassword(route) ? 1 : 6, arbitrary: fc.constant(route) }));
    const request: fc.Arbitrary<FuzzRequest> = fc.oneof(...weighted).chain((route) =>
      fc.record({
        route: fc.constant(route),
        path: pathFor(route.url, fixtures),
        query: fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 3, arbitrary: queryStringFor(route.schema?.querystring as object | undefined, fixtures) }),
        body: METHODS_WITH_BODY.has(route.method) ? bodyFor(route.schema?.body as object | undefined, fixtures) : fc.constant(undefined),
        who: fc.constantFrom('none', 'admin', 'admin', 'staff', 'garbage'),
      }),
    );

    let snapshot: number | undefined;
    const statuses = new Map<number, number>();
    const routesSeen = new Set<string>();
    const timeByRoute = new Map<string, number>();
    let snapshotMs = 0;
    await fc.assert(
      fc.asyncProperty(request, async (fuzz) => {
        const snapshotStarted = performance.now();
        snapshot ??= await writesSoFar(t);
        snapshotMs += performance.now() - snapshotStarted;
        const started = performance.now();
        const response = await send(fuzz);
        const spent = timeByRoute.get(routeKey(fuzz.route)) ?? 0;
        timeByRoute.set(routeKey(fuzz.route), spent + performance.now() - started);
        const label = `${routeKey(fuzz.route)} as ${fuzz.who}: ${fuzz.route.method} ${fuzz.path}?${fuzz.query.slice(0, 200)} body ${JSON.stringify(fuzz.body)?.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        routesSeen.add(routeKey(fuzz.route));
        expectCatalogueProblem(response, label);
        if (REFUSALS.has(response.statusCode)) {
          const checkStarted = performance.now();
          expect(await writesSoFar(t), `writes during ${label}`).toBe(snapshot);
          snapshotMs += performance.now() - checkStarted;
        } else {
          snapshot = undefined; // something may have been written: take a new snapshot before the next request
        }
        // A fuzzed request may end the session of the token it carried (logout, "sign out everywhere"): sign in again.
        const tokenDied = response.statusCode === 401 && ['INVALID_TOKEN', 'TOKEN_EXPIRED'].includes(JSON.parse(response.body).code);
        if (tokenDied && (fuzz.who === 'admin' || fuzz.who === 'staff')) {
          if (fuzz.who === 'admin') cast.admin = await refreshed(cast.admin, ADMIN.email, ADMIN.password);
          else cast.staff = await refreshed(cast.staff, cast.staff.email, cast.staff.password);
          snapshot = undefined;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz: ${RUNS} requests over ${routesSeen.size} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    const slowest = [...timeByRoute].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([key, ms]) => `${key} ${Math.round(ms)} ms`);
    const requestMs = [...timeByRoute.values()].reduce((sum, ms) => sum + ms, 0);
    console.log(`fuzz: ${Math.round(requestMs)} ms in requests, ${Math.round(snapshotMs)} ms in snapshots; slowest routes in total: ${slowest.join(', ')}`);
    expect(routesSeen.size).toBe(routes.length);

    const logs = t.logs.join('\n');
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain(ADMIN.password);
    expect(logs).not.toMatch(/\$argon2|Failed query|params:/);
    for (const token of issuedTokens) expect(logs.includes(token), 'a token in the logs').toBe(false);
  }, 600_000);
});
