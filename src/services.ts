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
import { createSignIn, type SignIn } from './auth/sign-in/index.js';
import { createPasswordChange, type PasswordChange } from './auth/password-change.js';
import { createPasswordSetup, type PasswordSetup } from './auth/password-setup.js';
import { createSessionList, type SessionList } from './auth/session-list.js';
import { createCachedUserViews, createSessionCache, listenForRevocations, withSessionCache, type FindUserView, type SessionCache } from './auth/session-cache.js';
import { withRecoveryCodeDrops, withSecuritySummaryCache, withUserChangeDrops } from './auth/security-summary-cache.js';
import { cryptoRandom, systemClock, type Clock, type Random } from './core/clock.js';
import { createRateLimitClearing, type RateLimitClearing } from './limits/clear.js';
import { createRateLimitListing, type RateLimitListing } from './limits/limited-list.js';
import { createLimits, type Limits } from './limits/limits.js';
import { createRequestCounters, type RequestCounters } from './limits/request-counters.js';
import { createOtpProvider } from './otp/create-provider.js';
import { createMetrics } from './metrics/metrics.js';
import type { Metrics } from './metrics/port.js';
import type { OtpProvider } from './otp/provider.js';
import { createUserAdmin, type UserAdmin } from './users/user-admin.js';
import { createAuthenticators, type Authenticators } from './auth/factors/authenticators.js';
import { createRecoveryCodeStore } from './auth/factors/recovery-codes.js';
import { createPasswordConfirmation } from './auth/password-confirmation.js';
import { dataEncryptionKeyFor } from './secrets/data-key.js';
import { createSecretBox } from './secrets/secret-box.js';
import { findEmailsByPhone } from './users/users-repository.js';

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
  /** A signed-in user's own password change. */
  passwordChange: PasswordChange;
  /** Invitation and reset links, and their use. */
  passwordSetup: PasswordSetup;
  /** The sessions a user (or an admin) can see and end. */
  sessionList: SessionList;
  /** The authenticator app and recovery codes of a user (API.md "Second factors"); summary() from sessionCache. */
  authenticators: Authenticators;
  userAdmin: UserAdmin;
  applications: Applications;
  rateLimitClearing: RateLimitClearing;
  /** Who is limited or locked now (the admin's list). */
  rateLimitListing: RateLimitListing;
  /** This instance's Prometheus registry behind the metrics port (served at GET /metrics). */
  metrics: Metrics;
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
  metrics?: Metrics;
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
  const metrics = overrides.metrics ?? createMetrics({ processMetrics: config.metricsToken !== undefined });
  const otp = overrides.otp ?? (await createOtpProvider(config, logger, { metrics, recipientsOf: (phone) => findEmailsByPhone(db, phone) }));
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
  const confirmPassword = createPasswordConfirmation({ config, limits, passwords, audit });
  let dataKey: Promise<Buffer> | undefined;
  const dataKeyOnce = () => (dataKey ??= dataEncryptionKeyFor(config));
  // A recovery code spent at sign-in changes /me's summary: this store drops it here, the trigger everywhere.
  const recoveryCodes = withRecoveryCodeDrops(createRecoveryCodeStore({ db, clock, random, dataKey: dataKeyOnce }), sessionCache);
  const authenticators = withSecuritySummaryCache(createAuthenticators({
    db,
    clock,
    random,
    audit,
    box: createSecretBox(dataKeyOnce, random),
    recoveryCodes,
    confirmPassword,
    issuer: 'Boreal Portal',
  }), sessionCache);
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
    authenticators,
    recoveryCodes,
    metrics,
  });
  const passwordSetup = createPasswordSetup({
    db,
    clock,
    random,
    passwords,
    limits,
    sessions,
    audit,
    publicUrl: config.publicUrl,
    ttlSeconds: config.passwordSetup.ttlSeconds,
    loginPerIp: config.limits.loginPerIp,
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
    passwordChange: createPasswordChange({ db, clock, passwords, confirmPassword, sessions, audit }),
    passwordSetup,
    sessionList: createSessionList({ db, sessions, audit }),
    authenticators,
    userAdmin: withUserChangeDrops(createUserAdmin({ db, clock, passwords, sessions, audit, passwordSetup }), sessionCache),
    applications: createApplications({ db, clock, audit }),
    rateLimitClearing: createRateLimitClearing({ db, limits, requestCounters, audit }),
    rateLimitListing: createRateLimitListing({ db, limits, requestCounters, config }),
    metrics,
    async close() {
      await revocations.close();
      await requestCounters.close();
    },
  };
}
