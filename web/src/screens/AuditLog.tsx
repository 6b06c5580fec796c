// Admins: the audit log (GET /api/rbac/audit), newest first, filtered by
// event type and by the user an event is about (both kept in the URL), with
// "Load more" following nextCursor, and each event's detail in words.

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { formatDateTime } from '../format';
import { FilterBar, PagedTable, usePagedList } from '../paged-list';
import { hrefOf, navigate, type AuditFilters } from '../router';
import { AUDIT_EVENT_TYPES, type AdminUser, type AuditList, type UserList } from '../types';
import { ScreenHeading } from '../ui';

const PAGE_SIZE = 50;

const TYPE_LABELS: Partial<Record<string, string>> = {
  LOGIN_FAILED: 'Sign-in refused (password)',
  OTP_SENT: 'Code sent',
  OTP_SEND_FAILED: 'Code not delivered',
  OTP_FAILED: 'Wrong code',
  OTP_ATTEMPTS_EXCEEDED: 'Too many wrong codes',
  ACCOUNT_LOCKED: 'Account locked',
  LOGIN_SUCCEEDED: 'Signed in',
  TOKEN_REFRESHED: 'Session renewed',
  REFRESH_TOKEN_REUSED: 'Session token reused (session ended)',
  LOGOUT: 'Signed out',
  RATE_LIMIT_CLEARED: 'Rate limits cleared',
  USER_CREATED: 'User created',
  USER_UPDATED: 'User changed',
  LENDER_CREATED: 'Lender added',
  APPLICATION_STATUS_CHANGED: 'Application status changed',
  APPLICATION_UPDATED: 'Application changed',
};

/** "OTP_SEND_FAILED" → "Code not delivered"; an unknown type in sentence case. */
export const auditTypeLabel = (type: string) => TYPE_LABELS[type] ?? type.charAt(0) + type.slice(1).toLowerCase().replace(/_/g, ' ');

/** "amountRequested" → "Amount requested". */
const wordsOf = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function valueText(value: unknown, nameOf: (id: string) => string | null): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return nameOf(value) ?? value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => valueText(item, nameOf)).join(', ') || '—';
  if (typeof value === 'object' && 'from' in value && 'to' in value) {
    const change = value as { from: unknown; to: unknown };
    return `${valueText(change.from, nameOf)} → ${valueText(change.to, nameOf)}`;
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${wordsOf(key)}: ${valueText(item, nameOf)}`)
    .join('; ');
}

export function AuditLog({ filters, canListUsers }: { filters: AuditFilters; canListUsers: boolean }) {
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [users, setUsers] = useState<AdminUser[]>([]);
  const { type, userId } = filters;

  // The URL changed (back button, a link): the form shows what the list shows.
  useEffect(() => setDraft({ type, userId }), [type, userId]);

  useEffect(() => {
    if (!canListUsers) return;
    api<UserList>('GET', '/api/rbac/users', { query: { limit: 100 } }).then(
      (page) => setUsers(page.items),
      () => setUsers([]),
    );
  }, [canListUsers]);

  const fetchPage = useCallback(
    (cursor: string | null) => api<AuditList>('GET', '/api/rbac/audit', { query: { type, userId, limit: PAGE_SIZE, cursor } }),
    [type, userId],
  );
  const list = usePagedList(fetchPage);

  const userName = (id: string | null) => {
    if (!id) return null;
    const user = users.find((candidate) => candidate.id === id);
    return user ? `${user.name} (${user.email})` : null;
  };
  const who = (id: string | null) => (id ? (userName(id) ?? `User ${id.slice(0, 8)}`) : '—');

  const search = () => navigate({ name: 'audit', ...draft });
  const filtered = Boolean(type || userId);

  return (
    <section aria-labelledby="audit-title">
      <ScreenHeading id="audit-title">Audit log</ScreenHeading>
      <FilterBar label="Filter the audit log" submitLabel="Filter" onSearch={search} clearHref={filtered ? hrefOf({ name: 'audit' }) : undefined}>
        <div className="field">
          <label htmlFor="audit-type">Event</label>
          <select id="audit-type" value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })}>
            <option value="">All events</option>
            {AUDIT_EVENT_TYPES.map((eventType) => (
              <option key={eventType} value={eventType}>
                {auditTypeLabel(eventType)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-user">About user</label>
          <select id="audit-user" value={draft.userId} onChange={(event) => setDraft({ ...draft, userId: event.target.value })}>
            <option value="">All users</option>
            {draft.userId && !users.some((user) => user.id === draft.userId) && <option value={draft.userId}>{who(draft.userId)}</option>}
            {users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.name} ({user.email})
              </option>
            ))}
          </select>
        </div>
      </FilterBar>

      <PagedTable
        list={list}
        caption="Audit events, newest first"
        columns={
          <>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">About</th>
            <th scope="col">By</th>
            <th scope="col">IP address</th>
            <th scope="col">Details</th>
          </>
        }
        empty={<p>{filtered ? 'No events match these filters.' : 'No events recorded yet.'}</p>}
      >
        {list.items.map((event) => (
          <tr key={event.id}>
            <td>{formatDateTime(event.at)}</td>
            <td>{auditTypeLabel(event.type)}</td>
            <td>
              {event.userId ? (
                <a href={hrefOf({ name: 'audit', type, userId: event.userId })} title="Show only this user's events">
                  {who(event.userId)}
                </a>
              ) : (
                '—'
              )}
            </td>
            <td>{event.actorId === event.userId && event.actorId ? 'Themselves' : who(event.actorId)}</td>
            <td>{event.ip ?? '—'}</td>
            <td>
              <dl className="detail-list">
                {Object.entries(event.detail).map(([key, value]) => (
                  <div key={key}>
                    <dt>{wordsOf(key)}:</dt>
                    <dd>{valueText(value, userName)}</dd>
                  </div>
                ))}
              </dl>
            </td>
          </tr>
        ))}
      </PagedTable>
    </section>
  );
}
