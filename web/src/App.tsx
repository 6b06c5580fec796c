// The shell: resume a session after a reload (refresh token in
// sessionStorage), sign-in when there is none, and the portal's header,
// navigation and screens by permission once signed in. When a session ends
// under a signed-in user (idle, revoked), the sign-in opens OVER the portal,
// which stays mounted (inert): a half-typed form is still there afterwards.

import { useEffect, useState } from 'react';
import { resumeSession, session, signOut } from './api';
import { hrefOf, useRoute, type Route } from './router';
import { ApplicationDetail } from './screens/ApplicationDetail';
import { Applications } from './screens/Applications';
import { AuditLog } from './screens/AuditLog';
import { Lenders } from './screens/Lenders';
import { NewApplication } from './screens/NewApplication';
import { RateLimits } from './screens/RateLimits';
import { SignIn } from './screens/SignIn';
import { SetPassword, takeSetupToken } from './screens/SetPassword';
import { Account } from './screens/Account';
import { Users } from './screens/Users';
import { SessionWarning } from './SessionWarning';
import type { Permission, User } from './types';
import { ErrorMessage, ScreenHeading } from './ui';

type State =
  | { phase: 'resuming' }
  | { phase: 'set-password'; token: string }
  | { phase: 'signed-out'; notice: string | null; email?: string; status?: string }
  | { phase: 'signed-in'; user: User; renewal: { notice: string } | null };

/** A password-setup link opens /app/set-password#token=…: that page, whatever session this tab has. */
const initialState = (): State => (window.location.pathname.endsWith('/set-password') ? { phase: 'set-password', token: takeSetupToken() } : { phase: 'resuming' });

export function App() {
  const [state, setState] = useState<State>(initialState);

  useEffect(() => {
    let live = true;
    if (state.phase === 'resuming') {
      void resumeSession().then((user) => {
        if (live) setState(user ? { phase: 'signed-in', user, renewal: null } : { phase: 'signed-out', notice: null });
      });
    }
    const stop = session.onEnded((reason) => {
      const notice = reason.code === 'SESSION_IDLE' ? reason.problem.detail : 'Your session has ended. Sign in again.';
      setState((previous) => (previous.phase === 'signed-in' ? { ...previous, renewal: { notice } } : { phase: 'signed-out', notice }));
    });
    return () => {
      live = false;
      stop();
    };
  }, []);

  if (state.phase === 'set-password') {
    return (
      <SetPassword
        token={state.token}
        onDone={(email) => {
          window.history.replaceState(null, '', '/app/');
          setState({ phase: 'signed-out', notice: null, email, status: 'Your password is set. Sign in with it now.' });
        }}
      />
    );
  }
  if (state.phase === 'resuming') return <p className="hint center">Loading…</p>;
  if (state.phase === 'signed-out') {
    return (
      <SignIn
        notice={state.notice}
        initialEmail={state.email}
        status={state.status ?? null}
        onSignedIn={(user) => setState({ phase: 'signed-in', user, renewal: null })}
      />
    );
  }
  const renewal = state.renewal;
  return (
    <>
      <div inert={renewal !== null} aria-hidden={renewal !== null ? true : undefined}>
        <Portal
          // Another person signing in gets a fresh portal: nothing of the previous user's screen survives.
          key={state.user.id}
          user={state.user}
          onSignOut={async () => {
            await signOut();
            setState({ phase: 'signed-out', notice: null });
          }}
          onSignedOutHere={(notice) => {
            // The server has ended this session already: forget its tokens, nothing to tell it.
            session.clear();
            setState({ phase: 'signed-out', notice: null, status: notice });
          }}
        />
      </div>
      {renewal && (
        <div className="renew-overlay">
          <SignIn embedded notice={renewal.notice} onSignedIn={(user) => setState({ phase: 'signed-in', user, renewal: null })} />
        </div>
      )}
    </>
  );
}

function Portal({ user, onSignOut, onSignedOutHere }: { user: User; onSignOut: () => Promise<void>; onSignedOutHere: (notice: string) => void }) {
  const route = useRoute();
  const can = (permission: Permission) => user.permissions.includes(permission);
  const [signingOut, setSigningOut] = useState(false);

  const links: { route: Route; label: string; shown: boolean }[] = [
    { route: { name: 'applications' }, label: 'Applications', shown: can('applications:read') },
    { route: { name: 'users' }, label: 'Users', shown: can('users:manage') },
    { route: { name: 'lenders' }, label: 'Lenders', shown: can('users:manage') },
    { route: { name: 'audit' }, label: 'Audit log', shown: can('audit:read') },
    { route: { name: 'rate-limits' }, label: 'Rate limits', shown: can('rate-limits:clear') },
  ];

  return (
    <>
      <SessionWarning />
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Boreal Portal</span>
        <nav aria-label="Main">
          <ul>
            {links
              .filter((link) => link.shown)
              .map((link) => (
                <li key={link.route.name}>
                  <a href={hrefOf(link.route)} aria-current={isCurrent(route, link.route) ? 'page' : undefined}>
                    {link.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          <a href={hrefOf({ name: 'account' })} aria-current={route.name === 'account' ? 'page' : undefined}>
            {user.name} <span className="hint">({user.roles.join(', ')})</span>
            <span className="visually-hidden"> — your account</span>
          </a>
          <button
            type="button"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              void onSignOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="content">
        <Screen route={route} user={user} can={can} onSignedOutHere={onSignedOutHere} />
      </main>
    </>
  );
}

const isCurrent = (current: Route, link: Route) =>
  current.name === link.name || (link.name === 'applications' && (current.name === 'application' || current.name === 'new-application'));

function Screen({
  route,
  user,
  can,
  onSignedOutHere,
}: {
  route: Route;
  user: User;
  can: (permission: Permission) => boolean;
  onSignedOutHere: (notice: string) => void;
}) {
  const forbidden = (
    <section>
      <ScreenHeading>Not allowed</ScreenHeading>
      <ErrorMessage>You do not have permission to see this page.</ErrorMessage>
    </section>
  );
  switch (route.name) {
    case 'applications':
      return can('applications:read') ? <Applications canWrite={can('applications:write')} filters={{ status: route.status ?? '', q: route.q ?? '' }} /> : forbidden;
    case 'application':
      return can('applications:read') ? (
        <ApplicationDetail key={route.id} id={route.id} canWrite={can('applications:write')} canListUsers={can('users:manage')} currentUser={user} />
      ) : (
        forbidden
      );
    case 'new-application':
      return can('applications:write') ? <NewApplication /> : forbidden;
    case 'users':
      return can('users:manage') ? <Users /> : forbidden;
    case 'lenders':
      return can('users:manage') ? <Lenders /> : forbidden;
    case 'audit':
      return can('audit:read') ? <AuditLog filters={{ type: route.type ?? '', userId: route.userId ?? '' }} canListUsers={can('users:manage')} /> : forbidden;
    case 'rate-limits':
      return can('rate-limits:clear') ? <RateLimits /> : forbidden;
    case 'account':
      return <Account onSignedOutHere={onSignedOutHere} />;
  }
}
