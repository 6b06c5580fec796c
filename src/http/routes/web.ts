// The staff web UI (web/, built by `npm run build:web` into dist/web), served
// at /app/ with `GET /` sent there. The same routes are registered whether
// or not the UI is built, so the route table stays one table (`boreal
// routes`, the role matrix): without a build, /app/* answers 404 NOT_FOUND
// saying how to build it, and the API works as ever. The files are public
// (routes under /app are public by prefix, src/http/access.ts): the UI holds
// no secret, and every API call it makes carries its own token.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../errors.js';

export const WEB_UI_PREFIX = '/app';

/**
 * The folder of package.json "boreal-portal": found by walking up from this
 * module, which sits at src/http/routes under tsx and vitest and at
 * dist/http/routes in the build, so neither layout is hard-coded.
 */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let directory = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'boreal-portal') return directory;
      } catch {
        // Not ours or not JSON: keep walking up.
      }
    }
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`package.json of boreal-portal not found above ${fileURLToPath(fromUrl)}`);
    directory = parent;
  }
}

export const defaultWebUiDirectory = () => path.join(packageRoot(), 'dist', 'web');

/** Hashed bundles never change under a name; index.html must be revalidated to pick up a new build. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Only the UI's own files may run or style the page, nothing may frame it
 * (clickjacking of the sign-in form), and the API is the one origin it talks to.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function webHeaders(filePath: string): Record<string, string> {
  const isHashedAsset = filePath.split(path.sep).includes('assets');
  const headers: Record<string, string> = { 'Cache-Control': isHashedAsset ? IMMUTABLE : 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  if (filePath.endsWith('.html')) {
    headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    headers['X-Frame-Options'] = 'DENY';
    headers['Referrer-Policy'] = 'no-referrer';
  }
  return headers;
}

function setWebHeaders(response: SetHeadersResponse, filePath: string): void {
  for (const [name, value] of Object.entries(webHeaders(filePath))) response.setHeader(name, value);
}

export interface WebUiOptions {
  /** The built UI (default: dist/web of the package). */
  directory?: string;
}

export const webRoutes = (options: WebUiOptions = {}): FastifyPluginAsync => async (app) => {
  const directory = options.directory ?? defaultWebUiDirectory();
  const isPublic = { access: { public: true } } as const;
  // Not API operations: kept out of the OpenAPI document.
  const hidden = { hide: true };

  app.get('/', { config: isPublic, schema: hidden }, async (_request, reply) => reply.redirect(`${WEB_UI_PREFIX}/`, 302));
  app.get(WEB_UI_PREFIX, { config: isPublic, schema: hidden }, async (_request, reply) => reply.redirect(`${WEB_UI_PREFIX}/`, 302));

  const indexFile = path.join(directory, 'index.html');
  const built = existsSync(indexFile);
  // A password-setup link (API.md "Account lifecycle") opens the UI at a path
  // of its own: <PUBLIC_URL>/app/set-password#token=…. The token rides in the
  // fragment, which no request carries, so this route never sees it.
  app.get(`${WEB_UI_PREFIX}/set-password`, { config: isPublic, schema: hidden }, async (_request, reply) => {
    if (!built) throw new AppError('NOT_FOUND', { detail: 'The web UI is not built: run `npm run build` (or `npm run build:web`).' });
    return reply
      .headers(webHeaders(indexFile))
      .type('text/html; charset=utf-8').send(readFileSync(indexFile));
  });
  if (built) {
    // Registers HEAD and GET /app/* (public by the /app prefix; the plugin's routes carry no config).
    await app.register(fastifyStatic, {
      root: directory,
      prefix: `${WEB_UI_PREFIX}/`,
      index: ['index.html'],
      decorateReply: false,
      dotfiles: 'ignore',
      list: false,
      cacheControl: false,
      setHeaders: setWebHeaders,
    });
    return;
  }

  const notBuilt = async () => {
    throw new AppError('NOT_FOUND', { detail: 'The web UI is not built: run `npm run build` (or `npm run build:web`).' });
  };
  app.route({ method: ['HEAD', 'GET'], url: `${WEB_UI_PREFIX}/*`, config: isPublic, schema: hidden, handler: notBuilt });
};
