// Access tokens as a Bearer credential (API.md "Access tokens"): what is
// accepted (the pinned algorithm, a known kid, iss/aud/typ, a live session)
// and every confusion an attacker may try.

import { createHmac, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { generateKeySet } from '../../src/auth/access-tokens.js';
import { ADMIN, createTestApp, json, postJson, testKeySet, type TestApp } from '../helpers/app.js';
import {
  RELAXED_LIMITS,
  b64json,
  createUser,
  expectProblem,
  getMe,
  refresh,
  signInAs,
  startLogin,
  unb64json,
  type CreatedUser,
  type TokenAnswer,
} from './support.js';

const INVALID_TOKEN_CHALLENGE = /^Bearer realm="boreal", error="invalid_token"/;

async function realSigningKey() {
  const jwk = (await testKeySet()).keys[0] as JWK;
  return { kid: String(jwk.kid), privateKey: await importJWK(jwk, 'EdDSA'), jwk };
}

/** Signs `payload` with `key` under exactly `header` (nothing added). */
async function signRaw(header: Record<string, unknown>, payload: JWTPayload, key: Awaited<ReturnType<typeof importJWK>>) {
  return new SignJWT(payload).setProtectedHeader(header as never).sign(key as never);
}

function hs256(header: Record<string, unknown>, payload: JWTPayload, secret: Buffer | string): string {
  const signingInput = `${b64json(header)}.${b64json(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

describe('access tokens: shape, JWKS, and every confusion refused', () => {
  let t: TestApp;
  let staff: CreatedUser;
  let staffTokens: TokenAnswer;
  let otherTokens: TokenAnswer;
  let key: Awaited<ReturnType<typeof realSigningKey>>;
  let claims: JWTPayload;

  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
    staff = await createUser(t, { roles: ['staff'] });
    staffTokens = await signInAs(t, staff);
    otherTokens = await signInAs(t, await createUser(t, { roles: ['staff'] }));
    key = await realSigningKey();
    claims = decodeJwt(staffTokens.accessToken);
  });
  afterAll(async () => t.close());

  const me = (token: string) => getMe(t, token);

  it('an access token is an EdDSA at+jwt with kid, carrying iss, aud, sub, sid, iat, exp, jti, roles and amr', async () => {
    expect(decodeProtectedHeader(staffTokens.accessToken)).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid });
    expect(claims).toEqual({
      iss: 'boreal-portal',
      aud: 'boreal-portal',
      sub: staff.id,
      sid: staffTokens.refreshToken.split('.')[0],
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      roles: ['staff'],
      amr: ['pwd', 'sms'],
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(decodeJwt(otherTokens.accessToken).jti).not.toBe(claims.jti);
  });

  it('GET /.well-known/jwks.json has no private member and verifies real access tokens', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const jwks = json<{ keys: JWK[] }>(response);
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const jwk of jwks.keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(jwk).not.toHaveProperty(secret);
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) });
    }
    expect(response.body).not.toContain(String(key.jwk.d));
    const { payload, protectedHeader } = await jwtVerify(staffTokens.accessToken, createLocalJWKSet(jwks), {
      issuer: 'boreal-portal',
      audience: 'boreal-portal',
      typ: 'at+jwt',
      currentDate: t.clock.now(),
    });
    expect(payload.sub).toBe(staff.id);
    expect(protectedHeader.kid).toBe(key.kid);
  });

  it('a token made here the way the server makes them is accepted (so the refusals below are for their flaw alone)', async () => {
    const sound = await signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, jti: crypto.randomUUID() }, key.privateKey);
    expect((await me(sound)).statusCode).toBe(200);
  });

  it('the Bearer scheme is case-insensitive (RFC 6750)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `bearer ${staffTokens.accessToken}` } });
    expect(response.statusCode).toBe(200);
  });

  const forgeries: [string, () => Promise<string> | string][] = [
    ['a temp token', async () => startLogin(t, staff)],
    ['a refresh token', () => staffTokens.refreshToken],
    ['garbage', () => 'garbage'],
    ['three dots of nothing', () => 'a.b.c'],
    ['alg "none" with no signature', () => `${b64json({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${b64json(claims)}.`],
    ['alg "none" keeping the real signature', () => {
      const [, payload, signature] = staffTokens.accessToken.split('.');
      return `${b64json({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${payload}.${signature}`;
    }],
    ['HS256 signed with the public key bytes', () => hs256({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }, claims, Buffer.from(String(key.jwk.x), 'base64url'))],
    ['HS256 signed with the public JWK as text', () => {
      const { d: _d, ...publicJwk } = key.jwk;
      return hs256({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }, claims, JSON.stringify(publicJwk));
    }],
    ['HS256 signed with the public key PEM', () => {
      const { d: _d, ...publicJwk } = key.jwk;
      const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return hs256({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }, claims, String(pem));
    }],
    ['a tampered payload (roles: ["admin"] on a staff token)', () => {
      const [header, , signature] = staffTokens.accessToken.split('.');
      return `${header}.${b64json({ ...claims, roles: ['admin'] })}.${signature}`;
    }],
    ['a tampered payload (another sub)', () => {
      const [header, payload, signature] = staffTokens.accessToken.split('.');
      return `${header}.${b64json({ ...unb64json(payload!), sub: crypto.randomUUID() })}.${signature}`;
    }],
    ['an attacker key embedded as a jwk header', async () => {
      const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = await exportJWK(attacker.publicKey);
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, jwk }, { ...claims, roles: ['admin'] }, attacker.privateKey);
    }],
    ['a jwk header, even on a token the real key signed', async () => {
      const { d: _d, ...publicJwk } = key.jwk;
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, jwk: publicJwk }, claims, key.privateKey);
    }],
    ['a jku header, even on a token the real key signed', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, jku: 'https://attacker.example/jwks.json' }, claims, key.privateKey)],
    ['an unknown kid (signed by the real key)', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: 'not-a-known-kid' }, claims, key.privateKey)],
    ['no kid (signed by the real key)', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt' }, claims, key.privateKey)],
    ['another key under its own kid', async () => {
      const foreign = (await generateKeySet()).keys[0] as JWK;
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: String(foreign.kid) }, claims, await importJWK(foreign, 'EdDSA'));
    }],
    ['another key under the real kid', async () => {
      const foreign = (await generateKeySet()).keys[0] as JWK;
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, claims, await importJWK(foreign, 'EdDSA'));
    }],
    ['a wrong iss', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, iss: 'someone-else' }, key.privateKey)],
    ['a wrong aud', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, aud: 'another-api' }, key.privateKey)],
    ['typ "JWT" instead of "at+jwt"', () => signRaw({ alg: 'EdDSA', typ: 'JWT', kid: key.kid }, claims, key.privateKey)],
    ['no typ', () => signRaw({ alg: 'EdDSA', kid: key.kid }, claims, key.privateKey)],
    ['no exp', () => {
      const { exp: _exp, ...rest } = claims;
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, rest, key.privateKey);
    }],
    ['no sid', () => {
      const { sid: _sid, ...rest } = claims;
      return signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, rest, key.privateKey);
    }],
    ['an unknown role', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, roles: ['root'] }, key.privateKey)],
    ['a sid that names no session', () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, sid: crypto.randomUUID() }, key.privateKey)],
    ["the sid of another user's session", () => signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid }, { ...claims, sid: decodeJwt(otherTokens.accessToken).sid }, key.privateKey)],
  ];

  it.each(forgeries)('%s as a Bearer access token: 401 INVALID_TOKEN with error="invalid_token"', async (_name, forge) => {
    for (const url of ['/api/auth/me', '/api/rbac/roles']) {
      const response = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await forge()}` } });
      const body = expectProblem(response, 401, 'INVALID_TOKEN');
      expect(response.headers['www-authenticate']).toMatch(INVALID_TOKEN_CHALLENGE);
      expect(body.detail).not.toContain('eyJ');
    }
  });

  it.each([
    ['Basic credentials', () => 'Basic YWRtaW46YWRtaW4xMjM='],
    ['"Bearer" and nothing else', () => 'Bearer'],
    ['two tokens', () => `Bearer ${staffTokens.accessToken} ${staffTokens.accessToken}`],
    ['a token with a space inside', () => `Bearer ${staffTokens.accessToken.slice(0, 20)} ${staffTokens.accessToken.slice(20)}`],
  ])('an Authorization header of %s: 401 INVALID_TOKEN', async (_name, header) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: header() } });
    expectProblem(response, 401, 'INVALID_TOKEN');
    expect(response.headers['www-authenticate']).toMatch(INVALID_TOKEN_CHALLENGE);
  });

  it('an access token as a temp token is refused, and signs no one in', async () => {
    for (const route of ['/api/auth/otp/verify', '/api/auth/otp/resend']) {
      const response = await postJson(t.app, route, route.endsWith('verify') ? { tempToken: staffTokens.accessToken, code: '123456' } : { tempToken: staffTokens.accessToken });
      expectProblem(response, 401, 'INVALID_TEMP_TOKEN');
      expect(response.body).not.toContain('accessToken');
    }
  });

  it('an access token as a refresh token is refused, and issues nothing', async () => {
    const response = await refresh(t, staffTokens.accessToken);
    expectProblem(response, 401, 'INVALID_REFRESH_TOKEN');
    // The refresh token is untouched by the attempt.
    expect((await refresh(t, staffTokens.refreshToken)).statusCode).toBe(200);
  });

  it('a temp token as a refresh token, and a refresh token as a temp token, are refused', async () => {
    const tempToken = await startLogin(t, staff);
    expectProblem(await refresh(t, tempToken), 401, 'INVALID_REFRESH_TOKEN');
    const signedIn = await signInAs(t, staff);
    expectProblem(await postJson(t.app, '/api/auth/otp/verify', { tempToken: signedIn.refreshToken, code: '123456' }), 401, 'INVALID_TEMP_TOKEN');
  });
});

describe('access tokens: ACCESS_TOKEN_TTL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: RELAXED_LIMITS });
  });
  afterAll(async () => t.close());

  it('an expired access token, seen before or not, is 401 TOKEN_EXPIRED with error="invalid_token"; the refresh token still works', async () => {
    const seen = await signInAs(t, { email: ADMIN.email, password: ADMIN.password });
    const unseen = await signInAs(t, { email: ADMIN.email, password: ADMIN.password });
    expect((await getMe(t, seen.accessToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(899);
    expect((await getMe(t, seen.accessToken)).statusCode).toBe(200);
    t.clock.advanceSeconds(1);
    for (const token of [seen.accessToken, unseen.accessToken]) {
      const response = await getMe(t, token);
      const body = expectProblem(response, 401, 'TOKEN_EXPIRED');
      expect(body.detail).toMatch(/expired/i);
      expect(response.headers['www-authenticate']).toMatch(INVALID_TOKEN_CHALLENGE);
    }
    const refreshed = await refresh(t, seen.refreshToken);
    expect(refreshed.statusCode).toBe(200);
    expect((await getMe(t, json(refreshed).accessToken)).statusCode).toBe(200);
  });

  it('an expired token with a forged signature is INVALID_TOKEN, not TOKEN_EXPIRED (the signature is checked first)', async () => {
    const signedIn = await signInAs(t, { email: ADMIN.email, password: ADMIN.password });
    t.clock.advanceSeconds(901);
    const [header, payload, signature] = signedIn.accessToken.split('.');
    const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
    expectProblem(await getMe(t, `${header}.${payload}.${flipped}`), 401, 'INVALID_TOKEN');
  });
});

describe('access tokens: key rotation (every key of JWT_PRIVATE_KEYS verifies; the first signs)', () => {
  let t: TestApp;
  let oldKey: JWK;
  let newKey: JWK;
  beforeAll(async () => {
    newKey = (await generateKeySet()).keys[0] as JWK;
    oldKey = (await generateKeySet()).keys[0] as JWK;
    t = await createTestApp({ env: RELAXED_LIMITS, overrides: { keySet: { keys: [newKey as never, oldKey as never] } } });
  });
  afterAll(async () => t.close());

  it('new tokens carry the first key; a token of the second key is still accepted; the JWKS lists both', async () => {
    const signedIn = await signInAs(t, { email: ADMIN.email, password: ADMIN.password });
    expect(decodeProtectedHeader(signedIn.accessToken).kid).toBe(newKey.kid);
    const claims = decodeJwt(signedIn.accessToken);
    const byOldKey = await signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: oldKey.kid }, { ...claims, jti: crypto.randomUUID() }, await importJWK(oldKey, 'EdDSA'));
    expect((await getMe(t, byOldKey)).statusCode).toBe(200);
    const jwks = json<{ keys: JWK[] }>(await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    expect(jwks.keys.map((jwk) => jwk.kid).sort()).toEqual([newKey.kid, oldKey.kid].sort());
    // The old key's signature under the new key's kid is refused: the kid picks the key.
    const mislabelled = await signRaw({ alg: 'EdDSA', typ: 'at+jwt', kid: newKey.kid }, claims, await importJWK(oldKey, 'EdDSA'));
    expectProblem(await getMe(t, mislabelled), 401, 'INVALID_TOKEN');
  });
});
