// Issue #9.3: every change of an application leaves a trace. Each PATCH that
// changes anything adds one history item with `changes` (each changed field
// but the status, { from, to }); a change of the amount, the lender or the
// assignee is audited APPLICATION_UPDATED with the same changes; creating a
// lender is audited LENDER_CREATED. A lender sees nothing of another
// lender's application, before or after it moves.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditEvents } from '../../src/db/schema.js';
import { json, type TestApp } from '../helpers/app.js';
import { createApplicationAs, createPortalApp, expectProblem, makeCast, send, snapshotDatabase, type Cast } from './support.js';

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
});
afterAll(async () => t?.close());

const patch = (id: string, body: unknown, headers = cast.staff.headers) => send(t.app, 'PATCH', `/api/applications/${id}`, { headers, body });
const historyOf = async (id: string, headers = cast.staff.headers) => {
  const response = await send(t.app, 'GET', `/api/applications/${id}/history`, { headers });
  expect(response.statusCode, response.body).toBe(200);
  return json(response).items as Record<string, any>[];
};
const eventsOf = async (type: 'APPLICATION_UPDATED' | 'APPLICATION_STATUS_CHANGED', id: string) =>
  (await t.services.db.select().from(auditEvents).where(eq(auditEvents.type, type))).filter((event) => event.detail.applicationId === id);

describe('history of changes other than the status', () => {
  it('a changed amount leaves one history item with { from, to }, the status unchanged, and an APPLICATION_UPDATED event', async () => {
    const application = await createApplicationAs(t, cast.staff, { amountRequested: 1000 });
    t.clock.advanceSeconds(1);
    expect((await patch(application.id, { amountRequested: 2000 })).statusCode).toBe(200);
    const history = await historyOf(application.id);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ fromStatus: null, toStatus: 'submitted', changes: {} });
    expect(history[1]).toEqual({
      at: t.clock.now().toISOString(),
      actorId: cast.staff.id,
      fromStatus: 'submitted',
      toStatus: 'submitted',
      note: null,
      changes: { amountRequested: { from: 1000, to: 2000 } },
    });
    const events = await eventsOf('APPLICATION_UPDATED', application.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      userId: null,
      actorId: cast.staff.id,
      ip: '127.0.0.1',
      detail: { applicationId: application.id, reference: application.reference, changes: { amountRequested: { from: 1000, to: 2000 } } },
    });
    expect(await eventsOf('APPLICATION_STATUS_CHANGED', application.id)).toEqual([]);
  });

  it('a move to another lender and an assignment in one PATCH: one item, both fields, one event', async () => {
    const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
    expect((await patch(application.id, { lenderId: cast.lenders.b.id.toUpperCase(), assignedTo: cast.staff.id, note: 'to B' })).statusCode).toBe(200);
    const last = (await historyOf(application.id)).at(-1)!;
    expect(last).toMatchObject({
      fromStatus: 'submitted',
      toStatus: 'submitted',
      note: 'to B',
      changes: { lenderId: { from: cast.lenders.a.id, to: cast.lenders.b.id }, assignedTo: { from: null, to: cast.staff.id } },
    });
    const events = await eventsOf('APPLICATION_UPDATED', application.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail.changes).toEqual(last.changes);
  });

  it('a status change with an amount change: one item with the status move and the amount in changes, both events', async () => {
    const application = await createApplicationAs(t, cast.staff, { amountRequested: 500 });
    expect((await patch(application.id, { status: 'in_review', amountRequested: 700 })).statusCode).toBe(200);
    const history = await historyOf(application.id);
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({ fromStatus: 'submitted', toStatus: 'in_review', changes: { amountRequested: { from: 500, to: 700 } } });
    expect(await eventsOf('APPLICATION_STATUS_CHANGED', application.id)).toHaveLength(1);
    expect(await eventsOf('APPLICATION_UPDATED', application.id)).toHaveLength(1);
  });

  it('a status or note change alone has changes {} and no APPLICATION_UPDATED', async () => {
    const application = await createApplicationAs(t, cast.staff);
    await patch(application.id, { status: 'in_review' });
    await patch(application.id, { note: 'Called' });
    const history = await historyOf(application.id);
    expect(history.map((item) => item.changes)).toEqual([{}, {}, {}]);
    expect(history[2]).toMatchObject({ fromStatus: 'in_review', toStatus: 'in_review', note: 'Called' });
    expect(await eventsOf('APPLICATION_UPDATED', application.id)).toEqual([]);
  });

  it('setting a field to the value it has changes nothing and leaves no trace', async () => {
    const application = await createApplicationAs(t, cast.staff, { amountRequested: 900 });
    const before = await snapshotDatabase(t);
    const response = await patch(application.id, { amountRequested: 900, lenderId: null });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual(application);
    expect(await snapshotDatabase(t)).toEqual(before);
  });
});

describe('a lender sees nothing of another lender’s application, before or after it moves', () => {
  it('A sees it and its history until it moves to B; then A sees nothing of it and B sees it', async () => {
    const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
    expectProblem(await send(t.app, 'GET', `/api/applications/${application.id}`, { headers: cast.lenderB.headers }), 404, 'NOT_FOUND');
    expectProblem(await send(t.app, 'GET', `/api/applications/${application.id}/history`, { headers: cast.lenderB.headers }), 404, 'NOT_FOUND');
    expect((await send(t.app, 'GET', `/api/applications/${application.id}`, { headers: cast.lenderA.headers })).statusCode).toBe(200);

    expect((await patch(application.id, { lenderId: cast.lenders.b.id })).statusCode).toBe(200);

    for (const url of [`/api/applications/${application.id}`, `/api/applications/${application.id}/history`]) {
      expectProblem(await send(t.app, 'GET', url, { headers: cast.lenderA.headers }), 404, 'NOT_FOUND');
    }
    const listA = json(await send(t.app, 'GET', '/api/applications?limit=100', { headers: cast.lenderA.headers }));
    expect(listA.items.map((item: { id: string }) => item.id)).not.toContain(application.id);
    const listB = json(await send(t.app, 'GET', '/api/applications?limit=100', { headers: cast.lenderB.headers }));
    expect(listB.items.map((item: { id: string }) => item.id)).toContain(application.id);
    // B sees the move in the history: where it came from is part of it, as staff recorded it.
    expect((await historyOf(application.id, cast.lenderB.headers)).at(-1)!.changes).toEqual({ lenderId: { from: cast.lenders.a.id, to: cast.lenders.b.id } });
  });

  it('a lender cannot change an application (not even its own lender’s): 403, nothing written', async () => {
    const application = await createApplicationAs(t, cast.staff, { lenderId: cast.lenders.a.id });
    const before = await snapshotDatabase(t);
    expectProblem(await patch(application.id, { lenderId: cast.lenders.b.id }, cast.lenderA.headers), 403, 'FORBIDDEN');
    expect(await snapshotDatabase(t)).toEqual(before);
  });
});

describe('lender creation is audited', () => {
  it('POST /api/rbac/lenders records LENDER_CREATED with the admin as actor and the lender in detail', async () => {
    const response = await send(t.app, 'POST', '/api/rbac/lenders', { headers: cast.admin.headers, body: { name: 'Audited Bank' } });
    expect(response.statusCode).toBe(201);
    const lender = json(response);
    // The cast's own lenders (made through the use case, actor null) are audited too: look at this one.
    const events = (await t.services.db.select().from(auditEvents).where(eq(auditEvents.type, 'LENDER_CREATED'))).filter(
      (event) => (event.detail as { lenderId?: string }).lenderId === lender.id,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: cast.admin.id, userId: null, ip: '127.0.0.1', detail: { lenderId: lender.id, name: 'Audited Bank' } });
    const listed = json(await send(t.app, 'GET', '/api/rbac/audit?type=LENDER_CREATED', { headers: cast.admin.headers }));
    expect(listed.items.filter((item: { detail: { lenderId?: string } }) => item.detail.lenderId === lender.id)).toHaveLength(1);
  });

  it('a refused lender (taken name) records nothing', async () => {
    const before = await snapshotDatabase(t);
    expectProblem(await send(t.app, 'POST', '/api/rbac/lenders', { headers: cast.admin.headers, body: { name: 'audited bank' } }), 409, 'CONFLICT');
    expect(await snapshotDatabase(t)).toEqual(before);
  });
});
