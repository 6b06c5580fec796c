// One application, its history (oldest first, with who changed what), and
// for users with applications:write: its assignment, lender and amount
// (ApplicationChanges.tsx) and a button for each status the workflow allows
// next (the server's, generated from its OpenAPI document). Approving,
// declining, funding and withdrawing ask first. The server checks the
// transition again (409 INVALID_TRANSITION when someone else moved it first).

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { formatAmount, formatDateTime, productLabel, statusLabel } from '../format';
import { portalMessage } from '../messages';
import { hrefOf } from '../router';
import { STATUS_TRANSITIONS, type Application, type ApplicationStatus, type HistoryEntry, type LenderList, type User, type UserList } from '../types';
import { ConfirmDialog, ErrorMessage, ScreenHeading, StatusBadge, StatusMessage } from '../ui';
import { ApplicationAssignment, changesText, personName, type Directory } from './ApplicationChanges';

/** The button that moves an application to each status. */
const ACTION_LABELS: Record<ApplicationStatus, string> = {
  submitted: 'Mark as submitted',
  in_review: 'Start review',
  approved: 'Approve',
  declined: 'Decline',
  funded: 'Mark as funded',
  withdrawn: 'Withdraw',
};

/** Moves that ask for confirmation first, and what the question adds. */
const CONFIRMED: Partial<Record<ApplicationStatus, { danger: boolean; consequence: string }>> = {
  approved: { danger: false, consequence: 'The applicant is approved; it can then be funded or withdrawn.' },
  declined: { danger: true, consequence: 'Declined is final: the status cannot change afterwards.' },
  funded: { danger: false, consequence: 'Funded is final: the status cannot change afterwards.' },
  withdrawn: { danger: true, consequence: 'Withdrawn is final: the status cannot change afterwards.' },
};

export function ApplicationDetail({ id, canWrite, canListUsers, currentUser }: { id: string; canWrite: boolean; canListUsers: boolean; currentUser: User }) {
  const [application, setApplication] = useState<Application | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [changeError, setChangeError] = useState<string | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<ApplicationStatus | null>(null);
  const [directory, setDirectory] = useState<Directory>({ people: [], lenders: [], currentUserId: currentUser.id });

  // Names for ids: staff and admins to assign (only users:manage may list users), lenders to route to.
  useEffect(() => {
    if (!canWrite) return;
    void Promise.all([
      canListUsers
        ? api<UserList>('GET', '/api/rbac/users', { query: { limit: 100 } }).then(
            (page) => page.items.filter((user) => !user.disabled && user.roles.some((role) => role === 'staff' || role === 'admin')),
            () => [],
          )
        : Promise.resolve([]),
      api<LenderList>('GET', '/api/rbac/lenders').then(
        (answer) => answer.items,
        () => [],
      ),
    ]).then(([people, lenders]) => setDirectory({ people, lenders, currentUserId: currentUser.id }));
  }, [canWrite, canListUsers, currentUser.id]);

  const reloadHistory = async () => {
    const entries = await api<{ items: HistoryEntry[] }>('GET', `/api/applications/${encodeURIComponent(id)}/history`);
    setHistory(entries.items);
  };

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [found, entries] = await Promise.all([
        api<Application>('GET', `/api/applications/${encodeURIComponent(id)}`),
        api<{ items: HistoryEntry[] }>('GET', `/api/applications/${encodeURIComponent(id)}/history`),
      ]);
      setApplication(found);
      setHistory(entries.items);
    } catch (caught) {
      setLoadError(portalMessage(caught));
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const changeStatus = async (status: ApplicationStatus) => {
    setBusy(true);
    setChangeError(null);
    setChanged(null);
    try {
      const body: { status: ApplicationStatus; note?: string } = { status };
      if (note.trim()) body.note = note.trim();
      const updated = await api<Application>('PATCH', `/api/applications/${encodeURIComponent(id)}`, { body });
      setApplication(updated);
      setNote('');
      setChanged(`Status changed to ${statusLabel(updated.status)}.`);
      await reloadHistory();
    } catch (caught) {
      setChangeError(portalMessage(caught));
      void load();
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <section>
        <ScreenHeading>Application</ScreenHeading>
        <ErrorMessage>{loadError}</ErrorMessage>
        <p>
          <a href={hrefOf({ name: 'applications' })}>Back to applications</a>
        </p>
      </section>
    );
  }
  if (!application) return <p className="hint">Loading…</p>;

  const next = STATUS_TRANSITIONS[application.status];
  const actor = (actorId: string | null) => (actorId === null ? 'System or applicant' : personName(directory, actorId));
  const question = confirming ? CONFIRMED[confirming] : undefined;

  return (
    <section aria-labelledby="application-title">
      <p>
        <a href={hrefOf({ name: 'applications' })}>← Applications</a>
      </p>
      <div className="screen-header">
        <ScreenHeading id="application-title">
          {application.reference} · {application.businessName}
        </ScreenHeading>
        <StatusBadge status={application.status} />
      </div>

      <dl className="details">
        <dt>Status</dt>
        <dd data-testid="application-status">{statusLabel(application.status)}</dd>
        <dt>Amount requested</dt>
        <dd>{formatAmount(application.amountRequested, application.currency)}</dd>
        <dt>Product</dt>
        <dd>{productLabel(application.productType)}</dd>
        <dt>Contact</dt>
        <dd>
          {application.contactName} · <a href={`mailto:${application.contactEmail}`}>{application.contactEmail}</a> · {application.contactPhone}
        </dd>
        <dt>Assigned to</dt>
        <dd>{personName(directory, application.assignedTo)}</dd>
        <dt>Lender</dt>
        <dd>{application.lenderId ? (directory.lenders.find((lender) => lender.id === application.lenderId)?.name ?? 'A lender') : 'No lender'}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(application.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(application.updatedAt)}</dd>
      </dl>

      {canWrite && (
        <section className="panel" aria-labelledby="change-status-title">
          <h2 id="change-status-title">Change status</h2>
          {next.length === 0 ? (
            <p className="hint">{statusLabel(application.status)} is final: the status cannot change.</p>
          ) : (
            <>
              <div className="field">
                <label htmlFor="status-note">Note (optional)</label>
                <textarea id="status-note" rows={2} maxLength={2000} value={note} onChange={(event) => setNote(event.target.value)} />
              </div>
              <div className="row">
                {next.map((status) => (
                  <button
                    key={status}
                    type="button"
                    className={status === 'declined' || status === 'withdrawn' ? 'danger' : 'primary'}
                    disabled={busy}
                    onClick={() => (CONFIRMED[status] ? setConfirming(status) : void changeStatus(status))}
                  >
                    {ACTION_LABELS[status]}
                  </button>
                ))}
              </div>
            </>
          )}
          <ErrorMessage>{changeError}</ErrorMessage>
          {changed && <StatusMessage>{changed}</StatusMessage>}
        </section>
      )}
      {confirming && question && (
        <ConfirmDialog
          title={`${ACTION_LABELS[confirming]} ${application.reference}?`}
          confirmLabel={`Yes, ${ACTION_LABELS[confirming].toLowerCase()}`}
          danger={question.danger}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const status = confirming;
            setConfirming(null);
            void changeStatus(status);
          }}
        >
          <p>
            {application.businessName}: {statusLabel(application.status)} → {statusLabel(confirming)}.
          </p>
          <p>{question.consequence}</p>
        </ConfirmDialog>
      )}

      {canWrite && (
        <ApplicationAssignment
          application={application}
          directory={directory}
          onChanged={(updated) => {
            setApplication(updated);
            void reloadHistory().catch(() => undefined);
          }}
        />
      )}

      <h2>History</h2>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Status history, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">By</th>
              <th scope="col">Changes</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry, index) => (
              <tr key={`${entry.at}-${index}`}>
                <td>{formatDateTime(entry.at)}</td>
                <td>{entry.fromStatus ? statusLabel(entry.fromStatus) : '—'}</td>
                <td>{statusLabel(entry.toStatus)}</td>
                <td>{actor(entry.actorId)}</td>
                <td>
                  {changesText(entry.changes, directory, application.currency).map((line) => (
                    <div key={line}>{line}</div>
                  ))}
                </td>
                <td>{entry.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
