// One user, for an admin (the users screen's "Manage"): change name, phone,
// roles, lender and disabled (PATCH /api/rbac/users/:id); issue a
// password-setup link (an invitation again, or a reset) to copy and hand
// over; see the user's sessions and end them all. Disabling and ending
// sessions ask first: both sign the user out at once.

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { CHECK_FIELDS, describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { formatDateTime } from '../format';
import { portalMessage } from '../messages';
import type { AdminUser, Lender, PasswordSetupLink, UserChange, UserSession } from '../types';
import { ConfirmDialog, ErrorMessage, FieldMessage, StatusMessage } from '../ui';
import { SessionTable } from './SessionTable';
import { checkPhoneAndLender, UserLenderField, UserPhoneField, UserRolesField } from './UserFields';

const LABELS: Record<string, string> = { name: 'Name', phone: 'Phone', roles: 'Roles', lenderId: 'Lender', disabled: 'Disabled' };

/** The link with a button that copies it; it is shown once (only its hash is kept on the server). */
export function SetupLinkPanel({ link, email }: { link: PasswordSetupLink; email: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied('Copied.');
    } catch {
      setCopied('Copying was refused: select the link and copy it.');
    }
  };
  return (
    <div className="panel">
      <p>
        Hand this link to {email} privately. It works once, until {formatDateTime(link.expiresAt)}, and it is shown only now.
      </p>
      <label htmlFor="setup-link">Password-setup link</label>
      <input id="setup-link" readOnly value={link.url} onFocus={(event) => event.target.select()} />
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          Copy link
        </button>
        {copied && <span role="status">{copied}</span>}
      </div>
    </div>
  );
}

export function UserManage({ user, lenders, onChanged, onClose }: { user: AdminUser; lenders: Lender[]; onChanged: () => void; onClose: () => void }) {
  const [name, setName] = useState(user.name);
  const [phone, setPhone] = useState(user.phone ?? '');
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [lenderId, setLenderId] = useState(user.lenderId ?? '');
  const [disabled, setDisabled] = useState(user.disabled);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [link, setLink] = useState<PasswordSetupLink | null>(null);
  const [sessions, setSessions] = useState<UserSession[]>([]);
  const [confirming, setConfirming] = useState<{ kind: 'save'; change: UserChange } | { kind: 'end-sessions' } | null>(null);
  const [busy, setBusy] = useState(false);

  const loadSessions = useCallback(async () => {
    try {
      setSessions((await api<{ items: UserSession[] }>('GET', `/api/rbac/users/${user.id}/sessions`)).items);
    } catch (caught) {
      setError(portalMessage(caught));
    }
  }, [user.id]);

  useEffect(() => {
    void loadSessions();
  }, [loadSessions]);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      setStatus(await action());
    } catch (caught) {
      const errors = fieldErrorsOf(caught, LABELS);
      if (errors) setFieldErrors(errors);
      setError(errors ? CHECK_FIELDS : portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const changeOf = (): UserChange | null => {
    const { phoneE164, errors: mine } = checkPhoneAndLender(phone, roles, lenderId);
    setFieldErrors(mine);
    if (Object.keys(mine).length > 0) {
      setError(CHECK_FIELDS);
      return null;
    }
    const change: UserChange = {};
    if (name.trim() !== user.name) change.name = name.trim();
    if (phoneE164 !== user.phone) change.phone = phoneE164;
    if ([...roles].sort().join() !== [...user.roles].sort().join()) change.roles = roles as UserChange['roles'];
    if ((lenderId || null) !== user.lenderId) change.lenderId = lenderId || null;
    if (disabled !== user.disabled) change.disabled = disabled;
    return change;
  };

  const save = (change: UserChange) =>
    run(async () => {
      setConfirming(null);
      await api<AdminUser>('PATCH', `/api/rbac/users/${user.id}`, { body: change });
      onChanged();
      await loadSessions();
      return 'The changes were saved.';
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const change = changeOf();
    if (!change) return;
    if (Object.keys(change).length === 0) {
      setStatus('Nothing to save: nothing was changed.');
      return;
    }
    // Disabling or new roles end the user's sessions: asked first.
    if (change.disabled === true || change.roles !== undefined) setConfirming({ kind: 'save', change });
    else void save(change);
  };

  return (
    <section className="panel" aria-labelledby="manage-user-title">
      <h2 id="manage-user-title">Manage {user.name}</h2>
      <p className="hint">
        {user.email} · {user.passwordSet ? 'password set' : 'invited, no password yet'}
        {user.totp ? ' · authenticator app enrolled' : ''}
      </p>
      <ErrorMessage>{error}</ErrorMessage>
      {status && <StatusMessage>{status}</StatusMessage>}
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor="edit-name">Name</label>
          <input {...describedBy('edit-name', fieldErrors.name)} required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
          <FieldMessage id="edit-name" error={fieldErrors.name} />
        </div>
        <UserPhoneField id="edit-phone" value={phone} onChange={setPhone} error={fieldErrors.phone} hint="Leave empty to remove the phone." />
        <UserRolesField roles={roles} onChange={setRoles} />
        <UserLenderField id="edit-lender" lenders={lenders} value={lenderId} onChange={setLenderId} error={fieldErrors.lenderId} />
        <label className="checkbox">
          <input type="checkbox" checked={disabled} onChange={(event) => setDisabled(event.target.checked)} /> Disabled (cannot sign in)
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Save changes
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>

      <h3>Password</h3>
      <p className="hint">A new link replaces any earlier one. {user.passwordSet ? 'The current password keeps working until the link is used.' : ''}</p>
      <button
        type="button"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            setLink(await api<PasswordSetupLink>('POST', `/api/rbac/users/${user.id}/password-setup`));
            return user.passwordSet ? 'A password-reset link was made.' : 'A new invitation link was made.';
          })
        }
      >
        {user.passwordSet ? 'Make a password-reset link' : 'Make a new invitation link'}
      </button>
      {link && <SetupLinkPanel link={link} email={user.email} />}

      <h3>Sessions</h3>
      <SessionTable sessions={sessions} caption={`Sessions of ${user.name}`} />
      <div className="row">
        <button type="button" className="danger" disabled={busy || sessions.length === 0} onClick={() => setConfirming({ kind: 'end-sessions' })}>
          Sign out all sessions
        </button>
      </div>

      {confirming && (
        <ConfirmDialog
          title={confirming.kind === 'end-sessions' ? `Sign out ${user.name} everywhere?` : `Save changes to ${user.name}?`}
          confirmLabel={confirming.kind === 'end-sessions' ? 'Sign out' : confirming.change.disabled ? 'Disable' : 'Save'}
          danger
          onConfirm={() =>
            confirming.kind === 'end-sessions'
              ? void run(async () => {
                  setConfirming(null);
                  await api<void>('DELETE', `/api/rbac/users/${user.id}/sessions`);
                  await loadSessions();
                  return `${user.name} was signed out everywhere.`;
                })
              : void save(confirming.change)
          }
          onCancel={() => setConfirming(null)}
        >
          <p>
            {confirming.kind === 'end-sessions'
              ? 'Every session of this user ends at once; they must sign in again.'
              : confirming.change.disabled
                ? 'A disabled user is signed out at once and cannot sign in until enabled again.'
                : 'Changing roles signs the user out at once; they sign in again with the new roles.'}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
