// `boreal users create --invite` and `boreal users reset-password`: a link an
// operator can hand over, that sets a password once, audited without its token.

import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { auditEvents, passwordSetupTokens, users } from '../../src/db/schema.js';
import { sha256Hex } from '../../src/auth/crypto.js';
import { scratchDirectory } from '../production/built-server.js';
import { cli } from './run-cli.js';

const PUBLIC_URL = 'https://portal.boreal.example';

describe('password-setup links from the command line', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await scratchDirectory('boreal-cli-links-');
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PUBLIC_URL };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function withDatabase<T>(fn: (database: Awaited<ReturnType<typeof connectDatabase>>) => Promise<T>): Promise<T> {
    const database = await connectDatabase({ databaseUrl: undefined, dataDir });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  }

  const tokenOf = (url: string) => /#token=([\w-]{43})$/.exec(url)?.[1];

  it('users create --invite reads no password, creates the user without one and prints its setup link (stored hashed)', async () => {
    const result = await cli(['users', 'create', '--email', 'First@Admin.example', '--name', 'First Admin', '--role', 'admin', '--invite'], env, '');
    expect(result.code, result.stderr).toBe(0);
    const user = JSON.parse(result.stdout);
    expect(user).toMatchObject({ email: 'first@admin.example', roles: ['admin'], passwordSet: false });
    expect(user.passwordSetup.url).toMatch(new RegExp(`^${PUBLIC_URL}/app/set-password#token=[\\w-]{43}$`));
    const token = tokenOf(user.passwordSetup.url)!;
    expect(user.passwordSetup.token).toBe(token);
    expect(result.stderr).not.toContain(token);
    await withDatabase(async ({ db }) => {
      const [row] = await db.select().from(users).where(eq(users.id, user.id));
      expect(row!.passwordHash).toBeNull();
      const [link] = await db.select().from(passwordSetupTokens).where(eq(passwordSetupTokens.userId, user.id));
      expect(link!.tokenHash).toBe(sha256Hex(token));
      const events = await db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
      expect(events.map((event) => event.type).sort()).toEqual(['PASSWORD_SETUP_ISSUED', 'USER_CREATED']);
      expect(JSON.stringify(events)).not.toContain(token);
    });
  });

  it('users reset-password prints only a new link, which replaces the earlier one', async () => {
    const result = await cli(['users', 'reset-password', '--email', 'FIRST@admin.example'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${PUBLIC_URL}/app/set-password#token=[\\w-]{43}\\n$`));
    const token = tokenOf(result.stdout.trim())!;
    expect(result.stderr).not.toContain(token);
    await withDatabase(async ({ db }) => {
      const links = await db.select().from(passwordSetupTokens);
      expect(links.map((link) => link.tokenHash)).toEqual([sha256Hex(token)]);
    });
  });

  it('users reset-password for an unknown email exits 1 and prints no link', async () => {
    const result = await cli(['users', 'reset-password', '--email', 'nobody@admin.example'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no user with the email nobody@admin\.example/);
  });

  it('users reset-password without --email is a usage error', async () => {
    const result = await cli(['users', 'reset-password'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/users reset-password needs --email/);
  });

  it('users create with an empty stdin and no --invite still refuses, and names --invite', async () => {
    const result = await cli(['users', 'create', '--email', 'v@admin.example', '--name', 'V', '--role', 'staff'], env, '');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no password on stdin[\s\S]*--invite/);
  });
});
