// User administration and lenders (API.md "Roles and permissions").

import { Type } from 'typebox';
import { AdminUserView, CursorPageQuery, Nullable, RoleName, Uuid } from './common.js';
import { PasswordSetupLink } from './account.js';

const Roles = Type.Array(RoleName, { uniqueItems: true, maxItems: 10 });
const PersonName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Phone = Type.String({ minLength: 1, maxLength: 40, description: 'E.164, e.g. +16135550123' });

export const UserListQuery = Type.Object({ limit: CursorPageQuery.limit(100, 25), cursor: CursorPageQuery.cursor }, { additionalProperties: false });
/** The user, and for an invitation (no password given) the link to hand them. */
export const CreatedUser = Type.Object({ ...AdminUserView.properties, passwordSetup: Type.Optional(PasswordSetupLink) });
export const UserList = Type.Object({ items: Type.Array(AdminUserView), nextCursor: Nullable(Type.String()) });

export const CreateUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', minLength: 3, maxLength: 254 }),
    name: PersonName,
    // 8 to 128 characters, no composition rules; common passwords are refused (NIST SP 800-63B).
    // Absent: an invitation; the answer carries the password-setup link.
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
    roles: Roles,
    phone: Type.Optional(Nullable(Phone)),
    lenderId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    roles: Type.Optional(Roles),
    phone: Type.Optional(Nullable(Phone)),
    name: Type.Optional(PersonName),
    disabled: Type.Optional(Type.Boolean()),
    lenderId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Not `format: uuid`: a malformed id answers 404 like a missing one. */
export const UserIdParams = Type.Object({ id: Type.String({ description: 'User id (UUID)' }) });

export const Lender = Type.Object({ id: Uuid, name: Type.String() });
export const LenderList = Type.Object({ items: Type.Array(Lender) });
export const CreateLenderBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }) }, { additionalProperties: false });
