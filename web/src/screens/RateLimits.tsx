// Admins: who is limited or locked right now (GET /api/rbac/rate-limits), a
// "Clear" per row (DELETE /api/rbac/rate-limits with the row's subject), and a
// form to clear a phone, an IP or an email by hand. Clearing an email also
// unlocks that account. The server audits each clear.

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatSeconds } from '../format';
import { portalMessage } from '../messages';
import type { LimitedSubject } from '../types';
import { ErrorMessage, ScreenHeading, StatusMessage } from '../ui';

type ClearQuery = { phone?: string; ip?: string; email?: string };

const KIND_LABELS: Record<LimitedSubject['kind'], string> = {
  phone: 'Phone',
  ip: 'IP address',
  email: 'Email (wrong passwords)',
  account: 'Account (wrong codes)',
};

/** What DELETE takes for a row: an account is cleared by its user's email. */
function queryOf(item: LimitedSubject): ClearQuery {
  if (item.kind === 'phone') return { phone: item.subject };
  if (item.kind === 'ip') return { ip: item.subject };
  return { email: item.subject };
}

const clearedText = (cleared: number, what: string) => `Cleared ${cleared} ${cleared === 1 ? 'counter' : 'counters'} for ${what}.`;

export function RateLimits() {
  const [items, setItems] = useState<LimitedSubject[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [clearing, setClearing] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setItems((await api<{ items: LimitedSubject[] }>('GET', '/api/rbac/rate-limits')).items);
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const clear = async (query: ClearQuery, rowKey: string | null) => {
    setClearing(rowKey);
    setError(null);
    setResult(null);
    try {
      const answer = await api<{ cleared: number }>('DELETE', '/api/rbac/rate-limits', { query });
      setResult(clearedText(answer.cleared, Object.values(query).join(', ')));
      await load();
      return true;
    } catch (caught) {
      setError(portalMessage(caught));
      return false;
    } finally {
      setClearing(null);
    }
  };

  return (
    <section aria-labelledby="rate-limits-title">
      <ScreenHeading id="rate-limits-title">Rate limits</ScreenHeading>
      <p className="hint">Who is refused right now, the longest wait first. Clearing lets them try again at once.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {result && <StatusMessage>{result}</StatusMessage>}
      {!loading && items.length === 0 && !error ? (
        <div className="empty">
          <p>Nobody is limited or locked right now.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Limited or locked subjects, the longest wait first</caption>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Refused with</th>
                <th scope="col">Waits</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const rowKey = `${item.kind} ${item.subject} ${item.code}`;
                return (
                  <tr key={rowKey}>
                    <td>{KIND_LABELS[item.kind]}</td>
                    <td>{item.subject}</td>
                    <td>
                      <code>{item.code}</code>
                    </td>
                    <td>{formatSeconds(item.retryAfterSeconds)}</td>
                    <td>
                      <button type="button" className="danger" disabled={clearing !== null} aria-label={`Clear ${item.subject}`} onClick={() => void clear(queryOf(item), rowKey)}>
                        {clearing === rowKey ? 'Clearing…' : 'Clear'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="row">
        <p className="hint" aria-live="polite">
          {loading ? 'Loading…' : `${items.length} ${items.length === 1 ? 'subject' : 'subjects'} refused.`}
        </p>
        <button type="button" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </div>
      <ClearByHand onClear={(query) => clear(query, null)} busy={clearing !== null} />
    </section>
  );
}

function ClearByHand({ onClear, busy }: { onClear: (query: ClearQuery) => Promise<boolean>; busy: boolean }) {
  const [phone, setPhone] = useState('');
  const [ip, setIp] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const query = Object.fromEntries(Object.entries({ phone: phone.trim(), ip: ip.trim(), email: email.trim() }).filter(([, value]) => value !== '')) as ClearQuery;
    if (Object.keys(query).length === 0) {
      setError('Enter a phone number, an IP address or an email.');
      return;
    }
    setError(null);
    if (await onClear(query)) {
      setPhone('');
      setIp('');
      setEmail('');
    }
  };

  return (
    <>
      <h2 id="clear-by-hand-title">Clear rate limits</h2>
      <p className="hint">Someone not in the list (a limit that ended meanwhile, or counted by another server)? Fill in one or more fields.</p>
    <form className="form-grid" onSubmit={submit} aria-labelledby="clear-by-hand-title">
      <ErrorMessage>{error}</ErrorMessage>
      <div className="field">
        <label htmlFor="limit-phone">Phone</label>
        <input id="limit-phone" type="tel" maxLength={32} autoComplete="off" placeholder="+16135550123" value={phone} onChange={(event) => setPhone(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="limit-ip">IP address</label>
        <input id="limit-ip" maxLength={64} autoComplete="off" placeholder="203.0.113.9" value={ip} onChange={(event) => setIp(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="limit-email">Email</label>
        <input id="limit-email" type="email" maxLength={254} autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
      </div>
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>
          {busy ? 'Clearing…' : 'Clear rate limits'}
        </button>
      </div>
    </form>
    </>
  );
}
