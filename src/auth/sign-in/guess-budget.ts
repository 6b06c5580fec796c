// All the accounting of code guesses in one place. A guess is reserved before
// it is judged, from three counts at once:
// - the challenge's attempts (OTP_MAX_ATTEMPTS), claimed by one conditional
//   UPDATE, so a burst can never make a sixth guess;
// - the account's lock by consecutive wrong codes (LOCKOUT_OTP), refused in
//   that same UPDATE;
// - the account's budget of judged guesses per window, so that the daily bound
//   of docs/security.md holds in every 24 h span.
// A guess that is not judged (the provider could not) is given back to both
// counts; a right one goes back to the budget and ends the run of wrong codes;
// a wrong one stays counted and adds to the run.

import { sql } from 'drizzle-orm';
import type { AppError } from '../../errors.js';
import type { Config } from '../../config.js';
import type { Clock, LimitRule } from '../../core/index.js';
import type { Database, DbExecutor } from '../../db/connect.js';
import { preparedSql } from '../../db/prepared.js';
import { hitsWithout, type LimitDecision, type Limits, type LockoutState } from '../../limits/limits.js';
import { codeGuessRules, limitKeyPrefixes, limitKeys } from '../../limits/limit-keys.js';
import type { Challenge, ChallengeStore } from '../otp-challenges.js';
import { attemptsExceeded, isExpired, lockedByCodes, openChallenge } from './challenge-state.js';
import type { SecondFactor } from './second-factor.js';

export interface GuessReservation {
  /** The challenge as this guess claimed it. */
  challenge: Challenge;
  /** The factor that judges this guess. */
  factor: SecondFactor;
  /** This guess's number on the challenge (1…OTP_MAX_ATTEMPTS). */
  attempt: number;
  /** The budget's record of this guess: `count` hits at this instant, to give them back. */
  recordedAt: string;
  count: number;
}

export interface WrongGuess {
  attempt: number;
  attemptsRemaining: number;
  /** This wrong code locked the account (exactly one of a burst reports it). */
  lockedNow: boolean;
}

export interface GuessBudget {
  /** The keys the login reads to refuse an account locked by wrong codes, or with no guess left (see refusalOf). */
  keysOf(userId: string): { lockoutKey: string; counter: { key: string; rules: readonly LimitRule[] } };
  /** ACCOUNT_LOCKED when the account's code lock holds or its guesses are spent; undefined when a sign-in may start. */
  refusalOf(read: { lockout: LockoutState; counter: LimitDecision }): AppError | undefined;
  /**
   * Takes one guess for the challenge `tempToken` names, judged by
   * `factorFor(challenge)`; throws why not (ACCOUNT_LOCKED,
   * OTP_ATTEMPTS_EXCEEDED, OTP_EXPIRED, INVALID_TEMP_TOKEN), or answers the
   * challenge when it has expired (the caller ends it). The factor's
   * `codesJudged` (an authenticator code is right at three steps) is what the
   * guess takes from the account's budget, so the daily bound holds in codes
   * tried, whatever the factor.
   */
  reserve(tempToken: string, factorFor: (challenge: Challenge) => SecondFactor): Promise<GuessReservation | { expired: Challenge }>;
  /** The guess was not judged: both the challenge's attempt and the budget get it back. */
  refund(reservation: GuessReservation): Promise<void>;
  /**
   * The guess was right: in one statement the challenge ends as verified, the
   * guess goes back to the budget and the run of wrong codes ends (unless a
   * lock holds). False when the challenge had already ended, other than by
   * its attempts (a parallel right guess won, a newer login superseded it…:
   * see settleRightStatement). `executor`: the transaction that starts the session.
   */
  settleRight(reservation: GuessReservation, executor?: DbExecutor): Promise<boolean>;
  /** The guess was wrong: it stays counted on the challenge and the budget, and adds to the account's run. */
  recordWrong(reservation: GuessReservation): Promise<WrongGuess>;
}

export interface GuessBudgetDeps {
  db: Database;
  config: Pick<Config, 'otp' | 'limits'>;
  limits: Limits;
  challenges: ChallengeStore;
  clock: Clock;
}

/** Longest wait for guesses in flight at the provider (TWILIO_TIMEOUT is 5 s): see reserve. */
const IN_FLIGHT_SETTLE_MS = 10_000;

export function createGuessBudget({ db, config, limits, challenges, clock }: GuessBudgetDeps): GuessBudget {
  const maxAttempts = config.otp.maxAttempts;
  // Guesses judged per account: the codes a phone may get in each window ×
  // the guesses of a challenge (5/10m,20/1d × 5 → 25/10m,100/1d). Codes per
  // phone alone bound guesses per challenge *created* in a window; the one
  // challenge still open when a 24 h span begins would add 5 more guesses
  // (105, over 1 in 10,000 for 6 digits). Counting the guesses themselves in
  // sliding windows holds every 24 h span to 100. See docs/security.md.
  const guessRules: LimitRule[] = codeGuessRules(config);

  /**
   * The fast path, one transaction: the challenge's attempt (its conditional
   * UPDATE bounds a burst to OTP_MAX_ATTEMPTS and refuses a locked account),
   * then the account's budget, both before the guess is judged so that bursts
   * cannot overrun them. A budget that refuses rolls the attempt back with it.
   */
  const claim = (tempToken: string, factorFor: (challenge: Challenge) => SecondFactor) =>
    db.transaction(async (tx): Promise<GuessReservation | undefined> => {
      const challenge = await challenges.claimByTempToken(tempToken, maxAttempts, limitKeyPrefixes.otpLockout, tx);
      if (!challenge) return undefined;
      const factor = factorFor(challenge);
      const count = factor.codesJudged ?? 1;
      const guess = await limits.consume(limitKeys.otpGuesses(challenge.userId), guessRules, { count, executor: tx });
      if (!guess.allowed) throw lockedByCodes(guess.retryAfterSeconds);
      return { challenge, factor, attempt: challenge.attempts, recordedAt: guess.recordedAt!, count };
    });

  return {
    keysOf: (userId) => ({ lockoutKey: limitKeys.otpLockout(userId), counter: { key: limitKeys.otpGuesses(userId), rules: guessRules } }),

    refusalOf({ lockout, counter }) {
      if (lockout.locked) return lockedByCodes(lockout.retryAfterSeconds);
      if (!counter.allowed) return lockedByCodes(counter.retryAfterSeconds);
      return undefined;
    },

    /**
     * When the fast path claims nothing, the challenge says why: ended,
     * expired, locked. When it is open with no attempt left, guesses of
     * parallel requests are in flight at the provider: their outcome decides
     * this answer (one right code ends the challenge as verified, and the
     * losers must get INVALID_TEMP_TOKEN, not OTP_ATTEMPTS_EXCEEDED), so wait
     * for the challenge to end, or for a guess the provider could not judge
     * to be given back. Real time, not the injected clock: this waits for
     * other requests, not for a deadline of the domain.
     */
    async reserve(tempToken, factorFor) {
      const giveUpAtMs = Date.now() + IN_FLIGHT_SETTLE_MS;
      for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
        const reserved = await claim(tempToken, factorFor);
        if (reserved) return reserved;
        const current = await openChallenge(challenges, tempToken, 'verify'); // throws once the challenge has ended
        if (isExpired(current, clock)) return { expired: current };
        factorFor(current); // refuses an input no factor of this challenge takes, before any other answer
        const lock = await limits.lockoutState(limitKeys.otpLockout(current.userId));
        if (lock.locked) throw lockedByCodes(lock.retryAfterSeconds);
        if (Date.now() >= giveUpAtMs) throw attemptsExceeded();
        // Fewer attempts than the maximum: a guess was given back meanwhile; claim it at once.
        if (current.attempts >= maxAttempts) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    },

    async refund({ challenge, recordedAt, count }) {
      await limits.refund(limitKeys.otpGuesses(challenge.userId), recordedAt, { count });
      await challenges.refundAttempt(challenge.id);
    },

    async settleRight({ challenge, recordedAt, count }, executor = db) {
      const [row] = await settleRightStatement(executor, {
        challengeId: challenge.id,
        now: clock.now().toISOString(),
        recordedAt,
        count,
        guessesKey: limitKeys.otpGuesses(challenge.userId),
        lockoutKey: limitKeys.otpLockout(challenge.userId),
      });
      return Number(row?.ended ?? 0) > 0;
    },

    async recordWrong({ challenge, attempt }) {
      const failure = await limits.recordFailure(limitKeys.otpLockout(challenge.userId), config.limits.lockoutOtp);
      return { attempt, attemptsRemaining: Math.max(0, maxAttempts - attempt), lockedNow: failure.lockedNow };
    },
  };
}

const placeholder = sql.placeholder;

/**
 * A right code ends the challenge as verified, gives the account's guess back
 * and ends the run of wrong codes, in one statement (prepared:
 * src/db/prepared.ts). Data-modifying CTEs all run, on one snapshot; the
 * last two act only when this guess ended the challenge.
 *
 * A challenge that ended by its attempts still yields to this guess: the
 * guess holds one of those attempts (a claim needs an open challenge), so a
 * later wrong code used the last one while this one was being judged. Were it
 * refused, the right code would be lost with what it spent (a recovery code,
 * an authenticator step). A parallel right code that already won, or any
 * other end (superseded, expired, an admin's change), still wins.
 */
const settleRightStatement = preparedSql<
  { challengeId: string; now: string; recordedAt: string; count: number; guessesKey: string; lockoutKey: string },
  { ended: number | string }
>(
  'guess_settle_right',
  sql`
    with ended as (
      update otp_challenges set ended_at = ${placeholder('now')}::timestamptz, ended_reason = 'verified'
      where id = ${placeholder('challengeId')}::uuid and (ended_at is null or ended_reason = 'attempts')
      returning id
    ), guess_back as (
      update rate_limit_counters set hits = ${hitsWithout(sql`hits`, sql`${placeholder('recordedAt')}`, sql`${placeholder('count')}`)}
      where key = ${placeholder('guessesKey')}::text and ${placeholder('recordedAt')}::timestamptz = any(hits)
        and exists (select 1 from ended)
      returning key
    ), run_ended as (
      delete from lockouts
      where key = ${placeholder('lockoutKey')}::text
        and (locked_until is null or locked_until <= ${placeholder('now')}::timestamptz)
        and exists (select 1 from ended)
      returning key
    )
    select (select count(*) from ended) as ended`,
);
