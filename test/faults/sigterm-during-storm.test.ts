// SIGTERM during a login storm, on the production build (`node dist/main.js`,
// embedded database): the requests in flight finish with their real
// answers, new ones are refused, and the process exits within 10 s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { within } from '../helpers/poll.js';
import { ensureBuilt, scratchDirectory, startBuiltServer, type RunningBuild } from '../production/built-server.js';

const STORM = 8;

describe('SIGTERM during a login storm', () => {
  let cwd: string;
  let server: RunningBuild | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    cwd = await scratchDirectory('boreal-sigterm-');
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('finishes the requests in flight, refuses new ones, and exits within 10 s', async () => {
    server = await startBuiltServer({
      cwd,
      env: {
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: `${cwd}/data`,
        // Outside production the info level logs one line per request, at its end; debug adds one at its arrival.
        LOG_LEVEL: 'debug',
        LIMIT_LOGIN_PER_IP: '100000/1m',
        LOCKOUT_PASSWORD: '100000/1m',
        LIMIT_REQUESTS_PER_IP: '100000/1m',
        LIMIT_OTP_PER_PHONE: '100000/1m',
        LIMIT_OTP_PER_IP: '100000/1m',
      },
    });
    const url = server.url;
    const login = () =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@boreal.com', password: 'admin123' }),
      }).then(
        async (response) => ({ status: response.status, ...(response.status === 200 ? {} : { body: await response.text() }) }),
        (error: Error) => ({ status: 0, error: error.message }),
      );
    expect((await login()).status).toBe(200); // warm: the first hash and the first queries

    // The storm: each login waits its turn for the one argon2 slot, so most are in flight when SIGTERM lands.
    const inFlight = Array.from({ length: STORM }, () => login());
    const received = () => server!.output().stdout.split('incoming request').length - 1;
    await within(10_000, () => received() >= STORM + 1);
    const signalledAt = Date.now();
    const exited = server.stop();
    await within(5000, () => server!.output().stdout.includes('SIGTERM: closing'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await login();

    const answers = await Promise.all(inFlight);
    // Every request that reached the server before SIGTERM got its real answer.
    for (const answer of answers) expect(answer, JSON.stringify(answer)).toEqual({ status: 200 });
    // After it: refused (the server no longer listens) or told to go elsewhere (503 on a kept-alive connection).
    expect([0, 503]).toContain(late.status);
    if (late.status === 503) expect(JSON.parse((late as { body: string }).body)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const result = await exited;
    server = undefined;
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(result.code, result.stdout.split("\n").filter((line) => !line.includes("incoming request") && !line.includes("request completed") && !line.includes("DEV MODE")).slice(-3).join("\n") + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SIGTERM: closing/);
  }, 60_000);
});
