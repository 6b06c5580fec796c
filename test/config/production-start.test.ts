// The built server (`node dist/main.js`, as deployed) refuses a production
// start with missing or wrong settings: non-zero exit within seconds, nothing
// listening, and one line per problem naming the setting and its fix.

import { generateKeyPairSync } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeySet } from '../../src/auth/access-tokens.js';
import { generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { MAIN_JS, ensureBuilt, runNode, scratchDirectory, type ProcessResult } from '../production/built-server.js';

const TWILIO = {
  TWILIO_ACCOUNT_SID: 'AC' + '0123456789abcdef'.repeat(2),
  TWILIO_AUTH_TOKEN: 'fedcba9876543210'.repeat(2),
  TWILIO_VERIFY_SERVICE_SID: 'VA' + '89abcdef01234567'.repeat(2),
};
/** Nothing listens on port 1: a database that is never reached. */
const UNREACHABLE_DATABASE = 'postgres://boreal:db-password@127.0.0.1:1/boreal';
/** The settings production requires besides the database, the keys and Twilio. */
const ORIGIN_AND_DATA_KEY = { PUBLIC_URL: 'https://portal.example.com', DATA_ENCRYPTION_KEY: generateDataEncryptionKey() };
const REFUSED_WITHIN_MS = 15_000;

let cwd: string;
let keys: string;

beforeAll(async () => {
  await ensureBuilt();
  cwd = await scratchDirectory('boreal-start-');
  keys = JSON.stringify(await generateKeySet());
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const start = (env: Record<string, string>) => runNode([MAIN_JS], { cwd, env: { PORT: '0', HOST: '127.0.0.1', ...env }, timeoutMs: 30_000 });

function expectRefused(result: ProcessResult): string[] {
  expect(result.signal, 'the start must end by itself, not by our kill').toBeNull();
  expect(result.code).not.toBe(0);
  expect(result.elapsedMs).toBeLessThan(REFUSED_WITHIN_MS);
  expect(result.stdout).not.toMatch(/listening on/);
  return result.stderr.split('\n');
}

describe('node dist/main.js with NODE_ENV=production', () => {
  it('with nothing else set: exits 1 naming DATABASE_URL, JWT_PRIVATE_KEYS, each Twilio setting, PUBLIC_URL and DATA_ENCRYPTION_KEY, one line each', async () => {
    const result = await start({ NODE_ENV: 'production' });
    const stderr = expectRefused(result);
    // API.md: a production start with a bad setting exits within 2 seconds (the settings are checked before the server loads).
    expect(result.elapsedMs).toBeLessThan(2_000);
    expect(stderr[0]).toBe('Boreal Portal cannot start. Fix these settings:');
    for (const setting of ['DATABASE_URL', 'JWT_PRIVATE_KEYS', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID', 'PUBLIC_URL', 'DATA_ENCRYPTION_KEY']) {
      expect(stderr.filter((line) => line.startsWith(`  - ${setting}`)), `${setting} in:\n${stderr.join('\n')}`).toHaveLength(1);
    }
  });

  it('with the console provider and a malformed account SID: both are named', async () => {
    const stderr = expectRefused(
      await start({ NODE_ENV: 'production', DATABASE_URL: UNREACHABLE_DATABASE, JWT_PRIVATE_KEYS: keys, ...TWILIO, OTP_PROVIDER: 'console', TWILIO_ACCOUNT_SID: 'AC-not-a-sid' }),
    );
    expect(stderr).toContainEqual(expect.stringMatching(/^ {2}- OTP_PROVIDER=console is refused in production/));
    expect(stderr).toContainEqual(expect.stringMatching(/^ {2}- TWILIO_ACCOUNT_SID is malformed: it must be AC followed by 32 hex characters/));
  });

  it('with a JWK set that parses but cannot sign: exits 1 naming JWT_PRIVATE_KEYS before touching the database', async () => {
    const key = JSON.parse(keys).keys[0];
    const otherX = (generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { x: string }).x;
    const result = await start({ NODE_ENV: 'production', DATABASE_URL: UNREACHABLE_DATABASE, ...TWILIO, ...ORIGIN_AND_DATA_KEY, JWT_PRIVATE_KEYS: JSON.stringify({ keys: [{ ...key, x: otherX }] }) });
    const stderr = expectRefused(result);
    expect(stderr).toContainEqual(expect.stringMatching(/^ {2}- JWT_PRIVATE_KEYS key 0 .*cannot sign: .*boreal keys generate/));
    expect(result.stderr).not.toMatch(/ECONNREFUSED|database/i);
  });

  it('with every setting right but the database unreachable: exits 1 naming DATABASE_URL, never its password', async () => {
    const result = await start({ NODE_ENV: 'production', DATABASE_URL: UNREACHABLE_DATABASE, JWT_PRIVATE_KEYS: keys, ...TWILIO, ...ORIGIN_AND_DATA_KEY });
    expectRefused(result);
    expect(result.stdout + result.stderr).toMatch(/DATABASE_URL/);
    expect(result.stdout + result.stderr).not.toContain('db-password');
  });
});
