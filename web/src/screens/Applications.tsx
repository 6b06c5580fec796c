// Applications, newest first: a status filter and a business-name search,
// kept in the URL (#/applications?status=…&q=…), and "Load more" that follows
// the server's cursor (shared/API.md GET /api/applications).

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatAmount, formatDateTime, productLabel, statusLabel } from '../format';
import { portalMessage } from '../messages';
import { hrefOf, navigate, type ApplicationFilters } from '../router';
import { APPLICATION_STATUSES, type Application, type ApplicationList } from '../types';
import { ErrorMessage, ScreenHeading, StatusBadge } from '../ui';

const PAGE_SIZE = 25;

export function Applications({ canWrite, filters }: { canWrite: boolean; filters: ApplicationFilters }) {
  const { status, q } = filters;
  const [draft, setDraft] = useState<ApplicationFilters>(filters);
  const [items, setItems] = useState<Application[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api<ApplicationList>('GET', '/api/applications', {
          query: { status, q: q.trim(), limit: PAGE_SIZE, cursor },
        });
        setItems((previous) => (cursor ? [...previous, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (caught) {
        setError(portalMessage(caught));
      } finally {
        setLoading(false);
      }
    },
    [status, q],
  );

  // The URL changed (back button, a link): the form shows what the list shows.
  useEffect(() => setDraft({ status, q }), [status, q]);

  useEffect(() => {
    void load(null);
  }, [load]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    navigate({ name: 'applications', status: draft.status, q: draft.q.trim() });
  };
  const filtered = Boolean(status || q);

  return (
    <section aria-labelledby="applications-title">
      <div className="screen-header">
        <ScreenHeading id="applications-title">Applications</ScreenHeading>
        {canWrite && (
          <a className="button primary" href={hrefOf({ name: 'new-application' })}>
            New application
          </a>
        )}
      </div>

      <form className="filters" role="search" aria-label="Filter applications" onSubmit={search}>
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={draft.status} onChange={(event) => setDraft({ ...draft, status: event.target.value })}>
            <option value="">All statuses</option>
            {APPLICATION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="filter-q">Business name contains</label>
          <input id="filter-q" type="search" maxLength={200} value={draft.q} onChange={(event) => setDraft({ ...draft, q: event.target.value })} />
        </div>
        <button type="submit">Search</button>
      </form>

      <ErrorMessage>{error}</ErrorMessage>

      {!loading && !error && items.length === 0 ? (
        <div className="empty">
          {filtered ? (
            <>
              <p>No applications match.</p>
              <p className="hint">
                Try another status or search, or <a href={hrefOf({ name: 'applications' })}>clear the filters</a>.
              </p>
            </>
          ) : (
            <>
              <p>No applications yet.</p>
              <p className="hint">Applications appear here when a business applies{canWrite ? ' or when you create one' : ''}.</p>
            </>
          )}
        </div>
      ) : (
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Applications, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Reference</th>
              <th scope="col">Business</th>
              <th scope="col" className="number">
                Amount
              </th>
              <th scope="col">Product</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((application) => (
              <tr key={application.id}>
                <td>
                  <a href={hrefOf({ name: 'application', id: application.id })}>{application.reference}</a>
                </td>
                <td>{application.businessName}</td>
                <td className="number">{formatAmount(application.amountRequested, application.currency)}</td>
                <td>{productLabel(application.productType)}</td>
                <td>
                  <StatusBadge status={application.status} />
                </td>
                <td>{formatDateTime(application.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      )}

      <p className="hint" aria-live="polite">
        {loading ? 'Loading…' : `${items.length} shown${nextCursor ? '; more are available' : ''}.`}
      </p>
      {nextCursor && (
        <button type="button" onClick={() => void load(nextCursor)} disabled={loading}>
          Load more
        </button>
      )}
    </section>
  );
}
