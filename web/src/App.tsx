// The shell: resume a session after a reload (refresh token in
// sessionStorage), sign-in when there is none, and the portal's header,
// navigation and screens by permission once signed in.

import { useEffect, useState } from 'react';
import { resumeSession, session, signOut } from './api';
import { hrefOf, useRoute, type Route } from './router';
import { ApplicationDetail } from './screens/ApplicationDetail';
import { Applications } from './screens/Applications';
import { NewApplication } from './screens/NewApplication';
import { RateLimits } from './screens/RateLimits';
import { SignIn } from './screens/SignIn';
import { Users } from './screens/Users';
import type { Permission, User } from './types';
import { ErrorMessage, ScreenHeading } from './ui';

type State = { phase: 'resuming' } | { phase: 'signed-out'; notice: string | null } | { phase: 'signed-in'; user: User };

export function App() {
  const [state, setState] = useState<State>({ phase: 'resuming' });

  useEffect(() => {
    let live = true;
    void resumeSession().then((user) => {
      if (live) setState(user ? { phase: 'signed-in', user } : { phase: 'signed-out', notice: null });
    });
    const stop = session.onEnded(() => setState({ phase: 'signed-out', notice: 'Your session has ended. Sign in again.' }));
    return () => {
      live = false;
      stop();
    };
  }, []);

  if (state.phase === 'resuming') return <p className="hint center">Loading…</p>;
  if (state.phase === 'signed-out') return <SignIn notice={state.notice} onSignedIn={(user) => setState({ phase: 'signed-in', user })} />;
  return (
    <Portal
      user={state.user}
      onSignOut={async () => {
        await signOut();
        setState({ phase: 'signed-out', notice: null });
      }}
    />
  );
}

function Portal({ user, onSignOut }: { user: User; onSignOut: () => Promise<void> }) {
  const route = useRoute();
  const can = (permission: Permission) => user.permissions.includes(permission);
  const [signingOut, setSigningOut] = useState(false);

  const links: { route: Route; label: string; shown: boolean }[] = [
    { route: { name: 'applications' }, label: 'Applications', shown: can('applications:read') },
    { route: { name: 'users' }, label: 'Users', shown: can('users:manage') },
    { route: { name: 'rate-limits' }, label: 'Rate limits', shown: can('rate-limits:clear') },
  ];

  return (
    <>
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
      return can('applications:read') ? <Applications canWrite={can('applications:write')} /> : forbidden;
    case 'application':
      return can('applications:read') ? <ApplicationDetail key={route.id} id={route.id} canWrite={can('applications:write')} currentUserId={user.id} /> : forbidden;
    case 'new-application':
      return can('applications:write') ? <NewApplication /> : forbidden;
    case 'users':
      return can('users:manage') ? <Users /> : forbidden;
    case 'rate-limits':
      return can('rate-limits:clear') ? <RateLimits /> : forbidden;
  }
}
