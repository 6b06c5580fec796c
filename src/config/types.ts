// The typed settings every module reads (API.md "Operating it"), and the one
// error a refused start throws: one line per problem, each naming its setting.

import type { LimitRule } from '../core/limit-rule.js';

export type OtpProviderName = 'twilio-verify' | 'console';

/** Fastify's trustProxy as the operator wrote it: true/false, a hop count, or addresses/CIDRs. */
export type TrustProxySetting = boolean | number | string[] | undefined;

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
  /** The origin users reach (password-setup links), without a trailing slash: `https://portal.example.com`. */
  publicUrl: string;
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
  /** DATA_ENCRYPTION_KEY (32 bytes); undefined in development means "generate into DATA_DIR" (see src/secrets/data-key.ts). */
  dataEncryptionKey: Buffer | undefined;
  sessions: { idleTtlSeconds: number; maxTtlSeconds: number };
  passwordSetup: { ttlSeconds: number };
  /** How many password hashes (argon2) may run at once: the rest wait, so a login burst cannot starve the event loop's thread pool. */
  passwordHashConcurrency: number;
  otp: {
    provider: OtpProviderName;
    /** OTP_PROVIDER was set, not inferred: an explicit `console` is accepted on a non-loopback HOST. */
    providerExplicit: boolean;
    devCode: string;
    allowedCountries: string[];
    ttlSeconds: number;
    maxAttempts: number;
    resendCooldownSeconds: number;
  };
  twilio: TwilioSettings | undefined;
  trustProxy: TrustProxySetting;
  logLevel: string;
  /** METRICS_TOKEN: the bearer token of GET /metrics; undefined turns the route off (404). */
  metricsToken: string | undefined;
  limits: {
    otpPerPhone: LimitRule[];
    otpPerIp: LimitRule[];
    loginPerIp: LimitRule[];
    lockoutPassword: LimitRule;
    lockoutOtp: LimitRule;
    requestsPerIp: LimitRule;
  };
  /** Seed the development admin: only into the embedded database, never in production. */
  seedDevelopmentAdmin: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
