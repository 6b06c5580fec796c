// DATA_ENCRYPTION_KEY: 32 random bytes, base64url, that encrypt data at rest
// (authenticator secrets). Production sets it (config refuses to start
// without it); development generates one into DATA_DIR at first use, as it
// does the signing keys, so `npm start` needs no setting.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const DATA_ENCRYPTION_KEY_BYTES = 32;
export const DEVELOPMENT_DATA_KEY_FILE = 'data-encryption-key';

/** What `boreal keys generate-data-key` prints: 32 random bytes, base64url (43 characters). */
export function generateDataEncryptionKey(): string {
  return randomBytes(DATA_ENCRYPTION_KEY_BYTES).toString('base64url');
}

/** The 32 bytes of a base64url (or base64) key; undefined when it is not exactly 32 bytes. */
export function decodeDataEncryptionKey(text: string): Buffer | undefined {
  const normalised = text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]{43}$/.test(normalised)) return undefined;
  const bytes = Buffer.from(normalised, 'base64url');
  // Re-encoding proves no bit was dropped (the last character carries 4 unused bits).
  return bytes.length === DATA_ENCRYPTION_KEY_BYTES && bytes.toString('base64url') === normalised ? bytes : undefined;
}

/** The development key in DATA_DIR, created (mode 0600) when missing; a damaged file is an error, never silently replaced. */
export async function loadOrCreateDataEncryptionKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, DEVELOPMENT_DATA_KEY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const created = generateDataEncryptionKey();
    await mkdir(dataDir, { recursive: true });
    // 'wx': two processes starting at once keep the first key, not the last.
    await writeFile(file, `${created}\n`, { mode: 0o600, flag: 'wx' }).catch(async (writeError: NodeJS.ErrnoException) => {
      if (writeError.code !== 'EEXIST') throw writeError;
    });
    text = await readFile(file, 'utf8');
  }
  const key = decodeDataEncryptionKey(text);
  if (!key) {
    // Replacing it would make every secret encrypted with the old key unreadable.
    throw new Error(`${file} is not a 32-byte base64url key: restore it, or delete it only if nothing was encrypted with it yet.`);
  }
  return key;
}

/** The key the services use: DATA_ENCRYPTION_KEY, else (development) the one in DATA_DIR. */
export async function dataEncryptionKeyFor(config: { dataEncryptionKey: Buffer | undefined; dataDir: string }): Promise<Buffer> {
  return config.dataEncryptionKey ?? loadOrCreateDataEncryptionKey(config.dataDir);
}
