// Admins: the users (GET /api/rbac/users, with "Load more") and a form that
// creates one (POST /api/rbac/users). The server owns the password policy;
// its VALIDATION_FAILED field errors are shown at their fields. The phone is
// typed as people write it and sent in E.164.

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatDateTime } from '../format';
import { CHECK_FIELDS, describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { portalMessage } from '../messages';
import { PagedTable, usePagedList } from '../paged-list';
import type { CreatedUser, Lender, PasswordSetupLink, UserList } from '../types';
import { ErrorMessage, FieldMessage, ScreenHeading, StatusMessage } from '../ui';
import { checkPhoneAndLender, UserLenderField, UserPhoneField, UserRolesField } from './UserFields';
import { SetupLinkPanel, UserManage } from './UserManage';

const LABELS: Record<string, string> = { email: 'Email', name: 'Name', password: 'Password', phone: 'Phone', roles: 'Roles', lenderId: 'Lender' };

const fetchUsersPage = (cursor: string | null) => api<UserList>('GET', '/api/rbac/users', { query: { limit: 50, cursor } });

export function Users() {
  const list = usePagedList(fetchUsersPage);
  const [lenders, setLenders] = useState<Lender[]>([]);
  const [managedId, setManagedId] = useState<string | null>(null);

  useEffect(() => {
    api<{ items: Lender[] }>('GET', '/api/rbac/lenders').then(
      (answer) => setLenders(answer.items),
      () => setLenders([]),
    );
  }, []);

  const managed = list.items.find((user) => user.id === managedId);
  const lenderName = (id: string | null) => (id ? (lenders.find((lender) => lender.id === id)?.name ?? id.slice(0, 8)) : '—');

  return (
    <section aria-labelledby="users-title">
      <ScreenHeading id="users-title">Users</ScreenHeading>
      <PagedTable
        list={list}
        caption="Users"
        columns={
          <>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Phone</th>
            <th scope="col">Roles</th>
            <th scope="col">Lender</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Action</th>
          </>
        }
      >
        {list.items.map((user) => (
          <tr key={user.id}>
            <td>{user.name}</td>
            <td>{user.email}</td>
            <td>{user.phone ?? '—'}</td>
            <td>{user.roles.join(', ') || '—'}</td>
            <td>{lenderName(user.lenderId)}</td>
            <td>{user.disabled ? 'Disabled' : user.passwordSet ? 'Active' : 'Invited'}</td>
            <td>{formatDateTime(user.createdAt)}</td>
            <td>
              <button type="button" onClick={() => setManagedId(user.id)} aria-expanded={managedId === user.id}>
                Manage<span className="visually-hidden"> {user.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </PagedTable>

      {managed && <UserManage key={managed.id} user={managed} lenders={lenders} onChanged={list.reload} onClose={() => setManagedId(null)} />}

      <CreateUser lenders={lenders} onCreated={list.reload} />
    </section>
  );
}

function CreateUser({ lenders, onCreated }: { lenders: Lender[]; onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [phone, setPhone] = useState('');
  const [roles, setRoles] = useState<string[]>(['staff']);
  const [lenderId, setLenderId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<string | null>(null);
  const [invite, setInvite] = useState(false);
  const [invitation, setInvitation] = useState<{ link: PasswordSetupLink; email: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    setInvitation(null);
    const { phoneE164, errors: mine } = checkPhoneAndLender(phone, roles, lenderId);
    setFieldErrors(mine);
    if (Object.keys(mine).length > 0) {
      setError(CHECK_FIELDS);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await api<CreatedUser>('POST', '/api/rbac/users', {
        body: {
          email: email.trim(),
          name: name.trim(),
          ...(invite ? {} : { password }),
          roles,
          ...(phoneE164 ? { phone: phoneE164 } : {}),
          ...(lenderId ? { lenderId } : {}),
        },
      });
      setCreated(`${user.name} (${user.email}) was created.`);
      if (user.passwordSetup) setInvitation({ link: user.passwordSetup, email: user.email });
      setEmail('');
      setName('');
      setPassword('');
      setPhone('');
      onCreated();
    } catch (caught) {
      const errors = fieldErrorsOf(caught, LABELS);
      if (errors) setFieldErrors(errors);
      setError(errors ? CHECK_FIELDS : portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
      <form className="form-grid" onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        {created && <StatusMessage>{created}</StatusMessage>}
        <div className="field">
          <label htmlFor="user-email">Email</label>
          <input {...describedBy('user-email', fieldErrors.email)} type="email" required maxLength={254} autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
          <FieldMessage id="user-email" error={fieldErrors.email} />
        </div>
        <div className="field">
          <label htmlFor="user-name">Name</label>
          <input {...describedBy('user-name', fieldErrors.name)} required maxLength={200} autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
          <FieldMessage id="user-name" error={fieldErrors.name} />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={invite} onChange={(event) => setInvite(event.target.checked)} /> Invite: the user chooses their own password through a
          link
        </label>
        {!invite && (
          <div className="field">
            <label htmlFor="user-password">Password</label>
            <input
              {...describedBy('user-password', fieldErrors.password, true)}
              type="password"
              required
              minLength={8}
              maxLength={128}
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
            <span id="user-password-hint" className="hint">
              8 to 128 characters; common passwords are refused.
            </span>
            <FieldMessage id="user-password" error={fieldErrors.password} />
          </div>
        )}
        <UserPhoneField
          id="user-phone"
          value={phone}
          onChange={setPhone}
          error={fieldErrors.phone}
          hint="Without a phone the user cannot sign in."
          autoComplete="off"
          placeholder="613-555-0142"
        />
        <UserRolesField roles={roles} onChange={setRoles} />
        <UserLenderField id="user-lender" lenders={lenders} value={lenderId} onChange={setLenderId} error={fieldErrors.lenderId} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
      {invitation && <SetupLinkPanel link={invitation.link} email={invitation.email} />}
    </section>
  );
}
