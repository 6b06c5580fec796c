// Sign-in: email and password, then the one-time code sent to the enrolled
// phone, or the code of the user's authenticator app, or one of their
// recovery codes (shared/API.md "Login", "Second factors"). Nothing of it is
// kept in storage: the temp token lives in this component's state. A code step that can no longer succeed
// (expired, ended by wrong codes, superseded) goes back to the password step
// with the reason shown there.

import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, session } from '../api';
import { formatSeconds } from '../format';
import { RESTART_SIGN_IN_CODES, signInMessage } from '../messages';
import type { LoginAnswer, ResendAnswer, SignInFactor, TokenAnswer, User } from '../types';
import { ErrorMessage, ScreenHeading, StatusMessage } from '../ui';

interface Challenge {
  tempToken: string;
  /** What the code step asks for first: the code sent by text or call, or the authenticator app's. */
  channel: 'sms' | 'call' | 'totp';
  /** The masked phone a code was sent to; empty when nothing was sent. */
  to: string;
  /** Date.now() after which a resend is allowed. */
  resendAtMs: number;
  factors: SignInFactor[];
}

/** `embedded`: a modal over the portal when a session must be renewed (the portal below keeps its state). */
/** `initialEmail` and `status`: after a password was set through a setup link, the email is filled in and the success said. */
export function SignIn({
  onSignedIn,
  notice,
  embedded = false,
  initialEmail = '',
  status = null,
}: {
  onSignedIn: (user: User) => void;
  notice?: string | null;
  embedded?: boolean;
  initialEmail?: string;
  status?: string | null;
}) {
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string | null>(notice ?? null);

  const restart = (message: string) => {
    setChallenge(null);
    setError(message);
  };

  const Outer = embedded ? 'div' : 'main';
  return (
    <Outer className="sign-in" aria-labelledby="sign-in-title" {...(embedded ? { role: 'dialog', 'aria-modal': true } : {})}>
      <div className="card">
        <p className="brand" aria-hidden="true">
          Boreal Portal
        </p>
        {challenge ? (
          <CodeStep challenge={challenge} setChallenge={setChallenge} onSignedIn={onSignedIn} onRestart={restart} />
        ) : (
          <PasswordStep error={error} setError={setError} onChallenge={setChallenge} initialEmail={initialEmail} status={status} />
        )}
      </div>
    </Outer>
  );
}

function PasswordStep({
  error,
  setError,
  onChallenge,
  initialEmail,
  status,
}: {
  error: string | null;
  setError: (message: string | null) => void;
  onChallenge: (challenge: Challenge) => void;
  initialEmail: string;
  status: string | null;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<LoginAnswer>('POST', '/api/auth/login', { body: { email: email.trim(), password }, auth: false });
      onChallenge({
        tempToken: answer.tempToken,
        channel: answer.otp.channel,
        to: answer.otp.to ?? '',
        resendAtMs: Date.now() + (answer.otp.resendAfter ?? 0) * 1000,
        factors: answer.factors,
      });
    } catch (caught) {
      setError(signInMessage(caught));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
      <ScreenHeading id="sign-in-title">Sign in</ScreenHeading>
      <ErrorMessage id="sign-in-error">{error}</ErrorMessage>
      {status && !error && <StatusMessage>{status}</StatusMessage>}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Continue'}
      </button>
    </form>
  );
}

/** Seconds left until `atMs`, ticking every second. */
function useSecondsUntil(atMs: number): number {
  const left = () => Math.max(0, Math.ceil((atMs - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    const timer = window.setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) window.clearInterval(timer);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [atMs]);
  return seconds;
}

function CodeStep({
  challenge,
  setChallenge,
  onSignedIn,
  onRestart,
}: {
  challenge: Challenge;
  setChallenge: (challenge: Challenge) => void;
  onSignedIn: (user: User) => void;
  onRestart: (message: string) => void;
}) {
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [usingRecovery, setUsingRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const resendIn = useSecondsUntil(challenge.resendAtMs);

  const fail = (caught: unknown) => {
    const message = signInMessage(caught);
    const ended =
      caught instanceof ApiError &&
      (RESTART_SIGN_IN_CODES.has(caught.code) || caught.code === 'ACCOUNT_LOCKED' || (caught.code === 'INVALID_OTP' && caught.problem.attemptsRemaining === 0));
    if (ended) onRestart(message);
    else setError(message);
  };

  const verify = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const body = usingRecovery ? { tempToken: challenge.tempToken, recoveryCode: recoveryCode.trim() } : { tempToken: challenge.tempToken, code: code.trim() };
      const answer = await api<TokenAnswer>('POST', '/api/auth/otp/verify', { body, auth: false });
      onSignedIn(session.start(answer));
    } catch (caught) {
      setCode('');
      setRecoveryCode('');
      fail(caught);
    } finally {
      setBusy(false);
    }
  };

  const resend = async (channel: 'sms' | 'call') => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      const answer = await api<ResendAnswer>('POST', '/api/auth/otp/resend', { body: { tempToken: challenge.tempToken, channel }, auth: false });
      setChallenge({ ...challenge, channel: answer.otp.channel, to: answer.otp.to, resendAtMs: Date.now() + answer.resendAfter * 1000 });
      setUsingRecovery(false);
      setInfo(answer.otp.channel === 'call' ? `We are calling ${answer.otp.to} to read out a code.` : `A new code was sent to ${answer.otp.to}.`);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'OTP_RESEND_TOO_SOON' && caught.retryAfterSeconds) {
        setChallenge({ ...challenge, resendAtMs: Date.now() + caught.retryAfterSeconds * 1000 });
      }
      fail(caught);
    } finally {
      setBusy(false);
    }
  };

  const canText = challenge.factors.includes('sms');
  const canCall = challenge.factors.includes('call');
  const canUseRecovery = challenge.factors.includes('recovery');
  const waitHint = resendIn > 0 ? `You can ask for a new code in ${formatSeconds(resendIn)}.` : '';

  return (
    <form onSubmit={verify}>
      <ScreenHeading id="sign-in-title">Enter your code</ScreenHeading>
      {usingRecovery ? (
        <p>Enter one of the recovery codes you saved when you set up your authenticator app. Each works once.</p>
      ) : challenge.channel === 'totp' ? (
        <p>Enter the 6-digit code your authenticator app shows for Boreal Portal.</p>
      ) : challenge.channel === 'call' ? (
        <p>
          We are calling <strong className="phone">{challenge.to}</strong> to read out a sign-in code.
        </p>
      ) : (
        <p>
          We sent a sign-in code by text message to <strong className="phone">{challenge.to}</strong>.
        </p>
      )}
      <ErrorMessage>{error}</ErrorMessage>
      {info && <StatusMessage>{info}</StatusMessage>}
      {usingRecovery ? (
        <div className="field">
          <label htmlFor="recovery-code">Recovery code</label>
          <input
            id="recovery-code"
            name="recovery-code"
            autoComplete="off"
            spellCheck={false}
            minLength={10}
            maxLength={32}
            required
            value={recoveryCode}
            onChange={(event) => setRecoveryCode(event.target.value)}
          />
        </div>
      ) : (
        <div className="field">
          <label htmlFor="code">Code</label>
          <input
            id="code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{4,10}"
            minLength={4}
            maxLength={10}
            required
            title="The 4 to 10 digits of the code"
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
          />
        </div>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Verify'}
      </button>
      <div className="row">
        {canText && (
          <button type="button" onClick={() => resend('sms')} disabled={busy || resendIn > 0} aria-describedby="resend-wait">
            {challenge.channel === 'totp' ? 'Text me a code' : 'Resend code'}
          </button>
        )}
        {canCall && (
          <button type="button" onClick={() => resend('call')} disabled={busy || resendIn > 0} aria-describedby="resend-wait">
            Call me
          </button>
        )}
        <span id="resend-wait" className="hint" aria-live="off">
          {waitHint}
        </span>
      </div>
      <div className="row">
        {canUseRecovery && (
          <button type="button" className="link" onClick={() => setUsingRecovery(!usingRecovery)}>
            {usingRecovery ? 'Use a code instead' : 'Use a recovery code'}
          </button>
        )}
        <button type="button" className="link" onClick={() => onRestart('')}>
          Use another account
        </button>
      </div>
    </form>
  );
}
