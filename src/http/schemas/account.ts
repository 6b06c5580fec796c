// Your account (password, sessions) and password-setup links (API.md "Your
// account", "Account lifecycle").

import { Type } from 'typebox';
import { Nullable, Timestamp, Uuid } from './common.js';

/** The policy's bounds (8 to 128 characters); the common-password check is the use case's. */
const NewPassword = Type.String({ minLength: 8, maxLength: 128, description: '8 to 128 characters, not a commonly used password' });

export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: NewPassword,
  },
  { additionalProperties: false },
);

export const PasswordSetupBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 1024, description: 'From the link\'s fragment: #token=…' }),
    password: NewPassword,
  },
  { additionalProperties: false },
);

export const PasswordSetupResult = Type.Object({ status: Type.Literal('PASSWORD_SET'), email: Type.String() });

export const PasswordSetupLink = Type.Object({
  token: Type.String({ description: 'Shown once; only its hash is kept' }),
  url: Type.String({ description: '<PUBLIC_URL>/app/set-password#token=<token>' }),
  expiresAt: Timestamp,
});

const sessionFields = {
  id: Uuid,
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  expiresAt: Timestamp,
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  amr: Type.Array(Type.String()),
};

export const OwnSessionList = Type.Object({
  items: Type.Array(Type.Object({ ...sessionFields, current: Type.Boolean() })),
});

export const UserSessionList = Type.Object({ items: Type.Array(Type.Object(sessionFields)) });

/** Not `format: uuid`: a malformed id answers 404 like an unknown one. */
export const SessionIdParams = Type.Object({ id: Type.String({ description: 'Session id (the access token\'s sid)' }) });
