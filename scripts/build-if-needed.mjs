#!/usr/bin/env node
// `npm start` and `npm install` ("prestart", "prepare") build only when the
// build is missing or older than its sources: a restart then costs what
// `node dist/main.js` costs, a production start with a bad setting fails
// within two seconds, and a production host installed with
// `npm ci --omit=dev` (no TypeScript, no Vite) starts from its built tree.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the build reads: a change to any of these makes the build stale. */
export const BUILD_INPUTS = ['src', 'web/src', 'web/index.html', 'web/vite.config.ts', 'tsconfig.json', 'tsconfig.build.json'];
/** What the build writes: each must exist and be newer than every input. */
export const BUILD_OUTPUTS = ['dist/main.js', 'dist/cli.js', 'dist/web/index.html'];

function newestModifiedMs(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestModifiedMs(path.join(target, entry)));
  return newest;
}

/** Why a build is needed in `directory`, or null when the build is current. */
export function staleBuildReason(directory) {
  const missing = BUILD_OUTPUTS.find((output) => !existsSync(path.join(directory, output)));
  if (missing) return `${missing} is missing`;
  const builtAtMs = Math.min(...BUILD_OUTPUTS.map((output) => statSync(path.join(directory, output)).mtimeMs));
  const newestInput = BUILD_INPUTS.map((input) => ({ input, modifiedMs: newestModifiedMs(path.join(directory, input)) })).sort(
    (a, b) => b.modifiedMs - a.modifiedMs,
  )[0];
  return newestInput && newestInput.modifiedMs > builtAtMs ? `${newestInput.input} changed since the last build` : null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const reason = staleBuildReason(root);
  if (reason === null) process.exit(0);
  if (!existsSync(path.join(root, 'node_modules', 'typescript'))) {
    console.error(`boreal: a build is needed (${reason}) but the build tools are not installed: run \`npm install\` (with dev dependencies), then \`npm run build\`.`);
    process.exit(1);
  }
  console.error(`boreal: building (${reason})…`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(build.status ?? 1);
}
