// How a presented access token is checked, on every authenticated request:
// the JWT's signature and claims (access-tokens.ts), then its session, which
// must still be live, belong to the token's user, and that user not be
// disabled. Logout and revocation end a session at once; the signature alone
// would let a token live out its minutes.

import { AppError } from '../errors.js';
import { permissionsOf, type Principal } from '../rbac/roles.js';
import type { AccessTokens } from './access-tokens.js';
import type { SessionStore } from './sessions.js';

/** The principal of a Bearer token; throws INVALID_TOKEN / TOKEN_EXPIRED. */
export type VerifyAccessToken = (accessToken: string) => Promise<Principal>;

export function createAccessTokenCheck(deps: { jwt: AccessTokens; sessions: SessionStore }): VerifyAccessToken {
  return async function verifyAccessToken(accessToken) {
    const claims = await deps.jwt.verify(accessToken);
    const session = await deps.sessions.findLive(claims.sessionId);
    if (!session || session.userId !== claims.userId || session.userDisabled) throw new AppError('INVALID_TOKEN');
    // Roles come from the token: changing a user's roles revokes their sessions.
    return {
      userId: session.userId,
      sessionId: session.sessionId,
      roles: claims.roles,
      permissions: permissionsOf(claims.roles),
      lenderId: session.lenderId,
    };
  };
}
