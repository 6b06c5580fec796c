// The composition root of the domain: every use case wired to its storage,
// clock and randomness. Tests build the same graph with a fixed clock, an
// in-memory database or a fake Twilio; nothing here knows about HTTP.

import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import type { DatabaseHandle, Database } from './db/connect.js';
import { createAuditLog, type AuditLog } from './audit/audit.js';
import { createAccessTokens, loadOrCreateDevelopmentKeys, type AccessTokens, type KeySet } from './auth/access-tokens.js';
import { cryptoRandom, systemClock, type Clock, type Random } from './auth/crypto.js';
import { createChallengeStore } from './auth/otp-challenges.js';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords.js';
import { createSessionStore, type SessionStore } from './auth/sessions.js';
import { createSignIn, type SignIn } from './auth/sign-in/index.js';
import { createTokenIssuer, type TokenIssuer } from './auth/token-issuer.js';
import { createLimits, type Limits } from './limits/limits.js';
import { createOtpProvider } from './otp/create-provider.js';
import type { OtpProvider } from './otp/provider.js';

export interface Services {
  config: Config;
  database: DatabaseHandle;
  db: Database;
  clock: Clock;
  random: Random;
  logger: Logger;
  passwords: PasswordHasher;
  otp: OtpProvider;
  limits: Limits;
  audit: AuditLog;
  sessions: SessionStore;
  accessTokens: AccessTokens;
  tokens: TokenIssuer;
  signIn: SignIn;
}

export interface ServiceOverrides {
  clock?: Clock;
  random?: Random;
  otp?: OtpProvider;
  passwords?: PasswordHasher;
  keySet?: KeySet;
  /** Already built (startServer builds them before opening the database). */
  accessTokens?: AccessTokens;
}

/**
 * The access-token service of the settings' keys: JWT_PRIVATE_KEYS, else the
 * development keys of DATA_DIR (config refuses their absence in production).
 * jose is stricter than config.ts's synchronous check, so a key set it cannot
 * import is reported as a settings problem naming JWT_PRIVATE_KEYS, not a crash.
 */
export async function createAccessTokensFor(config: Config, clock: Clock = systemClock, keySet?: KeySet): Promise<AccessTokens> {
  const keys = keySet ?? config.jwt.privateKeys ?? (await loadOrCreateDevelopmentKeys(config.dataDir));
  try {
    return await createAccessTokens({
      keySet: keys,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTokenTtlSeconds,
      clock,
    });
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}

export async function createServices(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const db = database.db;
  const accessTokens = overrides.accessTokens ?? (await createAccessTokensFor(config, clock, overrides.keySet));
  const passwords = overrides.passwords ?? createPasswordHasher();
  const otp = overrides.otp ?? createOtpProvider(config, logger);
  const limits = createLimits(database, clock);
  const audit = createAuditLog(db, clock);
  const sessions = createSessionStore({
    db,
    clock,
    random,
    idleTtlSeconds: config.sessions.idleTtlSeconds,
    maxTtlSeconds: config.sessions.maxTtlSeconds,
  });
  const tokens = createTokenIssuer({ db, accessTokens, accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds, sessions, audit });
  const signIn = createSignIn({
    db,
    config,
    passwords,
    otp,
    challenges: createChallengeStore(db, clock, random),
    limits,
    audit,
    tokens,
    clock,
  });
  return { config, database, db, clock, random, logger, passwords, otp, limits, audit, sessions, accessTokens, tokens, signIn };
}
