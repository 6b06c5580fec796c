// Defect 9.11: a known and an unknown email cost the login's password step the
// same statements (user and roles in one query), so their timing cannot tell
// them apart. Counted on the embedded database, whose driver this test wraps:
// the statements are the same SQL on PostgreSQL.

import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { wrapPglite } from '../../src/db/connect-pglite.js';
import { createTestApp, postJson, type TestApp } from '../helpers/app.js';
import { RELAXED_LIMITS, createUser, expectProblem } from './support.js';

const login = (t: TestApp, email: string, password: string) => postJson(t.app, '/api/auth/login', { email, password });

describe('a known email costs the same statements as an unknown one', () => {
  it('the password step runs as many statements for a wrong password of a known email as for an unknown email', async () => {
    let statements = 0;
    const client = new PGlite();
    const database = wrapPglite(client);
    await database.migrate();
    // Counted from here: every statement the driver is handed.
    for (const method of ['query', 'exec'] as const) {
      const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        statements += 1;
        return original(...args);
      };
    }
    const t = await createTestApp({ env: RELAXED_LIMITS, database });
    try {
      const user = await createUser(t);
      const cost = async (email: string) => {
        const before = statements;
        expectProblem(await login(t, email, 'not the password'), 401, 'INVALID_CREDENTIALS');
        return statements - before;
      };
      const known = await cost(user.email);
      const unknown = await cost('nobody-at-all@example.test');
      expect(known).toBe(unknown);
      expect(known).toBeGreaterThan(0);
    } finally {
      await t.close();
      await database.close();
    }
  });
});

