// Sessions a user can see and end (API.md "Your account"), and the same for an
// admin on any user. Every revocation goes through the session store, which
// is what makes it take effect at once for the access tokens (they are
// checked against the live session on every request).

import type { AuditLog } from '../audit/audit.js';
import type { Database } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { findUserById } from '../users/users-repository.js';
import type { SessionStore, SessionSummary } from './sessions.js';

export interface SessionListDeps {
  db: Database;
  sessions: Pick<SessionStore, 'listLive' | 'revokeOfUser' | 'revokeAllOfUser'>;
  audit: AuditLog;
}

/** The signed-in user and the session they ask from. */
export interface SessionOwner {
  userId: string;
  sessionId: string;
}

export interface AdminSessionActor {
  actorId: string | null;
  ip: string | null;
}

export interface SessionList {
  listOwn(owner: SessionOwner): Promise<(SessionSummary & { current: boolean })[]>;
  /** NOT_FOUND for an unknown id or another user's session. */
  endOwn(owner: SessionOwner, sessionId: string, ip: string): Promise<void>;
  /** Every session of the user, the asking one included ("sign out everywhere"). */
  endAllOwn(owner: SessionOwner, ip: string): Promise<number>;
  listOfUser(userId: string): Promise<SessionSummary[]>;
  endAllOfUser(userId: string, actor: AdminSessionActor): Promise<number>;
}

const noSuchSession = () => new AppError('NOT_FOUND', { detail: 'There is no such session.' });
const noSuchUser = () => new AppError('NOT_FOUND', { detail: 'There is no such user.' });

export function createSessionList(deps: SessionListDeps): SessionList {
  const { db, sessions, audit } = deps;

  async function existingUser(userId: string) {
    const user = isUuid(userId) ? await findUserById(db, userId) : undefined;
    if (!user) throw noSuchUser();
    return user;
  }

  return {
    async listOwn(owner) {
      const items = await sessions.listLive(owner.userId);
      return items.map((item) => ({ ...item, current: item.id === owner.sessionId }));
    },

    async endOwn(owner, sessionId, ip) {
      if (!isUuid(sessionId)) throw noSuchSession();
      if (!(await sessions.revokeOfUser(owner.userId, sessionId.toLowerCase(), 'revoked-by-user'))) throw noSuchSession();
      await audit.record({ type: 'SESSION_REVOKED', userId: owner.userId, actorId: owner.userId, ip, detail: { sessionId: sessionId.toLowerCase(), count: 1 } });
    },

    async endAllOwn(owner, ip) {
      const count = await sessions.revokeAllOfUser(owner.userId, 'revoked-by-user');
      await audit.record({ type: 'SESSION_REVOKED', userId: owner.userId, actorId: owner.userId, ip, detail: { all: true, count } });
      return count;
    },

    async listOfUser(userId) {
      const user = await existingUser(userId);
      return sessions.listLive(user.id);
    },

    async endAllOfUser(userId, actor) {
      const user = await existingUser(userId);
      const count = await sessions.revokeAllOfUser(user.id, 'revoked-by-admin');
      await audit.record({ type: 'SESSION_REVOKED', userId: user.id, actorId: actor.actorId, ip: actor.ip, detail: { all: true, count } });
      return count;
    },
  };
}
