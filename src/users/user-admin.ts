// User administration (API.md "Roles and permissions"): create, change and
// list users. The HTTP routes and the `boreal users create` command both call
// these, so every rule (password policy, phone, roles, lender) holds whatever
// the entry point. Errors are catalogue AppErrors with JSON Pointer paths.

import { and, desc, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { AuditLog } from '../audit/audit.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { SessionStore } from '../auth/sessions.js';
import type { PasswordSetup, PasswordSetupLink } from '../auth/password-setup.js';
import type { Clock } from '../core/clock.js';
import { maskPhone } from '../core/phone-mask.js';
import type { RoleName } from '../core/vocabulary.js';
import type { Database, Transaction } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { isUniqueViolation, keysetPage } from '../db/keyset.js';
import { otpChallenges, userRoles, users } from '../db/schema.js';
import { AppError, throwIfInvalid, type FieldError } from '../errors.js';
import { checkPasswordPolicy } from './password-policy.js';
import { checkEmail, checkLender, checkLenderRole, checkName, checkPhone, checkRoles } from './user-checks.js';
import { findUserByEmail, findUserById, findUsersWithRoles, normalizeEmail, toAdminUserView, type AdminUserView } from './users-repository.js';

export { checkPasswordPolicy } from './password-policy.js';
export { USER_NAME_MAX_CHARACTERS } from './user-checks.js';
export type { AdminUserView } from './users-repository.js';

export interface CreateUserInput {
  email: string;
  name: string;
  /** Absent: an invitation (the user sets a password through the setup link the answer carries). */
  password?: string | undefined;
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

export interface UserAdminDeps {
  db: Database;
  clock: Clock;
  passwords: PasswordHasher;
  sessions: Pick<SessionStore, 'revokeAllOfUser'>;
  audit: AuditLog;
  /** Issues the invitation of a user created without a password, in the creating transaction. */
  passwordSetup: Pick<PasswordSetup, 'issue'>;
}

export type CreatedUser = AdminUserView & { passwordSetup?: PasswordSetupLink };

export interface UserAdmin {
  /** Without a password the answer carries `passwordSetup`, the invitation link. */
  createUser(input: CreateUserInput, actor: AdminActor): Promise<CreatedUser>;
  updateUser(userId: string, patch: UpdateUserInput, actor: AdminActor): Promise<AdminUserView>;
  /** Newest first; `afterSeq` is the last row of the previous page. */
  listUsers(options: { limit: number; afterSeq?: number | undefined }): Promise<{ items: AdminUserView[]; nextSeq: number | null }>;
}

const takenEmail = () => new AppError('CONFLICT', { detail: 'A user with this email already exists.' });

type Changes = Record<string, { from: unknown; to: unknown }>;

export function createUserAdmin(deps: UserAdminDeps): UserAdmin {
  const { db, clock, passwords, sessions, audit } = deps;

  /**
   * A sign-in under way was started for the phone, roles and state the user
   * had: its challenges end with the change, so its temp token answers
   * INVALID_TEMP_TOKEN. Nothing is cancelled at the provider: a Twilio
   * verification nobody checks expires there on its own (10 minutes).
   */
  async function endOpenSignIns(tx: Transaction, userId: string): Promise<void> {
    await tx
      .update(otpChallenges)
      .set({ endedAt: clock.now(), endedReason: 'superseded' })
      .where(and(eq(otpChallenges.userId, userId), isNull(otpChallenges.endedAt)));
  }

  return {
    async createUser(input, actor) {
      const errors: FieldError[] = [];
      const email = normalizeEmail(input.email);
      checkEmail(email, errors);
      checkName(input.name, errors);
      const passwordProblem = input.password === undefined ? null : checkPasswordPolicy(input.password);
      if (passwordProblem) errors.push({ path: '/password', message: passwordProblem });
      const roles = checkRoles(input.roles, errors);
      const phone = checkPhone(input.phone, errors);
      await checkLender(db, input.lenderId, errors);
      checkLenderRole(roles, input.lenderId, errors);
      throwIfInvalid(errors);
      // Checked before hashing so a taken email costs no argon2 time; the unique index settles races.
      if (await findUserByEmail(db, email)) throw takenEmail();

      const passwordHash = input.password === undefined ? null : await passwords.hash(input.password);
      const now = clock.now();
      let userId: string;
      let passwordSetup: PasswordSetupLink | undefined;
      try {
        userId = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(users)
            .values({ email, name: input.name.trim(), passwordHash, phone: phone ?? null, lenderId: input.lenderId ?? null, createdAt: now, updatedAt: now })
            .returning({ id: users.id });
          const id = row!.id;
          if (roles.length > 0) await tx.insert(userRoles).values(roles.map((role) => ({ userId: id, role })));
          const detail = { email, name: input.name.trim(), roles, lenderId: input.lenderId ?? null, phone: phone ? maskPhone(phone) : null };
          await audit.record({ type: 'USER_CREATED', userId: id, actorId: actor.actorId, ip: actor.ip, detail: { ...detail, invited: passwordHash === null } }, tx);
          if (passwordHash === null) passwordSetup = await deps.passwordSetup.issue(id, actor, tx);
          return id;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw takenEmail();
        throw error;
      }
      const view = toAdminUserView((await findUserById(db, userId))!);
      return passwordSetup ? { ...view, passwordSetup } : view;
    },

    async updateUser(userId, patch, actor) {
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
      throwIfInvalid(errors);

      const changes: Changes = {};
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
        // The users row first: its row lock orders this change against a
        // sign-in that is starting a session (session-tokens.ts reads the
        // row FOR SHARE), so that session either sees the new roles or is
        // revoked below. Access tokens carry the roles they were issued
        // with: only ending the sessions makes new roles (or a disabled
        // account) take effect at once. Done whenever roles are sent, so a
        // retried PATCH still revokes.
        await tx.update(users).set(set).where(eq(users.id, userId));
        if (patch.roles !== undefined) {
          await tx.delete(userRoles).where(eq(userRoles.userId, userId));
          if (roles.length > 0) await tx.insert(userRoles).values(roles.map((role) => ({ userId, role })));
          await sessions.revokeAllOfUser(userId, 'roles-changed', tx);
        } else if (patch.disabled === true) {
          await sessions.revokeAllOfUser(userId, 'user-disabled', tx);
        }
        if (patch.roles !== undefined || patch.phone !== undefined || patch.disabled === true) await endOpenSignIns(tx, userId);
        await audit.record({ type: 'USER_UPDATED', userId, actorId: actor.actorId, ip: actor.ip, detail: { changes } }, tx);
      });
      return toAdminUserView((await findUserById(db, userId))!);
    },

    async listUsers(options) {
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
    },
  };
}
