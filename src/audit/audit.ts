// Append-only audit events. Callers pass only what is safe to keep: no event
// ever holds a password, a code or a token (the HTTP layer never hands those here).

import type { Database, DbExecutor } from '../db/connect.js';
import { auditEvents } from '../db/schema.js';
import { columnValue, preparedStatement } from '../db/prepared.js';

export const AUDIT_EVENT_TYPES = [
  'LOGIN_FAILED',
  'OTP_SENT',
  'OTP_SEND_FAILED',
  'OTP_FAILED',
  'OTP_ATTEMPTS_EXCEEDED',
  'ACCOUNT_LOCKED',
  'LOGIN_SUCCEEDED',
  'TOKEN_REFRESHED',
  'REFRESH_TOKEN_REUSED',
  'LOGOUT',
  'RATE_LIMIT_CLEARED',
  'USER_CREATED',
  'USER_UPDATED',
  'APPLICATION_STATUS_CHANGED',
  'APPLICATION_UPDATED',
  'LENDER_CREATED',
  'PASSWORD_CHANGED',
  'PASSWORD_SETUP_ISSUED',
  'SESSION_REVOKED',
  'TOTP_ENROLLED',
  'TOTP_DISABLED',
  'TOTP_RESET',
  'RECOVERY_CODES_GENERATED',
  'RECOVERY_CODE_USED',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditEventInput {
  type: AuditEventType;
  /** The user the event is about; null for an unknown email. */
  userId: string | null;
  /** Who caused it: the same user, an admin, or null. */
  actorId: string | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditLog {
  /** `executor`: the transaction of the change the event tells of, so both commit or neither does. */
  record(event: AuditEventInput, executor?: DbExecutor): Promise<void>;
}

/** Every sign-in writes events: the insert is prepared (src/db/prepared.ts). */
const insertEvent = preparedStatement<Required<Omit<typeof auditEvents.$inferInsert, 'id' | 'seq'>>, unknown>('audit_insert', (db) =>
  db.insert(auditEvents).values({
    type: columnValue('type', auditEvents.type),
    userId: columnValue('userId', auditEvents.userId),
    actorId: columnValue('actorId', auditEvents.actorId),
    ip: columnValue('ip', auditEvents.ip),
    detail: columnValue('detail', auditEvents.detail),
    at: columnValue('at', auditEvents.at),
  }),
);

export function createAuditLog(db: Database, clock: { now(): Date }): AuditLog {
  return {
    async record(event, executor = db) {
      await insertEvent(executor, {
        type: event.type,
        userId: event.userId,
        actorId: event.actorId,
        ip: event.ip,
        detail: event.detail ?? {},
        at: clock.now(),
      });
    },
  };
}
