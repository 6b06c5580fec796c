// Data at rest that must be read back (authenticator secrets): AES-256-GCM
// under DATA_ENCRYPTION_KEY, a fresh 96-bit nonce per value, and the row it
// belongs to as associated data, so a ciphertext copied onto another user's
// row does not decrypt. A database dump alone holds nothing usable.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Random } from '../core/clock.js';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(plaintext: Buffer, context: string): Promise<string>;
  /** Throws when the value was not sealed with this key and context (tampered, or another key). */
  open(sealed: string, context: string): Promise<Buffer>;
}

/**
 * `dataKey` is asked for at first use, not at startup: a development key is
 * generated into DATA_DIR only when something is first sealed (a CLI command
 * that seals nothing writes nothing there).
 */
export function createSecretBox(dataKey: () => Promise<Buffer>, random: Random): SecretBox {
  return {
    async seal(plaintext, context) {
      const key = await dataKey();
      const nonce = random.bytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
    },
    async open(sealed, context) {
      const key = await dataKey();
      const [version, nonceText, bodyText] = sealed.split('.');
      if (version !== VERSION || !nonceText || !bodyText) throw new Error('Not a sealed value.');
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonceText, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    },
  };
}
