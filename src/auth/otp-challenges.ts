// The storage of login challenges. Every state change that races (a guess,
// a resend, the end) is one conditional UPDATE … RETURNING, so parallel
// requests can never make a sixth guess or a second send inside the cooldown.

import { and, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database, DbExecutor, Transaction } from '../db/connect.js';
import { lockouts, otpChallenges, users } from '../db/schema.js';
import type { Clock, Random } from '../core/clock.js';
import { columnValue, preparedStatement } from '../db/prepared.js';
import { addSeconds, constantTimeEqual, randomSecret, sha256Hex, splitOpaqueToken } from './crypto.js';

export type Challenge = typeof otpChallenges.$inferSelect;
export type EndReason = NonNullable<Challenge['endedReason']>;

export interface NewChallenge {
  userId: string;
  /** The enrolled phone codes go to (an authenticator sign-in keeps it for an SMS or call on request); null when none. */
  phone: string | null;
  channel: Challenge['channel'];
  provider: string;
  providerRef: string | null;
  ttlSeconds: number;
}

export interface ChallengeStore {
  /**
   * Opens the user's one challenge: ends their open one as superseded and
   * creates the new one in one transaction (the partial unique index
   * otp_challenges_user_open holds one open challenge per user). Returns the
   * superseded ones, whose provider verifications are to be let go.
   * `alsoInTransaction`: writes that commit with it (the login's OTP_SENT audit).
   */
  open(input: NewChallenge, alsoInTransaction?: (tx: Transaction) => Promise<void>): Promise<{ challenge: Challenge; tempToken: string; superseded: Challenge[] }>;
  /** The challenge a temp token names, when its secret matches; undefined otherwise. */
  findByTempToken(tempToken: string): Promise<Challenge | undefined>;
  /**
   * The sign-in's fast path: takes one guess of the challenge `tempToken`
   * names, in one UPDATE, if it is open, unexpired, has guesses left and its
   * user is not locked by wrong codes (`lockoutKeyPrefix` + user id). Returns
   * the challenge as claimed (`attempts` is this guess's number), or
   * undefined: then the slow path finds out why.
   */
  claimByTempToken(tempToken: string, maxAttempts: number, lockoutKeyPrefix: string, executor?: DbExecutor): Promise<Challenge | undefined>;
  /** Gives back a guess the provider could not judge (it was down). */
  refundAttempt(id: string): Promise<void>;
  /** Takes the right to send now if the cooldown has passed; false otherwise. */
  claimResend(id: string, cooldownSeconds: number): Promise<boolean>;
  /** Undoes a claimResend no send followed, so the refused resend does not start a cooldown. */
  releaseResend(id: string, previousLastSentAt: Date | null): Promise<void>;
  recordSend(id: string, providerRef: string | null, executor?: DbExecutor): Promise<void>;
  /** Ends an open challenge; false when it had already ended (someone else won). */
  end(id: string, reason: EndReason): Promise<Challenge | undefined>;
}

// The sign-in's statements, prepared (src/db/prepared.ts).
const placeholder = sql.placeholder;

/** The user's row is locked FOR UPDATE (see openOnce) and their open challenge ends as superseded. */
const supersedeOpenChallenge = preparedStatement<{ userId: string; now: Date }, Challenge[]>('challenge_supersede', (db) =>
  db
    .update(otpChallenges)
    .set({ endedAt: columnValue('now', otpChallenges.endedAt), endedReason: 'superseded' })
    .where(and(eq(otpChallenges.userId, sql`(select ${users.id} from ${users} where ${users.id} = ${placeholder('userId')} for update)`), isNull(otpChallenges.endedAt)))
    .returning(),
);

type ChallengeInsert = Required<Omit<typeof otpChallenges.$inferInsert, 'id' | 'attempts' | 'endedAt' | 'endedReason'>>;

const insertChallenge = preparedStatement<ChallengeInsert, Challenge[]>('challenge_insert', (db) =>
  db
    .insert(otpChallenges)
    .values({
      userId: columnValue('userId', otpChallenges.userId),
      tempTokenHash: columnValue('tempTokenHash', otpChallenges.tempTokenHash),
      phone: columnValue('phone', otpChallenges.phone),
      channel: columnValue('channel', otpChallenges.channel),
      provider: columnValue('provider', otpChallenges.provider),
      providerRef: columnValue('providerRef', otpChallenges.providerRef),
      sends: columnValue('sends', otpChallenges.sends),
      lastSentAt: columnValue('lastSentAt', otpChallenges.lastSentAt),
      expiresAt: columnValue('expiresAt', otpChallenges.expiresAt),
      createdAt: columnValue('createdAt', otpChallenges.createdAt),
    })
    .returning(),
);

/** One guess of an open, unexpired challenge with guesses left, whose user is not locked by wrong codes. */
const claimGuess = preparedStatement<{ id: string; tempTokenHash: string; maxAttempts: number; now: Date; lockoutKeyPrefix: string }, Challenge[]>(
  'challenge_claim_guess',
  (db) =>
    db
      .update(otpChallenges)
      .set({ attempts: sql`${otpChallenges.attempts} + 1` })
      .where(
        and(
          eq(otpChallenges.id, placeholder('id')),
          eq(otpChallenges.tempTokenHash, placeholder('tempTokenHash')),
          isNull(otpChallenges.endedAt),
          lt(otpChallenges.attempts, placeholder('maxAttempts')),
          gt(otpChallenges.expiresAt, columnValue('now', otpChallenges.expiresAt)),
          sql`not exists (select 1 from lockouts l
                          where l.key = ${placeholder('lockoutKeyPrefix')}::text || ${otpChallenges.userId}::text and l.locked_until > ${columnValue('now', lockouts.lockedUntil)})`,
        ),
      )
      .returning(),
);

/** More parallel logins of one user than this at one instant are not a sign-in but an attack (the per-IP and per-email limits answer it). */
const MAX_OPEN_TRIES = 20;

export function createChallengeStore(db: Database, clock: Clock, random: Random): ChallengeStore {
  /**
   * Two statements in the caller's transaction: the user's row is locked
   * (FOR UPDATE queues parallel logins of one user) and their open challenge
   * ends as superseded; then the new one is created. (Not one statement: a
   * statement's insert checks the one-open-challenge index against the rows
   * as they were before its own update.) A parallel login that committed a
   * challenge after the first statement began is not seen by it: the insert
   * then collides on the index, and open() tries again, seeing it.
   */
  async function openOnce(input: NewChallenge, executor: Transaction) {
    const now = clock.now();
    const secret = randomSecret(random);
    const superseded = await supersedeOpenChallenge(executor, { userId: input.userId, now });
    // An authenticator sign-in sends nothing: its first SMS or call is not held back by the cooldown.
    const sent = input.channel !== 'totp';
    const [challenge] = await insertChallenge(executor, {
      userId: input.userId,
      tempTokenHash: sha256Hex(secret),
      phone: input.phone,
      channel: input.channel,
      provider: input.provider,
      providerRef: input.providerRef,
      sends: sent ? 1 : 0,
      lastSentAt: sent ? now : null,
      expiresAt: addSeconds(now, input.ttlSeconds),
      createdAt: now,
    });
    return { challenge: challenge!, tempToken: `${challenge!.id}.${secret}`, superseded };
  }

  const openIn = (input: NewChallenge, alsoInTransaction?: (tx: Transaction) => Promise<void>) =>
    db.transaction(async (tx) => {
      const opened = await openOnce(input, tx);
      await alsoInTransaction?.(tx);
      return opened;
    });

  return {
    async open(input, alsoInTransaction) {
      // A parallel login's challenge collided on the unique index (see
      // openOnce): tried again with a fresh snapshot, so the newest login
      // wins. Each collision means another login committed meanwhile, so the
      // tries are bounded by the logins of one user running at once.
      for (let tries = 1; ; tries += 1) {
        try {
          return await openIn(input, alsoInTransaction);
        } catch (error) {
          if (!isUniqueViolation(error) || tries >= MAX_OPEN_TRIES) throw error;
        }
      }
    },

    async claimByTempToken(tempToken, maxAttempts, lockoutKeyPrefix, executor = db) {
      const parts = splitOpaqueToken(tempToken);
      if (!parts) return undefined;
      const now = clock.now();
      // The secret's hash is compared by the database: a lookup by a hash of
      // 256 random bits leaks nothing an attacker can use through timing.
      const [claimed] = await claimGuess(executor, {
        id: parts.id,
        tempTokenHash: sha256Hex(parts.secret),
        maxAttempts,
        now,
        lockoutKeyPrefix,
      });
      return claimed;
    },

    async findByTempToken(tempToken) {
      const parts = splitOpaqueToken(tempToken);
      if (!parts) return undefined;
      const [challenge] = await db.select().from(otpChallenges).where(eq(otpChallenges.id, parts.id));
      return challenge && constantTimeEqual(challenge.tempTokenHash, sha256Hex(parts.secret)) ? challenge : undefined;
    },

    async refundAttempt(id) {
      await db
        .update(otpChallenges)
        .set({ attempts: sql`greatest(${otpChallenges.attempts} - 1, 0)` })
        .where(and(eq(otpChallenges.id, id), isNull(otpChallenges.endedAt)));
    },

    async claimResend(id, cooldownSeconds) {
      const now = clock.now();
      const claimed = await db
        .update(otpChallenges)
        .set({ lastSentAt: now })
        .where(
          and(
            eq(otpChallenges.id, id),
            isNull(otpChallenges.endedAt),
            or(isNull(otpChallenges.lastSentAt), lte(otpChallenges.lastSentAt, addSeconds(now, -cooldownSeconds))),
          ),
        )
        .returning({ id: otpChallenges.id });
      return claimed.length > 0;
    },

    async releaseResend(id, previousLastSentAt) {
      await db
        .update(otpChallenges)
        .set({ lastSentAt: previousLastSentAt })
        .where(and(eq(otpChallenges.id, id), isNull(otpChallenges.endedAt)));
    },

    async recordSend(id, providerRef, executor = db) {
      await executor
        .update(otpChallenges)
        .set({ sends: sql`${otpChallenges.sends} + 1`, providerRef })
        .where(eq(otpChallenges.id, id));
    },

    async end(id, reason) {
      const [ended] = await db
        .update(otpChallenges)
        .set({ endedAt: clock.now(), endedReason: reason })
        .where(and(eq(otpChallenges.id, id), isNull(otpChallenges.endedAt)))
        .returning();
      return ended;
    },

  };
}

/** SQLSTATE 23505, from either driver (drizzle may wrap the driver's error as its cause). */
function isUniqueViolation(error: unknown): boolean {
  for (let current = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
