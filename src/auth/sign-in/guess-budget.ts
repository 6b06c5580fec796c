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
import { AppError } from '../../errors.js';
import type { Config } from '../../config.js';
import type { Clock, LimitRule } from '../../core/index.js';
import type { Database } from '../../db/connect.js';
import { type Limits } from '../../limits/limits.js';
import { codeGuessRules, limitKeys } from '../../limits/limit-keys.js';
import type { Challenge, ChallengeStore } from '../otp-challenges.js';
import { attemptsExceeded, isExpired, lockedByCodes, openChallenge } from './challenge-state.js';

export interface GuessReservation {
  challenge: Challenge;
  /** This guess's number on the challenge (1…OTP_MAX_ATTEMPTS). */
  attempt: number;
  /** The budget's records of this guess (one per code it is judged against), to give them back. */
  recordedAt: string[];
}

export interface WrongGuess {
  attempt: number;
  attemptsRemaining: number;
  /** This wrong code locked the account (exactly one of a burst reports it). */
  lockedNow: boolean;
}

export interface GuessBudget {
  /** For the login: refuses an account locked by wrong codes, or with no guess left to use. */
  refuseIfSpent(userId: string): Promise<void>;
  /**
   * Takes one guess for the challenge; throws why not (ACCOUNT_LOCKED,
   * OTP_ATTEMPTS_EXCEEDED, OTP_EXPIRED, INVALID_TEMP_TOKEN). `codesJudged`:
   * how many codes the guess is compared with (an authenticator code is right
   * at three steps): it takes that many from the account's budget, so the
   * daily bound holds in codes tried, whatever the factor.
   */
  reserve(challenge: Challenge, tempToken: string, codesJudged?: number): Promise<GuessReservation>;
  /** The guess was not judged: both the challenge's attempt and the budget get it back. */
  refund(reservation: GuessReservation): Promise<void>;
  /**
   * The guess was right: in one statement the challenge ends as verified, the
   * guess goes back to the budget and the run of wrong codes ends (unless a
   * lock holds). False when the challenge had already ended (a parallel guess won).
   */
  settleRight(reservation: GuessReservation): Promise<boolean>;
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

  /** One guess of the challenge, refused while the account is locked by wrong codes. */
  async function claimAttempt(challenge: Challenge): Promise<number | undefined> {
    const nowText = clock.now().toISOString();
    const rows = (await db.execute(sql`
      update otp_challenges set attempts = attempts + 1
      where id = ${challenge.id} and ended_at is null and attempts < ${maxAttempts}::int
        and expires_at > ${nowText}::timestamptz
        and not exists (select 1 from lockouts
                        where key = ${limitKeys.otpLockout(challenge.userId)} and locked_until > ${nowText}::timestamptz)
      returning attempts`)) as unknown as { rows: { attempts: number }[] };
    return rows.rows[0]?.attempts;
  }

  /**
   * Takes one attempt of the challenge. When none is left but the challenge is
   * still open, guesses of parallel requests are in flight at the provider:
   * their outcome decides this answer (one right code ends the challenge as
   * verified, and the losers must get INVALID_TEMP_TOKEN, not
   * OTP_ATTEMPTS_EXCEEDED), so wait for the challenge to end, or for a guess
   * the provider could not judge to be given back. Real time, not the
   * injected clock: this waits for other requests, not for a deadline of the domain.
   */
  async function claimOrWait(challenge: Challenge, tempToken: string): Promise<number> {
    const giveUpAtMs = Date.now() + IN_FLIGHT_SETTLE_MS;
    for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
      const attempt = await claimAttempt(challenge);
      if (attempt !== undefined) return attempt;
      const lock = await limits.lockoutState(limitKeys.otpLockout(challenge.userId));
      if (lock.locked) throw lockedByCodes(lock.retryAfterSeconds);
      const current = await openChallenge(challenges, tempToken, 'verify'); // throws once the challenge has ended
      if (isExpired(current, clock)) throw new AppError('OTP_EXPIRED');
      if (Date.now() >= giveUpAtMs) throw attemptsExceeded();
      // Fewer attempts than the maximum: a guess was given back meanwhile; claim it at once.
      if (current.attempts >= maxAttempts) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  return {
    async refuseIfSpent(userId) {
      const lock = await limits.lockoutState(limitKeys.otpLockout(userId));
      if (lock.locked) throw lockedByCodes(lock.retryAfterSeconds);
      const guesses = await limits.peek(limitKeys.otpGuesses(userId), guessRules);
      if (!guesses.allowed) throw lockedByCodes(guesses.retryAfterSeconds);
    },

    async reserve(challenge, tempToken, codesJudged = 1) {
      // The challenge's attempt first (its atomic claim bounds a burst to
      // OTP_MAX_ATTEMPTS), then the account's budget, also before the guess
      // is judged so that bursts cannot overrun it.
      const attempt = await claimOrWait(challenge, tempToken);
      const key = limitKeys.otpGuesses(challenge.userId);
      const recordedAt: string[] = [];
      for (let i = 0; i < codesJudged; i += 1) {
        const guess = await limits.consume(key, guessRules);
        if (!guess.allowed) {
          for (const taken of recordedAt) await limits.refund(key, taken);
          await challenges.refundAttempt(challenge.id);
          throw lockedByCodes(guess.retryAfterSeconds);
        }
        recordedAt.push(guess.recordedAt!);
      }
      return { challenge, attempt, recordedAt };
    },

    async refund({ challenge, recordedAt }) {
      for (const taken of recordedAt) await limits.refund(limitKeys.otpGuesses(challenge.userId), taken);
      await challenges.refundAttempt(challenge.id);
    },

    async settleRight({ challenge, recordedAt: [recordedAt, ...moreRecorded] }) {
      const nowText = clock.now().toISOString();
      const guessKey = limitKeys.otpGuesses(challenge.userId);
      // Data-modifying CTEs all run, on one snapshot; the last two act only when this guess ended the challenge.
      const result = (await db.execute(sql`
        with ended as (
          update otp_challenges set ended_at = ${nowText}::timestamptz, ended_reason = 'verified'
          where id = ${challenge.id} and ended_at is null
          returning id
        ), guess_back as (
          update rate_limit_counters set
            hits = hits[1:array_position(hits, ${recordedAt}::timestamptz) - 1]
                   || hits[array_position(hits, ${recordedAt}::timestamptz) + 1:]
          where key = ${guessKey} and array_position(hits, ${recordedAt}::timestamptz) is not null
            and exists (select 1 from ended)
          returning key
        ), run_ended as (
          delete from lockouts
          where key = ${limitKeys.otpLockout(challenge.userId)}
            and (locked_until is null or locked_until <= ${nowText}::timestamptz)
            and exists (select 1 from ended)
          returning key
        )
        select (select count(*) from ended) as ended`)) as unknown as { rows: { ended: number | string }[] };
      const won = Number(result.rows[0]?.ended ?? 0) > 0;
      if (won) for (const taken of moreRecorded) await limits.refund(guessKey, taken);
      return won;
    },

    async recordWrong({ challenge, attempt }) {
      const failure = await limits.recordFailure(limitKeys.otpLockout(challenge.userId), config.limits.lockoutOtp);
      return { attempt, attemptsRemaining: Math.max(0, maxAttempts - attempt), lockedNow: failure.lockedNow };
    },
  };
}
