// `npm start` and `npm install` build only when the build is missing or older
// than its sources (scripts/build-if-needed.mjs), so a restart costs no build
// and a production host without dev dependencies starts from its built tree.

import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { BUILD_OUTPUTS, staleBuildReason } from '../../scripts/build-if-needed.mjs';

let root: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

async function writeAt(relative: string, when: Date): Promise<void> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'x');
  await utimes(file, when, when);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'boreal-build-'));
  await writeAt('src/main.ts', at(0));
  await writeAt('web/src/main.tsx', at(0));
  // Directories carry their own modification time: keep them old too.
  for (const directory of ['src', 'web/src', 'web']) await utimes(path.join(root, directory), at(0), at(0));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('staleBuildReason', () => {
  it('asks for a build when an output is missing', async () => {
    expect(staleBuildReason(root)).toBe('dist/main.js is missing');
    for (const output of (BUILD_OUTPUTS as string[]).slice(0, -1)) await writeAt(output, at(10));
    expect(staleBuildReason(root)).toBe('dist/web/index.html is missing');
  });

  it('asks for none when every output is newer than every source', async () => {
    for (const output of BUILD_OUTPUTS as string[]) await writeAt(output, at(10));
    expect(staleBuildReason(root)).toBeNull();
  });

  it('asks for a build when a server or web source changed after the build', async () => {
    for (const output of BUILD_OUTPUTS as string[]) await writeAt(output, at(10));
    await writeAt('src/auth/new-file.ts', at(20));
    expect(staleBuildReason(root)).toMatch(/^src changed/);
    await writeAt('src/auth/new-file.ts', at(5));
    await utimes(path.join(root, 'src/auth'), at(5), at(5));
    await utimes(path.join(root, 'src'), at(5), at(5));
    await writeAt('web/src/screens/Audit.tsx', at(20));
    expect(staleBuildReason(root)).toMatch(/^web\/src changed/);
  });
});
