// Your account (API.md "Your account"): change your password, see your
// sessions and end any of them, or all ("sign out everywhere"). Ending a
// session asks first; ending this one, or all, signs this tab out.

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { portalMessage } from '../messages';
import type { OwnSession } from '../types';
import { ConfirmDialog, ErrorMessage, FieldMessage, ScreenHeading, StatusMessage } from '../ui';
import { PASSWORD_HINT } from './SetPassword';
import { SessionTable } from './SessionTable';
import { AccountSecurity } from './AccountSecurity';

export function Account({ onSignedOutHere }: { onSignedOutHere: (notice: string) => void }) {
  const [sessions, setSessions] = useState<OwnSession[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<OwnSession | 'all' | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSessions((await api<{ items: OwnSession[] }>('GET', '/api/auth/sessions')).items);
    } catch (caught) {
      setError(portalMessage(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const end = async (target: OwnSession | 'all') => {
    setConfirming(null);
    setError(null);
    setStatus(null);
    setBusyId(target === 'all' ? 'all' : target.id);
    try {
      if (target === 'all') {
        await api<void>('DELETE', '/api/auth/sessions');
        onSignedOutHere('You were signed out everywhere, this browser included.');
        return;
      }
      await api<void>('DELETE', `/api/auth/sessions/${target.id}`);
      if (target.current) {
        onSignedOutHere('You signed out this session.');
        return;
      }
      setStatus('The session was signed out.');
      await load();
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <section aria-labelledby="account-title">
      <ScreenHeading id="account-title">Your account</ScreenHeading>
      <ChangePassword onChanged={() => void load()} />
      <AccountSecurity />
      <section className="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <ErrorMessage>{error}</ErrorMessage>
        {status && <StatusMessage>{status}</StatusMessage>}
        <SessionTable sessions={sessions} caption="Your sessions" onEnd={(session) => setConfirming(session)} busyId={busyId} />
        <div className="row">
          <button type="button" className="danger" disabled={busyId !== null || sessions.length === 0} onClick={() => setConfirming('all')}>
            Sign out everywhere
          </button>
        </div>
      </section>
      {confirming && (
        <ConfirmDialog
          title={confirming === 'all' ? 'Sign out everywhere?' : 'Sign out this session?'}
          confirmLabel="Sign out"
          danger
          onConfirm={() => void end(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            {confirming === 'all'
              ? 'Every browser signed in to your account is signed out at once, this one included.'
              : confirming.current
                ? 'This is the browser you are using: you will be signed out here.'
                : 'That browser is signed out at once and must sign in again.'}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [again, setAgain] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    setError(null);
    if (newPassword !== again) {
      setFieldErrors({ again: 'The two new passwords differ: type the same password twice.' });
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await api<void>('POST', '/api/auth/password', { body: { currentPassword, newPassword } });
      setDone('Your password was changed. Every other session was signed out.');
      setCurrentPassword('');
      setNewPassword('');
      setAgain('');
      onChanged();
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'CURRENT_PASSWORD_INVALID') {
        setFieldErrors({ currentPassword: 'This is not your current password.' });
        setCurrentPassword('');
      } else {
        const errors = fieldErrorsOf(caught, { currentPassword: 'Current password', newPassword: 'New password' });
        if (errors) setFieldErrors(errors);
        else setError(portalMessage(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <form className="form-grid" onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        {done && <StatusMessage>{done}</StatusMessage>}
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            {...describedBy('current-password', fieldErrors.currentPassword)}
            type="password"
            required
            autoComplete="current-password"
            value={currentPassword}
            onChange={(event) => setCurrentPassword(event.target.value)}
          />
          <FieldMessage id="current-password" error={fieldErrors.currentPassword} />
        </div>
        <div className="field">
          <label htmlFor="account-new-password">New password</label>
          <input
            {...describedBy('account-new-password', fieldErrors.newPassword, true)}
            type="password"
            required
            minLength={8}
            maxLength={128}
            autoComplete="new-password"
            value={newPassword}
            onChange={(event) => setNewPassword(event.target.value)}
          />
          <span id="account-new-password-hint" className="hint">
            {PASSWORD_HINT}
          </span>
          <FieldMessage id="account-new-password" error={fieldErrors.newPassword} />
        </div>
        <div className="field">
          <label htmlFor="account-new-password-again">New password again</label>
          <input
            {...describedBy('account-new-password-again', fieldErrors.again)}
            type="password"
            required
            minLength={8}
            maxLength={128}
            autoComplete="new-password"
            value={again}
            onChange={(event) => setAgain(event.target.value)}
          />
          <FieldMessage id="account-new-password-again" error={fieldErrors.again} />
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
