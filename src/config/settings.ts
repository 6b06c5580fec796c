// The settings of API.md "Operating it" as one JSON schema (TypeBox), read by
// env-schema: each value's shape and default. What one value cannot say alone
// (required in production, the OTP provider chosen from the Twilio settings,
// HOST's default) is decided in load.ts. Every refusal here reads as the
// setting, what is wrong and how to fix it, never echoing a secret.

import { Type, type Static } from 'typebox';
import { parseLimitRules } from './formats.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const text = (description: string, options: Record<string, unknown> = {}) => Type.Optional(Type.String({ description, ...options }));
const duration = (fallback: string, description: string) => text(description, { format: 'duration', default: fallback });
const rules = (fallback: string, description: string) => text(description, { format: 'limit-rules', default: fallback });
const rule = (fallback: string, description: string) => text(description, { format: 'limit-rule', default: fallback });
const wholeNumber = (minimum: number, maximum: number, description: string, fallback?: number) =>
  Type.Optional(Type.Integer({ minimum, maximum, description, ...(fallback === undefined ? {} : { default: fallback }) }));

export const SettingsSchema = Type.Object({
  NODE_ENV: text('`production` turns on every production guard', { default: 'development' }),
  PORT: wholeNumber(0, 65535, 'where to listen', 3000),
  HOST: text('where to listen: 127.0.0.1 (0.0.0.0 in production)'),
  PUBLIC_URL: text('the origin users reach, for password-setup links; required in production; default http://HOST:PORT', { format: 'http-origin' }),
  LOG_LEVEL: Type.Optional(Type.Enum([...LOG_LEVELS], { description: 'pino level', default: 'info' })),
  TRUST_PROXY: text('Fastify trustProxy: true, a hop count, or comma-separated IPs/CIDRs', { format: 'trust-proxy' }),
  DATABASE_URL: text('postgres://…; unset = embedded database under DATA_DIR (refused in production)', { pattern: '^postgres(ql)?://' }),
  DATA_DIR: text('embedded database and development keys', { default: './data' }),
  REDIS_URL: text('shared store for the per-IP request limit across instances', { pattern: '^rediss?://' }),
  JWT_PRIVATE_KEYS: text('private JWK set {"keys":[…]}; required in production'),
  JWT_ISSUER: text('token iss', { default: 'boreal-portal' }),
  JWT_AUDIENCE: text('token aud', { default: 'boreal-portal' }),
  DATA_ENCRYPTION_KEY: text('32 random bytes, base64url: encrypts authenticator secrets; required in production', { format: 'data-encryption-key' }),
  METRICS_TOKEN: text('turns on GET /metrics behind Authorization: Bearer <METRICS_TOKEN>; unset: 404'),
  PASSWORD_HASH_CONCURRENCY: wholeNumber(1, 256, 'password hashes computed at once; default: the cores less one (at least 1)'),
  OTP_PROVIDER: Type.Optional(Type.Enum(['twilio-verify', 'console'], { description: 'where codes go' })),
  TWILIO_ACCOUNT_SID: text('Twilio account SID', { pattern: '^AC[0-9a-fA-F]{32}$' }),
  TWILIO_AUTH_TOKEN: text('Twilio auth token', { pattern: '^[0-9a-fA-F]{32}$' }),
  TWILIO_VERIFY_SERVICE_SID: text('Twilio Verify service SID', { pattern: '^VA[0-9a-fA-F]{32}$' }),
  TWILIO_VERIFY_BASE_URL: text('where the Twilio Verify API is reached', { format: 'http-url', default: 'https://verify.twilio.com' }),
  TWILIO_TIMEOUT: duration('5s', 'per-call timeout'),
  OTP_DEV_CODE: text('the console provider’s code', { pattern: '^\\d{4,10}$', default: '123456' }),
  OTP_ALLOWED_COUNTRIES: text('ISO country codes a code may be sent to', { format: 'country-list', default: 'CA,US' }),
  OTP_TTL: duration('10m', 'code and temp-token lifetime'),
  OTP_MAX_ATTEMPTS: wholeNumber(1, 100, 'wrong codes per challenge', 5),
  OTP_RESEND_COOLDOWN: duration('30s', 'between sends of one challenge'),
  LIMIT_OTP_PER_PHONE: rules('5/10m,20/1d', 'codes sent to one phone'),
  LIMIT_OTP_PER_IP: rules('20/1h', 'codes sent for one IP'),
  LIMIT_LOGIN_PER_IP: rules('30/10m', 'login attempts from one IP'),
  LOCKOUT_PASSWORD: rule('10/15m', 'consecutive wrong passwords per email / lock'),
  LOCKOUT_OTP: rule('10/15m', 'consecutive wrong codes per account / lock'),
  LIMIT_REQUESTS_PER_IP: rule('600/1m', 'requests per IP, all routes but health'),
  ACCESS_TOKEN_TTL: duration('15m', 'access token lifetime'),
  SESSION_IDLE_TTL: duration('30m', 'refresh session idle lifetime'),
  SESSION_MAX_TTL: duration('12h', 'refresh session absolute lifetime'),
  PASSWORD_SETUP_TTL: duration('72h', 'password-setup (invitation, reset) link lifetime'),
});

export type SettingName = keyof Static<typeof SettingsSchema>;
export const SETTING_NAMES = Object.keys(SettingsSchema.properties) as SettingName[];

const TWILIO_SHAPES: Partial<Record<SettingName, string>> = {
  TWILIO_ACCOUNT_SID: 'AC followed by 32 hex characters',
  TWILIO_AUTH_TOKEN: '32 hex characters',
  TWILIO_VERIFY_SERVICE_SID: 'VA followed by 32 hex characters',
};
export const twilioShapeOf = (name: SettingName) => TWILIO_SHAPES[name]!;

/** The refusals of values no general rule words well. Secrets are named, never repeated. */
const SPECIFIC_PROBLEMS: Partial<Record<SettingName, (value: string) => string>> = {
  DATABASE_URL: () => 'DATABASE_URL must be a postgres:// or postgresql:// URL.',
  REDIS_URL: () => 'REDIS_URL must be a redis:// or rediss:// URL.',
  PUBLIC_URL: (value) => `PUBLIC_URL="${value}" must be an http(s) origin without a path, like https://portal.example.com.`,
  TRUST_PROXY: () => 'TRUST_PROXY must be true, a hop count, or comma-separated IP addresses or CIDR ranges.',
  DATA_ENCRYPTION_KEY: () => 'DATA_ENCRYPTION_KEY must be 32 bytes in base64url (43 characters): run `npx boreal keys generate-data-key` and set its output.',
  OTP_PROVIDER: (value) => `OTP_PROVIDER="${value}" must be twilio-verify or console.`,
  TWILIO_ACCOUNT_SID: () => `TWILIO_ACCOUNT_SID is malformed: it must be ${TWILIO_SHAPES.TWILIO_ACCOUNT_SID}. Copy it again from the Twilio console.`,
  TWILIO_AUTH_TOKEN: () => `TWILIO_AUTH_TOKEN is malformed: it must be ${TWILIO_SHAPES.TWILIO_AUTH_TOKEN}. Copy it again from the Twilio console.`,
  TWILIO_VERIFY_SERVICE_SID: () => `TWILIO_VERIFY_SERVICE_SID is malformed: it must be ${TWILIO_SHAPES.TWILIO_VERIFY_SERVICE_SID}. Copy it again from the Twilio console.`,
  TWILIO_VERIFY_BASE_URL: () => 'TWILIO_VERIFY_BASE_URL must be an http(s) URL, like https://verify.twilio.com.',
  OTP_DEV_CODE: () => 'OTP_DEV_CODE must be 4 to 10 digits.',
  OTP_ALLOWED_COUNTRIES: () => 'OTP_ALLOWED_COUNTRIES must be comma-separated two-letter ISO country codes, like CA,US.',
  LOG_LEVEL: () => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`,
};

/** One line naming the setting, what is wrong with `value` and how to fix it. */
export function invalidSettingProblem(name: SettingName, value: string): string {
  const specific = SPECIFIC_PROBLEMS[name];
  if (specific) return specific(value);
  const schema = SettingsSchema.properties[name] as { type?: string; format?: string; default?: unknown; minimum?: number; maximum?: number };
  switch (schema.format) {
    case 'duration':
      return `${name}="${value}" is not a duration: write a number and a unit, like 30s, 10m, 12h or 1d.`;
    case 'limit-rules':
      return `${name}="${value}" is not a limit: write COUNT/DURATION, several comma-separated, like ${schema.default}.`;
    case 'limit-rule':
      return (parseLimitRules(value)?.length ?? 0) > 1
        ? `${name} takes exactly one COUNT/DURATION rule, like ${schema.default}.`
        : `${name}="${value}" is not a limit: write COUNT/DURATION, like ${schema.default}.`;
  }
  if (schema.type === 'integer') return `${name}="${value}" must be a whole number from ${schema.minimum} to ${schema.maximum}.`;
  return `${name}="${value}" is not valid: ${(schema as { description?: string }).description ?? 'see .env.example'}.`;
}
