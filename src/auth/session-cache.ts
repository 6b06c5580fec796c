// Live sessions (and the user view and security summary /api/auth/me
// answers with) kept in this instance's memory, so an authenticated request
// costs no database round trip. Safe only while the instance hears every
// revocation and change: the database announces each on the channel
// `boreal_sessions` (triggers, migrations 0003 and 0004), and this instance
// LISTENs. While it does not listen (the
// connection was lost), nothing is served from memory: every request reads
// the database until it listens again, and then the whole cache is dropped,
// since notifications sent meanwhile are lost.
//
// The race this guards: a request reads a session (live), a revocation
// commits and is announced, then the request stores what it read. Every
// drop bumps a generation; a read stores its result only if no drop
// happened since it began, so a stale "live" is never cached.

import type { DatabaseHandle, DbExecutor } from '../db/connect.js';
import { findUserById, toUserView, type UserView } from '../users/users-repository.js';
import type { SecuritySummary } from './factors/authenticators.js';
import type { LiveSessionPrincipal, SessionStore } from './sessions.js';

export const SESSIONS_CHANNEL = 'boreal_sessions';
const USER_PREFIX = 'user:';
/** A change of the user's second factors that leaves the users row alone (their recovery codes): only the summary goes. */
const SECURITY_PREFIX = 'security:';

/** Entries kept at most, per kind; past it the least recently used go first. */
export const DEFAULT_SESSION_CACHE_ENTRIES = 10_000;

interface CachedSession extends LiveSessionPrincipal {
  maxExpiresAtMs: number;
}

export interface SessionCache {
  /** True while the instance listens: only then is anything served from memory. */
  readonly listening: boolean;
  generation(): number;
  session(sessionId: string): CachedSession | undefined;
  rememberSession(entry: CachedSession, readSince: number): void;
  user(userId: string): UserView | undefined;
  rememberUser(view: UserView, readSince: number): void;
  security(userId: string): SecuritySummary | undefined;
  rememberSecurity(userId: string, summary: SecuritySummary, readSince: number): void;
  dropSession(sessionId: string): void;
  /** The user's view, security summary and every session of theirs (their disabled flag and lender are in it). */
  dropUser(userId: string): void;
  /** The user's security summary alone. */
  dropSecurity(userId: string): void;
  dropAll(): void;
  /** Applies one payload of the channel: a session id, `user:<id>` or `security:<id>`. */
  applyNotification(payload: string): void;
  setListening(listening: boolean): void;
  size(): { sessions: number; users: number; securities: number };
}

/** A Map used as an LRU: a hit moves the key to the end; inserting past the cap drops the first. */
class Lru<V> {
  readonly #entries = new Map<string, V>();
  constructor(readonly capacity: number) {}
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
  deleteWhere(predicate: (value: V) => boolean): void {
    for (const [key, value] of this.#entries) if (predicate(value)) this.#entries.delete(key);
  }
  clear(): void {
    this.#entries.clear();
  }
  get size(): number {
    return this.#entries.size;
  }
}

export function createSessionCache(options: { maxEntries?: number } = {}): SessionCache {
  const capacity = options.maxEntries ?? DEFAULT_SESSION_CACHE_ENTRIES;
  const sessions = new Lru<CachedSession>(capacity);
  const users = new Lru<UserView>(capacity);
  const securities = new Lru<SecuritySummary>(capacity);
  let generation = 0;
  let listening = false;

  const cache: SessionCache = {
    get listening() {
      return listening;
    },
    generation: () => generation,
    session: (sessionId) => (listening ? sessions.get(sessionId) : undefined),
    rememberSession(entry, readSince) {
      if (listening && readSince === generation) sessions.set(entry.sessionId, entry);
    },
    user: (userId) => (listening ? users.get(userId) : undefined),
    rememberUser(view, readSince) {
      if (listening && readSince === generation) users.set(view.id, view);
    },
    security: (userId) => (listening ? securities.get(userId) : undefined),
    rememberSecurity(userId, summary, readSince) {
      if (listening && readSince === generation) securities.set(userId, summary);
    },
    dropSession(sessionId) {
      generation += 1;
      sessions.delete(sessionId);
    },
    dropUser(userId) {
      generation += 1;
      users.delete(userId);
      securities.delete(userId);
      sessions.deleteWhere((entry) => entry.userId === userId);
    },
    dropSecurity(userId) {
      generation += 1;
      securities.delete(userId);
    },
    dropAll() {
      generation += 1;
      sessions.clear();
      users.clear();
      securities.clear();
    },
    applyNotification(payload) {
      if (payload.startsWith(USER_PREFIX)) cache.dropUser(payload.slice(USER_PREFIX.length));
      else if (payload.startsWith(SECURITY_PREFIX)) cache.dropSecurity(payload.slice(SECURITY_PREFIX.length));
      else cache.dropSession(payload);
    },
    setListening(value) {
      // Either way the cache is emptied: when the channel is lost, and again when it is back.
      cache.dropAll();
      listening = value;
    },
    size: () => ({ sessions: sessions.size, users: users.size, securities: securities.size }),
  };
  return cache;
}

/**
 * The session store with findLive served from the cache. The revocations
 * made through this instance drop what they end at once, before the
 * request that made them answers (the notification would come a moment
 * later); a revocation in a caller's transaction also drops when its
 * notification arrives, after the commit.
 */
export function withSessionCache(store: SessionStore, cache: SessionCache, clock: { now(): Date }): SessionStore {
  return {
    ...store,
    async findLive(sessionId) {
      const cached = cache.session(sessionId);
      if (cached) return cached.maxExpiresAtMs > clock.now().getTime() ? cached : undefined;
      const readSince = cache.generation();
      const live = await store.findLive(sessionId);
      if (live) cache.rememberSession({ ...live, maxExpiresAtMs: live.maxExpiresAt.getTime() }, readSince);
      return live;
    },
    async rotate(refreshToken) {
      const result = await store.rotate(refreshToken);
      if (result.outcome === 'reused') cache.dropSession(result.session.sessionId);
      return result;
    },
    async revoke(sessionId, reason) {
      const revoked = await store.revoke(sessionId, reason);
      cache.dropSession(sessionId);
      return revoked;
    },
    async revokeOfUser(userId, sessionId, reason) {
      const revoked = await store.revokeOfUser(userId, sessionId, reason);
      cache.dropSession(sessionId);
      return revoked;
    },
    async revokeAllOfUser(userId, reason, executor?: DbExecutor, exceptSessionId?: string) {
      const count = await store.revokeAllOfUser(userId, reason, executor, exceptSessionId);
      cache.dropUser(userId);
      return count;
    },
  };
}

/** The user view of /api/auth/me, from the cache when this instance listens. */
export type FindUserView = (userId: string) => Promise<UserView | undefined>;

export function createCachedUserViews(db: DbExecutor, cache: SessionCache): FindUserView {
  return async (userId) => {
    const cached = cache.user(userId);
    if (cached) return cached;
    const readSince = cache.generation();
    const user = await findUserById(db, userId);
    if (!user) return undefined;
    const view = toUserView(user);
    cache.rememberUser(view, readSince);
    return view;
  };
}

/** Starts listening on the channel; the cache trusts its entries only while it does. */
export async function listenForRevocations(
  database: Pick<DatabaseHandle, 'listen'>,
  cache: SessionCache,
  log: { warn(object: object, message: string): void; info(message: string): void },
): Promise<{ close(): Promise<void> }> {
  let wasLost = false;
  return database.listen(SESSIONS_CHANNEL, {
    onNotification: (payload) => cache.applyNotification(payload),
    onListening: () => {
      cache.setListening(true);
      if (wasLost) log.info('listening for session revocations again: sessions are served from memory again');
      wasLost = false;
    },
    onLost: (error) => {
      wasLost = true;
      cache.setListening(false);
      log.warn({ err: { message: error.message } }, 'lost the connection that hears session revocations: every request reads its session from the database until it is back');
    },
  });
}
