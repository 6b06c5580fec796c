// A warning before the session ends for lack of use (the refresh token's
// `refreshExpiresIn`, SESSION_IDLE_TTL): "Stay signed in" renews it; at the
// deadline the UI asks for a sign-in over the screen, which keeps what the
// user typed (App.tsx).

import { useEffect, useState } from 'react';
import { endIdleSession, renewSession, session } from './api';
import { formatSeconds } from './format';
import { portalMessage } from './messages';

/** How long before the end the warning shows: two minutes, or a quarter of a short session. */
export function warningLeadMs(lifeMs: number): number {
  return Math.min(120_000, Math.floor(lifeMs / 4));
}

export function SessionWarning() {
  const [now, setNow] = useState(() => Date.now());
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    const stop = session.onRenewed(() => {
      setStartedAt(Date.now());
      setNow(Date.now());
    });
    return () => {
      window.clearInterval(timer);
      stop();
    };
  }, []);

  const endsAt = session.idleEndsAt();
  const leftMs = endsAt === null ? Infinity : endsAt - now;
  useEffect(() => {
    if (leftMs <= 0) endIdleSession();
  }, [leftMs]);
  if (endsAt === null || leftMs > warningLeadMs(endsAt - startedAt) || leftMs <= 0) return null;

  const stay = async () => {
    setBusy(true);
    setError(null);
    try {
      await renewSession();
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="session-warning" role="region" aria-labelledby="session-warning-title">
      <p id="session-warning-title" role="alert">
        Your session is about to end because of inactivity.
      </p>
      <p>Signed out in {formatSeconds(Math.ceil(leftMs / 1000))}. What you typed stays on the screen.</p>
      <button type="button" className="primary" disabled={busy} onClick={() => void stay()}>
        Stay signed in
      </button>
      {error && <p>{error}</p>}
    </div>
  );
}
