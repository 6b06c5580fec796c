import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironment } from '../../src/config.js';

describe('settings from a .env file', () => {
  const names = ['BOREAL_TEST_FROM_FILE', 'BOREAL_TEST_ALREADY_SET'];
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('loads the file when it exists, and a variable already set wins over the file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'boreal-env-')), '.env');
    writeFileSync(file, 'BOREAL_TEST_FROM_FILE=from-file\nBOREAL_TEST_ALREADY_SET=from-file\n');
    process.env.BOREAL_TEST_ALREADY_SET = 'from-environment';
    const env = readEnvironment(file);
    expect(env.BOREAL_TEST_FROM_FILE).toBe('from-file');
    expect(env.BOREAL_TEST_ALREADY_SET).toBe('from-environment');
  });

  it('a missing file is no error: the environment alone is read', () => {
    expect(readEnvironment(path.join(tmpdir(), 'no-such-dir', '.env'))).toBe(process.env);
    expect(process.env.BOREAL_TEST_FROM_FILE).toBeUndefined();
  });
});
