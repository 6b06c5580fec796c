// Development seed: the admin of API.md's "Development mode", created once.
// Never called in production (config.seedDevelopmentAdmin is false there).

import { eq } from 'drizzle-orm';
import type { PasswordHasher } from '../auth/passwords.js';
import type { Database } from '../db/connect.js';
import { userRoles, users } from '../db/schema.js';

export const DEVELOPMENT_ADMIN = {
  email: 'admin@boreal.com',
  password: 'admin123',
  name: 'Development Admin',
  phone: '+16135550100',
} as const;

export async function seedDevelopmentAdmin(db: Database, passwords: PasswordHasher): Promise<void> {
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, DEVELOPMENT_ADMIN.email));
  if (existing.length > 0) return;
  const passwordHash = await passwords.hash(DEVELOPMENT_ADMIN.password);
  await db.transaction(async (tx) => {
    const [admin] = await tx
      .insert(users)
      .values({ email: DEVELOPMENT_ADMIN.email, name: DEVELOPMENT_ADMIN.name, phone: DEVELOPMENT_ADMIN.phone, passwordHash })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (admin) await tx.insert(userRoles).values({ userId: admin.id, role: 'admin' });
  });
}
