// What a completed sign-in turns into: a session, an access token and a
// refresh token; and the reverse, turning a presented access token back into
// a principal whose session is still live.

import { AppError } from '../errors.js';
import type { AuditLog } from '../audit/audit.js';
import type { Database } from '../db/connect.js';
import { permissionsOf, type Principal } from '../rbac/roles.js';
import { findUserById, toUserView, type UserRecord, type UserView } from '../users/users-repository.js';
import type { AccessTokens } from './access-tokens.js';
import type { IssuedRefreshToken, SessionStore } from './sessions.js';

export interface SignedIn {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserView;
}

export interface TokenIssuer {
  startSession(user: UserRecord): Promise<SignedIn>;
  refresh(input: { refreshToken: string; ip: string }): Promise<SignedIn>;
  logout(input: { principal: Principal; ip: string }): Promise<void>;
  /** The principal of a Bearer token; throws INVALID_TOKEN / TOKEN_EXPIRED. */
  authenticate(accessToken: string): Promise<Principal>;
}

export function createTokenIssuer(deps: {
  db: Database;
  accessTokens: AccessTokens;
  accessTokenTtlSeconds: number;
  sessions: SessionStore;
  audit: AuditLog;
}): TokenIssuer {
  const { accessTokens, sessions, audit } = deps;

  async function answer(user: UserRecord, issued: IssuedRefreshToken): Promise<SignedIn> {
    const accessToken = await accessTokens.sign({ userId: user.id, sessionId: issued.sessionId, roles: user.roles });
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
    async startSession(user) {
      return answer(user, await sessions.create(user.id));
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
      const user = await findUserById(deps.db, issued.userId);
      if (!user || user.disabled) {
        await sessions.revoke(issued.sessionId, 'user-disabled');
        throw new AppError('INVALID_REFRESH_TOKEN');
      }
      await audit.record({ type: 'TOKEN_REFRESHED', userId: user.id, actorId: user.id, ip, detail: { sessionId: issued.sessionId } });
      return answer(user, issued);
    },

    async logout({ principal, ip }) {
      await sessions.revoke(principal.sessionId, 'logout');
      await audit.record({ type: 'LOGOUT', userId: principal.userId, actorId: principal.userId, ip, detail: { sessionId: principal.sessionId } });
    },

    async authenticate(accessToken) {
      const claims = await accessTokens.verify(accessToken);
      // The signature alone is not enough: logout and revocation end a session at once.
      const session = await sessions.findLive(claims.sessionId);
      if (!session || session.userId !== claims.userId || session.userDisabled) throw new AppError('INVALID_TOKEN');
      // Roles come from the token: changing a user's roles revokes their sessions.
      return {
        userId: session.userId,
        sessionId: session.sessionId,
        roles: claims.roles,
        permissions: permissionsOf(claims.roles),
        lenderId: session.lenderId,
      };
    },
  };
}
