// Reading users with their roles: the shapes the sign-in and the admin views need.

import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../db/connect.js';
import { preparedStatement } from '../db/prepared.js';
import { ROLE_NAMES, type RoleName } from '../core/vocabulary.js';
import { userRoles, users } from '../db/schema.js';
import { textArray } from '../db/text-array.js';
import { permissionsOf, type Permission } from '../rbac/roles.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  /** null until the user sets one through a password-setup link. */
  passwordHash: string | null;
  /** An authenticator app is enrolled (its secret is set). */
  totpEnrolled: boolean;
  lenderId: string | null;
  disabled: boolean;
  createdAt: Date;
  roles: RoleName[];
}

/** The signed-in user as the API shows them (verify, refresh, /me). */
export interface UserView {
  id: string;
  email: string;
  name: string;
  roles: RoleName[];
  permissions: Permission[];
  lenderId: string | null;
}

/** The user as admin views show them. Never a hash. */
export interface AdminUserView {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  roles: RoleName[];
  lenderId: string | null;
  disabled: boolean;
  createdAt: string;
  /** false for an invited user who has not yet used their setup link. */
  passwordSet: boolean;
  /** An authenticator app is enrolled. */
  totp: boolean;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Roles in the catalogue's order, so every view lists them alike. */
export function sortRoles(roles: readonly string[]): RoleName[] {
  return ROLE_NAMES.filter((role) => roles.includes(role));
}

/**
 * Users with their roles in ONE query (the roles as an array subquery), so a
 * known email and an unknown one cost the sign-in the same statements.
 */
function selectUsersWithRoles(db: DbExecutor, where: SQL | undefined) {
  return db
    .select({
      ...getTableColumns(users),
      roles: sql<string[] | string>`array(select ${userRoles.role}::text from ${userRoles} where ${userRoles.userId} = ${users.id})`,
    })
    .from(users)
    .where(where);
}

type UserRowWithRoles = Awaited<ReturnType<typeof selectUsersWithRoles>>[number];

const toUserRecordWithRoles = (row: UserRowWithRoles) => toUserRecord(row, textArray(row.roles));

export async function findUsersWithRoles(db: DbExecutor, where: SQL | undefined): Promise<UserRecord[]> {
  return (await selectUsersWithRoles(db, where)).map(toUserRecordWithRoles);
}

// The sign-in's reads of one user: prepared (src/db/prepared.ts).
const userByEmail = preparedStatement<{ email: string }, UserRowWithRoles[]>('user_by_email', (db) =>
  selectUsersWithRoles(db, eq(users.email, sql.placeholder('email'))),
);
const userById = preparedStatement<{ id: string }, UserRowWithRoles[]>('user_by_id', (db) => selectUsersWithRoles(db, eq(users.id, sql.placeholder('id'))));
/**
 * The users row read FOR SHARE (inside a transaction): a role change or a
 * disable, which updates the users row first, then waits for that
 * transaction, or that transaction waits for it and reads the new roles.
 * See session-tokens.ts startSession.
 */
const userByIdForShare = preparedStatement<{ id: string }, UserRowWithRoles[]>('user_by_id_for_share', (db) =>
  selectUsersWithRoles(db, eq(users.id, sql.placeholder('id'))).for('share'),
);

function toUserRecord(row: typeof users.$inferSelect, roles: readonly string[]): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    passwordHash: row.passwordHash,
    totpEnrolled: row.totpSecretEncrypted !== null,
    lenderId: row.lenderId,
    disabled: row.disabled,
    createdAt: row.createdAt,
    roles: sortRoles(roles),
  };
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<UserRecord | undefined> {
  return (await userByEmail(db, { email: normalizeEmail(email) })).map(toUserRecordWithRoles)[0];
}

/** `lock: 'share'`: see findUsersWithRoles. */
export async function findUserById(db: DbExecutor, id: string, lock?: 'share'): Promise<UserRecord | undefined> {
  return (await (lock ? userByIdForShare : userById)(db, { id })).map(toUserRecordWithRoles)[0];
}

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: user.roles,
    permissions: permissionsOf(user.roles),
    lenderId: user.lenderId,
  };
}

export function toAdminUserView(user: UserRecord): AdminUserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    phone: user.phone,
    roles: user.roles,
    lenderId: user.lenderId,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    passwordSet: user.passwordHash !== null,
    totp: user.totpEnrolled,
  };
}

/** The emails of the users whose phone is `phoneE164` (the console provider says whom a development code is for). */
export async function findEmailsByPhone(db: DbExecutor, phoneE164: string): Promise<string[]> {
  const rows = await db.select({ email: users.email }).from(users).where(eq(users.phone, phoneE164));
  return rows.map((row) => row.email).sort();
}
