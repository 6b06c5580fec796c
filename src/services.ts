// The composition root of the domain: every use case wired to its storage,
// clock and randomness, each given only what it uses. Tests build the same
// graph with a fixed clock, an in-memory database or a fake Twilio; nothing
// here knows about HTTP. Only src/http/, src/cli/ and src/server.ts import
// this file: the domain modules receive narrow dependency objects instead.

import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import type { DatabaseHandle, Database } from './db/connect.js';
import { createAuditLog, type AuditLog } from './audit/audit.js';
import { createApplications, type Applications } from './applications/applications.js';
import { createAccessTokenCheck, type VerifyAccessToken } from './auth/access-token-check.js';
import { createAccessTokens, loadOrCreateDevelopmentKeys, type AccessTokens, type KeySet } from './auth/access-tokens.js';
import { createChallengeStore } from './auth/otp-challenges.js';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords.js';
import { createSessionTokens, type SessionTokens } from './auth/session-tokens.js';
import { createSessionStore, type SessionStore } from './auth/sessions.js';
import { createCachedUserViews, createSessionCache, listenForRevocations, withSessionCache, type FindUserView, type SessionCache } from './auth/session-cache.js';
import { createSignIn, type SignIn } from './auth/sign-in.js';
import { cryptoRandom, systemClock, type Clock, type Random } from './core/clock.js';
import { createRateLimitClearing, type RateLimitClearing } from './limits/clear.js';
import { createLimits, type Limits } from './limits/limits.js';
import { createRequestCounters, type RequestCounters } from './limits/request-counters.js';
import { createOtpProvider } from './otp/create-provider.js';
import type { OtpProvider } from './otp/provider.js';
import { createUserAdmin, type UserAdmin } from './users/user-admin.js';

export interface Services {
  config: Config;
  /** The connection: engine kind, raw queries, migrations, close. */
  databaseHandle: DatabaseHandle;
  /** The Drizzle database over it, for queries. */
  db: Database;
  clock: Clock;
  random: Random;
  logger: Logger;
  passwords: PasswordHasher;
  otp: OtpProvider;
  limits: Limits;
  /** LIMIT_REQUESTS_PER_IP's counters: counted by the request-limit hook, cleared by rateLimitClearing. */
  requestCounters: RequestCounters;
  audit: AuditLog;
  /** Served from sessionCache while this instance hears revocations (LISTEN boreal_sessions). */
  sessions: SessionStore;
  sessionCache: SessionCache;
  /** The user view /api/auth/me answers with, from the same cache. */
  findUserView: FindUserView;
  /** Signs access JWTs and checks their signatures and claims; publishes the JWKS. */
  jwt: AccessTokens;
  /** A session for a signed-in user, its refresh and its logout. */
  sessionTokens: SessionTokens;
  /** How every authenticated request checks its Bearer token (signature, then a live session). */
  verifyAccessToken: VerifyAccessToken;
  signIn: SignIn;
  userAdmin: UserAdmin;
  applications: Applications;
  rateLimitClearing: RateLimitClearing;
  /** Releases what the services hold open (the Redis connection, the listening connection); the database is its opener's to close. */
  close(): Promise<void>;
}

export interface ServiceOverrides {
  clock?: Clock;
  random?: Random;
  otp?: OtpProvider;
  passwords?: PasswordHasher;
  keySet?: KeySet;
  /** Already built (startServer builds it before opening the database). */
  jwt?: AccessTokens;
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
  databaseHandle: DatabaseHandle,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const db = databaseHandle.db;
  const jwt = overrides.jwt ?? (await createAccessTokensFor(config, clock, overrides.keySet));
  const passwords = overrides.passwords ?? createPasswordHasher({ concurrency: config.passwordHashConcurrency });
  const otp = overrides.otp ?? (await createOtpProvider(config, logger));
  const limits = createLimits(databaseHandle, clock);
  const audit = createAuditLog(db, clock);
  const sessionCache = createSessionCache();
  const sessions = withSessionCache(
    createSessionStore({
      db,
      clock,
      random,
      idleTtlSeconds: config.sessions.idleTtlSeconds,
      maxTtlSeconds: config.sessions.maxTtlSeconds,
    }),
    sessionCache,
    clock,
  );
  const revocations = await listenForRevocations(databaseHandle, sessionCache, logger);
  const sessionTokens = createSessionTokens({ db, jwt, accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds, sessions, audit });
  const signIn = createSignIn({
    db,
    config,
    passwords,
    otp,
    challenges: createChallengeStore(db, clock, random),
    limits,
    audit,
    tokens: sessionTokens,
    clock,
  });
  const requestCounters = await createRequestCounters({ redisUrl: config.redisUrl, clock, logger });
  return {
    config,
    databaseHandle,
    db,
    clock,
    random,
    logger,
    passwords,
    otp,
    limits,
    requestCounters,
    audit,
    sessions,
    sessionCache,
    findUserView: createCachedUserViews(db, sessionCache),
    jwt,
    sessionTokens,
    verifyAccessToken: createAccessTokenCheck({ jwt, sessions }),
    signIn,
    userAdmin: createUserAdmin({ db, clock, passwords, sessions, audit }),
    applications: createApplications({ db, clock, audit }),
    rateLimitClearing: createRateLimitClearing({ db, limits, requestCounters, audit }),
    async close() {
      await revocations.close();
      await requestCounters.close();
    },
  };
}
