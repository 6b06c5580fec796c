// The sign-in use cases: password (login.ts), then a one-time code
// (verify.ts), with the code sent again on request (resend.ts). No Fastify
// here: the HTTP layer hands in plain values and turns AppErrors into problems.
// The guess accounting lives in guess-budget.ts, the factors behind
// second-factor.ts; this file only assembles them.

import type { Config } from '../../config.js';
import type { Clock } from '../../core/clock.js';
import type { AuditLog } from '../../audit/audit.js';
import type { Database } from '../../db/connect.js';
import type { Limits } from '../../limits/limits.js';
import type { OtpProvider } from '../../otp/provider.js';
import type { UserView } from '../../users/users-repository.js';
import { createCodeSending, type CodeSending } from '../code-sending.js';
import type { ChallengeStore } from '../otp-challenges.js';
import type { PasswordHasher } from '../passwords.js';
import type { SessionTokens, SignedIn } from '../session-tokens.js';
import { createGuessBudget, type GuessBudget } from './guess-budget.js';
import { login } from './login.js';
import { createOtpCodeFactor } from './otp-code-factor.js';
import { resend } from './resend.js';
import { createSecondFactors, type AvailableFactor, type SecondFactors } from './second-factor.js';
import { createAuthenticatorFactor } from './authenticator-factor.js';
import { createRecoveryCodeFactor } from './recovery-code-factor.js';
import type { Authenticators } from '../factors/authenticators.js';
import type { RecoveryCodeStore } from '../factors/recovery-codes.js';
import type { DeliveryChannel } from '../../otp/provider.js';
import { verify, type VerifyInput } from './verify.js';

import { NO_SIGN_IN_METRICS, type SignInMetrics } from '../../metrics/port.js';

export interface LoginResult {
  status: 'OTP_REQUIRED';
  tempToken: string;
  expiresIn: number;
  otp: { channel: 'sms'; to: string; resendAfter: number } | { channel: 'totp' };
  factors: AvailableFactor[];
}

export interface ResendResult {
  sent: true;
  resendAfter: number;
  otp: { channel: DeliveryChannel; to: string };
}

export interface SignInDeps {
  db: Database;
  config: Pick<Config, 'otp' | 'limits'>;
  passwords: PasswordHasher;
  otp: OtpProvider;
  challenges: ChallengeStore;
  limits: Limits;
  audit: AuditLog;
  tokens: Pick<SessionTokens, 'startSession'>;
  clock: Clock;
  authenticators: Pick<Authenticators, 'judgeSignInCode'>;
  recoveryCodes: RecoveryCodeStore;
  /** How sends and code checks ended (API.md "Metrics"); none when left out. */
  metrics?: SignInMetrics;
}

export interface SignIn {
  login(input: { email: string; password: string; ip: string }): Promise<LoginResult>;
  resend(input: { tempToken: string; ip: string; channel?: DeliveryChannel }): Promise<ResendResult>;
  verify(input: VerifyInput): Promise<SignedIn>;
}

/** What every step module is handed. */
export interface SignInContext extends SignInDeps {
  metrics: SignInMetrics;
  sending: CodeSending;
  factors: SecondFactors;
  guesses: GuessBudget;
}

export type { UserView };

export function createSignIn(deps: SignInDeps): SignIn {
  const sending = createCodeSending(deps);
  const factors = createSecondFactors({
    otpCode: createOtpCodeFactor({ otp: deps.otp, sending }),
    authenticator: createAuthenticatorFactor({ authenticators: deps.authenticators }),
    recoveryCode: createRecoveryCodeFactor({ recoveryCodes: deps.recoveryCodes, audit: deps.audit }),
    recoveryCodesLeft: (userId, executor) => deps.recoveryCodes.countLeft(userId, executor),
    release: (challenge) => sending.releaseProvider(challenge),
  });
  const guesses = createGuessBudget(deps);
  const context: SignInContext = { ...deps, metrics: deps.metrics ?? NO_SIGN_IN_METRICS, sending, factors, guesses };
  return {
    login: (input) => login(context, input),
    resend: (input) => resend(context, input),
    verify: (input) => verify(context, input),
  };
}
