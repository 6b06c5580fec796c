// Admins: clear the limits and locks of a phone, an IP or an email
// (DELETE /api/rbac/rate-limits). Clearing an email also unlocks the account.
// The server audits each clear.

import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { portalMessage } from '../messages';
import { ErrorMessage, ScreenHeading, StatusMessage } from '../ui';

export function RateLimits() {
  const [phone, setPhone] = useState('');
  const [ip, setIp] = useState('');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const query = { phone: phone.trim(), ip: ip.trim(), email: email.trim() };
    if (!query.phone && !query.ip && !query.email) {
      setError('Enter a phone number, an IP address or an email.');
      setResult(null);
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const answer = await api<{ cleared: number }>('DELETE', '/api/rbac/rate-limits', { query });
      const what = [query.phone, query.ip, query.email].filter(Boolean).join(', ');
      setResult(`Cleared ${answer.cleared} ${answer.cleared === 1 ? 'counter' : 'counters'} for ${what}.`);
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="rate-limits-title">
      <ScreenHeading id="rate-limits-title">Clear rate limits</ScreenHeading>
      <p className="hint">Lets a locked-out person try again at once. Clearing an email also unlocks that account. Fill in one or more fields.</p>
      <form className="form-grid" onSubmit={submit}>
        <ErrorMessage>{error}</ErrorMessage>
        {result && <StatusMessage>{result}</StatusMessage>}
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
    </section>
  );
}
