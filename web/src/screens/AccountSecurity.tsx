// The account's second factors (shared/API.md "Second factors"): set up an
// authenticator app (a QR code drawn here, in the browser, with `qrcode`:
// the secret never goes to an outside service), confirm it with a first code,
// see and download the recovery codes once, make new ones, turn it off.
// Secrets live in component state only, and are dropped when done.

import { useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { api } from '../api';
import { portalMessage } from '../messages';
import type { RecoveryCodeSet, SecuritySummary, TotpEnrollment, Me } from '../types';
import { ErrorMessage, StatusMessage } from '../ui';

export function AccountSecurity() {
  const [security, setSecurity] = useState<SecuritySummary | null>(null);
  const [enrollment, setEnrollment] = useState<(TotpEnrollment & { qr: string }) | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => setSecurity((await api<Me>('GET', '/api/auth/me')).security);
  useEffect(() => {
    load().catch((caught) => setError(portalMessage(caught)));
  }, []);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setInfo(null);
    try {
      await work();
    } catch (caught) {
      setError(portalMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const startSetup = () =>
    act(async () => {
      const started = await api<TotpEnrollment>('POST', '/api/auth/totp');
      setEnrollment({ ...started, qr: await QRCode.toDataURL(started.otpauthUri, { margin: 1, width: 200 }) });
    });

  return (
    <section className="panel" aria-labelledby="security-title">
      <h2 id="security-title">Sign-in security</h2>
      <ErrorMessage>{error}</ErrorMessage>
      {info && <StatusMessage>{info}</StatusMessage>}
      {recoveryCodes ? (
        <RecoveryCodes
          codes={recoveryCodes}
          onDone={() => {
            setRecoveryCodes(null);
            void load();
          }}
        />
      ) : enrollment ? (
        <ConfirmSetup
          enrollment={enrollment}
          busy={busy}
          onConfirm={(code) =>
            act(async () => {
              const answer = await api<RecoveryCodeSet>('POST', '/api/auth/totp/confirm', { body: { code } });
              setEnrollment(null);
              setRecoveryCodes(answer.recoveryCodes);
            })
          }
          onCancel={() => setEnrollment(null)}
        />
      ) : security === null ? (
        <p>Loading…</p>
      ) : security.totp ? (
        <Enrolled
          security={security}
          busy={busy}
          onNewCodes={(password) =>
            act(async () => {
              const answer = await api<RecoveryCodeSet>('POST', '/api/auth/recovery-codes', { body: { password } });
              setRecoveryCodes(answer.recoveryCodes);
            })
          }
          onDisable={(password) =>
            act(async () => {
              await api<null>('POST', '/api/auth/totp/disable', { body: { password } });
              await load();
              setInfo('The authenticator app is turned off. You sign in with a code by text message again.');
            })
          }
        />
      ) : (
        <div>
          <p>
            You sign in with a code sent by text message{security.phone ? <> to <strong className="phone">{security.phone}</strong></> : null}. An
            authenticator app works without a phone signal and whenever text messages cannot be sent.
          </p>
          <button type="button" className="primary" disabled={busy} onClick={startSetup}>
            Set up an authenticator app
          </button>
        </div>
      )}
    </section>
  );
}

function ConfirmSetup({ enrollment, busy, onConfirm, onCancel }: { enrollment: TotpEnrollment & { qr: string }; busy: boolean; onConfirm: (code: string) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm(code);
    setCode('');
  };
  return (
    <form onSubmit={submit}>
      <p>Scan this QR code with your authenticator app, or type the key into it.</p>
      <img src={enrollment.qr} alt="QR code for your authenticator app" width={200} height={200} />
      <p>
        Key: <code data-testid="totp-secret">{enrollment.secret}</code>
      </p>
      <div className="field">
        <label htmlFor="totp-code">Code from the app</label>
        <input
          id="totp-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
        />
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Confirm
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const download = () => {
    const file = new Blob([`Boreal Portal recovery codes (each works once)\n\n${codes.join('\n')}\n`], { type: 'text/plain' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(file);
    link.download = 'boreal-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <div>
      <p>
        <strong>Save these recovery codes now: they are shown only this once.</strong> Each lets you sign in once when your authenticator app is not at hand.
      </p>
      <ul aria-label="Recovery codes" className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" onClick={download}>
          Download codes
        </button>
        <button type="button" className="primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

function Enrolled({ security, busy, onNewCodes, onDisable }: { security: SecuritySummary; busy: boolean; onNewCodes: (password: string) => void; onDisable: (password: string) => void }) {
  const [password, setPassword] = useState('');
  const run = (action: (password: string) => void) => {
    action(password);
    setPassword('');
  };
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      <p>An authenticator app is set up. Recovery codes left: {security.recoveryCodesLeft}.</p>
      <div className="field">
        <label htmlFor="security-password">Your password</label>
        <input id="security-password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} />
      </div>
      <div className="row">
        <button type="button" disabled={busy || !password} onClick={() => run(onNewCodes)}>
          Make new recovery codes
        </button>
        <button type="button" disabled={busy || !password} onClick={() => run(onDisable)}>
          Turn off the authenticator app
        </button>
      </div>
    </form>
  );
}
