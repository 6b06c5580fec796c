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
import { Users } from './screens/Users';
import { AccountSecurity } from './screens/AccountSecurity';
import { SessionWarning } from './SessionWarning';
import type { Permission, User } from './types';
import { ErrorMessage, ScreenHeading } from './ui';

type State =
  | { phase: 'resuming' }
  | { phase: 'signed-out'; notice: string | null }
  | { phase: 'signed-in'; user: User; renewal: { notice: string } | null };

export function App() {
  const [state, setState] = useState<State>({ phase: 'resuming' });

  useEffect(() => {
    let live = true;
    void resumeSession().then((user) => {
      if (live) setState(user ? { phase: 'signed-in', user, renewal: null } : { phase: 'signed-out', notice: null });
    });
    const stop = session.onEnded((reason) => {
      const notice = reason.code === 'SESSION_IDLE' ? reason.problem.detail : 'Your session has ended. Sign in again.';
      setState((previous) => (previous.phase === 'signed-in' ? { ...previous, renewal: { notice } } : { phase: 'signed-out', notice }));
    });
    return () => {
      live = false;
      stop();
    };
  }, []);

  if (state.phase === 'resuming') return <p className="hint center">Loading…</p>;
  if (state.phase === 'signed-out') return <SignIn notice={state.notice} onSignedIn={(user) => setState({ phase: 'signed-in', user, renewal: null })} />;
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

function Portal({ user, onSignOut }: { user: User; onSignOut: () => Promise<void> }) {
  const route = useRoute();
  const can = (permission: Permission) => user.permissions.includes(permission);
  const [signingOut, setSigningOut] = useState(false);

  const links: { route: Route; label: string; shown: boolean }[] = [
    { route: { name: 'applications' }, label: 'Applications', shown: can('applications:read') },
    { route: { name: 'users' }, label: 'Users', shown: can('users:manage') },
    { route: { name: 'lenders' }, label: 'Lenders', shown: can('users:manage') },
    { route: { name: 'audit' }, label: 'Audit log', shown: can('audit:read') },
    { route: { name: 'rate-limits' }, label: 'Rate limits', shown: can('rate-limits:clear') },
    // Until the account page (password, sessions) lands, it holds the second factors only.
    { route: { name: 'account' }, label: 'Account', shown: true },
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
          <span>
            {user.name} <span className="hint">({user.roles.join(', ')})</span>
          </span>
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
        <Screen route={route} user={user} can={can} />
      </main>
    </>
  );
}

const isCurrent = (current: Route, link: Route) =>
  current.name === link.name || (link.name === 'applications' && (current.name === 'application' || current.name === 'new-application'));

function Screen({ route, user, can }: { route: Route; user: User; can: (permission: Permission) => boolean }) {
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
      return <AccountSecurity />;
  }
}
