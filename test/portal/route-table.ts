// The route table of an app as it is built: every `METHOD url` that any
// Fastify instance registers, with the access it declares. Fastify announces
// each new instance on a diagnostics channel before any plugin or route is
// added, so an onRoute hook attached there sees every route, however nested
// (the same technique as `boreal routes`, src/cli/route-table.ts).

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { routeAccess, type RouteAccess } from '../../src/http/access.js';

export interface CapturedRoute {
  method: string;
  url: string;
  /** As the access hook reads it (declared, or public by plugin prefix). */
  access: RouteAccess | undefined;
  hidden: boolean;
  /** The route's schema as declared (params, querystring, body), for suites that generate requests from it. */
  schema: { params?: unknown; querystring?: unknown; body?: unknown } | undefined;
}

export const routeKey = (route: { method: string; url: string }) => `${route.method} ${route.url}`;

export async function captureRouteTable<T>(build: () => Promise<T>): Promise<{ result: T; routes: CapturedRoute[] }> {
  const routes: CapturedRoute[] = [];
  const onInstance = (message: unknown) => {
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route: RouteOptions) => {
      for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
        routes.push({
          method: String(method).toUpperCase(),
          url: route.url,
          access: routeAccess(route),
          hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide),
          schema: route.schema as CapturedRoute['schema'],
        });
      }
    });
  };
  subscribe('fastify.initialization', onInstance);
  try {
    const result = await build();
    const unique = new Map(routes.map((route) => [routeKey(route), route]));
    return { result, routes: [...unique.values()].sort((a, b) => routeKey(a).localeCompare(routeKey(b))) };
  } finally {
    unsubscribe('fastify.initialization', onInstance);
  }
}
