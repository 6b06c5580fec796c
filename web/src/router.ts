// Hash routes (#/applications/…): the server serves one index.html at /app/
// and needs no fallback for deep links; a reload keeps the screen.

import { useEffect, useState } from 'react';

export type Route =
  | { name: 'applications' }
  | { name: 'new-application' }
  | { name: 'application'; id: string }
  | { name: 'users' }
  | { name: 'rate-limits' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/applications';
  if (path === '/applications/new') return { name: 'new-application' };
  const detail = /^\/applications\/([0-9a-fA-F-]{1,64})$/.exec(path);
  if (detail) return { name: 'application', id: detail[1]! };
  if (path === '/users') return { name: 'users' };
  if (path === '/rate-limits') return { name: 'rate-limits' };
  return { name: 'applications' };
}

export const hrefOf = (route: Route): string => {
  switch (route.name) {
    case 'applications':
      return '#/applications';
    case 'new-application':
      return '#/applications/new';
    case 'application':
      return `#/applications/${route.id}`;
    case 'users':
      return '#/users';
    case 'rate-limits':
      return '#/rate-limits';
  }
};

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
