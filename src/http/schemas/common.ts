// Schemas shared by many routes. Response schemas are allowlists: a field not
// named here is never serialised, so a hash or a secret cannot leak by accident.

import { Type, type TSchema } from 'typebox';
import { ROLE_NAMES } from '../../core/vocabulary.js';
import { PERMISSIONS } from '../../rbac/roles.js';

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    attemptsRemaining: Type.Optional(Type.Integer()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document' },
);

export const RoleName = Type.Enum(ROLE_NAMES);
export const PermissionName = Type.Enum(PERMISSIONS);

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(RoleName),
  permissions: Type.Array(PermissionName),
  lenderId: Nullable(Uuid),
});

export const AdminUserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String()),
  roles: Type.Array(RoleName),
  lenderId: Nullable(Uuid),
  disabled: Type.Boolean(),
  createdAt: Timestamp,
  totp: Type.Boolean(),
});

export const CursorPageQuery = {
  limit: (maximum: number, fallback: number) => Type.Optional(Type.Integer({ minimum: 1, maximum, default: fallback })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const NoContent = Type.Null({ description: 'No content' });
