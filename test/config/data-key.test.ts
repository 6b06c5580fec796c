// The development DATA_ENCRYPTION_KEY: generated into DATA_DIR once, kept
// private, reused by every later start, and never silently replaced (that
// would make every secret encrypted with the old key unreadable).

import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEVELOPMENT_DATA_KEY_FILE, dataEncryptionKeyFor, generateDataEncryptionKey, loadOrCreateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { scratchDirectory } from '../production/built-server.js';

const directories: string[] = [];
const scratch = async () => {
  const directory = await scratchDirectory('boreal-data-key-');
  directories.push(directory);
  return directory;
};
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

describe('loadOrCreateDataEncryptionKey', () => {
  it('creates a 32-byte key readable by its owner only, then returns the same key every time, also to concurrent callers', async () => {
    const dataDir = path.join(await scratch(), 'nested', 'data');
    const [first, concurrent] = await Promise.all([loadOrCreateDataEncryptionKey(dataDir), loadOrCreateDataEncryptionKey(dataDir)]);
    expect(first).toHaveLength(32);
    expect(concurrent).toEqual(first);
    expect(await loadOrCreateDataEncryptionKey(dataDir)).toEqual(first);
    const file = path.join(dataDir, DEVELOPMENT_DATA_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.toString('base64url'));
  });

  it('a damaged key file is an error naming the file, and the file is left as it was', async () => {
    const dataDir = await scratch();
    const file = path.join(dataDir, DEVELOPMENT_DATA_KEY_FILE);
    await writeFile(file, 'truncated');
    await expect(loadOrCreateDataEncryptionKey(dataDir)).rejects.toThrow(`${file} is not a 32-byte base64url key`);
    expect(await readFile(file, 'utf8')).toBe('truncated');
  });

  it('DATA_ENCRYPTION_KEY, when set, wins over DATA_DIR and nothing is written there', async () => {
    const dataDir = await scratch();
    const key = generateDataEncryptionKey();
    const config = loadConfig({ DATA_ENCRYPTION_KEY: key, DATA_DIR: dataDir });
    expect((await dataEncryptionKeyFor(config)).toString('base64url')).toBe(key);
    await expect(stat(path.join(dataDir, DEVELOPMENT_DATA_KEY_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
