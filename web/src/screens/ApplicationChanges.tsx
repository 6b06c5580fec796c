// The parts of an application that staff change besides its status: who
// works on it, which lender it goes to, the amount (PATCH
// /api/applications/:id with only the fields that changed), and the words
// for the history's `changes` ({ field: { from, to } }).

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { describedBy, fieldErrorsOf, type FieldErrors } from '../fields';
import { formatAmount, parseAmountToCents } from '../format';
import { portalMessage } from '../messages';
import type { AdminUser, Application, ApplicationChange, Lender } from '../types';
import { ErrorMessage, FieldMessage, StatusMessage } from '../ui';

/** Names for the ids an application refers to. */
export interface Directory {
  people: Pick<AdminUser, 'id' | 'name' | 'email'>[];
  lenders: Lender[];
  currentUserId: string;
}

export function personName(directory: Directory, id: string | null): string {
  if (id === null) return 'Nobody';
  if (id === directory.currentUserId) return 'You';
  return directory.people.find((person) => person.id === id)?.name ?? `User ${id.slice(0, 8)}`;
}

export function lenderName(directory: Directory, id: string | null): string {
  if (id === null) return 'No lender';
  return directory.lenders.find((lender) => lender.id === id)?.name ?? `Lender ${id.slice(0, 8)}`;
}

const FIELD_LABELS: Record<string, string> = { assignedTo: 'Assigned to', lenderId: 'Lender', amountRequested: 'Amount requested' };

/** One history item's `changes` in words: "Lender: No lender → Northern Bank". */
export function changesText(changes: Record<string, { from: unknown; to: unknown }> | undefined, directory: Directory, currency: string): string[] {
  return Object.entries(changes ?? {}).map(([field, { from, to }]) => {
    const text = (value: unknown) => {
      if (field === 'amountRequested' && typeof value === 'number') return formatAmount(value, currency);
      if (field === 'lenderId') return lenderName(directory, typeof value === 'string' ? value : null);
      if (field === 'assignedTo') return personName(directory, typeof value === 'string' ? value : null);
      return value === null || value === undefined ? '—' : String(value);
    };
    return `${FIELD_LABELS[field] ?? field}: ${text(from)} → ${text(to)}`;
  });
}

const centsAsText = (cents: number) => (cents / 100).toFixed(2);

export function ApplicationAssignment({
  application,
  directory,
  onChanged,
}: {
  application: Application;
  directory: Directory;
  onChanged: (updated: Application) => void;
}) {
  const [assignedTo, setAssignedTo] = useState(application.assignedTo ?? '');
  const [lenderId, setLenderId] = useState(application.lenderId ?? '');
  const [amount, setAmount] = useState(centsAsText(application.amountRequested));
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Someone (this user, through a status change) reloaded the application: show its values.
  useEffect(() => {
    setAssignedTo(application.assignedTo ?? '');
    setLenderId(application.lenderId ?? '');
    setAmount(centsAsText(application.amountRequested));
  }, [application.assignedTo, application.lenderId, application.amountRequested]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    setFieldErrors({});
    const cents = parseAmountToCents(amount);
    if (cents === null) {
      setFieldErrors({ amountRequested: 'Enter the amount as a positive number, e.g. 25000 or 25000.50.' });
      return;
    }
    const body: ApplicationChange = {};
    if ((application.assignedTo ?? '') !== assignedTo) body.assignedTo = assignedTo || null;
    if ((application.lenderId ?? '') !== lenderId) body.lenderId = lenderId || null;
    if (cents !== application.amountRequested) body.amountRequested = cents;
    if (Object.keys(body).length === 0) {
      setSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const updated = await api<Application>('PATCH', `/api/applications/${encodeURIComponent(application.id)}`, { body });
      onChanged(updated);
      setSaved('Changes saved.');
    } catch (caught) {
      const errors = fieldErrorsOf(caught, FIELD_LABELS);
      if (errors) setFieldErrors(errors);
      else setError(portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const people = directory.people.some((person) => person.id === directory.currentUserId)
    ? directory.people
    : [{ id: directory.currentUserId, name: 'You', email: '' }, ...directory.people];
  const assigneeKnown = !application.assignedTo || people.some((person) => person.id === application.assignedTo);

  return (
    <section className="panel" aria-labelledby="assignment-title">
      <h2 id="assignment-title">Assignment, lender and amount</h2>
      <form className="form-grid" onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        {saved && <StatusMessage>{saved}</StatusMessage>}
        <div className="field">
          <label htmlFor="assignedTo">Assigned to</label>
          <select {...describedBy('assignedTo', fieldErrors.assignedTo)} value={assignedTo} onChange={(event) => setAssignedTo(event.target.value)}>
            <option value="">Nobody</option>
            {!assigneeKnown && <option value={application.assignedTo!}>{personName(directory, application.assignedTo)}</option>}
            {people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.id === directory.currentUserId ? `You${person.email ? ` (${person.name})` : ''}` : person.name}
              </option>
            ))}
          </select>
          <FieldMessage id="assignedTo" error={fieldErrors.assignedTo} />
        </div>
        <div className="field">
          <label htmlFor="lender">Lender</label>
          <select {...describedBy('lender', fieldErrors.lenderId)} value={lenderId} onChange={(event) => setLenderId(event.target.value)}>
            <option value="">No lender</option>
            {application.lenderId && !directory.lenders.some((lender) => lender.id === application.lenderId) && (
              <option value={application.lenderId}>{lenderName(directory, application.lenderId)}</option>
            )}
            {directory.lenders.map((lender) => (
              <option key={lender.id} value={lender.id}>
                {lender.name}
              </option>
            ))}
          </select>
          <FieldMessage id="lender" error={fieldErrors.lenderId} />
        </div>
        <div className="field">
          <label htmlFor="amountRequested">Amount requested ({application.currency})</label>
          <input {...describedBy('amountRequested', fieldErrors.amountRequested)} inputMode="decimal" required value={amount} onChange={(event) => setAmount(event.target.value)} />
          <FieldMessage id="amountRequested" error={fieldErrors.amountRequested} />
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}
