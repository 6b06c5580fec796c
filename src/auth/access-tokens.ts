// EdDSA (or ES256) access JWTs: `typ: at+jwt`, `kid`, pinned algorithm per
// key, `iss`/`aud` checked. Every key of JWT_PRIVATE_KEYS verifies; the first
// signs, so keys rotate by prepending a new one.

import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  SignJWT,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import { AppError } from '../errors.js';
import { ROLE_NAMES, type RoleName } from '../core/vocabulary.js';
import type { Clock } from '../core/clock.js';

type VerificationKey = CryptoKey | KeyObject | Uint8Array;

interface LoadedKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: VerificationKey;
  publicKey: VerificationKey;
  publicJwk: JWK;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
  roles: RoleName[];
  /** RFC 8176 methods of the session's sign-in (signed into the token; not needed to check it). */
  amr?: string[];
}

export interface AccessTokens {
  sign(claims: AccessClaims): Promise<string>;
  /** Throws INVALID_TOKEN or TOKEN_EXPIRED. */
  verify(token: string): Promise<AccessClaims>;
  jwks(): { keys: JWK[] };
}

export interface KeySet {
  keys: Record<string, unknown>[];
}

/** A new private Ed25519 JWK set, as `boreal keys generate` prints it. */
export async function generateKeySet(): Promise<KeySet> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid: randomUUID(), alg: 'EdDSA', use: 'sig' }] };
}

/**
 * Development keys live in DATA_DIR so tokens survive a restart; production
 * keys come from JWT_PRIVATE_KEYS only (config refuses to start without them).
 */
export async function loadOrCreateDevelopmentKeys(dataDir: string): Promise<KeySet> {
  const file = path.join(dataDir, 'jwt-private-keys.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeySet;
  } catch {
    const keySet = await generateKeySet();
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(keySet), { mode: 0o600 });
    return keySet;
  }
}

async function importKeys(keySet: KeySet): Promise<LoadedKey[]> {
  const loaded: LoadedKey[] = [];
  for (const [index, raw] of keySet.keys.entries()) {
    const jwk = raw as JWK;
    const alg = jwk.kty === 'EC' ? 'ES256' : 'EdDSA';
    try {
      const privateKey = await importJWK(jwk, alg);
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
      const publicKey = await importJWK(publicMembers, alg);
      loaded.push({ kid: String(jwk.kid), alg, privateKey, publicKey, publicJwk: { ...publicMembers, alg, use: 'sig' } });
    } catch {
      throw new Error(`JWT_PRIVATE_KEYS key ${index} cannot be used as an ${alg} key: generate a new set with \`npx boreal keys generate\`.`);
    }
  }
  return loaded;
}

const MAX_CACHED_TOKENS = 10_000;

export async function createAccessTokens(options: {
  keySet: KeySet;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
}): Promise<AccessTokens> {
  const keys = await importKeys(options.keySet);
  const byKid = new Map(keys.map((key) => [key.kid, key]));
  const signingKey = keys[0]!;
  // A verified token is remembered by its exact string until its `exp`:
  // a signature check costs ~150 µs, a map lookup nothing.
  const verified = new Map<string, { claims: AccessClaims; expiresAtMs: number }>();

  const invalid = () => new AppError('INVALID_TOKEN');

  return {
    async sign(claims) {
      const nowSeconds = Math.floor(options.clock.now().getTime() / 1000);
      return new SignJWT({ sid: claims.sessionId, roles: claims.roles, ...(claims.amr?.length ? { amr: claims.amr } : {}) })
        .setProtectedHeader({ alg: signingKey.alg, typ: 'at+jwt', kid: signingKey.kid })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(claims.userId)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + options.ttlSeconds)
        .setJti(randomUUID())
        .sign(signingKey.privateKey);
    },

    async verify(token) {
      const nowMs = options.clock.now().getTime();
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAtMs > nowMs) return cached.claims;
        verified.delete(token);
        throw new AppError('TOKEN_EXPIRED');
      }
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw invalid();
      }
      const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined;
      // Embedded or remote keys (jwk, jku, x5u, x5c) are never trusted; the algorithm is pinned per key.
      if (!key || header.alg !== key.alg || header.jwk || header.jku || header.x5u || header.x5c) throw invalid();
      try {
        const { payload } = await jwtVerify(token, key.publicKey, {
          algorithms: [key.alg],
          issuer: options.issuer,
          audience: options.audience,
          typ: 'at+jwt',
          currentDate: new Date(nowMs),
          requiredClaims: ['sub', 'sid', 'exp', 'iat', 'jti'],
        });
        const roles = Array.isArray(payload.roles) ? payload.roles : null;
        if (
          typeof payload.sub !== 'string' ||
          typeof payload.sid !== 'string' ||
          !roles ||
          !roles.every((role): role is RoleName => ROLE_NAMES.includes(role))
        ) {
          throw invalid();
        }
        const claims: AccessClaims = { userId: payload.sub, sessionId: payload.sid, roles };
        if (verified.size >= MAX_CACHED_TOKENS) verified.delete(verified.keys().next().value!);
        verified.set(token, { claims, expiresAtMs: payload.exp! * 1000 });
        return claims;
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED');
        throw invalid();
      }
    },

    jwks() {
      return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.kid })) };
    },
  };
}
