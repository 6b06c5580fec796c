// The storage of login challenges. Every state change that races (a guess,
// a resend, the end) is one conditional UPDATE … RETURNING, so parallel
// requests can never make a sixth guess or a second send inside the cooldown.

import { and, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { otpChallenges, users } from '../db/schema.js';
import type { Clock, Random } from '../core/clock.js';
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
   */
  open(input: NewChallenge): Promise<{ challenge: Challenge; tempToken: string; superseded: Challenge[] }>;
  /** The challenge a temp token names, when its secret matches; undefined otherwise. */
  findByTempToken(tempToken: string): Promise<Challenge | undefined>;
  /** Takes one guess if the challenge is open, unexpired and has guesses left; returns the guess number. */
  claimAttempt(id: string, maxAttempts: number): Promise<number | undefined>;
  /** Gives back a guess the provider could not judge (it was down). */
  refundAttempt(id: string): Promise<void>;
  /** Takes the right to send now if the cooldown has passed; false otherwise. */
  claimResend(id: string, cooldownSeconds: number): Promise<boolean>;
  /** Undoes a claimResend no send followed, so the refused resend does not start a cooldown. */
  releaseResend(id: string, previousLastSentAt: Date | null): Promise<void>;
  recordSend(id: string, providerRef: string | null): Promise<void>;
  /** Ends an open challenge; false when it had already ended (someone else won). */
  end(id: string, reason: EndReason): Promise<Challenge | undefined>;
}

export function createChallengeStore(db: Database, clock: Clock, random: Random): ChallengeStore {
  async function openOnce(input: NewChallenge) {
    const now = clock.now();
    const secret = randomSecret(random);
    return db.transaction(async (tx) => {
      // The user's row lock queues parallel logins of one user, so each
      // supersedes what the previous one created instead of colliding with it.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).for('update');
      const superseded = await tx
        .update(otpChallenges)
        .set({ endedAt: now, endedReason: 'superseded' })
        .where(and(eq(otpChallenges.userId, input.userId), isNull(otpChallenges.endedAt)))
        .returning();
      const [challenge] = await tx
        .insert(otpChallenges)
        .values({
          userId: input.userId,
          tempTokenHash: sha256Hex(secret),
          phone: input.phone,
          channel: input.channel,
          provider: input.provider,
          providerRef: input.providerRef,
          // An authenticator sign-in sends nothing: its first SMS or call is not held back by the cooldown.
          sends: input.channel === 'totp' ? 0 : 1,
          lastSentAt: input.channel === 'totp' ? null : now,
          expiresAt: addSeconds(now, input.ttlSeconds),
          createdAt: now,
        })
        .returning();
      return { challenge: challenge!, tempToken: `${challenge!.id}.${secret}`, superseded };
    });
  }

  return {
    async open(input) {
      try {
        return await openOnce(input);
      } catch (error) {
        // Should the row lock not have queued a parallel login, its collision
        // on the unique index is retried once, so the newest login wins.
        if (!isUniqueViolation(error)) throw error;
        return openOnce(input);
      }
    },

    async findByTempToken(tempToken) {
      const parts = splitOpaqueToken(tempToken);
      if (!parts) return undefined;
      const [challenge] = await db.select().from(otpChallenges).where(eq(otpChallenges.id, parts.id));
      return challenge && constantTimeEqual(challenge.tempTokenHash, sha256Hex(parts.secret)) ? challenge : undefined;
    },

    async claimAttempt(id, maxAttempts) {
      const [claimed] = await db
        .update(otpChallenges)
        .set({ attempts: sql`${otpChallenges.attempts} + 1` })
        .where(
          and(
            eq(otpChallenges.id, id),
            isNull(otpChallenges.endedAt),
            lt(otpChallenges.attempts, maxAttempts),
            gt(otpChallenges.expiresAt, clock.now()),
          ),
        )
        .returning({ attempts: otpChallenges.attempts });
      return claimed?.attempts;
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

    async recordSend(id, providerRef) {
      await db
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
