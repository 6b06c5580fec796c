// Reads the environment into a Config: env-schema checks each value against
// the schema (settings.ts); then the rules between settings (production
// requirements, the OTP provider, where the console provider may listen).
// Every problem is collected before throwing, so one refused start names
// every fix: the incident behind this product was a production server that
// started without its Twilio secrets.

import { availableParallelism } from 'node:os';
import path from 'node:path';
import envSchema from 'env-schema';
import type { ErrorObject } from 'ajv';
import type { Static } from 'typebox';
import { decodeDataEncryptionKey } from '../secrets/data-key.js';
import { createSettingsAjv, isLoopbackHost, parseCountryList, parseDurationSeconds, parseHttpOrigin, parseLimitRules, parseTrustProxy } from './formats.js';
import { parsePrivateKeys } from './jwt-keys.js';
import { SETTING_NAMES, SettingsSchema, invalidSettingProblem, twilioShapeOf, type SettingName } from './settings.js';
import { ConfigError, type Config, type OtpProviderName, type TwilioSettings } from './types.js';

type Settings = Static<typeof SettingsSchema>;

const settingsAjv = createSettingsAjv();
const TWILIO_CREDENTIALS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_VERIFY_SERVICE_SID'] as const;

/** The schema's settings that are set: trimmed, a blank value counting as unset. */
function givenSettings(env: Record<string, string | undefined>): Partial<Record<SettingName, string>> {
  const given: Partial<Record<SettingName, string>> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name]?.trim();
    if (value) given[name] = value;
  }
  return given;
}

/**
 * The values with their defaults, and the refusal of each malformed one. A
 * malformed value is dropped and validated again without it, so the rules
 * between settings still run on the defaults and report their problems too.
 */
function validateSettings(given: Partial<Record<SettingName, string>>): { settings: Settings; problems: string[] } {
  const read = (data: Record<string, string>) => envSchema<Settings>({ schema: SettingsSchema, data, env: false, ajv: settingsAjv });
  try {
    return { settings: read(given), problems: [] };
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    const invalid = new Set(errors.map((each) => each.instancePath.split('/')[1] as SettingName).filter((name) => name in given));
    if (invalid.size === 0) throw error;
    const rest = Object.fromEntries(Object.entries(given).filter(([name]) => !invalid.has(name as SettingName)));
    return { settings: read(rest), problems: [...invalid].map((name) => invalidSettingProblem(name, given[name]!)) };
  }
}

/** Reads an environment into a Config, or throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const given = givenSettings(env);
  const isSet = (name: SettingName) => given[name] !== undefined;
  const { settings, problems } = validateSettings(given);
  const seconds = (text: string | undefined) => parseDurationSeconds(text!)!;
  const limitRules = (text: string | undefined) => parseLimitRules(text!)!;

  const nodeEnv = settings.NODE_ENV!;
  const isProduction = nodeEnv === 'production';
  const requiredInProduction = (name: SettingName, fix: string) => {
    if (isProduction && !isSet(name)) problems.push(`${name} is required in production: ${fix}`);
  };

  const port = settings.PORT!;
  const host = settings.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1');
  requiredInProduction('PUBLIC_URL', 'set it to the origin users reach, like https://portal.example.com (password-setup links point there).');
  const publicUrl = settings.PUBLIC_URL ? parseHttpOrigin(settings.PUBLIC_URL)! : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  requiredInProduction('DATABASE_URL', 'the embedded database is for development only. Set it to your PostgreSQL URL, e.g. postgres://user:pass@host:5432/boreal.');
  requiredInProduction('JWT_PRIVATE_KEYS', 'run `npx boreal keys generate` and set its output.');
  const privateKeys = parsePrivateKeys(settings.JWT_PRIVATE_KEYS, problems);
  requiredInProduction('DATA_ENCRYPTION_KEY', 'run `npx boreal keys generate-data-key` and set its output (keep it with your other secrets: what it encrypted is unreadable without it).');

  const otp = chooseOtpProvider(settings, given, isProduction, host, problems);

  const config: Config = {
    nodeEnv,
    isProduction,
    port,
    host,
    publicUrl,
    databaseUrl: settings.DATABASE_URL,
    dataDir: path.resolve(settings.DATA_DIR!),
    redisUrl: settings.REDIS_URL,
    jwt: {
      privateKeys,
      issuer: settings.JWT_ISSUER!,
      audience: settings.JWT_AUDIENCE!,
      accessTokenTtlSeconds: seconds(settings.ACCESS_TOKEN_TTL),
    },
    dataEncryptionKey: settings.DATA_ENCRYPTION_KEY ? decodeDataEncryptionKey(settings.DATA_ENCRYPTION_KEY) : undefined,
    sessions: {
      idleTtlSeconds: seconds(settings.SESSION_IDLE_TTL),
      maxTtlSeconds: seconds(settings.SESSION_MAX_TTL),
    },
    passwordSetup: { ttlSeconds: seconds(settings.PASSWORD_SETUP_TTL) },
    // One core stays free for the event loop: hashing is what a login burst would otherwise pile onto.
    passwordHashConcurrency: settings.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, availableParallelism() - 1),
    otp: {
      ...otp,
      devCode: settings.OTP_DEV_CODE!,
      allowedCountries: parseCountryList(settings.OTP_ALLOWED_COUNTRIES!)!,
      ttlSeconds: seconds(settings.OTP_TTL),
      maxAttempts: settings.OTP_MAX_ATTEMPTS!,
      resendCooldownSeconds: seconds(settings.OTP_RESEND_COOLDOWN),
    },
    twilio: otp.provider === 'twilio-verify' ? twilioSettings(settings) : undefined,
    trustProxy: settings.TRUST_PROXY === undefined ? undefined : parseTrustProxy(settings.TRUST_PROXY)!,
    logLevel: settings.LOG_LEVEL!,
    metricsToken: settings.METRICS_TOKEN,
    limits: {
      otpPerPhone: limitRules(settings.LIMIT_OTP_PER_PHONE),
      otpPerIp: limitRules(settings.LIMIT_OTP_PER_IP),
      loginPerIp: limitRules(settings.LIMIT_LOGIN_PER_IP),
      lockoutPassword: limitRules(settings.LOCKOUT_PASSWORD)[0]!,
      lockoutOtp: limitRules(settings.LOCKOUT_OTP)[0]!,
      requestsPerIp: limitRules(settings.LIMIT_REQUESTS_PER_IP)[0]!,
    },
    // Only the embedded database: admin123 must never reach a database someone else can connect to (defect 9.4).
    seedDevelopmentAdmin: !isProduction && !isSet('DATABASE_URL'),
  };
  if (config.sessions.idleTtlSeconds > config.sessions.maxTtlSeconds) {
    problems.push('SESSION_IDLE_TTL must not be longer than SESSION_MAX_TTL.');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * OTP_PROVIDER, or else twilio-verify when Twilio is configured (always in
 * production) and console otherwise. The console provider accepts
 * OTP_DEV_CODE for everyone: refused in production, and, unless chosen
 * explicitly, on a HOST other machines can reach.
 */
function chooseOtpProvider(
  settings: Settings,
  given: Partial<Record<SettingName, string>>,
  isProduction: boolean,
  host: string,
  problems: string[],
): { provider: OtpProviderName; providerExplicit: boolean } {
  const twilioGiven = TWILIO_CREDENTIALS.some((name) => given[name] !== undefined);
  const providerExplicit = settings.OTP_PROVIDER !== undefined;
  const provider: OtpProviderName = settings.OTP_PROVIDER ?? (twilioGiven || isProduction ? 'twilio-verify' : 'console');
  if (isProduction && provider === 'console') {
    problems.push('OTP_PROVIDER=console is refused in production: it sends no codes. Set OTP_PROVIDER=twilio-verify (or unset it) with the Twilio settings.');
  }
  if (!isProduction && provider === 'console' && !providerExplicit && !isLoopbackHost(host)) {
    problems.push(
      `HOST=${host} is not a loopback address, and OTP_PROVIDER defaults to console (no Twilio settings), whose code OTP_DEV_CODE opens every account to whoever reaches the server: set HOST=127.0.0.1, or set the Twilio settings, or set OTP_PROVIDER=console to accept this.`,
    );
  }
  // In production the Twilio settings are checked even beside a (refused) console provider, so one start names every fix.
  if ((provider === 'twilio-verify' && (twilioGiven || given.OTP_PROVIDER !== undefined)) || isProduction) {
    for (const name of TWILIO_CREDENTIALS) {
      if (given[name] === undefined) {
        problems.push(`${name} is required ${isProduction ? 'in production' : 'for OTP_PROVIDER=twilio-verify'}: copy it from the Twilio console (${twilioShapeOf(name)}).`);
      }
    }
  }
  return { provider, providerExplicit };
}

function twilioSettings(settings: Settings): TwilioSettings | undefined {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_VERIFY_SERVICE_SID: verifyServiceSid } = settings;
  if (!accountSid || !authToken || !verifyServiceSid) return undefined;
  return {
    accountSid,
    authToken,
    verifyServiceSid,
    baseUrl: settings.TWILIO_VERIFY_BASE_URL!.replace(/\/+$/, ''),
    timeoutMs: parseDurationSeconds(settings.TWILIO_TIMEOUT!)! * 1000,
  };
}
