// The storage of login challenges. Every state change that races (a guess,
// a resend, the end) is one conditional UPDATE … RETURNING, so parallel
// requests can never make a sixth guess or a second send inside the cooldown.

import { and, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/connect.js';
import { otpChallenges } from '../db/schema.js';
import { addSeconds, constantTimeEqual, randomSecret, sha256Hex, splitOpaqueToken, type Clock, type Random } from './crypto.js';

export type Challenge = typeof otpChallenges.$inferSelect;
export type EndReason = NonNullable<Challenge['endedReason']>;

export interface ChallengeStore {
  create(input: { userId: string; phone: string; provider: string; providerRef: string | null; ttlSeconds: number }): Promise<{ challenge: Challenge; tempToken: string }>;
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
  /** Ends every open challenge of a user (a newer login supersedes them); returns them. */
  endOpenOfUser(userId: string, reason: EndReason): Promise<Challenge[]>;
}

export function createChallengeStore(db: Database, clock: Clock, random: Random): ChallengeStore {
  return {
    async create(input) {
      const now = clock.now();
      const secret = randomSecret(random);
      const [challenge] = await db
        .insert(otpChallenges)
        .values({
          userId: input.userId,
          tempTokenHash: sha256Hex(secret),
          phone: input.phone,
          provider: input.provider,
          providerRef: input.providerRef,
          sends: 1,
          lastSentAt: now,
          expiresAt: addSeconds(now, input.ttlSeconds),
          createdAt: now,
        })
        .returning();
      return { challenge: challenge!, tempToken: `${challenge!.id}.${secret}` };
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

    async endOpenOfUser(userId, reason) {
      return db
        .update(otpChallenges)
        .set({ endedAt: clock.now(), endedReason: reason })
        .where(and(eq(otpChallenges.userId, userId), isNull(otpChallenges.endedAt)))
        .returning();
    },
  };
}
