// How the server serves the web UI (src/http/routes/web.ts), on a folder made
// here so the suite does not depend on whether `npm run build:web` ran: the
// same routes with or without a build, files public with safe headers, no
// path outside the folder, and the package root found from src/ and dist/ alike.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyAccessToken } from '../../src/auth/access-token-check.js';
import { recordRoutes } from '../../src/cli/route-table.js';
import { enforceRouteAccess } from '../../src/http/access.js';
import { installErrorHandling } from '../../src/http/error-handler.js';
import { packageRoot, webRoutes } from '../../src/http/routes/web.js';
import { json } from '../helpers/app.js';

let scratch: string;
let built: string;

async function serve(directory: string): Promise<FastifyInstance> {
  const app = Fastify({ exposeHeadRoutes: false });
  installErrorHandling(app);
  // Every web route must be public: a route that needed a token would reach the (absent) issuer.
  enforceRouteAccess(app, (async () => { throw new Error('no token is checked here'); }) as VerifyAccessToken);
  await app.register(webRoutes({ directory }));
  await app.ready();
  return app;
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'boreal-web-'));
  built = path.join(scratch, 'web');
  mkdirSync(path.join(built, 'assets'), { recursive: true });
  writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>Boreal Portal</title><div id="root"></div>');
  writeFileSync(path.join(built, 'assets', 'index-abc123.js'), 'console.log("ui")');
  writeFileSync(path.join(built, '.env'), 'SECRET=1');
  writeFileSync(path.join(scratch, 'outside.txt'), 'not served');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the web UI routes', () => {
  it('send / and /app to /app/', async () => {
    const app = await serve(built);
    for (const url of ['/', '/app']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(302);
      expect(response.headers.location, url).toBe('/app/');
    }
    await app.close();
  });

  it('serve index.html at /app/ without a token, revalidated, unframeable, scripts only from itself', async () => {
    const app = await serve(built);
    const response = await app.inject({ method: 'GET', url: '/app/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    await app.close();
  });

  it('serve the UI at /app/set-password (the page of password-setup links) with the HTML headers', async () => {
    const app = await serve(built);
    const index = await app.inject({ method: 'GET', url: '/app/' });
    const response = await app.inject({ method: 'GET', url: '/app/set-password' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe(index.body);
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    await app.close();
  });

  it('serve hashed assets as immutable', async () => {
    const app = await serve(built);
    const response = await app.inject({ method: 'GET', url: '/app/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    await app.close();
  });

  it.each(['/app/missing.js', '/app/.env', '/app/../outside.txt', '/app/%2e%2e/outside.txt'])('answer %s with a 404 problem, never a file outside the build', async (url) => {
    const app = await serve(built);
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('SECRET');
    expect(response.body).not.toContain('not served');
    await app.close();
  });

  it('without a build: /app/ answers 404 NOT_FOUND saying how to build it, and the route table is the same', async () => {
    const missing = path.join(scratch, 'not-built');
    const withBuild = await recordRoutes(() => serve(built));
    const withoutBuild = await recordRoutes(() => serve(missing));
    expect(withoutBuild.routes).toEqual(withBuild.routes);
    expect(withBuild.routes).toEqual(['GET /', 'GET /app', 'GET /app/*', 'HEAD /app/*', 'GET /app/set-password']);

    const response = await withoutBuild.result.inject({ method: 'GET', url: '/app/' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(response)).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringContaining('npm run build') });
    await withBuild.result.close();
    await withoutBuild.result.close();
  });

  it('find the package root from src/http/routes and from dist/http/routes alike', () => {
    const root = packageRoot();
    expect(existsSync(path.join(root, 'package.json'))).toBe(true);
    expect(existsSync(path.join(root, 'src', 'http', 'routes', 'web.ts'))).toBe(true);
    expect(packageRoot(pathToFileURL(path.join(root, 'dist', 'http', 'routes', 'web.js')).href)).toBe(root);
    expect(packageRoot(pathToFileURL(path.join(root, 'src', 'http', 'routes', 'web.ts')).href)).toBe(root);
  });
});
