// Users written straight into the database (no admin route, no password
// policy), hashed with the app's own hasher. Each suite picks its own
// defaults (emails, phones) and calls this.

import type { RoleName } from '../../src/core/vocabulary.js';
import { userRoles, users } from '../../src/db/schema.js';
import type { TestApp } from './app.js';

export interface UserRow {
  email: string;
  name: string;
  password: string;
  phone: string | null;
  roles: RoleName[];
  disabled?: boolean;
}

/** Inserts the user and its roles; returns its id. */
export async function insertUser(t: TestApp, user: UserRow): Promise<string> {
  const passwordHash = await t.services.passwords.hash(user.password);
  const [row] = await t.services.db
    .insert(users)
    .values({ email: user.email, name: user.name, passwordHash, phone: user.phone, disabled: user.disabled ?? false })
    .returning({ id: users.id });
  if (user.roles.length > 0) await t.services.db.insert(userRoles).values(user.roles.map((role) => ({ userId: row!.id, role })));
  return row!.id;
}
