// A database that cannot be reached (nothing listens on its port): every
// request that needs it answers 503 SERVICE_UNAVAILABLE with Retry-After,
// quickly, never a 500; routes that do not need it keep answering.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { databaseUnavailableOf } from '../../src/db/connection-errors.js';
import { createServices, type Services } from '../../src/services.js';
import { bearer, json, postJson, testKeySet } from '../helpers/app.js';

describe('database unreachable', () => {
  let database: DatabaseHandle;
  let services: Services;
  let app: FastifyInstance;
  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent-test-data-dir', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    database = connectPostgres(config.databaseUrl!);
    const logger = pino({ level: 'silent' });
    services = await createServices(config, database, logger, { keySet: await testKeySet() });
    app = await buildApp(services, { logger });
  });
  afterAll(async () => {
    await app?.close();
    await services?.close();
    await database?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After on every route that needs it, within the connect timeout', async () => {
    const accessToken = await services.jwt.sign({ userId: '00000000-0000-4000-8000-000000000001', sessionId: '00000000-0000-4000-8000-000000000002', roles: ['admin'] });
    const started = Date.now();
    const answers = await Promise.all([
      postJson(app, '/api/auth/login', { email: 'someone@boreal.com', password: 'whatever it is' }),
      app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(accessToken) }),
      app.inject({ method: 'GET', url: '/api/applications', headers: bearer(accessToken) }),
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(503);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(json(answer)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      expect(answer.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|select|postgres/i);
    }
  });

  it('liveness still answers, and readiness says the database does not answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(json(ready).checks.database.ok).toBe(false);
  });
});

describe('which failures mean the database is unavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a terminated backend (57P01), wrapped by the ORM', new Error('Failed query: select …', { cause: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' }) })],
    ['a connection lost mid-query', new Error('Failed query', { cause: new Error('Connection terminated unexpectedly') })],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['our statement_timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014', severity: 'ERROR' })],
    ['every address refused', new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })])],
  ])('%s', (_name, error) => {
    expect(databaseUnavailableOf(error)).toBeDefined();
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' })],
    ['a bug', new TypeError('cannot read properties of undefined')],
  ])('not %s', (_name, error) => {
    expect(databaseUnavailableOf(error)).toBeUndefined();
  });
});
