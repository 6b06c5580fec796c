// The embedded database's side of connect.ts, in a module of its own so that
// only a server without DATABASE_URL loads it (drizzle's PGlite driver
// imports PGlite itself): connect.ts imports this file dynamically.

import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import * as schema from './schema.js';
import { handleOver, MIGRATIONS_FOLDER, type DatabaseHandle } from './connect.js';

export function wrapPglite(client: PGlite): DatabaseHandle {
  const db = drizzlePglite(client, { schema });
  return handleOver(db, 'pglite', () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }), () => client.close(), async (channel, handlers) => {
    // In-process: this channel is never lost.
    const unsubscribe = await client.listen(channel, (payload) => handlers.onNotification(payload));
    handlers.onListening();
    return { close: () => (client.closed ? Promise.resolve() : unsubscribe()) };
  });
}
