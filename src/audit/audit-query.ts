// Reading the audit trail for admins: newest first, keyset over `seq`,
// filtered by event type and by the user an event is about.

import { and, desc, eq, lt } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { keysetPage } from '../db/keyset.js';
import { auditEvents } from '../db/schema.js';

export interface AuditEventView {
  id: string;
  at: string;
  type: string;
  userId: string | null;
  actorId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  limit: number;
  afterSeq?: number | undefined;
  type?: string | undefined;
  userId?: string | undefined;
}

export async function listAuditEvents(db: Database, query: AuditQuery): Promise<{ items: AuditEventView[]; nextSeq: number | null }> {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        query.type ? eq(auditEvents.type, query.type) : undefined,
        query.userId ? eq(auditEvents.userId, query.userId) : undefined,
        query.afterSeq === undefined ? undefined : lt(auditEvents.seq, query.afterSeq),
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(query.limit + 1);
  const page = keysetPage(rows, query.limit);
  return {
    items: page.rows.map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      type: row.type,
      userId: row.userId,
      actorId: row.actorId,
      ip: row.ip,
      detail: row.detail,
    })),
    nextSeq: page.nextSeq,
  };
}
