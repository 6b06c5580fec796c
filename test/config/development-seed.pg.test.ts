// Defect 9.4: a development start (any NODE_ENV but production) on a
// DATABASE_URL database must not seed admin@boreal.com / admin123 there: that
// database is one other people reach, and the console code opens every account.

import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEVELOPMENT_ADMIN } from '../../src/users/development-seed.js';
import { startServer } from '../../src/server.js';
import { createPostgresDatabase } from '../helpers/database.js';
import { testKeySetEnv } from './support.js';

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
beforeAll(async () => {
  database = await createPostgresDatabase();
});
afterAll(async () => database.close());

describe('a development start on DATABASE_URL', () => {
  it.each(['development', 'test', 'staging'])('NODE_ENV=%s seeds no development admin there', async (nodeEnv) => {
    const config = loadConfig({ NODE_ENV: nodeEnv, DATABASE_URL: database.url, PORT: '0', ...(await testKeySetEnv()) });
    const server = await startServer(config, pino({ level: 'silent' }));
    try {
      const rows = await database.query<{ count: number | string }>(sql`select count(*) as count from users where email = ${DEVELOPMENT_ADMIN.email}`);
      expect(Number(rows[0]!.count)).toBe(0);
    } finally {
      await server.close();
    }
  });
});
