// An admin's change to a user meets that user's sign-in in flight:
// - the open sign-in challenges end with a phone, roles or disable change
//   (issue #9 item 8): the temp token then answers INVALID_TEMP_TOKEN;
// - a role change racing a sign-in that is starting its session (issue #9
//   item 9) never leaves a live session holding the old roles: the session
//   is created in a transaction that reads the users row FOR SHARE, and the
//   role change updates that row in the transaction that revokes sessions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import type { RoleName } from '../../src/core/vocabulary.js';
import { json, loginStep, postJson, type TestApp } from '../helpers/app.js';
import { createPortalApp, expectProblem, makeCast, send, type Cast } from './support.js';

let t: TestApp;
let cast: Cast;
let serial = 0;
beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
});
afterAll(async () => t?.close());

const CODE = '123456';

async function newUser(roles: RoleName[] = ['staff']): Promise<{ id: string; email: string; password: string }> {
  serial += 1;
  const email = `in-flight-${serial}@example.test`;
  const password = `birch bark canoe ${serial}`;
  const phone = `+1613555${String(6000 + serial).slice(-4)}`;
  const user = await t.services.userAdmin.createUser({ email, name: `In Flight ${serial}`, password, roles, phone }, { actorId: null, ip: null });
  return { id: user.id, email, password };
}

const patchUser = (id: string, body: unknown) => send(t.app, 'PATCH', `/api/rbac/users/${id}`, { headers: cast.admin.headers, body });
const verify = (tempToken: string) => postJson(t.app, '/api/auth/otp/verify', { tempToken, code: CODE });
const resend = (tempToken: string) => postJson(t.app, '/api/auth/otp/resend', { tempToken });

const CHANGES: [string, Record<string, unknown>][] = [
  ['a phone change', { phone: '+16135559876' }],
  ['disabling', { disabled: true }],
  ['a role change', { roles: ['admin'] }],
];

describe('an admin change ends the sign-ins in flight', () => {
  it.each(CHANGES)('%s: the temp token then answers INVALID_TEMP_TOKEN to a verify with the right code', async (_name, change) => {
    const user = await newUser();
    const tempToken = await loginStep(t.app, user.email, user.password);
    expect((await patchUser(user.id, change)).statusCode).toBe(200);
    expectProblem(await verify(tempToken), 401, 'INVALID_TEMP_TOKEN');
  });

  it.each(CHANGES)('%s: the temp token then answers INVALID_TEMP_TOKEN to a resend', async (_name, change) => {
    const user = await newUser();
    const tempToken = await loginStep(t.app, user.email, user.password);
    expect((await patchUser(user.id, change)).statusCode).toBe(200);
    expectProblem(await resend(tempToken), 401, 'INVALID_TEMP_TOKEN');
  });

  it('a change of name only leaves the sign-in alone', async () => {
    const user = await newUser();
    const tempToken = await loginStep(t.app, user.email, user.password);
    expect((await patchUser(user.id, { name: 'Renamed' })).statusCode).toBe(200);
    expect((await verify(tempToken)).statusCode).toBe(200);
  });
});

/** A verify answer is safe if it failed, or its session is dead, or its token carries the new roles. */
async function expectNoLiveSessionWithOldRoles(answer: LightMyRequestResponse, newRoles: RoleName[]): Promise<'refused' | 'revoked' | 'new-roles'> {
  if (answer.statusCode !== 200) {
    expectProblem(answer, 401, 'INVALID_TEMP_TOKEN');
    return 'refused';
  }
  const { accessToken } = json(answer);
  const me = await send(t.app, 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${accessToken}` } });
  if (me.statusCode === 401) return 'revoked';
  expect(me.statusCode).toBe(200);
  expect(decodeJwt(accessToken).roles).toEqual(newRoles);
  expect(json(answer).user.roles).toEqual(newRoles);
  return 'new-roles';
}

/** Holds every call of `method` of `target` at a gate until `open()`; `reached` resolves at the first call. */
function gate<T extends object, K extends keyof T>(target: T, method: K) {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  (target as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    reach();
    await opened;
    return original.apply(target, args);
  };
  return { reached, open, restore: () => ((target as Record<K, unknown>)[method] = original) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a role change racing a sign-in that is starting its session', () => {
  it('session first: the role change waits for it, then revokes it', async () => {
    const user = await newUser(['staff']);
    const tempToken = await loginStep(t.app, user.email, user.password);
    const held = gate(t.services.sessions, 'create');
    try {
      const verifying = verify(tempToken);
      await held.reached; // the users row is read FOR SHARE, the session not yet written
      const changing = patchUser(user.id, { roles: ['admin'] });
      await pause(200); // time enough for a role change that does not wait to finish
      held.open();
      const [answer, change] = await Promise.all([verifying, changing]);
      expect(change.statusCode).toBe(200);
      expect(await expectNoLiveSessionWithOldRoles(answer, ['admin'])).toBe('revoked');
    } finally {
      held.restore();
    }
  });

  it('role change first: the session waits for it, then carries the new roles (or the sign-in is refused)', async () => {
    const user = await newUser(['staff']);
    const tempToken = await loginStep(t.app, user.email, user.password);
    const held = gate(t.services.sessions, 'revokeAllOfUser');
    try {
      const changing = patchUser(user.id, { roles: ['admin'] });
      await held.reached; // the users row and the roles are changed, not yet committed
      const verifying = verify(tempToken);
      await pause(200);
      held.open();
      const [answer, change] = await Promise.all([verifying, changing]);
      expect(change.statusCode).toBe(200);
      await expectNoLiveSessionWithOldRoles(answer, ['admin']);
    } finally {
      held.restore();
    }
  });

  it('many parallel verify and role-change pairs leave no live session with the old roles', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser(['staff'])));
    const tempTokens = await Promise.all(users.map((user) => loginStep(t.app, user.email, user.password)));
    const answers = await Promise.all(
      users.map(async (user, index) => {
        const [answer, change] = await Promise.all([verify(tempTokens[index]!), patchUser(user.id, { roles: ['admin'] })]);
        expect(change.statusCode).toBe(200);
        return answer;
      }),
    );
    for (const answer of answers) await expectNoLiveSessionWithOldRoles(answer, ['admin']);
  });
});
