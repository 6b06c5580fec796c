// A table of sessions (yours on the account page, a user's on the users
// screen): when and where each started, when it was last used, and until
// when it lasts unused. `onEnd` adds a "Sign out" button per row.

import { formatDateTime } from '../format';
import type { UserSession } from '../types';

const METHOD_LABELS: Record<string, string> = { pwd: 'password', sms: 'text or call code', otp: 'authenticator app', rec: 'recovery code' };

/** "Firefox on Linux"-like words are guesswork; the raw browser string is shown, cut short, with the whole in a tooltip. */
const shortAgent = (agent: string | null) => (agent ? (agent.length > 60 ? `${agent.slice(0, 57)}…` : agent) : 'Unknown browser');

export function SessionTable<S extends UserSession & { current?: boolean }>({
  sessions,
  caption,
  onEnd,
  busyId,
}: {
  sessions: S[];
  caption: string;
  onEnd?: (session: S) => void;
  busyId?: string | null;
}) {
  if (sessions.length === 0) return <p className="hint">No live sessions.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Browser</th>
            <th scope="col">Address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">Ends if unused</th>
            <th scope="col">Signed in with</th>
            {onEnd && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => (
            <tr key={session.id} data-session-id={session.id}>
              <td title={session.userAgent ?? undefined}>
                {shortAgent(session.userAgent)}
                {session.current && <strong> (this session)</strong>}
              </td>
              <td>{session.ip ?? '—'}</td>
              <td>{formatDateTime(session.createdAt)}</td>
              <td>{session.lastUsedAt ? formatDateTime(session.lastUsedAt) : '—'}</td>
              <td>{formatDateTime(session.expiresAt)}</td>
              <td>{session.amr.map((method) => METHOD_LABELS[method] ?? method).join(' + ') || '—'}</td>
              {onEnd && (
                <td>
                  <button type="button" className="danger" disabled={busyId === session.id} onClick={() => onEnd(session)}>
                    Sign out<span className="visually-hidden"> the session started {formatDateTime(session.createdAt)}</span>
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
