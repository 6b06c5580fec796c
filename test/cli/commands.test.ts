// The `boreal` commands in-process, on an embedded database in a scratch
// DATA_DIR: what an operator types, what they see, and the exit code.

import { rm } from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { lenders, users } from '../../src/db/schema.js';
import { createLimits } from '../../src/limits/limits.js';
import { limitKeys } from '../../src/limits/limit-keys.js';
import { USAGE } from '../../src/cli/run.js';
import { generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { scratchDirectory } from '../production/built-server.js';
import { cli, lines } from './run-cli.js';

const PASSWORD = 'Taiga-Lantern-47';

describe('usage', () => {
  // [what is typed, the line that explains it]
  const mistakes: [string[], RegExp][] = [
    [[], /name a command/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['users'], /"users" needs a subcommand/],
    [['users', 'delete'], /unknown command "users delete"/],
    [['routes', '--verbose'], /Unknown option '--verbose'/],
    [['doctor', 'now'], /Unexpected argument 'now'/],
    [['users', 'create', '--email', 'a@b.example', '--name', 'A', '--role', 'admin', '--password', 'x'], /Unknown option '--password'/],
    [['users', 'create', '--name', 'A', '--role', 'admin'], /users create needs --email/],
    [['users', 'create', '--email', 'a@b.example', '--name', 'A'], /users create needs --role/],
    [['rate-limits', 'clear'], /needs --phone, --ip or --email/],
    [['rate-limits', 'clear', '--phone'], /argument missing/],
  ];

  it.each(mistakes)('boreal %j exits 2 with the usage on stderr', async (args, explanation) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(explanation);
    expect(result.stderr).toContain(USAGE);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['users', 'create', '--help']]) {
      const result = await cli(args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('users create --email E --name N [--phone P] --role R [--role R2] [--lender NAME]');
    }
  });
});

describe('settings errors', () => {
  it('a command under wrong settings prints one line per problem and exits 1', async () => {
    const result = await cli(['migrate'], { NODE_ENV: 'production', OTP_PROVIDER: 'console' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const problems = lines(result.stderr);
    for (const setting of ['DATABASE_URL', 'JWT_PRIVATE_KEYS', 'OTP_PROVIDER=console', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID']) {
      expect(problems.filter((line) => line.startsWith(`✗ ${setting}`)), `${setting} in:\n${result.stderr}`).toHaveLength(1);
    }
    expect(problems.every((line) => line.startsWith('✗ '))).toBe(true);
  });
});

describe('keys generate', () => {
  it('prints only a new Ed25519 JWK set on stdout, which production accepts as JWT_PRIVATE_KEYS', async () => {
    // Under settings that are wrong: generating keys is how they get fixed.
    const first = await cli(['keys', 'generate'], { NODE_ENV: 'production' });
    const second = await cli(['keys', 'generate']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(lines(first.stdout)).toHaveLength(1);
    const keySet = JSON.parse(first.stdout) as { keys: Record<string, string>[] };
    expect(keySet.keys).toHaveLength(1);
    expect(keySet.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keySet.keys[0]!.d).toMatch(/^[\w-]{43}$/);
    expect(JSON.parse(second.stdout).keys[0].kid).not.toBe(keySet.keys[0]!.kid);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/boreal',
      JWT_PRIVATE_KEYS: first.stdout,
      TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
      TWILIO_AUTH_TOKEN: 'b'.repeat(32),
      TWILIO_VERIFY_SERVICE_SID: 'VA' + 'c'.repeat(32),
      PUBLIC_URL: 'https://portal.example.com',
      DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
    });
    expect(config.jwt.privateKeys).toEqual(keySet);
  });
});

describe('keys generate-data-key', () => {
  it('prints only a new 32-byte base64url key, different each time, which DATA_ENCRYPTION_KEY accepts', async () => {
    // Under settings that are wrong: generating the key is how they get fixed.
    const first = await cli(['keys', 'generate-data-key'], { NODE_ENV: 'production' });
    const second = await cli(['keys', 'generate-data-key']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(lines(first.stdout)).toHaveLength(1);
    const key = first.stdout.trim();
    expect(key).toMatch(/^[\w-]{43}$/);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(second.stdout.trim()).not.toBe(key);
    // As set in the environment, trailing newline and all.
    const config = loadConfig({ DATA_ENCRYPTION_KEY: first.stdout });
    expect(config.dataEncryptionKey?.toString('base64url')).toBe(key);
  });
});

describe('commands on the embedded database', () => {
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dataDir = await scratchDirectory('boreal-cli-');
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
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

  it('migrate applies the migrations once, then finds nothing to do', async () => {
    const first = await cli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^✓ the embedded database under .*: applied \d+ migrations?; (\d+) of \1 applied\.\n$/);
    const again = await cli(['migrate'], env);
    expect(again.stdout).toMatch(/already up to date; (\d+) of \1 applied/);
  });

  it('users create reads the password from stdin, creates the lender, and prints the user (never a hash)', async () => {
    const result = await cli(
      ['users', 'create', '--email', 'Ops@Lender.example', '--name', 'Opal Sutherland', '--phone', '+1 613 555 0134', '--role', 'lender', '--role', 'staff', '--lender', 'Northwind Capital'],
      env,
      `${PASSWORD}\n`,
    );
    expect(result.code, result.stderr).toBe(0);
    const user = JSON.parse(result.stdout);
    expect(user).toMatchObject({ email: 'ops@lender.example', name: 'Opal Sutherland', phone: '+16135550134', roles: ['staff', 'lender'], disabled: false });
    expect(result.stdout).not.toMatch(/argon2|passwordHash/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    await withDatabase(async ({ db }) => {
      const [lender] = await db.select().from(lenders).where(eq(lenders.id, user.lenderId));
      expect(lender?.name).toBe('Northwind Capital');
      const [row] = await db.select().from(users).where(eq(users.id, user.id));
      // The whole line but its line break is the password.
      expect(await createPasswordHasher().verify(row!.passwordHash!, PASSWORD)).toBe(true);
    });
  });

  it('users create reuses a lender of the same name (any case) instead of making a second one', async () => {
    const result = await cli(['users', 'create', '--email', 'second@lender.example', '--name', 'Second', '--role', 'lender', '--lender', 'northwind capital'], env, PASSWORD);
    expect(result.code, result.stderr).toBe(0);
    await withDatabase(async ({ db }) => {
      expect(await db.select().from(lenders)).toHaveLength(1);
    });
  });

  // [what is wrong, arguments, stdin, what the error says]
  const refusals: [string, string[], string, RegExp][] = [
    ['a taken email', ['--email', 'OPS@lender.example', '--name', 'Again', '--role', 'staff'], PASSWORD, /already exists/],
    ['an unknown role', ['--email', 'x@boreal.example', '--name', 'X', '--role', 'superuser'], PASSWORD, /--role #1 is not a known role/],
    ['the role lender without --lender', ['--email', 'y@boreal.example', '--name', 'Y', '--role', 'lender'], PASSWORD, /--lender is required for the role lender/],
    ['an invalid phone', ['--email', 'z@boreal.example', '--name', 'Z', '--role', 'staff', '--phone', '12'], PASSWORD, /--phone is not a valid phone number/],
    ['a common password', ['--email', 'w@boreal.example', '--name', 'W', '--role', 'staff'], 'password123', /password \(stdin\) .*too common/],
    ['no password on stdin', ['--email', 'v@boreal.example', '--name', 'V', '--role', 'staff'], '', /no password on stdin/],
  ];

  it.each(refusals)('users create refuses %s (exit 1, nothing created)', async (_what, args, stdin, message) => {
    const result = await cli(['users', 'create', ...args], env, stdin);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    await withDatabase(async ({ db }) => {
      expect(await db.select({ id: users.id }).from(users)).toHaveLength(2);
    });
  });

  it('rate-limits clear removes the locks of an email and prints how many went', async () => {
    await withDatabase(async (database) => {
      const limits = createLimits(database, systemClock);
      await limits.recordFailure(limitKeys.passwordLockout('ops@lender.example'), { limit: 1, windowSeconds: 900 });
    });
    const cleared = await cli(['rate-limits', 'clear', '--email', 'ops@lender.example'], env);
    expect(cleared).toMatchObject({ code: 0, stdout: '1\n' });
    const again = await cli(['rate-limits', 'clear', '--email', 'ops@lender.example'], env);
    expect(again).toMatchObject({ code: 0, stdout: '0\n' });
    await withDatabase(async (database) => {
      const rows = await database.query<{ type: string; actor_id: string | null }>(sql`select type, actor_id from audit_events where type = 'RATE_LIMIT_CLEARED'`);
      expect(rows).toEqual([
        { type: 'RATE_LIMIT_CLEARED', actor_id: null },
        { type: 'RATE_LIMIT_CLEARED', actor_id: null },
      ]);
    });
  });

  it('rate-limits list prints who is locked now with the clear to run, and --json the route\'s body', async () => {
    expect(await cli(['rate-limits', 'list'], env)).toMatchObject({ code: 0, stdout: 'Nobody is limited or locked right now.\n' });
    await withDatabase(async (database) => {
      await createLimits(database, systemClock).recordFailure(limitKeys.passwordLockout('ops@lender.example'), { limit: 1, windowSeconds: 900 });
    });
    const listed = await cli(['rate-limits', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(lines(listed.stdout)).toHaveLength(1);
    expect(listed.stdout).toMatch(/^email +ops@lender\.example {2}ACCOUNT_LOCKED {2}1[45] minutes \((8\d\d|900) s\) user [0-9a-f-]{36} {2}→ boreal rate-limits clear --email ops@lender\.example\n$/);
    const asJson = JSON.parse((await cli(['rate-limits', 'list', '--json'], env)).stdout);
    expect(asJson).toEqual({ items: [{ kind: 'email', subject: 'ops@lender.example', code: 'ACCOUNT_LOCKED', retryAfterSeconds: expect.any(Number), userId: expect.any(String) }] });
    expect(await cli(['rate-limits', 'clear', '--email', 'ops@lender.example'], env)).toMatchObject({ code: 0, stdout: '1\n' });
  });

  it('rate-limits clear takes a phone and an address too, and refuses a malformed one', async () => {
    expect(await cli(['rate-limits', 'clear', '--phone', '+16135550134', '--ip', '203.0.113.9'], env)).toMatchObject({ code: 0, stdout: '0\n' });
    const bad = await cli(['rate-limits', 'clear', '--ip', 'not-an-ip'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--ip must be an IPv4 or IPv6 address/);
  });
});
