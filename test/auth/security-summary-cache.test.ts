// The security summary of /me from memory, on its own: read once, then
// served from the cache; every change made through this instance drops it
// once the change has finished (committed), not before, so a /me that reads
// while the change is under way cannot keep the old summary; a sign-in's
// spent recovery code and an admin's user change drop too.

import { describe, expect, it } from 'vitest';
import { createSessionCache } from '../../src/auth/session-cache.js';
import { withRecoveryCodeDrops, withSecuritySummaryCache, withUserChangeDrops } from '../../src/auth/security-summary-cache.js';
import type { Authenticators, SecuritySummary } from '../../src/auth/factors/authenticators.js';
import type { RecoveryCodeStore } from '../../src/auth/factors/recovery-codes.js';
import type { UserAdmin } from '../../src/users/user-admin.js';

const actor = { userId: 'u1', ip: '127.0.0.1' };

/** Authenticators whose summary counts its reads and whose changes wait for `commit` before they resolve. */
function fakeAuthenticators() {
  let current: SecuritySummary = { phone: null, totp: true, recoveryCodesLeft: 7 };
  let commit: () => void = () => {};
  const change = (next: SecuritySummary) =>
    new Promise<void>((resolve) => {
      commit = () => {
        current = next;
        resolve();
      };
    });
  const state = { reads: 0, commit: () => commit() };
  const authenticators: Authenticators = {
    startEnrollment: async () => ({ secret: '', otpauthUri: '' }),
    confirmEnrollment: async () => (await change({ phone: null, totp: true, recoveryCodesLeft: 10 }), { recoveryCodes: [] }),
    disable: () => change({ phone: null, totp: false, recoveryCodesLeft: 0 }),
    regenerateRecoveryCodes: async () => (await change({ phone: null, totp: true, recoveryCodesLeft: 10 }), { recoveryCodes: [] }),
    reset: () => change({ phone: null, totp: false, recoveryCodesLeft: 0 }),
    async summary() {
      state.reads += 1;
      return current;
    },
    judgeSignInCode: async () => 'wrong',
  };
  return { authenticators, state };
}

function listeningCache() {
  const cache = createSessionCache();
  cache.setListening(true);
  return cache;
}

describe('the security summary from memory', () => {
  it('is read once, then served from memory while the instance listens; not listening, every call reads', async () => {
    const cache = listeningCache();
    const { authenticators, state } = fakeAuthenticators();
    const cached = withSecuritySummaryCache(authenticators, cache);
    await cached.summary('u1');
    await cached.summary('u1');
    await cached.summary('u1');
    expect(state.reads).toBe(1);
    cache.setListening(false);
    await cached.summary('u1');
    await cached.summary('u1');
    expect(state.reads).toBe(3);
  });

  const changes: [string, (a: Authenticators) => Promise<unknown>][] = [
    ['confirmEnrollment', (a) => a.confirmEnrollment(actor, '123456')],
    ['disable', (a) => a.disable(actor, 'password')],
    ['regenerateRecoveryCodes', (a) => a.regenerateRecoveryCodes(actor, 'password')],
    ['reset', (a) => a.reset('u1', { userId: 'admin', ip: '127.0.0.1' })],
  ];
  for (const [name, run] of changes) {
    it(`${name} drops the summary once it has committed, so a /me during it cannot keep the old one`, async () => {
      const cache = listeningCache();
      const { authenticators, state } = fakeAuthenticators();
      const cached = withSecuritySummaryCache(authenticators, cache);
      const before = await cached.summary('u1');
      const changing = run(cached);
      expect(await cached.summary('u1')).toEqual(before); // read during the change: the old summary, from memory
      state.commit();
      await changing;
      expect(cache.security('u1')).toBeUndefined();
      const after = await cached.summary('u1');
      expect(after).not.toEqual(before);
      expect(state.reads).toBe(2);
    });
  }

  it('a change that fails still drops (it may have committed before its answer was lost)', async () => {
    const cache = listeningCache();
    const { authenticators } = fakeAuthenticators();
    const cached = withSecuritySummaryCache({ ...authenticators, disable: async () => Promise.reject(new Error('connection lost')) }, cache);
    await cached.summary('u1');
    await expect(cached.disable(actor, 'password')).rejects.toThrow('connection lost');
    expect(cache.security('u1')).toBeUndefined();
  });

  it("a recovery code spent at sign-in drops the user's summary once spent", async () => {
    const cache = listeningCache();
    let spent: (value: { left: number }) => void = () => {};
    const store = { spend: () => new Promise<{ left: number }>((resolve) => (spent = resolve)) } as unknown as RecoveryCodeStore;
    cache.rememberSecurity('u1', { phone: null, totp: true, recoveryCodesLeft: 10 }, cache.generation());
    const spending = withRecoveryCodeDrops(store, cache).spend('u1', 'abcde-fghjk');
    spent({ left: 9 });
    expect(await spending).toEqual({ left: 9 });
    expect(cache.security('u1')).toBeUndefined();
  });

  it("an admin's change of a user (their phone is in the summary) drops the user's summary and view once saved", async () => {
    const cache = listeningCache();
    const userAdmin = { updateUser: async () => ({ id: 'u1' }) } as unknown as UserAdmin;
    cache.rememberSecurity('u1', { phone: '+1 ••• ••• ••11', totp: false, recoveryCodesLeft: 0 }, cache.generation());
    cache.rememberUser({ id: 'u1' } as never, cache.generation());
    await withUserChangeDrops(userAdmin, cache).updateUser('u1', { phone: null }, { actorId: 'admin', ip: null });
    expect(cache.security('u1')).toBeUndefined();
    expect(cache.user('u1')).toBeUndefined();
  });
});
