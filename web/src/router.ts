// Hash routes (#/applications/…): the server serves one index.html at /app/
// and needs no fallback for deep links; a reload keeps the screen. A list's
// filters live in the hash's query (#/applications?status=approved&q=pine),
// so a reload, a bookmark or a shared link shows the same list.

import { useEffect, useState } from 'react';

export interface ApplicationFilters {
  status: string;
  q: string;
}

export interface AuditFilters {
  type: string;
  userId: string;
}

export type Route =
  | ({ name: 'applications' } & Partial<ApplicationFilters>)
  | { name: 'new-application' }
  | { name: 'application'; id: string }
  | { name: 'users' }
  | { name: 'lenders' }
  | ({ name: 'audit' } & Partial<AuditFilters>)
  | { name: 'rate-limits' }
  | { name: 'account' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = (hash.replace(/^#/, '') || '/applications').split('?', 2);
  const query = new URLSearchParams(search);
  const param = (name: string) => query.get(name) ?? '';
  if (path === '/applications/new') return { name: 'new-application' };
  const detail = /^\/applications\/([0-9a-fA-F-]{1,64})$/.exec(path);
  if (detail) return { name: 'application', id: detail[1]! };
  if (path === '/users') return { name: 'users' };
  if (path === '/lenders') return { name: 'lenders' };
  if (path === '/audit') return { name: 'audit', type: param('type'), userId: param('userId') };
  if (path === '/rate-limits') return { name: 'rate-limits' };
  if (path === '/account') return { name: 'account' };
  return { name: 'applications', status: param('status'), q: param('q') };
}

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export const hrefOf = (route: Route): string => {
  switch (route.name) {
    case 'applications':
      return withQuery('#/applications', { status: route.status, q: route.q });
    case 'new-application':
      return '#/applications/new';
    case 'application':
      return `#/applications/${route.id}`;
    case 'users':
      return '#/users';
    case 'lenders':
      return '#/lenders';
    case 'audit':
      return withQuery('#/audit', { type: route.type, userId: route.userId });
    case 'rate-limits':
      return '#/rate-limits';
    case 'account':
      return '#/account';
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
