// Applications over HTTP: creation, the workflow (every pair of statuses,
// allowed and refused), history and audit of each change, search, and
// keyset pagination that neither repeats nor skips while rows are inserted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../../src/core/vocabulary.js';
import { applicationHistory, auditEvents } from '../../src/db/schema.js';
import { canTransition } from '../../src/applications/workflow.js';
import type { LightMyRequestResponse } from 'fastify';
import { json, type TestApp } from '../helpers/app.js';
import { applicationBody, createApplicationAs, createPortalApp, expectProblem, makeCast, send, type Cast } from './support.js';

/** How to bring a new application to each status through allowed steps. */
const PATH_TO: Record<ApplicationStatus, ApplicationStatus[]> = {
  submitted: [],
  in_review: ['in_review'],
  approved: ['in_review', 'approved'],
  declined: ['in_review', 'declined'],
  funded: ['in_review', 'approved', 'funded'],
  withdrawn: ['withdrawn'],
};

let t: TestApp;
let cast: Cast;
beforeAll(async () => {
  t = await createPortalApp();
  cast = await makeCast(t);
});
afterAll(async () => t?.close());

const patch = (id: string, body: unknown, headers = cast.staff.headers) => send(t.app, 'PATCH', `/api/applications/${id}`, { headers, body });
const historyOf = async (id: string) => json(await send(t.app, 'GET', `/api/applications/${id}/history`, { headers: cast.staff.headers })).items as Record<string, unknown>[];
const statusEvents = async (id: string) =>
  (await t.services.db.select().from(auditEvents).where(eq(auditEvents.type, 'APPLICATION_STATUS_CHANGED'))).filter((event) => event.detail.applicationId === id);

describe('creating an application', () => {
  it('answers 201 with status submitted, an APP- reference, and a first history step from null', async () => {
    const response = await send(t.app, 'POST', '/api/applications', { headers: cast.staff.headers, body: applicationBody({ contactPhone: '+1 613 555 0123', amountRequested: 9_007_199_254_740_991 }) });
    expect(response.statusCode).toBe(201);
    const created = json(response);
    expect(created).toMatchObject({ status: 'submitted', assignedTo: null, lenderId: null, contactPhone: '+16135550123', amountRequested: 9_007_199_254_740_991, currency: 'CAD' });
    expect(created.reference).toMatch(/^APP-\d{6,}$/);
    expect(Object.keys(created).sort()).toEqual(
      ['amountRequested', 'assignedTo', 'businessName', 'contactEmail', 'contactName', 'contactPhone', 'createdAt', 'currency', 'id', 'lenderId', 'productType', 'reference', 'status', 'updatedAt'].sort(),
    );
    expect(await historyOf(created.id)).toEqual([{ at: created.createdAt, actorId: cast.staff.id, fromStatus: null, toStatus: 'submitted', note: null, changes: {} }]);
    const again = await send(t.app, 'GET', `/api/applications/${created.id}`, { headers: cast.staff.headers });
    expect(json(again)).toEqual(created);
  });

  it('gives every application its own reference', async () => {
    const references = await Promise.all(Array.from({ length: 5 }, async () => (await createApplicationAs(t, cast.staff)).reference));
    expect(new Set(references).size).toBe(5);
  });
});

describe('an id that names nothing', () => {
  it.each(['not-a-uuid', '00000000-0000-0000-0000-000000000000', '1', "x' or 1=1"])('%j answers 404 NOT_FOUND on read, change and history', async (id) => {
    const path = `/api/applications/${encodeURIComponent(id)}`;
    expectProblem(await send(t.app, 'GET', path, { headers: cast.admin.headers }), 404, 'NOT_FOUND');
    expectProblem(await send(t.app, 'GET', `${path}/history`, { headers: cast.admin.headers }), 404, 'NOT_FOUND');
    expectProblem(await send(t.app, 'PATCH', path, { headers: cast.admin.headers, body: { note: 'x' } }), 404, 'NOT_FOUND');
  });
});

describe('the workflow over HTTP', () => {
  const pairs = APPLICATION_STATUSES.flatMap((from) => APPLICATION_STATUSES.map((to) => ({ from, to, allowed: canTransition(from, to) })));

  it.each(pairs)('$from → $to: allowed $allowed', async ({ from, to, allowed }) => {
    const application = await createApplicationAs(t, cast.staff);
    for (const step of PATH_TO[from]) expect((await patch(application.id, { status: step })).statusCode).toBe(200);
    const before = json(await send(t.app, 'GET', `/api/applications/${application.id}`, { headers: cast.staff.headers }));
    const historyBefore = await historyOf(application.id);
    const eventsBefore = await statusEvents(application.id);
    t.clock.advanceSeconds(1);

    const response = await patch(application.id, { status: to, note: `to ${to}` });
    if (!allowed) {
      expectProblem(response, 409, 'INVALID_TRANSITION');
      expect(json(await send(t.app, 'GET', `/api/applications/${application.id}`, { headers: cast.staff.headers }))).toEqual(before);
      expect(await historyOf(application.id)).toEqual(historyBefore);
      expect(await statusEvents(application.id)).toEqual(eventsBefore);
      return;
    }
    expect(response.statusCode).toBe(200);
    const after = json(response);
    expect(after).toEqual({ ...before, status: to, updatedAt: t.clock.now().toISOString() });
    expect((await historyOf(application.id)).at(-1)).toEqual({ at: t.clock.now().toISOString(), actorId: cast.staff.id, fromStatus: from, toStatus: to, note: `to ${to}`, changes: {} });
    const events = await statusEvents(application.id);
    expect(events).toHaveLength(eventsBefore.length + 1);
    expect(events.at(-1)).toMatchObject({
      userId: null,
      actorId: cast.staff.id,
      ip: '127.0.0.1',
      detail: { applicationId: application.id, reference: application.reference, fromStatus: from, toStatus: to },
    });
  });

  it('keeps the whole path in the history, oldest first', async () => {
    const application = await createApplicationAs(t, cast.staff);
    for (const step of PATH_TO.funded) expect((await patch(application.id, { status: step })).statusCode).toBe(200);
    expect((await historyOf(application.id)).map((entry) => `${entry.fromStatus}→${entry.toStatus}`)).toEqual([
      'null→submitted',
      'submitted→in_review',
      'in_review→approved',
      'approved→funded',
    ]);
  });

  it('of two parallel changes from the same status, one wins and the other is refused', async () => {
    const application = await createApplicationAs(t, cast.staff);
    await patch(application.id, { status: 'in_review' });
    const answers = await Promise.all([patch(application.id, { status: 'approved' }), patch(application.id, { status: 'declined' })]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    const [row] = await t.services.db.select({ value: count() }).from(applicationHistory).where(eq(applicationHistory.applicationId, application.id));
    expect(row?.value).toBe(3);
  });
});

describe('changing other fields', () => {
  it('assigns, routes to a lender and changes the amount, answering the whole object, without a status event', async () => {
    const application = await createApplicationAs(t, cast.staff);
    const response = await patch(application.id, { assignedTo: cast.staff.id, lenderId: cast.lenders.a.id, amountRequested: 123_456 });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ ...application, assignedTo: cast.staff.id, lenderId: cast.lenders.a.id, amountRequested: 123_456, updatedAt: expect.any(String) });
    expect(await statusEvents(application.id)).toEqual([]);
    // Issue #9.3: the change is traced (test/portal/application-changes.db.test.ts details it).
    expect(await historyOf(application.id)).toHaveLength(2);
    expect(json(await patch(application.id, { assignedTo: null, lenderId: null }))).toMatchObject({ assignedTo: null, lenderId: null });
  });

  it('keeps a note sent without a status change as a history step that leaves the status alone', async () => {
    const application = await createApplicationAs(t, cast.staff);
    expect((await patch(application.id, { note: 'Called the applicant' })).statusCode).toBe(200);
    expect((await historyOf(application.id)).at(-1)).toMatchObject({ fromStatus: 'submitted', toStatus: 'submitted', note: 'Called the applicant' });
    expect(await statusEvents(application.id)).toEqual([]);
  });

  it.each([
    ['assignedTo', '/assignedTo'],
    ['lenderId', '/lenderId'],
  ])('an unknown %s is VALIDATION_FAILED at its path', async (field, path) => {
    const application = await createApplicationAs(t, cast.staff);
    const body = expectProblem(await patch(application.id, { [field]: '00000000-0000-4000-8000-000000000000' }), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path, message: expect.any(String) }]);
  });
});

describe('listing', () => {
  let mine: Record<string, any>[];
  beforeAll(async () => {
    mine = [
      await createApplicationAs(t, cast.staff, { businessName: 'Zebra 100% Organic' }),
      await createApplicationAs(t, cast.staff, { businessName: 'zebra 1000 Percent' }),
      await createApplicationAs(t, cast.staff, { businessName: 'Zebra_Stripes Inc' }),
      await createApplicationAs(t, cast.staff, { businessName: 'ZebraXStripes Inc' }),
    ];
  });
  const list = async (query: string) => json(await send(t.app, 'GET', `/api/applications?${query}`, { headers: cast.staff.headers }));

  it('finds by business name, case-insensitively, with % and _ matching only themselves', async () => {
    expect((await list('q=ZEBRA')).items.map((item: any) => item.id)).toEqual([...mine].reverse().map((item) => item.id));
    expect((await list(`q=${encodeURIComponent('100%')}`)).items.map((item: any) => item.businessName)).toEqual(['Zebra 100% Organic']);
    expect((await list(`q=${encodeURIComponent('a_s')}`)).items.map((item: any) => item.businessName)).toEqual(['Zebra_Stripes Inc']);
  });

  it('filters by status', async () => {
    await patch(mine[0]!.id, { status: 'withdrawn' });
    const withdrawn = (await list('status=withdrawn&limit=100')).items;
    expect(withdrawn.length).toBeGreaterThan(0);
    expect(withdrawn.every((item: any) => item.status === 'withdrawn')).toBe(true);
    expect(withdrawn.map((item: any) => item.id)).toContain(mine[0]!.id);
  });

  it('pages 25 by default, newest first, with a cursor to the next page', async () => {
    const first = await list('');
    expect(first.items).toHaveLength(25);
    expect(typeof first.nextCursor).toBe('string');
    const second = await list(`cursor=${first.nextCursor}`);
    expect(second.items[0].reference > first.items.at(-1).reference).toBe(false);
    expect(new Set([...first.items, ...second.items].map((item: any) => item.id)).size).toBe(first.items.length + second.items.length);
  });
});

describe('walking the pages while others insert', () => {
  it('returns every row that existed at the start exactly once, newest first', async () => {
    const initial: string[] = (await walk()).map((item) => item.id);
    expect(initial.length).toBeGreaterThan(40);
    const insertedDuring: string[] = [];
    const seen: { id: string; reference: string }[] = [];
    let cursor: string | null = null;
    do {
      const [page]: [LightMyRequestResponse, ...unknown[]] = await Promise.all([
        send(t.app, 'GET', `/api/applications?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { headers: cast.staff.headers }),
        ...Array.from({ length: 3 }, async () => insertedDuring.push((await createApplicationAs(t, cast.staff)).id)),
      ]);
      expect(page.statusCode).toBe(200);
      const body: Record<string, any> = json(page);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);

    const ids = seen.map((item) => item.id);
    expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
    expect(initial.filter((id) => !ids.includes(id)), 'no gaps').toEqual([]);
    expect(ids.filter((id) => !initial.includes(id) && !insertedDuring.includes(id))).toEqual([]);
    const references = seen.map((item) => Number(item.reference.slice(4)));
    expect(references).toEqual([...references].sort((a, b) => b - a));
  });

  async function walk(): Promise<{ id: string }[]> {
    const items: { id: string }[] = [];
    let cursor: string | null = null;
    do {
      const body: Record<string, any> = json(await send(t.app, 'GET', `/api/applications?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: cast.staff.headers }));
      items.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    return items;
  }
});

describe('the audit trail of a status change', () => {
  it('is readable through GET /api/rbac/audit filtered by type', async () => {
    const application = await createApplicationAs(t, cast.staff);
    await patch(application.id, { status: 'in_review' });
    const response = await send(t.app, 'GET', '/api/rbac/audit?type=APPLICATION_STATUS_CHANGED&limit=1', { headers: cast.admin.headers });
    expect(json(response).items).toEqual([
      { id: expect.any(String), at: expect.any(String), type: 'APPLICATION_STATUS_CHANGED', userId: null, actorId: cast.staff.id, ip: '127.0.0.1', detail: { applicationId: application.id, reference: application.reference, fromStatus: 'submitted', toStatus: 'in_review' } },
    ]);
    const [row] = await t.services.db.select({ value: count() }).from(auditEvents).where(and(eq(auditEvents.type, 'APPLICATION_STATUS_CHANGED'), eq(auditEvents.actorId, cast.staff.id)));
    expect(row?.value).toBeGreaterThan(0);
  });
});
