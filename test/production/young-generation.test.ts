// Start-up must not size V8's young generation (src/young-generation.ts): held
// while the server loads, it keeps its size however much survives; released
// once the server listens, it grows under load as V8 grows it. Run in a child
// process, so that the runner's own heap cannot decide the outcome.

import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sizedByOperator } from '../../src/young-generation.js';

const MiB = 1024 * 1024;

const CHILD = `
import v8 from 'node:v8';
import { holdYoungGenerationDuringStart, releaseYoungGeneration } from './src/young-generation.ts';
const newSpace = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
const kept = [];
// Objects that live for ever, as start-up makes them: each survives the collections.
const survive = (count) => { for (let i = 0; i < count; i++) kept.push({ i, text: 'kept ' + i }); };
const before = newSpace();
holdYoungGenerationDuringStart();
survive(300_000);
const held = newSpace();
releaseYoungGeneration();
survive(300_000);
console.log(JSON.stringify({ before, held, released: newSpace() }));
`;

function sizesInChild(): Promise<{ before: number; held: number; released: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: process.cwd(), timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as { before: number; held: number; released: number }),
    );
  });
}

describe("V8's young generation during start-up", () => {
  it('keeps its size while held, whatever survives, and grows again once released', { timeout: 120_000 }, async () => {
    const { before, held, released } = await sizesInChild();
    // Below V8's maximum (2 × 16 MiB) to begin with, or this test could not tell growth from no growth.
    expect(before).toBeLessThan(32 * MiB);
    expect(held).toBe(before);
    expect(released).toBeGreaterThan(held);
  });

  it.each([
    [['--max-semi-space-size=64'], ''],
    [['--semi_space_growth_factor=4'], ''],
    [[], '--max-old-space-size=512 --min-semi-space-size=8'],
  ])('is left to the operator who sized it (execArgv %j, NODE_OPTIONS %j)', (execArgv, nodeOptions) => {
    expect(sizedByOperator(execArgv, nodeOptions)).toBe(true);
  });

  it('is held when the operator did not size it', () => {
    expect(sizedByOperator(['--enable-source-maps'], '--max-old-space-size=512')).toBe(false);
  });
});
