// The settings schema (env-schema + TypeBox + ajv formats): the new settings
// with API.md's defaults, their refusals one line each naming the setting and
// the fix, and the two production-safety rules of the development mode.

import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, fastifyTrustProxy, loadConfig } from '../../src/config.js';
import { decodeDataEncryptionKey, generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { serveUntilSignalled } from '../../src/server.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const problem of problems) expect(problem).not.toContain('\n');
    return problems;
  }
  return [];
}

const TWILIO = {
  TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
  TWILIO_AUTH_TOKEN: 'b'.repeat(32),
  TWILIO_VERIFY_SERVICE_SID: 'VA' + 'c'.repeat(32),
};

describe('the new settings and their defaults', () => {
  it('nothing set: PUBLIC_URL is http://HOST:PORT, setup links live 72h, no data key, /metrics off, hashing on the cores less one', () => {
    const config = loadConfig({});
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.passwordSetup.ttlSeconds).toBe(72 * 3600);
    expect(config.dataEncryptionKey).toBeUndefined();
    expect(config.metricsToken).toBeUndefined();
    expect(config.passwordHashConcurrency).toBe(Math.max(1, availableParallelism() - 1));
  });

  it('PUBLIC_URL follows HOST and PORT (an IPv6 host in brackets) and is normalised to its origin', () => {
    expect(loadConfig({ HOST: '::1', PORT: '8080' }).publicUrl).toBe('http://[::1]:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://Portal.Example.com/' }).publicUrl).toBe('https://portal.example.com');
  });

  it.each(['https://portal.example.com/app', 'ftp://portal.example.com', 'portal.example.com', 'https://user:pw@portal.example.com', 'https://portal.example.com/?a=1'])(
    'PUBLIC_URL=%s is refused: an http(s) origin is required',
    (value) => {
      expect(problemsOf({ PUBLIC_URL: value })).toEqual([expect.stringMatching(/^PUBLIC_URL=.* must be an http\(s\) origin without a path, like https:\/\//)]);
    },
  );

  it('PASSWORD_SETUP_TTL is a duration', () => {
    expect(loadConfig({ PASSWORD_SETUP_TTL: '1d' }).passwordSetup.ttlSeconds).toBe(86400);
    expect(problemsOf({ PASSWORD_SETUP_TTL: '3 days' })).toEqual(['PASSWORD_SETUP_TTL="3 days" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.']);
  });

  it('DATA_ENCRYPTION_KEY: the output of generate-data-key loads as its 32 bytes; anything else is refused naming the command', () => {
    const key = generateDataEncryptionKey();
    expect(key).toMatch(/^[\w-]{43}$/);
    const config = loadConfig({ DATA_ENCRYPTION_KEY: key });
    expect(config.dataEncryptionKey).toHaveLength(32);
    expect(config.dataEncryptionKey!.toString('base64url')).toBe(key);
    for (const wrong of [key.slice(0, 40), `${key}AAAA`, 'not a key at all', Buffer.alloc(16).toString('base64url')]) {
      const problems = problemsOf({ DATA_ENCRYPTION_KEY: wrong });
      expect(problems).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEY must be 32 bytes in base64url .*boreal keys generate-data-key/)]);
      expect(problems[0]).not.toContain(wrong);
    }
    expect(decodeDataEncryptionKey(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7));
  });

  it('METRICS_TOKEN and PASSWORD_HASH_CONCURRENCY are read as given; a concurrency of 0 is refused', () => {
    const config = loadConfig({ METRICS_TOKEN: 'scrape-token-0123456789', PASSWORD_HASH_CONCURRENCY: '4' });
    expect(config).toMatchObject({ metricsToken: 'scrape-token-0123456789', passwordHashConcurrency: 4 });
    expect(problemsOf({ PASSWORD_HASH_CONCURRENCY: '0' })).toEqual(['PASSWORD_HASH_CONCURRENCY="0" must be a whole number from 1 to 256.']);
  });

  it('OTP_PROVIDER remembers whether it was set or inferred', () => {
    expect(loadConfig({}).otp).toMatchObject({ provider: 'console', providerExplicit: false });
    expect(loadConfig({ OTP_PROVIDER: 'console' }).otp).toMatchObject({ provider: 'console', providerExplicit: true });
    expect(loadConfig({ ...TWILIO }).otp).toMatchObject({ provider: 'twilio-verify', providerExplicit: false });
  });

  it('production requires PUBLIC_URL and DATA_ENCRYPTION_KEY, each named once with its fix', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.filter((problem) => problem.startsWith('PUBLIC_URL is required in production: set it'))).toHaveLength(1);
    expect(problems.filter((problem) => problem.startsWith('DATA_ENCRYPTION_KEY is required in production: run `npx boreal keys generate-data-key`'))).toHaveLength(1);
  });
});

describe('durations and limit rules (ajv formats)', () => {
  it('every unit and several rules are read', () => {
    const config = loadConfig({ OTP_TTL: '90s', SESSION_MAX_TTL: '1d', LIMIT_OTP_PER_PHONE: '5/10m, 20/1d,100/72h', LIMIT_REQUESTS_PER_IP: '7/1h' });
    expect(config.otp.ttlSeconds).toBe(90);
    expect(config.sessions.maxTtlSeconds).toBe(86400);
    expect(config.limits.otpPerPhone).toEqual([{ limit: 5, windowSeconds: 600 }, { limit: 20, windowSeconds: 86400 }, { limit: 100, windowSeconds: 259200 }]);
    expect(config.limits.requestsPerIp).toEqual({ limit: 7, windowSeconds: 3600 });
  });

  it('every malformed value is named at once, one line each, with the way to write it', () => {
    const problems = problemsOf({ OTP_TTL: '0s', ACCESS_TOKEN_TTL: '15', LIMIT_LOGIN_PER_IP: '30 per 10m', LOCKOUT_OTP: '10/15m,20/1h', LIMIT_OTP_PER_IP: '0/1h', PORT: '70000', OTP_MAX_ATTEMPTS: 'five' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'OTP_TTL="0s" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.',
        'ACCESS_TOKEN_TTL="15" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.',
        'LIMIT_LOGIN_PER_IP="30 per 10m" is not a limit: write COUNT/DURATION, several comma-separated, like 30/10m.',
        'LOCKOUT_OTP takes exactly one COUNT/DURATION rule, like 10/15m.',
        'LIMIT_OTP_PER_IP="0/1h" is not a limit: write COUNT/DURATION, several comma-separated, like 20/1h.',
        'PORT="70000" must be a whole number from 0 to 65535.',
        'OTP_MAX_ATTEMPTS="five" must be a whole number from 1 to 100.',
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('a malformed value does not hide the rules between settings: SESSION_IDLE_TTL longer than the default maximum is still named', () => {
    expect(problemsOf({ SESSION_IDLE_TTL: '1d', OTP_TTL: 'soon' })).toEqual([
      'OTP_TTL="soon" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.',
      'SESSION_IDLE_TTL must not be longer than SESSION_MAX_TTL.',
    ]);
  });
});

describe('TRUST_PROXY', () => {
  it('true/false, a hop count, or addresses and CIDR ranges', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,2001:db8::/32' }).trustProxy).toEqual(['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
    expect(loadConfig({}).trustProxy).toBeUndefined();
  });

  it.each(['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/8', '300.1.1.1'])('%s is refused', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual(['TRUST_PROXY must be true, a hop count, or comma-separated IP addresses or CIDR ranges.']);
  });

  it('a hop count reaches Fastify as "trust the nearest N hops" (Fastify 5 ignores a bare number)', () => {
    const trust = fastifyTrustProxy(1) as (address: string, hop: number) => boolean;
    expect(typeof trust).toBe('function');
    expect([trust('10.0.0.5', 0), trust('203.0.113.9', 1)]).toEqual([true, false]);
    expect(fastifyTrustProxy(undefined)).toBe(false);
    expect(fastifyTrustProxy(['10.0.0.0/8'])).toEqual(['10.0.0.0/8']);
  });
});

describe('the development mode never reaches what others can reach (defect 9.4)', () => {
  it('the development admin is seeded into the embedded database only, never into a DATABASE_URL database', () => {
    expect(loadConfig({}).seedDevelopmentAdmin).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://boreal@db.internal:5432/boreal' }).seedDevelopmentAdmin).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://boreal@127.0.0.1/boreal' }).seedDevelopmentAdmin).toBe(false);
  });

  it.each(['0.0.0.0', '::', '192.168.1.20', 'portal.lan'])('the inferred console provider on HOST=%s is refused, naming HOST and OTP_PROVIDER', (host) => {
    const problems = problemsOf({ HOST: host });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^HOST=${host.replace(/\./g, '\\.')} is not a loopback address, and OTP_PROVIDER defaults to console`));
    expect(problems[0]).toMatch(/set HOST=127\.0\.0\.1, or set the Twilio settings, or set OTP_PROVIDER=console/);
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost'])('the console provider listens on loopback HOST=%s', (host) => {
    expect(loadConfig({ HOST: host }).otp.provider).toBe('console');
  });

  it('OTP_PROVIDER=console set explicitly, or Twilio settings, allow any HOST', () => {
    expect(loadConfig({ HOST: '0.0.0.0', OTP_PROVIDER: 'console' }).otp.provider).toBe('console');
    expect(loadConfig({ HOST: '0.0.0.0', ...TWILIO }).otp.provider).toBe('twilio-verify');
  });

  it('`boreal serve` on HOST=0.0.0.0 without Twilio exits 1 before listening, naming HOST and OTP_PROVIDER', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await serveUntilSignalled({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: '/nonexistent-boreal-data' })).toBe(1);
    } finally {
      spy.mockRestore();
    }
    const lines = written.join('').split('\n');
    expect(lines[0]).toBe('Boreal Portal cannot start. Fix these settings:');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- HOST=0\.0\.0\.0 is not a loopback address, and OTP_PROVIDER /));
  });
});
