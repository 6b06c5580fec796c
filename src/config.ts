// Every setting of API.md, parsed and checked once at boot into one typed
// object. A bad or missing value stops the start with one line per problem,
// naming the setting and how to fix it: the incident behind this product was
// a production server that started without its Twilio secrets.

import { createPrivateKey, createPublicKey, sign as signData, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type OtpProviderName = 'twilio-verify' | 'console';

import type { LimitRule } from './core/limit-rule.js';
export type { LimitRule } from './core/limit-rule.js';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  verifyServiceSid: string;
  baseUrl: string;
  timeoutMs: number;
}

export interface Config {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  jwt: {
    /** The JWK set of `JWT_PRIVATE_KEYS`; undefined in development means "generate into DATA_DIR". */
    privateKeys: { keys: Record<string, unknown>[] } | undefined;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
  };
  sessions: { idleTtlSeconds: number; maxTtlSeconds: number };
  otp: {
    provider: OtpProviderName;
    devCode: string;
    allowedCountries: string[];
    ttlSeconds: number;
    maxAttempts: number;
    resendCooldownSeconds: number;
  };
  twilio: TwilioSettings | undefined;
  trustProxy: boolean | number | string[] | undefined;
  logLevel: string;
  limits: {
    otpPerPhone: LimitRule[];
    otpPerIp: LimitRule[];
    loginPerIp: LimitRule[];
    lockoutPassword: LimitRule;
    lockoutOtp: LimitRule;
    requestsPerIp: LimitRule;
  };
  /** Seed the development admin (never in production). */
  seedDevelopmentAdmin: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const AUTH_TOKEN = /^[0-9a-fA-F]{32}$/;
const VERIFY_SERVICE_SID = /^VA[0-9a-fA-F]{32}$/;

/** "30s", "10m", "12h", "1d" → seconds; undefined when malformed. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * DURATION_UNITS_SECONDS[match[2]!]!;
  return seconds > 0 ? seconds : undefined;
}

/** "5/10m,20/1d" → rules; undefined when malformed. */
export function parseLimitRules(text: string): LimitRule[] | undefined {
  const rules: LimitRule[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(part);
    if (!match) return undefined;
    const limit = Number(match[1]);
    const windowSeconds = parseDurationSeconds(match[2]!);
    if (!Number.isSafeInteger(limit) || limit < 1 || windowSeconds === undefined) return undefined;
    rules.push({ limit, windowSeconds });
  }
  return rules.length > 0 ? rules : undefined;
}

/**
 * The process environment, with `.env` of the working directory loaded first
 * when it exists. Variables already set win over the file.
 */
export function readEnvironment(file = '.env'): NodeJS.ProcessEnv {
  if (existsSync(file)) process.loadEnvFile(file);
  return process.env;
}

/** Reads an environment into a Config, or throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  const isProduction = nodeEnv === 'production';

  const duration = (name: string, fallback: string): number => {
    const text = read(name) ?? fallback;
    const seconds = parseDurationSeconds(text);
    if (seconds === undefined) {
      problems.push(`${name}="${text}" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.`);
      return parseDurationSeconds(fallback)!;
    }
    return seconds;
  };
  const rules = (name: string, fallback: string): LimitRule[] => {
    const text = read(name) ?? fallback;
    const parsed = parseLimitRules(text);
    if (!parsed) {
      problems.push(`${name}="${text}" is not a limit: write COUNT/DURATION, several comma-separated, like ${fallback}.`);
      return parseLimitRules(fallback)!;
    }
    return parsed;
  };
  const singleRule = (name: string, fallback: string): LimitRule => {
    const parsed = rules(name, fallback);
    if (parsed.length !== 1) {
      problems.push(`${name} takes exactly one COUNT/DURATION rule, like ${fallback}.`);
    }
    return parsed[0]!;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name}="${text}" must be a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = read('HOST') ?? (isProduction ? '0.0.0.0' : '127.0.0.1');

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }
  if (isProduction && databaseUrl === undefined) {
    problems.push('DATABASE_URL is required in production: the embedded database is for development only. Set it to your PostgreSQL URL, e.g. postgres://user:pass@host:5432/boreal.');
  }
  const dataDir = path.resolve(read('DATA_DIR') ?? './data');

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL.');
  }

  const privateKeys = parsePrivateKeys(read('JWT_PRIVATE_KEYS'), problems);
  if (isProduction && privateKeys === undefined && read('JWT_PRIVATE_KEYS') === undefined) {
    problems.push('JWT_PRIVATE_KEYS is required in production: run `npx boreal keys generate` and set its output.');
  }

  const twilio = parseTwilio(read, duration, problems);
  const twilioGiven = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID'].some((name) => read(name) !== undefined);

  const providerText = read('OTP_PROVIDER');
  let provider: OtpProviderName;
  if (providerText === undefined) {
    provider = twilioGiven || isProduction ? 'twilio-verify' : 'console';
  } else if (providerText === 'twilio-verify' || providerText === 'console') {
    provider = providerText;
  } else {
    problems.push(`OTP_PROVIDER="${providerText}" must be twilio-verify or console.`);
    provider = 'console';
  }
  if (isProduction && provider === 'console') {
    problems.push('OTP_PROVIDER=console is refused in production: it sends no codes. Set OTP_PROVIDER=twilio-verify (or unset it) with the Twilio settings.');
  }
  // In production the Twilio settings are checked even beside a (refused) console provider, so one start names every fix.
  if ((provider === 'twilio-verify' && (twilioGiven || providerText !== undefined)) || isProduction) {
    for (const [name, shape, hint] of [
      ['TWILIO_ACCOUNT_SID', ACCOUNT_SID, 'AC followed by 32 hex characters'],
      ['TWILIO_AUTH_TOKEN', AUTH_TOKEN, '32 hex characters'],
      ['TWILIO_VERIFY_SERVICE_SID', VERIFY_SERVICE_SID, 'VA followed by 32 hex characters'],
    ] as const) {
      const value = read(name);
      if (value === undefined) {
        problems.push(`${name} is required ${isProduction ? 'in production' : 'for OTP_PROVIDER=twilio-verify'}: copy it from the Twilio console (${hint}).`);
      } else if (!shape.test(value)) {
        problems.push(`${name} is malformed: it must be ${hint}. Copy it again from the Twilio console.`);
      }
    }
  }

  const devCode = read('OTP_DEV_CODE') ?? '123456';
  if (!/^\d{4,10}$/.test(devCode)) problems.push('OTP_DEV_CODE must be 4 to 10 digits.');

  const allowedCountries = (read('OTP_ALLOWED_COUNTRIES') ?? 'CA,US')
    .split(',')
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
  if (allowedCountries.length === 0 || allowedCountries.some((code) => !/^[A-Z]{2}$/.test(code))) {
    problems.push('OTP_ALLOWED_COUNTRIES must be comma-separated two-letter ISO country codes, like CA,US.');
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);

  const config: Config = {
    nodeEnv,
    isProduction,
    port,
    host,
    databaseUrl,
    dataDir,
    redisUrl,
    jwt: {
      privateKeys,
      issuer: read('JWT_ISSUER') ?? 'boreal-portal',
      audience: read('JWT_AUDIENCE') ?? 'boreal-portal',
      accessTokenTtlSeconds: duration('ACCESS_TOKEN_TTL', '15m'),
    },
    sessions: {
      idleTtlSeconds: duration('SESSION_IDLE_TTL', '30m'),
      maxTtlSeconds: duration('SESSION_MAX_TTL', '12h'),
    },
    otp: {
      provider,
      devCode,
      allowedCountries,
      ttlSeconds: duration('OTP_TTL', '10m'),
      maxAttempts: integer('OTP_MAX_ATTEMPTS', 5, 1, 100),
      resendCooldownSeconds: duration('OTP_RESEND_COOLDOWN', '30s'),
    },
    twilio: provider === 'twilio-verify' ? twilio : undefined,
    trustProxy: parseTrustProxy(read('TRUST_PROXY'), problems),
    logLevel,
    limits: {
      otpPerPhone: rules('LIMIT_OTP_PER_PHONE', '5/10m,20/1d'),
      otpPerIp: rules('LIMIT_OTP_PER_IP', '20/1h'),
      loginPerIp: rules('LIMIT_LOGIN_PER_IP', '30/10m'),
      lockoutPassword: singleRule('LOCKOUT_PASSWORD', '10/15m'),
      lockoutOtp: singleRule('LOCKOUT_OTP', '10/15m'),
      requestsPerIp: singleRule('LIMIT_REQUESTS_PER_IP', '600/1m'),
    },
    seedDevelopmentAdmin: !isProduction,
  };
  if (config.sessions.idleTtlSeconds > config.sessions.maxTtlSeconds) {
    problems.push('SESSION_IDLE_TTL must not be longer than SESSION_MAX_TTL.');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseTwilio(
  read: (name: string) => string | undefined,
  duration: (name: string, fallback: string) => number,
  problems: string[],
): TwilioSettings | undefined {
  const baseUrl = (read('TWILIO_VERIFY_BASE_URL') ?? 'https://verify.twilio.com').replace(/\/+$/, '');
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http');
  } catch {
    problems.push('TWILIO_VERIFY_BASE_URL must be an http(s) URL, like https://verify.twilio.com.');
  }
  const timeoutMs = duration('TWILIO_TIMEOUT', '5s') * 1000;
  const accountSid = read('TWILIO_ACCOUNT_SID');
  const authToken = read('TWILIO_AUTH_TOKEN');
  const verifyServiceSid = read('TWILIO_VERIFY_SERVICE_SID');
  if (!accountSid || !authToken || !verifyServiceSid) return undefined;
  return { accountSid, authToken, verifyServiceSid, baseUrl, timeoutMs };
}

function parsePrivateKeys(text: string | undefined, problems: string[]): Config['jwt']['privateKeys'] {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('JWT_PRIVATE_KEYS is not JSON: set it to the output of `npx boreal keys generate`.');
    return undefined;
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    problems.push('JWT_PRIVATE_KEYS must be a JWK set {"keys":[…]} with at least one key: run `npx boreal keys generate`.');
    return undefined;
  }
  const kids = new Set<unknown>();
  keys.forEach((key: Record<string, unknown>, index) => {
    const isEd25519 = key?.kty === 'OKP' && key?.crv === 'Ed25519';
    const isP256 = key?.kty === 'EC' && key?.crv === 'P-256';
    if (!isEd25519 && !isP256) {
      problems.push(`JWT_PRIVATE_KEYS key ${index} must be an Ed25519 (OKP) or P-256 (EC) key.`);
    } else if (typeof key.d !== 'string' || typeof key.x !== 'string' || typeof key.kid !== 'string') {
      problems.push(`JWT_PRIVATE_KEYS key ${index} must be a private key with "kid", "x" and "d".`);
    } else if (kids.has(key.kid)) {
      problems.push(`JWT_PRIVATE_KEYS key ${index} repeats the kid "${key.kid}" of an earlier key: give every key its own kid (\`npx boreal keys generate\` makes new ones).`);
    } else {
      const problem = unusableKeyProblem(key);
      if (problem) problems.push(`JWT_PRIVATE_KEYS key ${index} (kid "${key.kid}") cannot sign: ${problem}. Generate a new set with \`npx boreal keys generate\`.`);
    }
    kids.add(key?.kid);
  });
  return { keys: keys as Record<string, unknown>[] };
}

/**
 * A key set can parse yet be useless: a truncated "d", a public part "x"/"y"
 * that is not the private key's, key_ops without "sign". Tokens signed with
 * such a key would fail every check, so the start is refused instead: one
 * signature made and verified here, synchronously, before anything listens.
 */
function unusableKeyProblem(key: Record<string, unknown>): string | undefined {
  const keyOps = key.key_ops;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('sign'))) return '"key_ops" does not allow "sign"';
  try {
    const { d: _d, ...publicMembers } = key;
    const privateKey = createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
    const publicKey = createPublicKey({ key: publicMembers as JsonWebKey, format: 'jwk' });
    const probe = Buffer.from('boreal-key-check');
    const digest = key.kty === 'EC' ? 'sha256' : null;
    if (!verifySignature(digest, probe, publicKey, signData(digest, probe, privateKey))) return 'its public part does not match its private part "d"';
  } catch {
    return 'the key material is malformed';
  }
  return undefined;
}

function parseTrustProxy(text: string | undefined, problems: string[]): Config['trustProxy'] {
  if (text === undefined) return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0 || entries.some((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry))) {
    problems.push('TRUST_PROXY must be true, a hop count, or comma-separated IP addresses or CIDR ranges.');
    return undefined;
  }
  return entries;
}
