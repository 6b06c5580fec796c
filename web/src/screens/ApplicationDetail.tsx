// One application, its status history (oldest first), and a button for each
// status the workflow allows next: shown only to users with
// applications:write. The server checks the transition again (409
// INVALID_TRANSITION when someone else moved it first).

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { formatAmount, formatDateTime, productLabel, statusLabel } from '../format';
import { portalMessage } from '../messages';
import { hrefOf } from '../router';
import { STATUS_TRANSITIONS, type Application, type ApplicationStatus, type HistoryEntry } from '../types';
import { ErrorMessage, ScreenHeading, StatusBadge, StatusMessage } from '../ui';

/** The button that moves an application to each status. */
const ACTION_LABELS: Record<ApplicationStatus, string> = {
  submitted: 'Mark as submitted',
  in_review: 'Start review',
  approved: 'Approve',
  declined: 'Decline',
  funded: 'Mark as funded',
  withdrawn: 'Withdraw',
};

export function ApplicationDetail({ id, canWrite, currentUserId }: { id: string; canWrite: boolean; currentUserId: string }) {
  const [application, setApplication] = useState<Application | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [changeError, setChangeError] = useState<string | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

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
      const entries = await api<{ items: HistoryEntry[] }>('GET', `/api/applications/${encodeURIComponent(id)}/history`);
      setHistory(entries.items);
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
  const actor = (actorId: string | null) => (actorId === null ? 'System or applicant' : actorId === currentUserId ? 'You' : `User ${actorId.slice(0, 8)}`);

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
                  <button key={status} type="button" className={status === 'declined' || status === 'withdrawn' ? 'danger' : 'primary'} disabled={busy} onClick={() => void changeStatus(status)}>
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
                <td>{entry.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
