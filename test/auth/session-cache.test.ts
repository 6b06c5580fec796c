// The in-memory session cache on its own: bounded, trusted only while the
// instance listens, emptied when the channel is lost and again when it is
// back, and never storing a read that a revocation overtook. The same for
// the security summary of /me kept beside the user view.

import { describe, expect, it } from 'vitest';
import { createSessionCache } from '../../src/auth/session-cache.js';

const session = (sessionId: string, userId = 'u1') => ({
  sessionId,
  userId,
  userDisabled: false,
  lenderId: null,
  maxExpiresAt: new Date(Date.now() + 60_000),
  maxExpiresAtMs: Date.now() + 60_000,
});

const summary = (recoveryCodesLeft = 10) => ({ phone: null, totp: true, recoveryCodesLeft });

describe('session cache', () => {
  it('serves nothing while the instance does not listen', () => {
    const cache = createSessionCache();
    cache.rememberSession(session('s1'), cache.generation());
    expect(cache.session('s1')).toBeUndefined();
    cache.setListening(true);
    cache.rememberSession(session('s1'), cache.generation());
    expect(cache.session('s1')).toMatchObject({ sessionId: 's1' });
    cache.setListening(false);
    expect(cache.session('s1')).toBeUndefined();
    cache.setListening(true);
    expect(cache.session('s1')).toBeUndefined(); // dropped on loss, not restored on re-listen
  });

  it('a read overtaken by a revocation is not stored', () => {
    const cache = createSessionCache();
    cache.setListening(true);
    const readSince = cache.generation();
    cache.applyNotification('s1'); // the revocation lands while the read is in flight
    cache.rememberSession(session('s1'), readSince);
    expect(cache.session('s1')).toBeUndefined();
  });

  it('a notification drops the session, and user:<id> drops the user view and every session of that user', () => {
    const cache = createSessionCache();
    cache.setListening(true);
    for (const [id, user] of [['s1', 'u1'], ['s2', 'u1'], ['s3', 'u2']] as const) cache.rememberSession(session(id, user), cache.generation());
    cache.rememberUser({ id: 'u1' } as never, cache.generation());
    cache.applyNotification('s3');
    expect(cache.session('s3')).toBeUndefined();
    expect(cache.session('s1')).toBeDefined();
    cache.applyNotification('user:u1');
    expect(cache.session('s1')).toBeUndefined();
    expect(cache.session('s2')).toBeUndefined();
    expect(cache.user('u1')).toBeUndefined();
  });

  it('holds at most its cap, dropping the least recently used', () => {
    const cache = createSessionCache({ maxEntries: 3 });
    cache.setListening(true);
    for (const id of ['a', 'b', 'c']) cache.rememberSession(session(id), cache.generation());
    cache.session('a'); // used: now the most recent
    cache.rememberSession(session('d'), cache.generation());
    expect(cache.size().sessions).toBe(3);
    expect(cache.session('b')).toBeUndefined();
    expect(cache.session('a')).toBeDefined();
    expect(cache.session('d')).toBeDefined();
  });

  it('the security summary is served only while listening, and dropped on loss and again on re-listen', () => {
    const cache = createSessionCache();
    cache.rememberSecurity('u1', summary(), cache.generation());
    expect(cache.security('u1')).toBeUndefined();
    cache.setListening(true);
    cache.rememberSecurity('u1', summary(), cache.generation());
    expect(cache.security('u1')).toEqual(summary());
    cache.setListening(false);
    expect(cache.security('u1')).toBeUndefined();
    cache.setListening(true);
    expect(cache.security('u1')).toBeUndefined();
  });

  it('security:<id> drops that user\'s summary alone; user:<id> drops it with the view and sessions', () => {
    const cache = createSessionCache();
    cache.setListening(true);
    cache.rememberSession(session('s1', 'u1'), cache.generation());
    cache.rememberUser({ id: 'u1' } as never, cache.generation());
    for (const user of ['u1', 'u2']) cache.rememberSecurity(user, summary(), cache.generation());
    cache.applyNotification('security:u1');
    expect(cache.security('u1')).toBeUndefined();
    expect(cache.security('u2')).toBeDefined();
    expect(cache.user('u1')).toBeDefined();
    expect(cache.session('s1')).toBeDefined();
    cache.rememberSecurity('u1', summary(), cache.generation());
    cache.applyNotification('user:u1');
    expect(cache.security('u1')).toBeUndefined();
    expect(cache.security('u2')).toBeDefined();
  });

  it('a summary read overtaken by a change (security:<id> or user:<id>) is not stored', () => {
    const cache = createSessionCache();
    cache.setListening(true);
    for (const notice of ['security:u1', 'user:u1']) {
      const readSince = cache.generation();
      cache.applyNotification(notice); // the change lands while the read is in flight
      cache.rememberSecurity('u1', summary(10), readSince);
      expect(cache.security('u1')).toBeUndefined();
    }
  });

  it('summaries are bounded by the same cap, least recently used first', () => {
    const cache = createSessionCache({ maxEntries: 2 });
    cache.setListening(true);
    for (const user of ['a', 'b']) cache.rememberSecurity(user, summary(), cache.generation());
    cache.security('a');
    cache.rememberSecurity('c', summary(), cache.generation());
    expect(cache.size().securities).toBe(2);
    expect(cache.security('b')).toBeUndefined();
    expect(cache.security('a')).toBeDefined();
  });
});
