// The measured servers run as CHILD processes: their RSS is then theirs alone
// (not the bench's autocannon and argon2 work), and the load generator and the
// server are scheduled as separate processes, as in production, rather than
// sharing one event loop where the client's own work would be billed to the
// server.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config.js';
import { ROOT, type BenchSettings } from './settings.js';

const START_TIMEOUT_MS = 30_000;
/** Far above anything a bench sends, so no limit refuses a request (every scenario needs only 2xx answers). */
const UNLIMITED = '100000000/1m';

export interface ServerProcess {
  pid: number;
  url: string;
  rssBytes(): number;
  stop(): Promise<void>;
}

/** `npm start`'s own rule: build when dist/ is missing or older than src/. */
export function ensureBuilt(): void {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-needed.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the production build failed: run `npm run build` and read its errors');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** VmRSS of a process, from /proc (Linux), else from ps. */
export function rssBytesOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: ask ps
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(ps.stdout.trim()) * 1024;
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before answering:\n${output()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not answer ${url}/api/health within ${START_TIMEOUT_MS / 1000}s:\n${output()}`);
}

async function startChild(script: string, env: Record<string, string>, nodeArgs: string[]): Promise<ServerProcess> {
  const port = await freePort();
  // A working directory of its own: no .env of the checkout is read, no ./data is written.
  const workDirectory = mkdtempSync(path.join(tmpdir(), 'boreal-bench-'));
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: workDirectory,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workDirectory, ...env, PORT: String(port), DATA_DIR: path.join(workDirectory, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the last output for error messages only; logs below warn are off, so this stays small.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(url, child, () => output);
  return {
    pid: child.pid!,
    url,
    rssBytes: () => rssBytesOf(child.pid!),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
        if (killed) child.kill('SIGKILL');
        await exited;
      }
      rmSync(workDirectory, { recursive: true, force: true });
    },
  };
}

export function startHelloWorld(): Promise<ServerProcess> {
  return startChild(path.join(ROOT, 'bench', 'hello-world.mjs'), { NODE_ENV: 'production' }, []);
}

export interface BorealProcess extends ServerProcess {
  /** The argon2 operations it runs at once: PASSWORD_HASH_CONCURRENCY as the server resolves it (its default: the cores less one). */
  passwordHashConcurrency: number;
}

export interface BorealOptions {
  /** PASSWORD_HASH_CONCURRENCY; absent, the server's default, as in production. */
  passwordHashConcurrency?: number;
  /** The checkout whose `dist/main.js` runs (default: this one), e.g. another worktree to compare with. */
  root?: string;
  /** Flags for node after BENCH_SERVER_NODE_ARGS', and settings added to the server's environment. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/**
 * The production build, as `npm start` runs it, on the scratch database. The
 * console code provider (so a sign-in needs no SMS) means NODE_ENV is not
 * production; every limit is raised so that no answer is a 429.
 * BENCH_SERVER_NODE_ARGS passes flags to node (e.g. `--cpu-prof`).
 */
export async function startBoreal(
  databaseUrl: string,
  settings: Pick<BenchSettings, 'serverLogLevel' | 'soakSeconds'>,
  options: BorealOptions = {},
): Promise<BorealProcess> {
  const nodeArgs = [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), ...(options.nodeArgs ?? [])];
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: settings.serverLogLevel,
    // One access token serves the whole soak: it must outlive it (the default, 15m, covers the 10-minute soak).
    ACCESS_TOKEN_TTL: `${Math.max(15, Math.ceil(settings.soakSeconds / 60) + 5)}m`,
    OTP_PROVIDER: 'console',
    OTP_DEV_CODE: '123456',
    LIMIT_REQUESTS_PER_IP: UNLIMITED,
    LIMIT_LOGIN_PER_IP: UNLIMITED,
    LIMIT_OTP_PER_PHONE: UNLIMITED,
    LIMIT_OTP_PER_IP: UNLIMITED,
    LOCKOUT_PASSWORD: UNLIMITED,
    LOCKOUT_OTP: UNLIMITED,
    ...(options.passwordHashConcurrency === undefined ? {} : { PASSWORD_HASH_CONCURRENCY: String(options.passwordHashConcurrency) }),
    ...options.env,
  };
  // The server's own reading of these settings, on this machine: what it runs with, not what the bench assumes.
  const { passwordHashConcurrency } = loadConfig(env);
  const server = await startChild(path.join(options.root ?? ROOT, 'dist', 'main.js'), env, nodeArgs);
  return { ...server, passwordHashConcurrency };
}
