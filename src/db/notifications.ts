// LISTEN on a PostgreSQL channel over a connection of its own (a pooled one
// would be handed to other queries, and its LISTEN lost). The connection can
// be lost (a restart, a failover, pg_terminate_backend, a network cut): the
// listener says so at once (onLost), reconnects with a growing pause, and
// says when it listens again (onListening), so its user can distrust what
// it cached in between (notifications sent meanwhile are gone for good).

import pg from 'pg';

export interface ChannelHandlers {
  onNotification(payload: string): void;
  /** Listening (again): what was cached before may have missed notifications. */
  onListening(): void;
  /** Not listening any more; onListening follows once reconnected. */
  onLost(error: Error): void;
}

export interface ChannelSubscription {
  close(): Promise<void>;
}

/** Application name of the listening connection, distinct from the pool's (operators see it in pg_stat_activity). */
export const LISTEN_APPLICATION_NAME = 'boreal-listen';

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;
/** A connection cut without a FIN (a dead network) says nothing: a ping finds it out. */
const PING_INTERVAL_MS = 5000;
const PING_TIMEOUT_MS = 2000;

export function listenPostgres(target: string | pg.ClientConfig, channel: string, handlers: ChannelHandlers): ChannelSubscription {
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = RETRY_FIRST_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let listening = false;

  const lost = (current: pg.Client, error: Error) => {
    if (client !== current) return; // already handled
    client = undefined;
    clearInterval(pingTimer);
    current.removeAllListeners('notification');
    current.on('error', () => {}); // a late error of a dropped client must not crash the process
    current.end().catch(() => {});
    if (listening) handlers.onLost(error);
    listening = false;
    if (closed) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const connect = async () => {
    if (closed) return;
    const current = new pg.Client({
      ...(typeof target === 'string' ? { connectionString: target } : target),
      application_name: LISTEN_APPLICATION_NAME,
      connectionTimeoutMillis: PING_TIMEOUT_MS,
      query_timeout: PING_TIMEOUT_MS,
      keepAlive: true,
    });
    client = current;
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current, new Error('the listening connection ended')));
    current.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotification(message.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      lost(current, error as Error);
      return;
    }
    if (client !== current || closed) return;
    retryMs = RETRY_FIRST_MS;
    listening = true;
    handlers.onListening();
    pingTimer = setInterval(() => {
      current.query('select 1').catch((error: Error) => lost(current, error));
    }, PING_INTERVAL_MS);
    pingTimer.unref();
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}
