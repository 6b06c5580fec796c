// PostgreSQL connections killed under load (pg_terminate_backend of the
// app's backends, found by application_name): requests that lose their
// connection answer 503 SERVICE_UNAVAILABLE with Retry-After, never a 500;
// none waits unbounded; the pool recovers without a restart; and no session
// or counter written before the fault is lost.

import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POOL_APPLICATION_NAME } from '../../src/db/connect.js';
import { createPostgresDatabase } from '../helpers/database.js';
import { bearer, createTestApp, json, postJson, signIn, type TestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';
import { ROOMY } from '../limits/support.js';

const STORM_MS = 3000;
const KILL_EVERY_MS = 150;
const WORKERS = 8;
/** The pool's connect timeout (3 s) plus margin: the longest any answer may take. */
const BOUNDED_WAIT_MS = 6000;

describe('PostgreSQL connections killed under load', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let killer: pg.Client;
  let t: TestApp;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    t = await createTestApp({ database, env: { ...ROOMY } });
    killer = new pg.Client({ connectionString: database.url, application_name: 'boreal-fault-test' });
    await killer.connect();
  });
  afterAll(async () => {
    await killer?.end();
    await t?.close();
    await database?.close();
  });

  it('answers 200 or 503 SERVICE_UNAVAILABLE (with Retry-After) while its backends are killed, then recovers with nothing lost', async () => {
    const admin = await signIn(t.app);
    // A counter and a session written before the fault.
    for (let i = 0; i < 3; i += 1) expect((await postJson(t.app, '/api/auth/login', { email: 'kept@example.test', password: `wrong ${i}` })).statusCode).toBe(401);
    const countersBefore = await t.database.query<{ key: string; failures: number }>(sql`select key, failures from lockouts order by key`);
    expect(countersBefore.length).toBeGreaterThan(0);

    const answers: { status: number; ms: number; response: LightMyRequestResponse }[] = [];
    let killed = 0;
    const stopAt = Date.now() + STORM_MS;
    const timed = async (request: () => Promise<LightMyRequestResponse>) => {
      const started = Date.now();
      const response = await request();
      answers.push({ status: response.statusCode, ms: Date.now() - started, response });
    };
    const worker = async (index: number) => {
      while (Date.now() < stopAt) {
        await timed(() =>
          index % 2 === 0
            ? t.app.inject({ method: 'GET', url: '/api/applications?limit=5', headers: bearer(admin.accessToken) })
            : t.app.inject({ method: 'GET', url: `/api/rbac/audit?limit=5`, headers: bearer(admin.accessToken) }),
        );
      }
    };
    const kill = async () => {
      while (Date.now() < stopAt) {
        const rows = await killer.query(
          'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1 and datname = current_database() and pid <> pg_backend_pid()',
          [POOL_APPLICATION_NAME],
        );
        killed += rows.rows.filter((row: { done: boolean }) => row.done).length;
        await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      }
    };
    await Promise.all([kill(), ...Array.from({ length: WORKERS }, (_, index) => worker(index))]);

    expect(killed).toBeGreaterThan(0);
    const unavailable = answers.filter((answer) => answer.status === 503);
    const others = answers.filter((answer) => answer.status !== 503);
    for (const answer of others) expect(answer.status, answer.response.body).toBe(200);
    for (const { response } of unavailable) {
      expect(json(response).code).toBe('SERVICE_UNAVAILABLE');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(BOUNDED_WAIT_MS);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(t.logs.join('\n')).not.toMatch(/masked as 500/);

    // The pool recovers on its own: every request answers again.
    await within(BOUNDED_WAIT_MS, async () => {
      const statuses = await Promise.all(Array.from({ length: 12 }, () => t.app.inject({ method: 'GET', url: '/api/applications?limit=5', headers: bearer(admin.accessToken) }).then((r) => r.statusCode)));
      return statuses.every((status) => status === 200);
    });
    // Nothing written before the fault is lost: the session still works, the counter still counts.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(admin.accessToken) })).statusCode).toBe(204);
    expect(await t.database.query(sql`select key, failures from lockouts order by key`)).toEqual(countersBefore);
  });
});
