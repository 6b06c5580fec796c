// Reading applications, always through a visibility scope: a lender user sees
// only the applications of its lender, and to them every other application
// is as absent as one that does not exist (404, never 403, so ids of other
// lenders' applications cannot be probed).

import { and, asc, desc, eq, ilike, lt, type SQL } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { keysetPage } from '../db/keyset.js';
import type { ApplicationStatus } from '../core/vocabulary.js';
import { applicationHistory, applications } from '../db/schema.js';
import { can, type Principal } from '../rbac/roles.js';

export type ApplicationRow = typeof applications.$inferSelect;

export interface ApplicationView {
  id: string;
  reference: string;
  businessName: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  amountRequested: number;
  currency: ApplicationRow['currency'];
  productType: ApplicationRow['productType'];
  status: ApplicationStatus;
  assignedTo: string | null;
  lenderId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntryView {
  at: string;
  actorId: string | null;
  fromStatus: ApplicationStatus | null;
  toStatus: ApplicationStatus;
  note: string | null;
  /** Each changed field but the status, `{ from, to }`; `{}` for a status or note change and for the creation. */
  changes: Record<string, { from: unknown; to: unknown }>;
}

/** undefined: every application; `{ lenderId }`: only that lender's (none when lenderId is null). */
export type VisibilityScope = { lenderId: string | null } | undefined;

/** A lender user (one who cannot write applications) is limited to its own lender's applications. */
export function visibilityScopeOf(principal: Principal): VisibilityScope {
  if (can(principal, 'applications:write') || !principal.roles.includes('lender')) return undefined;
  return { lenderId: principal.lenderId };
}

function scopeCondition(scope: VisibilityScope): SQL | undefined {
  return scope?.lenderId ? eq(applications.lenderId, scope.lenderId) : undefined;
}

/** A scope that can see nothing (a lender user whose lender is unset). */
const seesNothing = (scope: VisibilityScope) => scope !== undefined && scope.lenderId === null;

export function toApplicationView(row: ApplicationRow): ApplicationView {
  return {
    id: row.id,
    reference: row.reference,
    businessName: row.businessName,
    contactName: row.contactName,
    contactEmail: row.contactEmail,
    contactPhone: row.contactPhone,
    amountRequested: row.amountRequested,
    currency: row.currency,
    productType: row.productType,
    status: row.status,
    assignedTo: row.assignedTo,
    lenderId: row.lenderId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `%`, `_` and `\` are LIKE syntax; escaped, the search text matches only itself. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export interface ApplicationListQuery {
  status?: ApplicationStatus | undefined;
  /** Business name contains, case-insensitive. */
  q?: string | undefined;
  limit: number;
  afterSeq?: number | undefined;
  scope: VisibilityScope;
}

/** Newest first, keyset over `seq`. */
export async function listApplications(db: Database, query: ApplicationListQuery): Promise<{ items: ApplicationView[]; nextSeq: number | null }> {
  if (seesNothing(query.scope)) return { items: [], nextSeq: null };
  const rows = await db
    .select()
    .from(applications)
    .where(
      and(
        scopeCondition(query.scope),
        query.status ? eq(applications.status, query.status) : undefined,
        query.q ? ilike(applications.businessName, likeContains(query.q)) : undefined,
        query.afterSeq === undefined ? undefined : lt(applications.seq, query.afterSeq),
      ),
    )
    .orderBy(desc(applications.seq))
    .limit(query.limit + 1);
  const page = keysetPage(rows, query.limit);
  return { items: page.rows.map(toApplicationView), nextSeq: page.nextSeq };
}

/** The row if it exists and the scope may see it; a malformed id is simply not found. */
export async function findVisibleApplication(db: Database, id: string, scope: VisibilityScope): Promise<ApplicationRow | undefined> {
  if (!isUuid(id) || seesNothing(scope)) return undefined;
  const [row] = await db.select().from(applications).where(and(eq(applications.id, id), scopeCondition(scope)));
  return row;
}

/** Oldest first: the creation, then every change. */
export async function listHistory(db: Database, applicationId: string): Promise<HistoryEntryView[]> {
  const rows = await db
    .select()
    .from(applicationHistory)
    .where(eq(applicationHistory.applicationId, applicationId))
    .orderBy(asc(applicationHistory.seq));
  return rows.map((row) => ({
    at: row.at.toISOString(),
    actorId: row.actorId,
    fromStatus: row.fromStatus,
    toStatus: row.toStatus,
    note: row.note,
    changes: row.changes ?? {},
  }));
}
