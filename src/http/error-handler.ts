// One place turns every failure into an RFC 9457 problem document. Fastify's
// own errors (validation, content type, body size) are mapped to the
// catalogue (the request limit throws its own AppError: request-limit.ts);
// anything unforeseen becomes a masked 500, logged with the request id and
// never shown to the client.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem, tryAgainIn, type ErrorCode } from '../errors.js';
import { databaseUnavailableOf } from '../db/connection-errors.js';
import { toFieldErrors } from './validation.js';
import { setSecurityHeaders } from './request-hardening.js';

const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new AppError('UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new AppError('PAYLOAD_TOO_LARGE'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('MALFORMED_JSON', { detail: 'The request body is empty; send a JSON object.' }),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new AppError('MALFORMED_JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new AppError('VALIDATION_FAILED', { detail: 'The Content-Length header does not match the body.' }),
};

/** What a client is told to wait when the database is away: the pool's connect timeout and a reconnect fit in it. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError & { validation?: Parameters<typeof toFieldErrors>[0]; validationContext?: string };
  if (fastifyError.validation) {
    const errors = toFieldErrors(fastifyError.validation);
    return new AppError('VALIDATION_FAILED', {
      detail: `The ${fastifyError.validationContext === 'querystring' ? 'query' : fastifyError.validationContext ?? 'request'} is not valid: ${errors.map((field) => `${field.path} ${field.message}`).join('; ')}.`,
      errors,
    });
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return mapped();
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new AppError('MALFORMED_JSON');
  if (fastifyError.statusCode === 404) return new AppError('NOT_FOUND');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('VALIDATION_FAILED', { detail: 'The request is not valid.' });
  }
  const unavailable = databaseUnavailableOf(error);
  if (unavailable) {
    return new AppError('SERVICE_UNAVAILABLE', {
      detail: `The database cannot be reached right now. ${tryAgainIn(DATABASE_RETRY_AFTER_SECONDS)}`,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return new AppError('INTERNAL_ERROR', { cause: error });
}

const WWW_AUTHENTICATE: Partial<Record<AppError['code'], string>> = {
  AUTHENTICATION_REQUIRED: 'Bearer realm="boreal"',
  INVALID_TOKEN: 'Bearer realm="boreal", error="invalid_token"',
  TOKEN_EXPIRED: 'Bearer realm="boreal", error="invalid_token", error_description="The access token expired"',
};

declare module 'fastify' {
  interface FastifyReply {
    /** The catalogue code this answer carries, when it is a problem (read by the metrics hook). */
    problemCode: ErrorCode | null;
  }
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  reply.problemCode = error.code;
  const challenge = WWW_AUTHENTICATE[error.code];
  if (challenge) reply.header('WWW-Authenticate', challenge);
  if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(Math.max(0, Math.ceil(error.retryAfterSeconds))));
  return reply.code(error.status).type('application/problem+json').send(toProblem(error));
}

/** What PostgreSQL (pg, PGlite) says about a failed statement, found anywhere in the cause chain. */
interface DatabaseFailure {
  sqlState: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function databaseFailureOf(error: unknown): DatabaseFailure | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const candidate = current as Record<string, unknown>;
    // A driver error has a SQLSTATE `code` and at least one of the server's diagnostic fields.
    if (typeof candidate.code === 'string' && SQLSTATE.test(candidate.code) && ('severity' in candidate || 'routine' in candidate || 'table' in candidate)) {
      const text = (key: string) => (typeof candidate[key] === 'string' ? { [key]: candidate[key] as string } : {});
      return { sqlState: candidate.code, ...text('constraint'), ...text('table'), ...text('column'), ...text('routine') };
    }
    current = candidate.cause;
  }
  return undefined;
}

/**
 * A failed statement is logged by its SQLSTATE and the names of what it hit,
 * never whole: the ORM's message holds the query and every parameter
 * (password hashes, applicants' personal data).
 */
function logUnhandled(request: FastifyRequest, error: Error): void {
  const database = databaseFailureOf(error);
  if (database) {
    request.log.error({ db: database, reqId: request.id }, `database statement failed (SQLSTATE ${database.sqlState}, masked as 500)`);
    return;
  }
  request.log.error({ err: error, reqId: request.id }, 'unhandled error (masked as 500)');
}

/**
 * Errors the router raises before any route or hook (Fastify's
 * `frameworkErrors`): without this they answer Fastify's own JSON, not a
 * problem document. A path that is not valid percent-encoding is refused;
 * a path parameter too long to be any id names nothing.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // No hook runs for these answers: the headers every answer carries are set here.
  reply.header('content-type', 'application/problem+json');
  setSecurityHeaders(request, reply);
  if (error.code === 'FST_ERR_BAD_URL') return sendProblem(reply, new AppError('VALIDATION_FAILED', { detail: 'The URL is not valid: a path segment is not valid percent-encoded UTF-8.' }));
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, new AppError('NOT_FOUND'));
  return sendProblem(reply, toAppError(error));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.decorateReply('problemCode', null);
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.status >= 500 && appError.code === 'INTERNAL_ERROR') {
      logUnhandled(request, error);
    } else if (appError.status >= 500) {
      // The reason is a SQLSTATE or a socket code: never the statement or its parameters.
      const database = appError.code === 'SERVICE_UNAVAILABLE' ? databaseUnavailableOf(error) : undefined;
      request.log.warn({ code: appError.code, ...(database ? { db: database } : {}) }, appError.detail);
    }
    return sendProblem(reply, appError);
  });
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, new AppError('NOT_FOUND')));
}
