// `boreal routes`: the route table of buildApp, the one function that serves
// development, tests and the production build. It is read from the app
// itself, built over a throwaway in-memory database, so it needs nothing
// reachable and prints the same table whatever the mode (the incident behind
// this product was a production server that mounted fewer routes).

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../app.js';
import { generateKeySet } from '../auth/access-tokens.js';
import type { Config } from '../config.js';
import { wrapPglite } from '../db/connect-pglite.js';
import { createServices } from '../services.js';

/** Fastify publishes every new instance here, before any plugin or route is added. */
const FASTIFY_INITIALIZATION = 'fastify.initialization';

/** Sorted by path, then method (code-point order, so every machine agrees). */
export function sortRouteTable(lines: Iterable<string>): string[] {
  const split = (line: string) => {
    const space = line.indexOf(' ');
    return { method: line.slice(0, space), path: line.slice(space + 1) };
  };
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...new Set(lines)].sort((left, right) => {
    const a = split(left);
    const b = split(right);
    return compare(a.path, b.path) || compare(a.method, b.method);
  });
}

/**
 * Runs `build` and returns, with its result, every `METHOD path` that the
 * Fastify instances it creates register: an onRoute hook is added to each
 * instance as it is born, so routes of every plugin, however nested, are seen.
 */
export async function recordRoutes<T>(build: () => Promise<T>): Promise<{ result: T; routes: string[] }> {
  const lines: string[] = [];
  const onInstance = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) lines.push(`${method.toUpperCase()} ${route.url}`);
    });
  };
  subscribe(FASTIFY_INITIALIZATION, onInstance);
  try {
    const result = await build();
    return { result, routes: sortRouteTable(lines) };
  } finally {
    unsubscribe(FASTIFY_INITIALIZATION, onInstance);
  }
}

/**
 * The table of the app these settings would serve. Only what cannot matter
 * to routing is swapped out: the database (in memory), Redis (unused) and,
 * without JWT_PRIVATE_KEYS, the signing keys (throwaway).
 */
export async function buildRouteTable(config: Config, logger: Logger): Promise<string[]> {
  const database = wrapPglite(new PGlite());
  try {
    await database.migrate();
    const { result: app, routes } = await recordRoutes(async () => {
      const services = await createServices({ ...config, redisUrl: undefined }, database, logger, {
        keySet: config.jwt.privateKeys ?? (await generateKeySet()),
      });
      const built = await buildApp(services, { logger });
      await built.ready();
      return built;
    });
    await app.close();
    return routes;
  } finally {
    await database.close();
  }
}
