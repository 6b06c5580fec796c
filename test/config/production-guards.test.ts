// The production guards of config.ts: a production start without its secrets,
// with a malformed one, with the console provider or with the embedded
// database is refused, and the refusal names each setting and its fix (the
// incident behind this product: a server that started without its Twilio
// secrets, and nobody knew until a user tried to sign in).

import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeySet } from '../../src/auth/access-tokens.js';
import { ConfigError, loadConfig, type Config } from '../../src/config.js';
import { generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { createAccessTokensFor } from '../../src/services.js';

const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
const AUTH_TOKEN = 'fedcba9876543210'.repeat(2);
const SERVICE_SID = 'VA' + '89abcdef01234567'.repeat(2);
const DATA_KEY = generateDataEncryptionKey();

let keys: { keys: Record<string, unknown>[] };
let good: Record<string, string>;

beforeAll(async () => {
  keys = await generateKeySet();
  good = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://boreal:secret@db.internal:5432/boreal',
    JWT_PRIVATE_KEYS: JSON.stringify(keys),
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_VERIFY_SERVICE_SID: SERVICE_SID,
    PUBLIC_URL: 'https://portal.example.com',
    DATA_ENCRYPTION_KEY: DATA_KEY,
  };
});

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

/** A copy of the good production settings with some changed; undefined removes one. */
const withSettings = (changes: Record<string, string | undefined>) => {
  const env: Record<string, string | undefined> = { ...good, ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete env[name];
  return env;
};

const firstKey = () => keys.keys[0]!;
const otherEd25519 = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
const keySetOf = (...members: Record<string, unknown>[]) => JSON.stringify({ keys: members });

describe('production settings', () => {
  it('a complete production configuration loads, with the production defaults', () => {
    const config = loadConfig(good);
    expect(config).toMatchObject({ isProduction: true, host: '0.0.0.0', seedDevelopmentAdmin: false, otp: { provider: 'twilio-verify' } });
    expect(config.twilio).toMatchObject({ accountSid: ACCOUNT_SID, baseUrl: 'https://verify.twilio.com', timeoutMs: 5000 });
  });

  // [what is wrong, the setting the refusal must name, the changed settings]
  const refusals: [string, string, () => Record<string, string | undefined>][] = [
    ['DATABASE_URL unset (the embedded database)', 'DATABASE_URL', () => ({ DATABASE_URL: undefined })],
    ['DATABASE_URL blank', 'DATABASE_URL', () => ({ DATABASE_URL: '  ' })],
    ['DATABASE_URL not PostgreSQL', 'DATABASE_URL', () => ({ DATABASE_URL: 'mysql://db/boreal' })],
    ['JWT_PRIVATE_KEYS unset', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: undefined })],
    ['JWT_PRIVATE_KEYS not JSON', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: '{keys:' })],
    ['JWT_PRIVATE_KEYS an empty set', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: '{"keys":[]}' })],
    ['JWT_PRIVATE_KEYS a bare key, not a set', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: JSON.stringify(firstKey()) })],
    ['JWT_PRIVATE_KEYS a public key only', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf({ ...firstKey(), d: undefined }) })],
    ['JWT_PRIVATE_KEYS an RSA key', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf({ kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB', kid: 'r' }) })],
    ['JWT_PRIVATE_KEYS with a truncated private part', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf({ ...firstKey(), d: 'AAAA' }) })],
    ['JWT_PRIVATE_KEYS whose public part is another key’s', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf({ ...firstKey(), x: otherEd25519().x }) })],
    ['JWT_PRIVATE_KEYS with key_ops that forbid signing', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf({ ...firstKey(), key_ops: ['verify'] }) })],
    ['JWT_PRIVATE_KEYS with one kid twice', 'JWT_PRIVATE_KEYS', () => ({ JWT_PRIVATE_KEYS: keySetOf(firstKey(), { ...otherEd25519(), kid: firstKey().kid }) })],
    ['OTP_PROVIDER=console', 'OTP_PROVIDER', () => ({ OTP_PROVIDER: 'console' })],
    ['OTP_PROVIDER unknown', 'OTP_PROVIDER', () => ({ OTP_PROVIDER: 'sms-gateway' })],
    ['TWILIO_ACCOUNT_SID unset', 'TWILIO_ACCOUNT_SID', () => ({ TWILIO_ACCOUNT_SID: undefined })],
    ['TWILIO_ACCOUNT_SID too short', 'TWILIO_ACCOUNT_SID', () => ({ TWILIO_ACCOUNT_SID: 'AC123' })],
    ['TWILIO_ACCOUNT_SID an API key SID', 'TWILIO_ACCOUNT_SID', () => ({ TWILIO_ACCOUNT_SID: 'SK' + ACCOUNT_SID.slice(2) })],
    ['TWILIO_AUTH_TOKEN unset', 'TWILIO_AUTH_TOKEN', () => ({ TWILIO_AUTH_TOKEN: undefined })],
    ['TWILIO_AUTH_TOKEN not hex', 'TWILIO_AUTH_TOKEN', () => ({ TWILIO_AUTH_TOKEN: 'z'.repeat(32) })],
    ['TWILIO_VERIFY_SERVICE_SID unset', 'TWILIO_VERIFY_SERVICE_SID', () => ({ TWILIO_VERIFY_SERVICE_SID: undefined })],
    ['TWILIO_VERIFY_SERVICE_SID an account SID', 'TWILIO_VERIFY_SERVICE_SID', () => ({ TWILIO_VERIFY_SERVICE_SID: ACCOUNT_SID })],
    ['TWILIO_VERIFY_BASE_URL not http(s)', 'TWILIO_VERIFY_BASE_URL', () => ({ TWILIO_VERIFY_BASE_URL: 'ftp://verify.twilio.com' })],
    ['TWILIO_TIMEOUT not a duration', 'TWILIO_TIMEOUT', () => ({ TWILIO_TIMEOUT: '5 seconds' })],
    ['PUBLIC_URL unset', 'PUBLIC_URL', () => ({ PUBLIC_URL: undefined })],
    ['PUBLIC_URL with a path', 'PUBLIC_URL', () => ({ PUBLIC_URL: 'https://portal.example.com/app' })],
    ['DATA_ENCRYPTION_KEY unset', 'DATA_ENCRYPTION_KEY', () => ({ DATA_ENCRYPTION_KEY: undefined })],
    ['DATA_ENCRYPTION_KEY too short', 'DATA_ENCRYPTION_KEY', () => ({ DATA_ENCRYPTION_KEY: 'c2hvcnQ' })],
  ];

  it.each(refusals)('refuses %s, naming %s', (_what, setting, changes) => {
    const problems = problemsOf(withSettings(changes()));
    expect(problems.length).toBeGreaterThan(0);
    const named = problems.filter((problem) => problem.includes(setting));
    expect(named, problems.join('\n')).not.toHaveLength(0);
    // One line per problem, each saying what to do (a verb of fixing, not just "invalid").
    for (const problem of problems) expect(problem).not.toContain('\n');
    expect(named.join(' ')).toMatch(/set|run|copy|must|write|unset|generate/i);
  });

  it('a bare production start names every missing secret at once', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const setting of ['DATABASE_URL', 'JWT_PRIVATE_KEYS', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID', 'PUBLIC_URL', 'DATA_ENCRYPTION_KEY']) {
      expect(problems.filter((problem) => problem.startsWith(setting)), `${setting} in:\n${problems.join('\n')}`).toHaveLength(1);
    }
  });

  it('the console provider in production is refused together with the Twilio settings it hides', () => {
    const problems = problemsOf(withSettings({ OTP_PROVIDER: 'console', TWILIO_ACCOUNT_SID: 'ACnope', TWILIO_AUTH_TOKEN: undefined }));
    expect(problems.some((problem) => problem.startsWith('OTP_PROVIDER=console'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('TWILIO_ACCOUNT_SID is malformed'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('TWILIO_AUTH_TOKEN is required'))).toBe(true);
  });

  it('a non-https TWILIO_VERIFY_BASE_URL is allowed (doctor warns): tests point it at a local fake', () => {
    expect(loadConfig(withSettings({ TWILIO_VERIFY_BASE_URL: 'http://127.0.0.1:4010/' })).twilio?.baseUrl).toBe('http://127.0.0.1:4010');
  });

  it('a P-256 key set and a rotation set of two keys load', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    expect(() => loadConfig(withSettings({ JWT_PRIVATE_KEYS: keySetOf({ ...ec, kid: 'ec-1' }, firstKey()) }))).not.toThrow();
  });
});

describe('development settings', () => {
  it('nothing set: the console provider, the embedded database, generated keys', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ isProduction: false, databaseUrl: undefined, host: '127.0.0.1', port: 3000, otp: { provider: 'console', devCode: '123456' }, twilio: undefined });
    expect(config.jwt.privateKeys).toBeUndefined();
  });

  it('some Twilio settings without the others is a mistake even in development', () => {
    const problems = problemsOf({ TWILIO_ACCOUNT_SID: ACCOUNT_SID });
    expect(problems.some((problem) => problem.startsWith('TWILIO_AUTH_TOKEN'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('TWILIO_VERIFY_SERVICE_SID'))).toBe(true);
  });
});

describe('signing keys at start', () => {
  it('a key set that passed the settings check but that jose cannot import stops the start, naming JWT_PRIVATE_KEYS', async () => {
    // Built around loadConfig on purpose: this is the second line of defence, which startServer runs first.
    const config = { ...loadConfig(good) } as Config;
    config.jwt = { ...config.jwt, privateKeys: { keys: [{ ...firstKey(), x: 'not-a-point' }] } };
    const refusal = await createAccessTokensFor(config).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems.join('\n')).toMatch(/^JWT_PRIVATE_KEYS key 0 cannot be used/);
  });

  it('usable keys pass', async () => {
    const tokens = await createAccessTokensFor(loadConfig(good));
    expect(tokens.jwks().keys.map((key) => key.kid)).toEqual([firstKey().kid]);
  });
});
