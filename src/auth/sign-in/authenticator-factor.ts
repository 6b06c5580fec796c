// The authenticator app as a sign-in factor: starting it sends nothing (so a
// sign-in never waits on the SMS provider), judging it is local arithmetic
// and one conditional UPDATE that spends the step (factors/authenticators.ts).

import type { Authenticators } from '../factors/authenticators.js';
import type { StartableFactor } from './second-factor.js';
import { TOTP_ACCEPTED_STEPS } from '../factors/totp.js';

export function createAuthenticatorFactor(deps: { authenticators: Pick<Authenticators, 'judgeSignInCode'> }): StartableFactor {
  return {
    amr: 'otp',
    // Right at the step before, now and after: one guess tries three codes.
    codesJudged: TOTP_ACCEPTED_STEPS,
    async admit() {
      // Nothing is sent, so nothing is counted.
    },
    async start(user) {
      // The phone stays on the challenge: the user may still ask for an SMS or a call by resend.
      return { channel: 'totp', phone: user.phone, provider: 'totp', providerRef: null };
    },
    async judge(challenge, input) {
      if (input.code === undefined) return 'wrong';
      return deps.authenticators.judgeSignInCode(challenge.userId, input.code);
    },
  };
}
