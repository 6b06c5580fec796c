// The security summary of /api/auth/me (authenticator enrolled, recovery
// codes left, the masked phone) served from the session cache, so a warm
// /me costs no database round trip at all. It is exactly as fresh as a
// revocation: every change to what it reads is announced on
// `boreal_sessions` by a trigger (users rows: `user:<id>`, migration 0003;
// recovery codes: `security:<id>`, migration 0004), whoever makes it; and
// the changes made through this instance drop the summary themselves once
// they have committed, before the request that made them answers (the
// notice would come a moment later). A drop made inside the transaction
// would not do: a /me in between could read and keep the old summary.

import type { Authenticators } from './factors/authenticators.js';
import type { RecoveryCodeStore } from './factors/recovery-codes.js';
import type { UserAdmin } from '../users/user-admin.js';
import type { SessionCache } from './session-cache.js';

/** Runs `change`, then drops, whether it succeeded or not (a failure may still have committed, e.g. a lost answer). */
async function thenDrop<T>(change: () => Promise<T>, drop: () => void): Promise<T> {
  try {
    return await change();
  } finally {
    drop();
  }
}

/** The authenticators with summary() from memory and every change dropping the summary it changes. */
export function withSecuritySummaryCache(authenticators: Authenticators, cache: SessionCache): Authenticators {
  return {
    ...authenticators,
    async summary(userId) {
      const cached = cache.security(userId);
      if (cached) return cached;
      const readSince = cache.generation();
      const summary = await authenticators.summary(userId);
      cache.rememberSecurity(userId, summary, readSince);
      return summary;
    },
    confirmEnrollment: (actor, code) => thenDrop(() => authenticators.confirmEnrollment(actor, code), () => cache.dropSecurity(actor.userId)),
    disable: (actor, password) => thenDrop(() => authenticators.disable(actor, password), () => cache.dropSecurity(actor.userId)),
    regenerateRecoveryCodes: (actor, password) => thenDrop(() => authenticators.regenerateRecoveryCodes(actor, password), () => cache.dropSecurity(actor.userId)),
    reset: (userId, admin) => thenDrop(() => authenticators.reset(userId, admin), () => cache.dropSecurity(userId)),
  };
}

/**
 * The recovery-code store whose spend (a sign-in with a recovery code)
 * drops the summary's count. replaceSet and removeAll run in a caller's
 * transaction: their callers (the authenticators above) drop after commit.
 */
export function withRecoveryCodeDrops(store: RecoveryCodeStore, cache: SessionCache): RecoveryCodeStore {
  return {
    ...store,
    spend: (userId, code) => thenDrop(() => store.spend(userId, code), () => cache.dropSecurity(userId)),
  };
}

/** The admin's user changes (the phone is in the summary; name, roles, lender in the user view) dropped here before the answer. */
export function withUserChangeDrops(userAdmin: UserAdmin, cache: SessionCache): UserAdmin {
  return {
    ...userAdmin,
    updateUser: (userId, patch, actor) => thenDrop(() => userAdmin.updateUser(userId, patch, actor), () => cache.dropUser(userId)),
  };
}
