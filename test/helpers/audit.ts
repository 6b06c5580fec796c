// The audit trail as the tests read it: rows in the order written, detail parsed.

import { sql } from 'drizzle-orm';
import type { TestApp } from './app.js';

export interface AuditRow {
  type: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

/** Every audit event, or those of one type. */
export async function auditRows(t: TestApp, type?: string): Promise<AuditRow[]> {
  const rows = await t.database.query<AuditRow & { detail: Record<string, unknown> | string }>(
    type === undefined
      ? sql`select type, user_id, actor_id, ip, detail from audit_events order by seq`
      : sql`select type, user_id, actor_id, ip, detail from audit_events where type = ${type} order by seq`,
  );
  return rows.map((row) => ({ ...row, detail: typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail }));
}
