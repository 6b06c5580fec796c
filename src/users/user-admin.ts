// User administration (API.md "Roles and permissions"): create, change and
// list users. The HTTP routes and the `boreal users create` command both call
// these, so every rule (password policy, phone, roles, lender) holds whatever
// the entry point. Errors are catalogue AppErrors with JSON Pointer paths.

import { desc, eq, inArray, lt } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { isUniqueViolation, keysetPage } from '../db/keyset.js';
import { ROLE_NAMES, userRoles, users, type RoleName } from '../db/schema.js';
import { createAuditLog } from '../audit/audit.js';
import { AppError, type FieldError } from '../errors.js';
import { maskPhone, normalizePhone } from '../otp/phone.js';
import type { Services } from '../services.js';
import { findLenderById } from './lenders.js';
import { checkPasswordPolicy } from './password-policy.js';
import { findUserByEmail, findUserById, findUsersWithRoles, normalizeEmail, sortRoles, toAdminUserView, type AdminUserView } from './users-repository.js';

export { checkPasswordPolicy } from './password-policy.js';
export type { AdminUserView } from './users-repository.js';

export interface CreateUserInput {
  email: string;
  name: string;
  password: string;
  roles: RoleName[];
  phone?: string | null;
  lenderId?: string | null;
}

export interface UpdateUserInput {
  roles?: RoleName[];
  /** null removes the phone. */
  phone?: string | null;
  name?: string;
  disabled?: boolean;
  lenderId?: string | null;
}

/** Who asks, for the audit trail: an admin's user id (null from the CLI) and address. */
export interface AdminActor {
  actorId: string | null;
  ip: string | null;
}

export const USER_NAME_MAX_CHARACTERS = 200;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
function failIfAny(errors: FieldError[]): void {
  if (errors.length === 0) return;
  throw new AppError('VALIDATION_FAILED', {
    detail: `The request is not valid: ${errors.map((error) => `${error.path} ${error.message}`).join('; ')}.`,
    errors,
  });
}

function checkName(name: string, errors: FieldError[]): void {
  const trimmed = name.trim();
  if (trimmed.length === 0) errors.push({ path: '/name', message: 'must not be blank' });
  else if ([...trimmed].length > USER_NAME_MAX_CHARACTERS) errors.push({ path: '/name', message: `must NOT have more than ${USER_NAME_MAX_CHARACTERS} characters` });
}

/** Known roles only, deduplicated, in the catalogue's order. */
function checkRoles(roles: readonly string[], errors: FieldError[]): RoleName[] {
  roles.forEach((role, index) => {
    if (!(ROLE_NAMES as readonly string[]).includes(role)) errors.push({ path: `/roles/${index}`, message: `is not a known role (${ROLE_NAMES.join(', ')})` });
  });
  return sortRoles(roles);
}

/** E.164 of a valid number; undefined (with an error) otherwise; null stays null. */
function checkPhone(phone: string | null | undefined, errors: FieldError[]): string | null | undefined {
  if (phone === undefined || phone === null) return phone;
  const normalized = normalizePhone(phone);
  if (!normalized) errors.push({ path: '/phone', message: 'is not a valid phone number (use E.164, e.g. +16135550123)' });
  return normalized ?? undefined;
}

async function checkLender(db: Database, lenderId: string | null | undefined, errors: FieldError[]): Promise<void> {
  if (lenderId === undefined || lenderId === null) return;
  if (!isUuid(lenderId) || !(await findLenderById(db, lenderId))) errors.push({ path: '/lenderId', message: 'is not a known lender' });
}

/** A lender user without a lender would see no application, or worse, every unassigned one. */
function checkLenderRole(roles: readonly RoleName[], lenderId: string | null | undefined, errors: FieldError[]): void {
  if (roles.includes('lender') && !lenderId && !errors.some((error) => error.path === '/lenderId')) {
    errors.push({ path: '/lenderId', message: 'is required for the role lender' });
  }
}

const takenEmail = () => new AppError('CONFLICT', { detail: 'A user with this email already exists.' });

export async function createUser(services: Services, input: CreateUserInput, actor: AdminActor): Promise<AdminUserView> {
  const { db, clock } = services;
  const errors: FieldError[] = [];
  const email = normalizeEmail(input.email);
  if (!EMAIL_PATTERN.test(email) || email.length > 254) errors.push({ path: '/email', message: 'is not a valid email address' });
  checkName(input.name, errors);
  const passwordProblem = checkPasswordPolicy(input.password);
  if (passwordProblem) errors.push({ path: '/password', message: passwordProblem });
  const roles = checkRoles(input.roles, errors);
  const phone = checkPhone(input.phone, errors);
  await checkLender(db, input.lenderId, errors);
  checkLenderRole(roles, input.lenderId, errors);
  failIfAny(errors);
  // Checked before hashing so a taken email costs no argon2 time; the unique index settles races.
  if (await findUserByEmail(db, email)) throw takenEmail();

  const passwordHash = await services.passwords.hash(input.password);
  const now = clock.now();
  let userId: string;
  try {
    userId = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({ email, name: input.name.trim(), passwordHash, phone: phone ?? null, lenderId: input.lenderId ?? null, createdAt: now, updatedAt: now })
        .returning({ id: users.id });
      const id = row!.id;
      if (roles.length > 0) await tx.insert(userRoles).values(roles.map((role) => ({ userId: id, role })));
      await createAuditLog(tx as unknown as Database, clock).record({
        type: 'USER_CREATED',
        userId: id,
        actorId: actor.actorId,
        ip: actor.ip,
        detail: { email, name: input.name.trim(), roles, lenderId: input.lenderId ?? null, phone: phone ? maskPhone(phone) : null },
      });
      return id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw takenEmail();
    throw error;
  }
  return toAdminUserView((await findUserById(db, userId))!);
}

export async function updateUser(services: Services, userId: string, patch: UpdateUserInput, actor: AdminActor): Promise<AdminUserView> {
  const { db, clock } = services;
  // Nobody raises their own privileges, and an admin cannot lock themselves out by accident.
  if (actor.actorId === userId && patch.roles !== undefined) throw new AppError('FORBIDDEN', { detail: 'You cannot change your own roles.' });
  if (actor.actorId === userId && patch.disabled === true) throw new AppError('FORBIDDEN', { detail: 'You cannot disable your own account.' });
  const current = isUuid(userId) ? await findUserById(db, userId) : undefined;
  if (!current) throw new AppError('NOT_FOUND', { detail: 'There is no such user.' });

  const errors: FieldError[] = [];
  if (Object.values(patch).every((value) => value === undefined)) errors.push({ path: '/', message: 'must change at least one field' });
  if (patch.name !== undefined) checkName(patch.name, errors);
  const roles = patch.roles === undefined ? current.roles : checkRoles(patch.roles, errors);
  const phone = checkPhone(patch.phone, errors);
  await checkLender(db, patch.lenderId, errors);
  const lenderId = patch.lenderId === undefined ? current.lenderId : patch.lenderId;
  checkLenderRole(roles, lenderId, errors);
  failIfAny(errors);

  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const set: Partial<typeof users.$inferInsert> = { updatedAt: clock.now() };
  if (patch.name !== undefined) {
    set.name = patch.name.trim();
    changes.name = { from: current.name, to: set.name };
  }
  if (patch.phone !== undefined) {
    set.phone = phone ?? null;
    changes.phone = { from: current.phone && maskPhone(current.phone), to: set.phone && maskPhone(set.phone) };
  }
  if (patch.disabled !== undefined) {
    set.disabled = patch.disabled;
    changes.disabled = { from: current.disabled, to: patch.disabled };
  }
  if (patch.lenderId !== undefined) {
    set.lenderId = patch.lenderId;
    changes.lenderId = { from: current.lenderId, to: patch.lenderId };
  }
  if (patch.roles !== undefined) changes.roles = { from: current.roles, to: roles };

  await db.transaction(async (tx) => {
    await tx.update(users).set(set).where(eq(users.id, userId));
    if (patch.roles !== undefined) {
      await tx.delete(userRoles).where(eq(userRoles.userId, userId));
      if (roles.length > 0) await tx.insert(userRoles).values(roles.map((role) => ({ userId, role })));
    }
    await createAuditLog(tx as unknown as Database, clock).record({ type: 'USER_UPDATED', userId, actorId: actor.actorId, ip: actor.ip, detail: { changes } });
  });
  // Access tokens carry the roles they were issued with: only ending the
  // sessions makes new roles (or a disabled account) take effect at once.
  // Done whenever roles are sent, so a retried PATCH still revokes.
  if (patch.roles !== undefined) await services.sessions.revokeAllOfUser(userId, 'roles-changed');
  else if (patch.disabled === true) await services.sessions.revokeAllOfUser(userId, 'user-disabled');
  return toAdminUserView((await findUserById(db, userId))!);
}

/** Newest first; `afterSeq` is the last row of the previous page. */
export async function listUsers(db: Database, options: { limit: number; afterSeq?: number | undefined }): Promise<{ items: AdminUserView[]; nextSeq: number | null }> {
  const rows = await db
    .select({ id: users.id, seq: users.seq })
    .from(users)
    .where(options.afterSeq === undefined ? undefined : lt(users.seq, options.afterSeq))
    .orderBy(desc(users.seq))
    .limit(options.limit + 1);
  const page = keysetPage(rows, options.limit);
  if (page.rows.length === 0) return { items: [], nextSeq: null };
  const records = await findUsersWithRoles(db, inArray(users.id, page.rows.map((row) => row.id)));
  const byId = new Map(records.map((record) => [record.id, record]));
  return { items: page.rows.map((row) => toAdminUserView(byId.get(row.id)!)), nextSeq: page.nextSeq };
}
