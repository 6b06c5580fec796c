// The page of a password-setup link (an invitation or a reset):
// /app/set-password#token=…. The token is read from the fragment, which the
// browser never sends to a server, and the fragment is then wiped from the
// address bar and history so it is not left behind on a shared screen. On
// success the sign-in opens with the email filled in.

import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { describedBy, fieldErrorsOf } from '../fields';
import { portalMessage } from '../messages';
import type { PasswordSetupResult } from '../types';
import { ErrorMessage, FieldMessage, ScreenHeading } from '../ui';

export const PASSWORD_HINT = 'Use 8 to 128 characters. Any characters work, spaces too: a few unrelated words make a strong password. Common passwords are refused.';

const LINK_UNUSABLE = 'This link cannot be used: it has expired, was already used, or a newer link replaced it. Ask an administrator for a new link.';

let takenToken: string | undefined;

/** The token of the link that opened the page, taken once (React may ask twice) and wiped from the address bar. */
export function takeSetupToken(): string {
  if (takenToken === undefined) {
    takenToken = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
    window.history.replaceState(null, '', window.location.pathname);
  }
  return takenToken;
}

export function SetPassword({ token, onDone }: { token: string; onDone: (email: string) => void }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(token ? null : LINK_UNUSABLE);
  const [linkUnusable, setLinkUnusable] = useState(!token);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== again) {
      setFieldError('The two passwords differ: type the same password twice.');
      setError(null);
      return;
    }
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      const answer = await api<PasswordSetupResult>('POST', '/api/auth/password/setup', { body: { token, password }, auth: false });
      onDone(answer.email);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'INVALID_SETUP_TOKEN') {
        setLinkUnusable(true);
        setError(LINK_UNUSABLE);
      } else {
        const errors = fieldErrorsOf(caught, { password: 'Password' });
        if (errors) setFieldError(errors.password);
        else setError(portalMessage(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" aria-labelledby="set-password-title">
      <div className="card">
        <p className="brand" aria-hidden="true">
          Boreal Portal
        </p>
        <ScreenHeading id="set-password-title">Choose your password</ScreenHeading>
        <ErrorMessage>{error}</ErrorMessage>
        {!linkUnusable && (
          <form onSubmit={submit}>
            <div className="field">
              <label htmlFor="new-password">New password</label>
              <input
                {...describedBy('new-password', fieldError, true)}
                type="password"
                required
                minLength={8}
                maxLength={128}
                autoComplete="new-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <span id="new-password-hint" className="hint">
                {PASSWORD_HINT}
              </span>
              <FieldMessage id="new-password" error={fieldError} />
            </div>
            <div className="field">
              <label htmlFor="new-password-again">New password again</label>
              <input id="new-password-again" type="password" required minLength={8} maxLength={128} autoComplete="new-password" value={again} onChange={(event) => setAgain(event.target.value)} />
            </div>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Set password'}
            </button>
          </form>
        )}
        {linkUnusable && (
          <p>
            <a href="/app/">Go to sign-in</a>
          </p>
        )}
      </div>
    </main>
  );
}
