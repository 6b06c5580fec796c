// A `boreal` command beside a running development server on the same
// DATA_DIR (API.md "Operating it"): its write goes through the server's
// embedded database and the server sees it at once; files a dead server left
// are cleaned up; and when the server's socket cannot be used, the command
// refuses, naming the server, instead of reporting a write that is then lost.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { embeddedSocketPath, ownerFilePath, readOwner } from '../../src/db/embedded-socket.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { scratchDirectory } from '../production/built-server.js';
import { cli } from './run-cli.js';

const PASSWORD = 'Taiga-Lantern-47';
const NEW_USER = ['users', 'create', '--email', 'kari@example.test', '--name', 'Kari', '--role', 'staff', '--phone', '+16135550111'];

let dataDir: string;
let server: RunningServer | undefined;
// Each test opens a database on disk and migrates it, once or twice: slow on a busy machine.
const SLOW = { timeout: 120_000 };
const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });

beforeEach(async () => {
  dataDir = await scratchDirectory('boreal-beside-');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

async function startDevelopmentServer(): Promise<RunningServer> {
  const config = loadConfig({ ...env(), PORT: '0', HOST: '127.0.0.1' });
  return startServer(config, pino({ level: 'silent' }));
}

const login = (running: RunningServer, email: string, password: string) =>
  running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

/** A pid that was alive a moment ago and is not now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('a command beside a running development server', SLOW, () => {
  it('users create writes through the server: the new user signs in on it at once', async () => {
    server = await startDevelopmentServer();
    expect(existsSync(embeddedSocketPath(dataDir))).toBe(true);
    expect(await readOwner(dataDir)).toMatchObject({ pid: process.pid, role: 'server' });

    const created = await cli(NEW_USER, env(), `${PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'kari@example.test' });

    const answer = await login(server, 'kari@example.test', PASSWORD);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ status: 'OTP_REQUIRED' });
    // The command left the server's files alone.
    expect(await readOwner(dataDir)).toMatchObject({ pid: process.pid, role: 'server' });
  });

  it('rate-limits list and clear see the server\'s locks', async () => {
    server = await startDevelopmentServer();
    for (let i = 0; i < 10; i += 1) await login(server, 'ghost@example.test', 'wrong-password-1');
    const listed = await cli(['rate-limits', 'list', '--json'], env());
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).items).toContainEqual(expect.objectContaining({ kind: 'email', subject: 'ghost@example.test', code: 'ACCOUNT_LOCKED' }));
    expect(await cli(['rate-limits', 'clear', '--email', 'ghost@example.test'], env())).toMatchObject({ code: 0, stdout: '1\n' });
    expect((await login(server, 'ghost@example.test', 'wrong-password-1')).statusCode).toBe(401);
  });

  it('once the server has stopped, the command opens the database itself, and the server sees the write on its next start', async () => {
    server = await startDevelopmentServer();
    await server.close();
    server = undefined;
    expect(existsSync(ownerFilePath(dataDir))).toBe(false);
    expect(existsSync(embeddedSocketPath(dataDir))).toBe(false);
    expect((await cli(NEW_USER, env(), `${PASSWORD}\n`)).code).toBe(0);
    server = await startDevelopmentServer();
    expect((await login(server, 'kari@example.test', PASSWORD)).statusCode).toBe(200);
  });
});

describe('files a server left behind', SLOW, () => {
  it('a stale socket and pid file of a dead server are removed and the command runs', async () => {
    const pid = await deadPid();
    await writeFile(ownerFilePath(dataDir), JSON.stringify({ pid, role: 'server', startedAt: '2026-01-01T00:00:00.000Z' }));
    await writeFile(embeddedSocketPath(dataDir), '');
    const created = await cli(NEW_USER, env(), `${PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(ownerFilePath(dataDir))).toBe(false);
    expect(existsSync(embeddedSocketPath(dataDir))).toBe(false);
  });

  it('a live server whose socket cannot be used: the command refuses with exit 1, naming the server, and writes nothing', async () => {
    // This process plays the server: alive, but no socket answers.
    await writeFile(ownerFilePath(dataDir), JSON.stringify({ pid: process.pid, role: 'server', startedAt: '2026-01-01T00:00:00.000Z' }));
    await writeFile(embeddedSocketPath(dataDir), '');
    const refused = await cli(NEW_USER, env(), `${PASSWORD}\n`);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`the development server (pid ${process.pid}`);
    expect(refused.stderr).toMatch(/stop it \(Ctrl-C\) and run the command again/);
    // Nothing was opened: the server's files are as they were, and no database was created.
    expect(await readOwner(dataDir)).toMatchObject({ pid: process.pid });
    expect(existsSync(`${dataDir}/pglite`)).toBe(false);
  });
});
