import { Type } from 'typebox';
import { AUDIT_EVENT_TYPES } from '../../audit/audit.js';
import { CursorPageQuery, Nullable, Timestamp, Uuid } from './common.js';

export const AuditQuery = Type.Object(
  {
    limit: CursorPageQuery.limit(200, 50),
    cursor: CursorPageQuery.cursor,
    type: Type.Optional(Type.Enum(AUDIT_EVENT_TYPES)),
    userId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const AuditEvent = Type.Object({
  id: Uuid,
  at: Timestamp,
  type: Type.String(),
  userId: Nullable(Uuid),
  actorId: Nullable(Uuid),
  ip: Nullable(Type.String()),
  detail: Type.Object({}, { additionalProperties: true }),
});

export const AuditList = Type.Object({ items: Type.Array(AuditEvent), nextCursor: Nullable(Type.String()) });
