// The one database schema (Drizzle). `npm run db:generate` writes the SQL
// migrations under migrations/ from it; they are committed and applied at start.

import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const lenders = pgTable('lenders', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored lower-cased: emails compare case-insensitively. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id; null until the user sets a password through a setup link (an invitation). */
    passwordHash: text('password_hash'),
    /** E.164, or null when no phone is enrolled. */
    phone: text('phone'),
    lenderId: uuid('lender_id').references(() => lenders.id),
    disabled: boolean('disabled').notNull().default(false),
    /** The enrolled authenticator's secret, AES-256-GCM under DATA_ENCRYPTION_KEY; null when none is enrolled. */
    totpSecretEncrypted: text('totp_secret_encrypted'),
    /** An enrollment started but not yet confirmed (POST /api/auth/totp), encrypted like the secret. */
    totpPendingSecretEncrypted: text('totp_pending_secret_encrypted'),
    /** The last 30-second step accepted for this user: a step is usable once (a replayed code is wrong). */
    totpLastUsedStep: bigint('totp_last_used_step', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
    /** Insertion order, for a stable keyset cursor. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (table) => [uniqueIndex('users_email_unique').on(table.email), uniqueIndex('users_seq_unique').on(table.seq)],
);

import { type ApplicationStatus, type Currency, type ProductType, type RoleName } from '../core/vocabulary.js';

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<RoleName>().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.role] }),
    check('user_roles_role_known', sql`${table.role} in ('admin', 'staff', 'lender')`),
  ],
);

/** One login's second step: the temp token names this row and nothing else. */
export const otpChallenges = pgTable(
  'otp_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    /** sha256 of the secret half of the temp token. */
    tempTokenHash: text('temp_token_hash').notNull(),
    /** The phone codes go to; null for a user who signs in with an authenticator and has no phone. */
    phone: text('phone'),
    /** The factor the challenge expects first: `sms`, `call` or `totp` (login's `otp.channel`). */
    channel: text('channel').$type<'sms' | 'call' | 'totp'>().notNull().default('sms'),
    provider: text('provider').notNull(),
    /** The provider's verification id (Twilio `VE…`), to cancel it when the challenge ends. */
    providerRef: text('provider_ref'),
    attempts: integer('attempts').notNull().default(0),
    sends: integer('sends').notNull().default(0),
    lastSentAt: instant('last_sent_at'),
    expiresAt: instant('expires_at').notNull(),
    createdAt: createdAt(),
    /** Set once the challenge is over, whatever the reason (see endedReason). */
    endedAt: instant('ended_at'),
    endedReason: text('ended_reason').$type<'verified' | 'attempts' | 'superseded' | 'expired'>(),
  },
  // Unique: one open challenge per user (a newer login supersedes the open one in the same transaction).
  (table) => [uniqueIndex('otp_challenges_user_open').on(table.userId).where(sql`${table.endedAt} is null`)],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    lastUsedAt: instant('last_used_at').notNull().defaultNow(),
    /** Absolute end (SESSION_MAX_TTL from sign-in); refreshes never extend it. */
    maxExpiresAt: instant('max_expires_at').notNull(),
    revokedAt: instant('revoked_at'),
    revokedReason: text('revoked_reason'),
    /** Where the sign-in's last step (verify) came from, for the session list. */
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** RFC 8176 methods of the sign-in (`pwd` + `sms` | `otp` | `rec`), kept across refreshes. */
    amr: text('amr').array().notNull().default(sql`'{}'::text[]`),
  },
  (table) => [index('sessions_user').on(table.userId)],
);

/**
 * Every refresh token ever issued, by hash. A spent one presented again is
 * reuse (a stolen token racing its owner): the whole session is revoked.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Unused past this (SESSION_IDLE_TTL, capped by the session's max). */
    expiresAt: instant('expires_at').notNull(),
    spentAt: instant('spent_at'),
  },
  (table) => [index('refresh_tokens_session').on(table.sessionId)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    at: instant('at').notNull().defaultNow(),
    type: text('type').notNull(),
    /** The user the event is about (null for an unknown email). */
    userId: uuid('user_id'),
    /** Who caused it: the same user, an admin, or null. */
    actorId: uuid('actor_id'),
    ip: text('ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    uniqueIndex('audit_events_seq_unique').on(table.seq),
    index('audit_events_type_seq').on(table.type, table.seq),
    index('audit_events_user_seq').on(table.userId, table.seq),
  ],
);

/**
 * The limits module's sliding-window logs, keyed like `otp:phone:+1613…`: the
 * instants of the attempts let through within the longest window of the key's
 * rules. A consume is one atomic upsert, so instances sharing the database
 * share counts, and no window ever holds more than its limit.
 */
export const rateLimitCounters = pgTable('rate_limit_counters', {
  key: text('key').primaryKey(),
  hits: timestamp('hits', { withTimezone: true, mode: 'string' }).array().notNull(),
  /** Whether the latest consume was let through (read back by the same statement). */
  lastAllowed: boolean('last_allowed').notNull(),
  updatedAt: instant('updated_at').notNull(),
});

/** Consecutive failures (wrong passwords per email, wrong codes per account) and the lock they led to. */
export const lockouts = pgTable('lockouts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lockedUntil: instant('locked_until'),
  updatedAt: instant('updated_at').notNull(),
});

export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    // The reference is the row's seq, so the list's order (newest first, by seq) is the references' order
    // even when two creations interleave: a BEFORE INSERT trigger of migration 0005 fills it from seq
    // (a default cannot: PostgreSQL does not promise to fill seq before it). The explicit default
    // null lets an insert leave it out.
    reference: text('reference').notNull().default(sql`null`),
    businessName: text('business_name').notNull(),
    contactName: text('contact_name').notNull(),
    contactEmail: text('contact_email').notNull(),
    contactPhone: text('contact_phone').notNull(),
    /** Integer cents: money is never a float. */
    amountRequested: bigint('amount_requested', { mode: 'number' }).notNull(),
    currency: text('currency').$type<Currency>().notNull(),
    productType: text('product_type').$type<ProductType>().notNull(),
    status: text('status').$type<ApplicationStatus>().notNull().default('submitted'),
    assignedTo: uuid('assigned_to').references(() => users.id),
    lenderId: uuid('lender_id').references(() => lenders.id),
    createdAt: createdAt(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('applications_reference_unique').on(table.reference),
    uniqueIndex('applications_seq_unique').on(table.seq),
    index('applications_status_seq').on(table.status, table.seq),
    index('applications_lender_seq').on(table.lenderId, table.seq),
    check('applications_amount_positive', sql`${table.amountRequested} > 0`),
  ],
);

export const applicationHistory = pgTable(
  'application_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    applicationId: uuid('application_id').notNull().references(() => applications.id, { onDelete: 'cascade' }),
    at: instant('at').notNull().defaultNow(),
    actorId: uuid('actor_id'),
    fromStatus: text('from_status').$type<ApplicationStatus>(),
    toStatus: text('to_status').$type<ApplicationStatus>().notNull(),
    note: text('note'),
    /** Each changed field but status: `{ field: { from, to } }` (`{}` for a status or note change, and the creation). */
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull().default({}),
  },
  (table) => [index('application_history_app_seq').on(table.applicationId, table.seq)],
);

/**
 * Password-setup links (invitations and resets): only the sha256 of the
 * token is kept. One live link per user: issuing a new one replaces the row,
 * and using one is a conditional UPDATE … RETURNING, so it works once.
 */
export const passwordSetupTokens = pgTable(
  'password_setup_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (table) => [uniqueIndex('password_setup_tokens_user').on(table.userId), uniqueIndex('password_setup_tokens_hash').on(table.tokenHash)],
);

/** Recovery codes of a user's current set, hashed; each is spent by one conditional UPDATE. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    createdAt: createdAt(),
    usedAt: instant('used_at'),
  },
  (table) => [index('recovery_codes_user').on(table.userId), uniqueIndex('recovery_codes_user_hash').on(table.userId, table.codeHash)],
);
