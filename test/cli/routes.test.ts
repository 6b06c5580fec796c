// `boreal routes`: one table whatever the mode, read from buildApp itself, and
// needing no database (the incident behind this product: a production server
// that mounted fewer routes than development).

import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeySet } from '../../src/auth/access-tokens.js';
import { generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { recordRoutes, sortRouteTable } from '../../src/cli/route-table.js';
import { createTestApp } from '../helpers/app.js';
import { cli, lines } from './run-cli.js';

const ROUTE_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/\S*$/;

let production: Record<string, string>;
beforeAll(async () => {
  production = {
    NODE_ENV: 'production',
    // Nothing listens there: `routes` must not need the database.
    DATABASE_URL: 'postgres://boreal:secret@127.0.0.1:1/boreal',
    JWT_PRIVATE_KEYS: JSON.stringify(await generateKeySet()),
    TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
    TWILIO_AUTH_TOKEN: 'b'.repeat(32),
    TWILIO_VERIFY_SERVICE_SID: 'VA' + 'c'.repeat(32),
    REDIS_URL: 'redis://127.0.0.1:1',
    PUBLIC_URL: 'https://portal.example.com',
    DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
  };
});

describe('boreal routes', () => {
  it('prints the same sorted table in development and in production, without reaching the database or Redis', async () => {
    const development = await cli(['routes'], { LOG_LEVEL: 'warn' });
    const productionRun = await cli(['routes'], production);
    expect(development.code, development.stderr).toBe(0);
    expect(productionRun.code, productionRun.stderr).toBe(0);
    const table = lines(development.stdout);
    expect(table.length).toBeGreaterThan(5);
    for (const line of table) expect(line).toMatch(ROUTE_LINE);
    expect(table).toEqual(sortRouteTable(table));
    expect(table).toEqual(expect.arrayContaining(['GET /api/health', 'GET /api/health/ready', 'POST /api/auth/login', 'POST /api/auth/otp/verify', 'GET /api/auth/me', 'GET /.well-known/jwks.json']));
    expect(productionRun.stdout).toBe(development.stdout);
  });

  it('is the table of the app the tests exercise', async () => {
    const { result: testApp, routes } = await recordRoutes(() => createTestApp());
    await testApp.close();
    const printed = await cli(['routes'], { NODE_ENV: 'test', LOG_LEVEL: 'warn' });
    expect(lines(printed.stdout)).toEqual(routes);
  });

  it('sorts by path, then method', () => {
    expect(sortRouteTable(['POST /b', 'GET /b', 'DELETE /a/:id', 'GET /a', 'GET /a'])).toEqual(['GET /a', 'DELETE /a/:id', 'GET /b', 'POST /b']);
  });
});
