// Application use cases: create (staff or the public intake) and change.
// Every change is one transaction that locks the row, checks the workflow,
// and writes the history row and the audit events with it, so two parallel
// changes cannot both start from the same state and no change goes untraced
// (issue #9: an amount or a lender changed without a trace).

import { eq } from 'drizzle-orm';
import type { AuditLog } from '../audit/audit.js';
import type { Clock } from '../core/clock.js';
import type { ApplicationStatus } from '../core/vocabulary.js';
import type { Database } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { applicationHistory, applications, users } from '../db/schema.js';
import { AppError, throwIfInvalid, type FieldError } from '../errors.js';
import { normalizePhone } from '../otp/phone.js';
import { findLenderById } from '../users/lenders.js';
import { toApplicationView, type ApplicationView, type VisibilityScope } from './applications-repository.js';
import { assertTransition } from './workflow.js';

/** The fields a client gives; the server owns id, reference, status and the timestamps. */
export type NewApplication = Pick<
  ApplicationView,
  'businessName' | 'contactName' | 'contactEmail' | 'contactPhone' | 'amountRequested' | 'currency' | 'productType'
> & {
  assignedTo?: string | null;
  lenderId?: string | null;
};

export interface ApplicationChange {
  status?: ApplicationStatus;
  assignedTo?: string | null;
  lenderId?: string | null;
  amountRequested?: number;
  /** Kept in the history with this change. */
  note?: string;
}

export interface ApplicationsDeps {
  db: Database;
  clock: Clock;
  audit: AuditLog;
}

export interface Applications {
  /** `actorId` null: the public intake. */
  createApplication(input: NewApplication, actorId: string | null): Promise<ApplicationView>;
  changeApplication(id: string, change: ApplicationChange, context: { scope: VisibilityScope; actorId: string; ip: string | null }): Promise<ApplicationView>;
}

/** References must name rows that exist: a dangling id would otherwise be a 500 from the foreign key. */
async function checkReferences(db: Database, input: { assignedTo?: string | null; lenderId?: string | null }, errors: FieldError[]): Promise<void> {
  if (input.assignedTo) {
    const [user] = isUuid(input.assignedTo) ? await db.select({ id: users.id }).from(users).where(eq(users.id, input.assignedTo)) : [];
    if (!user) errors.push({ path: '/assignedTo', message: 'is not a known user' });
  }
  if (input.lenderId && !(isUuid(input.lenderId) && (await findLenderById(db, input.lenderId)))) {
    errors.push({ path: '/lenderId', message: 'is not a known lender' });
  }
}

export function createApplications(deps: ApplicationsDeps): Applications {
  return {
    createApplication: (input, actorId) => createApplication(deps, input, actorId),
    changeApplication: (id, change, context) => changeApplication(deps, id, change, context),
  };
}

async function createApplication({ db, clock }: ApplicationsDeps, input: NewApplication, actorId: string | null): Promise<ApplicationView> {
  const errors: FieldError[] = [];
  const contactPhone = normalizePhone(input.contactPhone);
  if (!contactPhone) errors.push({ path: '/contactPhone', message: 'is not a valid phone number (use E.164, e.g. +16135550123)' });
  await checkReferences(db, input, errors);
  throwIfInvalid(errors);

  const now = clock.now();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(applications)
      .values({
        businessName: input.businessName.trim(),
        contactName: input.contactName.trim(),
        contactEmail: input.contactEmail.trim(),
        contactPhone: contactPhone!,
        amountRequested: input.amountRequested,
        currency: input.currency,
        productType: input.productType,
        status: 'submitted',
        assignedTo: input.assignedTo ?? null,
        lenderId: input.lenderId ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(applicationHistory).values({ applicationId: row!.id, at: now, actorId, fromStatus: null, toStatus: 'submitted', note: null, changes: {} });
    return toApplicationView(row!);
  });
}

/** The fields audited as APPLICATION_UPDATED: who handles it, who sees it, how much. */
const TRACKED_FIELDS = ['amountRequested', 'lenderId', 'assignedTo'] as const;

/** `{ field: { from, to } }` for each tracked field the change really changes. */
function fieldChanges(current: typeof applications.$inferSelect, change: ApplicationChange): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of TRACKED_FIELDS) {
    const given = change[field];
    // Ids compare as UUIDs: the database answers them in lower case whatever case they were sent in.
    const to = typeof given === 'string' ? given.toLowerCase() : given;
    if (to !== undefined && to !== current[field]) changes[field] = { from: current[field], to };
  }
  return changes;
}

async function changeApplication(
  { db, clock, audit }: ApplicationsDeps,
  id: string,
  change: ApplicationChange,
  context: { scope: VisibilityScope; actorId: string; ip: string | null },
): Promise<ApplicationView> {
  const notFound = () => new AppError('NOT_FOUND', { detail: 'There is no such application.' });
  if (!isUuid(id) || (context.scope && context.scope.lenderId === null)) throw notFound();
  const errors: FieldError[] = [];
  if (Object.values(change).every((value) => value === undefined)) errors.push({ path: '/', message: 'must change at least one field' });
  await checkReferences(db, change, errors);
  throwIfInvalid(errors);

  const now = clock.now();
  const row = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(applications).where(eq(applications.id, id)).for('update');
    if (!current || (context.scope && current.lenderId !== context.scope.lenderId)) throw notFound();
    const statusChanges = change.status !== undefined;
    if (statusChanges) assertTransition(current.status, change.status!);

    const changes = fieldChanges(current, change);
    const statusMoves = statusChanges && change.status !== current.status;
    const changesAnything = statusMoves || change.note !== undefined || Object.keys(changes).length > 0;
    // Setting fields to what they already are changes nothing: no write, no trace.
    if (!changesAnything) return current;

    const [updated] = await tx
      .update(applications)
      .set({
        updatedAt: now,
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.assignedTo !== undefined ? { assignedTo: change.assignedTo } : {}),
        ...(change.lenderId !== undefined ? { lenderId: change.lenderId } : {}),
        ...(change.amountRequested !== undefined ? { amountRequested: change.amountRequested } : {}),
      })
      .where(eq(applications.id, id))
      .returning();
    // One history item per change; without a status change it leaves the
    // status where it was (fromStatus = toStatus).
    await tx.insert(applicationHistory).values({
      applicationId: id,
      at: now,
      actorId: context.actorId,
      fromStatus: current.status,
      toStatus: updated!.status,
      note: change.note ?? null,
      changes,
    });
    if (statusMoves) {
      await audit.record({
        type: 'APPLICATION_STATUS_CHANGED',
        userId: null,
        actorId: context.actorId,
        ip: context.ip,
        detail: { applicationId: id, reference: current.reference, fromStatus: current.status, toStatus: updated!.status },
      }, tx);
    }
    if (Object.keys(changes).length > 0) {
      await audit.record({
        type: 'APPLICATION_UPDATED',
        userId: null,
        actorId: context.actorId,
        ip: context.ip,
        detail: { applicationId: id, reference: current.reference, changes },
      }, tx);
    }
    return updated!;
  });
  return toApplicationView(row);
}
