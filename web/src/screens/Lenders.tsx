// Admins: the lenders (GET /api/rbac/lenders, by name) and a form that adds
// one (POST /api/rbac/lenders; 409 CONFLICT on a taken name, shown at the field).

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { portalMessage } from '../messages';
import type { Lender, LenderList } from '../types';
import { ErrorMessage, FieldMessage, ScreenHeading, StatusMessage } from '../ui';

export function Lenders() {
  const [items, setItems] = useState<Lender[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await api<LenderList>('GET', '/api/rbac/lenders')).items);
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="lenders-title">
      <ScreenHeading id="lenders-title">Lenders</ScreenHeading>
      <ErrorMessage>{error}</ErrorMessage>
      {!loading && items.length === 0 && !error ? (
        <div className="empty">
          <p>No lenders yet.</p>
          <p className="hint">Add the first one below; staff can then route applications to it.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Lenders, by name</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
              </tr>
            </thead>
            <tbody>
              {items.map((lender) => (
                <tr key={lender.id}>
                  <td>{lender.name}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint" aria-live="polite">
        {loading ? 'Loading…' : `${items.length} ${items.length === 1 ? 'lender' : 'lenders'}.`}
      </p>
      <CreateLender onCreated={() => void load()} />
    </section>
  );
}

function CreateLender({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    setCreated(null);
    try {
      const lender = await api<Lender>('POST', '/api/rbac/lenders', { body: { name: name.trim() } });
      setCreated(`${lender.name} was added.`);
      setName('');
      onCreated();
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'CONFLICT') setFieldErrors({ name: 'A lender with this name already exists.' });
      else {
        const errors = fieldErrorsOf(caught, { name: 'Name' });
        if (errors) setFieldErrors(errors);
        else setError(portalMessage(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="create-lender-title">
      <h2 id="create-lender-title">Add a lender</h2>
      <form onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        {created && <StatusMessage>{created}</StatusMessage>}
        <div className="field">
          <label htmlFor="lender-name">Lender name</label>
          <input {...describedBy('lender-name', fieldErrors.name)} required maxLength={200} autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
          <FieldMessage id="lender-name" error={fieldErrors.name} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add lender'}
        </button>
      </form>
    </section>
  );
}
