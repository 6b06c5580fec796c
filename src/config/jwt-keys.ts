// JWT_PRIVATE_KEYS: a JWK set that must not only parse but sign. Each key is
// checked on its own so the refusal names the key and what is wrong with it.

import { createPrivateKey, createPublicKey, sign as signData, verify as verifySignature, type JsonWebKey } from 'node:crypto';

export type PrivateKeySet = { keys: Record<string, unknown>[] };

export function parsePrivateKeys(text: string | undefined, problems: string[]): PrivateKeySet | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push('JWT_PRIVATE_KEYS is not JSON: set it to the output of `npx boreal keys generate`.');
    return undefined;
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    problems.push('JWT_PRIVATE_KEYS must be a JWK set {"keys":[…]} with at least one key: run `npx boreal keys generate`.');
    return undefined;
  }
  const kids = new Set<unknown>();
  keys.forEach((key: Record<string, unknown>, index) => {
    const isEd25519 = key?.kty === 'OKP' && key?.crv === 'Ed25519';
    const isP256 = key?.kty === 'EC' && key?.crv === 'P-256';
    if (!isEd25519 && !isP256) {
      problems.push(`JWT_PRIVATE_KEYS key ${index} must be an Ed25519 (OKP) or P-256 (EC) key.`);
    } else if (typeof key.d !== 'string' || typeof key.x !== 'string' || typeof key.kid !== 'string') {
      problems.push(`JWT_PRIVATE_KEYS key ${index} must be a private key with "kid", "x" and "d".`);
    } else if (kids.has(key.kid)) {
      problems.push(`JWT_PRIVATE_KEYS key ${index} repeats the kid "${key.kid}" of an earlier key: give every key its own kid (\`npx boreal keys generate\` makes new ones).`);
    } else {
      const problem = unusableKeyProblem(key);
      if (problem) problems.push(`JWT_PRIVATE_KEYS key ${index} (kid "${key.kid}") cannot sign: ${problem}. Generate a new set with \`npx boreal keys generate\`.`);
    }
    kids.add(key?.kid);
  });
  return { keys: keys as Record<string, unknown>[] };
}

/**
 * A key set can parse yet be useless: a truncated "d", a public part "x"/"y"
 * that is not the private key's, key_ops without "sign". Tokens signed with
 * such a key would fail every check, so the start is refused instead: one
 * signature made and verified here, synchronously, before anything listens.
 */
function unusableKeyProblem(key: Record<string, unknown>): string | undefined {
  const keyOps = key.key_ops;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('sign'))) return '"key_ops" does not allow "sign"';
  try {
    const { d: _d, ...publicMembers } = key;
    const privateKey = createPrivateKey({ key: key as JsonWebKey, format: 'jwk' });
    const publicKey = createPublicKey({ key: publicMembers as JsonWebKey, format: 'jwk' });
    const probe = Buffer.from('boreal-key-check');
    const digest = key.kty === 'EC' ? 'sha256' : null;
    if (!verifySignature(digest, probe, publicKey, signData(digest, probe, privateKey))) return 'its public part does not match its private part "d"';
  } catch {
    return 'the key material is malformed';
  }
  return undefined;
}

