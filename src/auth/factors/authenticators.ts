// The authenticator app of a user (API.md "Second factors"): enrollment with
// a first code, disabling and new recovery codes with the password, the
// admin's reset of a lost one, and judging a sign-in code. The secret is
// sealed at rest (secret-box.ts). A step is spent by a conditional UPDATE
// that only moves totp_last_used_step forward, so of parallel requests with
// one code exactly one wins and a replayed code is a wrong one.

import { and, count, eq, isNotNull, isNull, lt, or, sql, type SQLWrapper } from 'drizzle-orm';
import { AppError, validationError } from '../../errors.js';
import type { AuditLog } from '../../audit/audit.js';
import type { Clock, Random } from '../../core/clock.js';
import { maskPhone } from '../../core/phone-mask.js';
import type { Database, DbExecutor } from '../../db/connect.js';
import { isUuid } from '../../db/ids.js';
import { columnValue, preparedStatement } from '../../db/prepared.js';
import { recoveryCodes as recoveryCodeRows, users } from '../../db/schema.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { findUserById } from '../../users/users-repository.js';
import type { ConfirmPassword } from '../password-confirmation.js';
import type { RecoveryCodeStore } from './recovery-codes.js';
import { currentStep, matchingStep, otpauthUri, TOTP_SECRET_BYTES } from './totp.js';
import { encodeBase32NoPadding } from '@oslojs/encoding';

export interface SecuritySummary {
  phone: string | null;
  totp: boolean;
  recoveryCodesLeft: number;
}

interface Actor {
  userId: string;
  ip: string;
}

export interface Authenticators {
  startEnrollment(actor: Actor): Promise<{ secret: string; otpauthUri: string }>;
  confirmEnrollment(actor: Actor, code: string): Promise<{ recoveryCodes: string[] }>;
  disable(actor: Actor, password: string): Promise<void>;
  regenerateRecoveryCodes(actor: Actor, password: string): Promise<{ recoveryCodes: string[] }>;
  /** An admin removes a lost authenticator; NOT_FOUND when none is enrolled. */
  reset(userId: string, admin: Actor): Promise<void>;
  summary(userId: string): Promise<SecuritySummary>;
  /** A sign-in code: approved (and its step spent) or wrong. */
  judgeSignInCode(userId: string, code: string): Promise<'approved' | 'wrong'>;
}

export interface AuthenticatorDeps {
  db: Database;
  clock: Clock;
  random: Random;
  audit: AuditLog;
  box: SecretBox;
  recoveryCodes: RecoveryCodeStore;
  confirmPassword: ConfirmPassword;
  /** The issuer shown in the app (otpauth `issuer`). */
  issuer: string;
}

/**
 * A step can be spent if it is later than any step the user has used (the
 * replay guard); the condition on the sealed value binds it to the secret judged.
 */
function stepIsSpendable(sealedColumn: typeof users.totpSecretEncrypted | typeof users.totpPendingSecretEncrypted, userId: SQLWrapper | string, sealed: SQLWrapper | string, step: SQLWrapper | number) {
  return and(eq(users.id, userId), eq(sealedColumn, sealed), or(isNull(users.totpLastUsedStep), lt(users.totpLastUsedStep, step)));
}

// The sign-in's statements, prepared (src/db/prepared.ts).
const sealedSecretOf = preparedStatement<{ userId: string }, { sealed: string | null }[]>('totp_sealed_secret', (db) =>
  db.select({ sealed: users.totpSecretEncrypted }).from(users).where(eq(users.id, sql.placeholder('userId'))),
);
const spendSignInStep = preparedStatement<{ userId: string; step: number; sealed: string }, { id: string }[]>('totp_spend_step', (db) =>
  db
    .update(users)
    .set({ totpLastUsedStep: columnValue('step', users.totpLastUsedStep) })
    .where(stepIsSpendable(users.totpSecretEncrypted, sql.placeholder('userId'), sql.placeholder('sealed'), sql.placeholder('step')))
    .returning({ id: users.id }),
);

/** The AES-GCM associated data: a sealed secret opens only on its own user's row and column. */
const sealContext = (userId: string) => `users.totp:${userId}`;

export function createAuthenticators(deps: AuthenticatorDeps): Authenticators {
  const { db, clock, random, audit, box, recoveryCodes } = deps;

  async function userRow(userId: string, executor: DbExecutor = db) {
    const [row] = await executor.select().from(users).where(eq(users.id, userId));
    if (!row) throw new AppError('INVALID_TOKEN');
    return row;
  }

  /** Spends `step` of the pending secret (enrolment): see stepIsSpendable. */
  async function spendPendingStep(executor: DbExecutor, userId: string, step: number, sealed: string, extra: Partial<typeof users.$inferInsert>) {
    const updated = await executor
      .update(users)
      .set({ totpLastUsedStep: step, ...extra })
      .where(stepIsSpendable(users.totpPendingSecretEncrypted, userId, sealed, step))
      .returning({ id: users.id });
    return updated.length > 0;
  }

  async function withPassword(actor: Actor, password: string) {
    const user = await findUserById(db, actor.userId);
    if (!user) throw new AppError('INVALID_TOKEN');
    await deps.confirmPassword(user, password, actor.ip);
  }

  return {
    async startEnrollment(actor) {
      const row = await userRow(actor.userId);
      if (row.totpSecretEncrypted) throw new AppError('CONFLICT', { detail: 'An authenticator app is already set up. Disable it first.' });
      const secret = random.bytes(TOTP_SECRET_BYTES);
      // Conditional, so a parallel confirm cannot be overwritten into a second secret.
      const started = await db
        .update(users)
        .set({ totpPendingSecretEncrypted: await box.seal(secret, sealContext(actor.userId)) })
        .where(and(eq(users.id, actor.userId), isNull(users.totpSecretEncrypted)))
        .returning({ id: users.id });
      if (started.length === 0) throw new AppError('CONFLICT', { detail: 'An authenticator app is already set up. Disable it first.' });
      return { secret: encodeBase32NoPadding(secret), otpauthUri: otpauthUri(deps.issuer, row.email, secret) };
    },

    async confirmEnrollment(actor, code) {
      const row = await userRow(actor.userId);
      const pending = row.totpPendingSecretEncrypted;
      if (!pending || row.totpSecretEncrypted) throw new AppError('CONFLICT', { detail: 'No authenticator setup is in progress.' });
      const step = matchingStep(await box.open(pending, sealContext(actor.userId)), code, currentStep(clock));
      const wrong = () => validationError('/code', 'The code does not match the authenticator app. Check its clock and try the next code.');
      if (step === undefined) throw wrong();
      return db.transaction(async (tx) => {
        const enrolled = await spendPendingStep(tx, actor.userId, step, pending, { totpSecretEncrypted: pending, totpPendingSecretEncrypted: null });
        if (!enrolled) throw wrong(); // a replayed step, or a parallel confirm won
        const codes = await recoveryCodes.replaceSet(actor.userId, tx);
        await audit.record({ type: 'TOTP_ENROLLED', userId: actor.userId, actorId: actor.userId, ip: actor.ip }, tx);
        return { recoveryCodes: codes };
      });
    },

    async disable(actor, password) {
      await withPassword(actor, password);
      await db.transaction(async (tx) => {
        const removed = await tx
          .update(users)
          .set({ totpSecretEncrypted: null, totpPendingSecretEncrypted: null })
          .where(and(eq(users.id, actor.userId), isNotNull(users.totpSecretEncrypted)))
          .returning({ id: users.id });
        if (removed.length === 0) throw new AppError('CONFLICT', { detail: 'No authenticator app is set up.' });
        await recoveryCodes.removeAll(actor.userId, tx);
        await audit.record({ type: 'TOTP_DISABLED', userId: actor.userId, actorId: actor.userId, ip: actor.ip }, tx);
      });
    },

    async regenerateRecoveryCodes(actor, password) {
      const row = await userRow(actor.userId);
      if (!row.totpSecretEncrypted) throw new AppError('CONFLICT', { detail: 'Set up an authenticator app first.' });
      await withPassword(actor, password);
      return db.transaction(async (tx) => {
        // The row lock orders this after a parallel disable, which would leave codes without an authenticator.
        const [locked] = await tx.select({ sealed: users.totpSecretEncrypted }).from(users).where(eq(users.id, actor.userId)).for('update');
        if (!locked?.sealed) throw new AppError('CONFLICT', { detail: 'Set up an authenticator app first.' });
        const codes = await recoveryCodes.replaceSet(actor.userId, tx);
        await audit.record({ type: 'RECOVERY_CODES_GENERATED', userId: actor.userId, actorId: actor.userId, ip: actor.ip }, tx);
        return { recoveryCodes: codes };
      });
    },

    async reset(userId, admin) {
      // An id that is no UUID names nobody (and must not reach a uuid column).
      if (!isUuid(userId)) throw new AppError('NOT_FOUND', { detail: 'This user has no authenticator app.' });
      await db.transaction(async (tx) => {
        const removed = await tx
          .update(users)
          .set({ totpSecretEncrypted: null, totpPendingSecretEncrypted: null, updatedAt: clock.now() })
          .where(and(eq(users.id, userId), isNotNull(users.totpSecretEncrypted)))
          .returning({ id: users.id });
        if (removed.length === 0) throw new AppError('NOT_FOUND', { detail: 'This user has no authenticator app.' });
        await recoveryCodes.removeAll(userId, tx);
        await audit.record({ type: 'TOTP_RESET', userId, actorId: admin.userId, ip: admin.ip }, tx);
      });
    },

    async summary(userId) {
      // One statement, so the enrollment and the count come from one snapshot (and a cold /me costs one round trip).
      const codesLeft = db
        .select({ left: count() })
        .from(recoveryCodeRows)
        .where(and(eq(recoveryCodeRows.userId, users.id), isNull(recoveryCodeRows.usedAt)));
      const [row] = await db
        .select({ phone: users.phone, totp: sql<boolean>`${users.totpSecretEncrypted} is not null`, recoveryCodesLeft: sql<number>`(${codesLeft})`.mapWith(Number) })
        .from(users)
        .where(eq(users.id, userId));
      if (!row) throw new AppError('INVALID_TOKEN');
      return {
        phone: row.phone ? maskPhone(row.phone) : null,
        totp: row.totp,
        recoveryCodesLeft: row.totp ? row.recoveryCodesLeft : 0,
      };
    },

    async judgeSignInCode(userId, code) {
      const [row] = await sealedSecretOf(db, { userId });
      if (!row?.sealed) return 'wrong';
      const step = matchingStep(await box.open(row.sealed, sealContext(userId)), code, currentStep(clock));
      if (step === undefined) return 'wrong';
      return (await spendSignInStep(db, { userId, step, sealed: row.sealed })).length > 0 ? 'approved' : 'wrong';
    },
  };
}
