// Hooks that hold for every route, present and future, so no route can forget
// them (issue #9): strings with U+0000 are refused at their path, UUID path
// parameters are made canonical (lower case) before any handler compares
// them, and every answer carries the headers API.md "Errors" promises.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { canonicalUuidParams, findNulCharacter } from './validation.js';

/**
 * For HTML that declares no policy of its own: nothing but the page's own
 * files may run, and nothing may frame it (clickjacking).
 */
export const DEFAULT_HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

function refuseNul(request: FastifyRequest): void {
  const parts: Array<[string, unknown]> = [
    ['path parameter', request.params],
    ['query', request.query],
    ['body', request.body],
  ];
  for (const [part, value] of parts) {
    const path = findNulCharacter(value);
    if (path) {
      const message = 'must not contain the character U+0000';
      throw new AppError('VALIDATION_FAILED', { detail: `The ${part} is not valid: ${path} ${message}.`, errors: [{ path, message }] });
    }
  }
}

/** Also called where no hook runs (router errors, error-handler.ts). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  // Answers of the API hold personal data and tokens: no cache keeps them.
  if (isApiPath(request.url)) reply.header('Cache-Control', 'no-store');
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.startsWith('text/html')) {
    if (!reply.hasHeader('content-security-policy')) reply.header('Content-Security-Policy', DEFAULT_HTML_CSP);
    reply.header('X-Frame-Options', 'DENY');
  }
}

export function installRequestHardening(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.params && typeof request.params === 'object') canonicalUuidParams(request.params as Record<string, unknown>);
    refuseNul(request);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(request, reply);
    return payload;
  });
}
