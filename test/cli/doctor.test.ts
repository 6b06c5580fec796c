// `boreal doctor` reaches what a deploy depends on before a user does: it
// passes (exit 0) only when every check passes, and each failing line says
// what is wrong and what to do.

import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import { scratchDirectory } from '../production/built-server.js';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { cli, lines } from './run-cli.js';

let fake: FakeTwilio;
let migratedDir: string;
let unmigratedDir: string;

beforeAll(async () => {
  migratedDir = await scratchDirectory('boreal-doctor-');
  unmigratedDir = await scratchDirectory('boreal-doctor-');
  expect((await cli(['migrate'], { DATA_DIR: migratedDir })).code).toBe(0);
  // An embedded database that exists but has never been migrated.
  await (await connectDatabase({ databaseUrl: undefined, dataDir: unmigratedDir })).close();
});
afterAll(async () => {
  await rm(migratedDir, { recursive: true, force: true });
  await rm(unmigratedDir, { recursive: true, force: true });
});
beforeEach(async () => {
  fake = await startFakeTwilioVerify();
});
afterEach(async () => {
  await fake.close();
});

const twilio = () => ({
  TWILIO_ACCOUNT_SID: fake.accountSid,
  TWILIO_AUTH_TOKEN: fake.authToken,
  TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
  TWILIO_VERIFY_BASE_URL: fake.url,
  TWILIO_TIMEOUT: '2s',
});
const doctor = (env: Record<string, string>) => cli(['doctor'], { DATA_DIR: migratedDir, ...twilio(), ...env });

describe('boreal doctor', () => {
  it('passes on a good configuration: settings, keys, database, Twilio reached; http base URL only warns', async () => {
    const result = await doctor({});
    expect(result.code, result.stdout).toBe(0);
    const report = lines(result.stdout);
    expect(report).toEqual([
      expect.stringMatching(/^✓ settings: every setting is valid/),
      expect.stringMatching(/^✓ signing keys: /),
      expect.stringMatching(/^✓ data encryption key: no DATA_ENCRYPTION_KEY: a development key will be generated into .*boreal keys generate-data-key/),
      expect.stringMatching(/^✓ database: the embedded database under .* answers; all \d+ migrations applied$/),
      expect.stringMatching(/^! TWILIO_VERIFY_BASE_URL: http:\/\/127\.0\.0\.1:\d+ is not https/),
      `✓ otp provider: twilio-verify: service ${fake.serviceSid} reachable`,
      'All 5 checks passed, 1 warning.',
    ]);
    // The Verify service was fetched with the credentials.
    expect(fake.requests).toContainEqual(expect.objectContaining({ method: 'GET', path: `/v2/Services/${fake.serviceSid}` }));
  });

  it('fails naming Twilio when it answers 20003 to our credentials', async () => {
    fake.failNext(20003, 401);
    const result = await doctor({});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ otp provider: twilio-verify: Twilio refused the credentials \(20003\): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/m);
    expect(result.stdout).toMatch(/^1 check failed/m);
  });

  it('fails naming Twilio with a wrong auth token, and never prints the token', async () => {
    const wrongToken = 'e'.repeat(32);
    const result = await doctor({ TWILIO_AUTH_TOKEN: wrongToken });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ otp provider: .*Twilio refused the credentials/m);
    expect(result.stdout + result.stderr).not.toContain(wrongToken);
  });

  it('fails when Twilio cannot be reached', async () => {
    fake.setMode('down');
    const result = await doctor({});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ otp provider: twilio-verify: cannot reach http:\/\/127\.0\.0\.1:\d+ .*check TWILIO_VERIFY_BASE_URL/m);
  });

  it('fails when the Verify service SID is not the account’s', async () => {
    const result = await doctor({ TWILIO_VERIFY_SERVICE_SID: 'VA' + '1'.repeat(32) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ otp provider: .*check TWILIO_VERIFY_SERVICE_SID/m);
  });

  it('fails naming DATABASE_URL when PostgreSQL cannot be reached, without printing its password', async () => {
    const result = await doctor({ DATABASE_URL: 'postgres://boreal:hunter2-secret@127.0.0.1:1/boreal' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ database: PostgreSQL at 127\.0\.0\.1:1\/boreal cannot be reached \(.*ECONNREFUSED.*\): check DATABASE_URL/m);
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
    // The other checks still ran.
    expect(result.stdout).toMatch(/^✓ otp provider/m);
  });

  it('fails naming REDIS_URL when Redis cannot be reached', async () => {
    const result = await doctor({ REDIS_URL: 'redis://:redis-secret@127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ redis: Redis at 127\.0\.0\.1:1 cannot be reached .*check REDIS_URL/m);
    expect(result.stdout + result.stderr).not.toContain('redis-secret');
  });

  it.runIf(process.env.TEST_REDIS_URL)('reaches Redis at TEST_REDIS_URL when REDIS_URL is set', async () => {
    const result = await doctor({ REDIS_URL: process.env.TEST_REDIS_URL! });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^✓ redis: Redis at .* answers PING$/m);
  });

  it('warns, without failing, about migrations the next start will apply', async () => {
    const result = await doctor({ DATA_DIR: unmigratedDir });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^! database: .* \d+ migrations? not applied yet: run `boreal migrate`/m);
  });

  it('passes in development with nothing set: the console provider, a database to be created', async () => {
    const fresh = await scratchDirectory('boreal-doctor-');
    try {
      const result = await cli(['doctor'], { DATA_DIR: `${fresh}/data` });
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/^✓ database: the embedded database does not exist yet/m);
      expect(result.stdout).toMatch(/^✓ otp provider: console provider/m);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('stops at wrong settings: one line per problem, nothing reached, exit 1', async () => {
    const result = await doctor({ NODE_ENV: 'production', TWILIO_ACCOUNT_SID: 'AC123' });
    expect(result.code).toBe(1);
    const report = lines(result.stdout);
    expect(report).toContainEqual(expect.stringMatching(/^✗ DATABASE_URL is required in production/));
    expect(report).toContainEqual(expect.stringMatching(/^✗ JWT_PRIVATE_KEYS is required in production/));
    expect(report).toContainEqual(expect.stringMatching(/^✗ TWILIO_ACCOUNT_SID is malformed/));
    expect(report.at(-1)).toMatch(/^Fix the settings above/);
    expect(fake.requests).toHaveLength(0);
  });
});
