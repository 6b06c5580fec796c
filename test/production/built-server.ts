// The production build, as an operator runs it: `npm run build` output under
// dist/, started with `node dist/main.js` and driven with `node bin/boreal.js`,
// each in a clean environment (never the test runner's) and a scratch working
// directory (so no ./.env or ./data of the repository is picked up).

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN_JS = path.join(ROOT, 'dist', 'main.js');
export const BIN_JS = path.join(ROOT, 'bin', 'boreal.js');
const BUILD_OUTPUTS = [MAIN_JS, path.join(ROOT, 'dist', 'cli.js')];
const BUILD_INPUTS = [path.join(ROOT, 'src'), path.join(ROOT, 'tsconfig.json'), path.join(ROOT, 'tsconfig.build.json')];
// Test files run in parallel processes: one builds, the others wait for it.
const LOCK = path.join(os.tmpdir(), `boreal-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 5 * 60_000;

async function newestMtimeMs(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of await readdir(entry)) newest = Math.max(newest, await newestMtimeMs(path.join(entry, child)));
  return newest;
}

async function buildIsStale(): Promise<boolean> {
  const outputs = await Promise.all(BUILD_OUTPUTS.map((file) => stat(file).then((info) => info.mtimeMs, () => 0)));
  const oldestOutput = Math.min(...outputs);
  if (oldestOutput === 0) return true;
  const newestInput = Math.max(...(await Promise.all(BUILD_INPUTS.map(newestMtimeMs))));
  return newestInput > oldestOutput;
}

async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(LOCK).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** `npm run build` when dist/ is missing or older than src/ (CI has usually built it already). */
export async function ensureBuilt(): Promise<void> {
  await withBuildLock(async () => {
    if (!(await buildIsStale())) return;
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
        { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => (error ? reject(new Error(`npm run build failed:\n${stdout}${stderr}`)) : resolve()),
      );
    });
  });
}

export async function scratchDirectory(prefix = 'boreal-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Only what a process needs to run, plus the given settings: never the runner's NODE_ENV or TEST_* variables. */
export function cleanEnv(settings: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [name, value] of Object.entries(settings)) if (value !== undefined) env[name] = value;
  return env;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `node <args>` to its end (killed after `timeoutMs`). */
export function runNode(args: string[], options: { env: Record<string, string | undefined>; cwd: string; input?: string; timeoutMs?: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `npx boreal <args>`, as the package's bin runs it. */
export function runBoreal(args: string[], options: { env: Record<string, string | undefined>; cwd: string; input?: string; timeoutMs?: number }): Promise<ProcessResult> {
  return runNode([BIN_JS, ...args], options);
}

export interface RunningBuild {
  url: string;
  output(): { stdout: string; stderr: string };
  stop(): Promise<ProcessResult>;
}

/** `node dist/main.js` until it logs where it listens (HOST/PORT from `env`, PORT=0 for any free port). */
export async function startBuiltServer(options: { env: Record<string, string | undefined>; cwd: string; timeoutMs?: number }): Promise<RunningBuild> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN_JS], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ProcessResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the built server did not listen within ${options.timeoutMs ?? 60_000} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    const onData = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    void exited.then((result) => {
      clearTimeout(timer);
      reject(new Error(`the built server exited (${result.code ?? result.signal}) before listening:\n${result.stdout}\n${result.stderr}`));
    });
  });
  return {
    url,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
