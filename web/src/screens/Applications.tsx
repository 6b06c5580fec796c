// Applications, newest first: a status filter and a business-name search,
// kept in the URL (#/applications?status=…&q=…), and "Load more" that follows
// the server's cursor (shared/API.md GET /api/applications).

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { formatAmount, formatDateTime, productLabel, statusLabel } from '../format';
import { FilterBar, PagedTable, usePagedList } from '../paged-list';
import { hrefOf, navigate, type ApplicationFilters } from '../router';
import { APPLICATION_STATUSES, type ApplicationList } from '../types';
import { ScreenHeading, StatusBadge } from '../ui';

const PAGE_SIZE = 25;

export function Applications({ canWrite, filters }: { canWrite: boolean; filters: ApplicationFilters }) {
  const { status, q } = filters;
  const [draft, setDraft] = useState<ApplicationFilters>(filters);
  // The URL changed (back button, a link): the form shows what the list shows.
  useEffect(() => setDraft({ status, q }), [status, q]);

  const fetchPage = useCallback(
    (cursor: string | null) => api<ApplicationList>('GET', '/api/applications', { query: { status, q: q.trim(), limit: PAGE_SIZE, cursor } }),
    [status, q],
  );
  const list = usePagedList(fetchPage);

  const search = () => navigate({ name: 'applications', status: draft.status, q: draft.q.trim() });
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

      <FilterBar label="Filter applications" submitLabel="Search" onSearch={search}>
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
      </FilterBar>

      <PagedTable
        list={list}
        caption="Applications, newest first"
        columns={
          <>
            <th scope="col">Reference</th>
            <th scope="col">Business</th>
            <th scope="col" className="number">
              Amount
            </th>
            <th scope="col">Product</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </>
        }
        empty={
          filtered ? (
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
          )
        }
      >
        {list.items.map((application) => (
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
      </PagedTable>
    </section>
  );
}
