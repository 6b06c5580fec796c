// The second step: a code for the challenge the temp token names. Everything
// a guess does is in this file, top to bottom: reserve it (guess-budget.ts),
// have the challenge's factor judge it (second-factor.ts), then settle it by
// the verdict: right, wrong, expired at the provider, or exhausted there.

import { AppError } from '../../errors.js';
import type { SignedIn } from '../session-tokens.js';
import type { Challenge } from '../otp-challenges.js';
import { attemptsExceeded, openChallenge } from './challenge-state.js';
import type { SignInContext } from './index.js';
import type { FactorVerdict, SecondFactor } from './second-factor.js';
import type { OtpVerificationOutcome, SecondFactorKind } from '../../metrics/port.js';

/** The metrics' name of each factor, by its RFC 8176 method. */
const FACTOR_OF_AMR: Record<string, SecondFactorKind> = { sms: 'sms', otp: 'totp', rec: 'recovery' };

/** How long a guess the provider found expired waits for a parallel right code to end the challenge (see 'expired'). */
const PARALLEL_WIN_SETTLE_MS = 3_000;

export interface VerifyInput {
  tempToken: string;
  code?: string;
  recoveryCode?: string;
  ip: string;
  /** Where the sign-in finishes, kept on the session for its owner's list. */
  userAgent?: string | null;
}

export async function verify(context: SignInContext, input: VerifyInput): Promise<SignedIn> {
  const { challenges, factors, guesses, audit, tokens } = context;
  const { tempToken, ip, userAgent = null } = input;
  const factorInput = { code: input.code, recoveryCode: input.recoveryCode, ip };

  // How each guess ended, by the factor that judges it, for GET /metrics (API.md "Metrics").
  let factor: SecondFactor | undefined;
  const chooseFactor = (challenge: Challenge) => (factor = factors.forInput(challenge, factorInput));
  const report = (outcome: OtpVerificationOutcome) => context.metrics.otpVerification(FACTOR_OF_AMR[factor?.amr ?? 'sms'] ?? 'sms', outcome);

  // One transaction before the judging: the challenge's attempt and the budget's (guess-budget.ts).
  let reserved: Awaited<ReturnType<typeof guesses.reserve>>;
  try {
    reserved = await guesses.reserve(tempToken, chooseFactor);
  } catch (error) {
    if (error instanceof AppError && error.code === 'ACCOUNT_LOCKED') report('locked');
    if (error instanceof AppError && error.code === 'OTP_ATTEMPTS_EXCEEDED') report('attempts_exceeded');
    throw error;
  }
  if ('expired' in reserved) {
    await endAndRelease(context, reserved.expired, 'expired');
    throw new AppError('OTP_EXPIRED');
  }
  const guess = reserved;
  const { challenge } = guess;

  let verdict: FactorVerdict;
  try {
    verdict = await guess.factor.judge(challenge, factorInput);
  } catch (error) {
    await guesses.refund(guess); // the provider could not judge this guess
    throw error;
  }

  switch (verdict) {
    case 'approved': {
      // One transaction after the judging (session-tokens.ts startSession):
      // the user read FOR SHARE, the challenge ended as verified (unless a
      // parallel right code won), the success audited, the session created.
      // A user disabled meanwhile, or a lost race, rolls it all back (INVALID_TEMP_TOKEN).
      const amr = ['pwd', guess.factor.amr];
      const signedIn = await tokens.startSession({ id: challenge.userId }, { ip, userAgent, amr }, async (tx) => {
        if (!(await guesses.settleRight(guess, tx))) throw new AppError('INVALID_TEMP_TOKEN');
        await audit.record({ type: 'LOGIN_SUCCEEDED', userId: challenge.userId, actorId: challenge.userId, ip, detail: { amr } }, tx);
      });
      report('approved');
      return signedIn;
    }
    case 'wrong': {
      report('wrong');
      const wrong = await guesses.recordWrong(guess);
      await audit.record({ type: 'OTP_FAILED', userId: challenge.userId, actorId: challenge.userId, ip, detail: { attempt: wrong.attempt } });
      if (wrong.lockedNow) {
        await audit.record({ type: 'ACCOUNT_LOCKED', userId: challenge.userId, actorId: null, ip, detail: { by: 'otp' } });
      }
      const remaining = wrong.attemptsRemaining;
      if (remaining === 0 && (await challenges.end(challenge.id, 'attempts'))) {
        await audit.record({ type: 'OTP_ATTEMPTS_EXCEEDED', userId: challenge.userId, actorId: challenge.userId, ip });
        await factors.release(challenge);
      }
      throw new AppError('INVALID_OTP', {
        detail: remaining === 0
          ? 'The code is incorrect. No attempts remain: sign in again.'
          : `The code is incorrect. ${remaining} ${remaining === 1 ? 'attempt remains' : 'attempts remain'}.`,
        extra: { attemptsRemaining: remaining },
      });
    }

    case 'exhausted': {
      // The provider's own wrong-code limit: this sign-in is over, the guess was not judged.
      report('attempts_exceeded');
      await guesses.refund(guess);
      await challenges.end(challenge.id, 'attempts');
      throw attemptsExceeded();
    }

    case 'expired': {
      // The provider holds no pending verification. Twilio answers so to the
      // losers of parallel right codes once the winner's check approved it,
      // before the winner has ended the challenge: give the guess back and let
      // the challenge settle; it then tells why it ended (a win: INVALID_TEMP_TOKEN).
      report('expired');
      await guesses.refund(guess);
      await awaitEnd(context, tempToken);
      await endAndRelease(context, challenge, 'expired');
      await openChallenge(challenges, tempToken, 'verify'); // throws what ended it, OTP_EXPIRED by us or another reason
      throw new AppError('OTP_EXPIRED');
    }
  }
}

async function endAndRelease(context: SignInContext, challenge: Challenge, reason: 'expired'): Promise<void> {
  if (await context.challenges.end(challenge.id, reason)) await context.factors.release(challenge);
}

/** Waits (real time) until the challenge has ended or the wait is over; never throws. */
async function awaitEnd(context: SignInContext, tempToken: string): Promise<void> {
  const giveUpAtMs = Date.now() + PARALLEL_WIN_SETTLE_MS;
  for (let pauseMs = 5; Date.now() < giveUpAtMs; pauseMs = Math.min(pauseMs * 2, 100)) {
    const current = await context.challenges.findByTempToken(tempToken);
    if (!current || current.endedAt) return;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
