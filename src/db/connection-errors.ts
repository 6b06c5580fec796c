// Which failures mean "the database cannot be reached right now", as opposed
// to a statement that is wrong: those answer 503 SERVICE_UNAVAILABLE with
// Retry-After (API.md "Errors"), never a masked 500. Found anywhere in the
// cause chain (Drizzle wraps the driver's error).

/** Socket errors of a database that is down, restarting or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01
 * admin_shutdown (pg_terminate_backend, a restart), 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up), 53300 too_many_connections, 57014
 * query_canceled (our statement_timeout: the server is too slow to answer).
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300|57014)$/;

/** What node-postgres says when the connection went away or never came (no code of its own). */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended',
  'Cannot use a pool after calling end',
];

export interface DatabaseUnavailable {
  /** The SQLSTATE or socket code, or `connection-lost` / `timeout`: safe to log. */
  reason: string;
}

export function databaseUnavailableOf(error: unknown): DatabaseUnavailable | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 6; depth += 1) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string') {
      if (SOCKET_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATES.test(candidate.code)) return { reason: candidate.code };
    }
    if (typeof candidate.message === 'string') {
      const message = candidate.message;
      const known = DRIVER_MESSAGES.find((text) => message.includes(text));
      if (known) return { reason: /timeout/i.test(known) ? 'timeout' : 'connection-lost' };
    }
    // Node's AggregateError (a refused connection to every address of `localhost`).
    if (Array.isArray(candidate.errors)) {
      for (const inner of candidate.errors) {
        const found = databaseUnavailableOf(inner);
        if (found) return found;
      }
    }
    current = candidate.cause;
  }
  return undefined;
}
