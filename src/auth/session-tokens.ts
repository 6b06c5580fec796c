// What a completed sign-in turns into: a session, an access token and a
// refresh token (startSession); then the session's life: refresh and logout.
// How a presented access token is checked lives in access-token-check.ts.

import { AppError } from '../errors.js';
import type { AuditLog } from '../audit/audit.js';
import type { Database, Transaction } from '../db/connect.js';
import type { Principal } from '../rbac/roles.js';
import { findUserById, toUserView, type UserRecord, type UserView } from '../users/users-repository.js';
import type { AccessTokens } from './access-tokens.js';
import type { IssuedRefreshToken, SessionOrigin, SessionStore } from './sessions.js';

/** The answer of a sign-in or a refresh (API.md "Verify"). */
export interface SignedIn {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserView;
}

export interface SessionTokens {
  /**
   * Starts a session for a user whose sign-in has just succeeded. The roles
   * and the disabled flag are read again, in the transaction that creates the
   * session, FOR SHARE on the users row: a role change or a disable (which
   * updates that row and revokes the sessions in one transaction) either
   * waits for this session and then revokes it, or is seen by it. Either
   * way no live session keeps roles the user no longer has. A user disabled
   * or gone by now gets INVALID_TEMP_TOKEN, as sign-in answers a disabled user.
   * `origin`: the address, browser and methods of the sign-in's last step, for the session list.
   * `alsoInTransaction`: the sign-in's own writes, run after the user is read
   * FOR SHARE and before the session is created, committed with it (verify
   * ends its challenge there). Taking the user's lock first keeps the order
   * of locks an admin change takes (users row, then challenges and sessions):
   * the other order could deadlock with it.
   */
  startSession(user: Pick<UserRecord, 'id'>, origin?: SessionOrigin, alsoInTransaction?: (tx: Transaction) => Promise<void>): Promise<SignedIn>;
  refresh(input: { refreshToken: string; ip: string }): Promise<SignedIn>;
  logout(input: { principal: Principal; ip: string }): Promise<void>;
}

export function createSessionTokens(deps: {
  db: Database;
  jwt: AccessTokens;
  accessTokenTtlSeconds: number;
  sessions: SessionStore;
  audit: AuditLog;
}): SessionTokens {
  const { db, jwt, sessions, audit } = deps;

  async function signedInAnswer(user: UserRecord, issued: IssuedRefreshToken): Promise<SignedIn> {
    const accessToken = await jwt.sign({ userId: user.id, sessionId: issued.sessionId, roles: user.roles, amr: issued.amr });
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: deps.accessTokenTtlSeconds,
      refreshToken: issued.refreshToken,
      refreshExpiresIn: issued.refreshExpiresInSeconds,
      user: toUserView(user),
    };
  }

  return {
    async startSession({ id }, origin, alsoInTransaction) {
      const { user, issued } = await db.transaction(async (tx) => {
        const current = await findUserById(tx, id, 'share');
        if (!current || current.disabled) throw new AppError('INVALID_TEMP_TOKEN');
        await alsoInTransaction?.(tx);
        return { user: current, issued: await sessions.create(current.id, tx, origin) };
      });
      return signedInAnswer(user, issued);
    },

    async refresh({ refreshToken, ip }) {
      const rotation = await sessions.rotate(refreshToken);
      if (rotation.outcome === 'reused') {
        const { sessionId, userId } = rotation.session;
        await audit.record({ type: 'REFRESH_TOKEN_REUSED', userId, actorId: null, ip, detail: { sessionId } });
        throw new AppError('REFRESH_TOKEN_REUSED');
      }
      if (rotation.outcome === 'invalid') throw new AppError('INVALID_REFRESH_TOKEN');
      const issued = rotation.issued;
      const user = await findUserById(db, issued.userId);
      if (!user || user.disabled) {
        await sessions.revoke(issued.sessionId, 'user-disabled');
        throw new AppError('INVALID_REFRESH_TOKEN');
      }
      await audit.record({ type: 'TOKEN_REFRESHED', userId: user.id, actorId: user.id, ip, detail: { sessionId: issued.sessionId } });
      return signedInAnswer(user, issued);
    },

    async logout({ principal, ip }) {
      await sessions.revoke(principal.sessionId, 'logout');
      await audit.record({ type: 'LOGOUT', userId: principal.userId, actorId: principal.userId, ip, detail: { sessionId: principal.sessionId } });
    },
  };
}
