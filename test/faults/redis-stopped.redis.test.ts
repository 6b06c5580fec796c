// Redis stopped and started under load, on a private redis-server of this
// test (the machine's shared Redis on 6379 is left alone): the request limit
// falls back to this instance's memory at once and goes back to Redis when
// it returns, with one log line each way; no request waits for Redis; and
// readiness stays ready while reporting Redis as not answering.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_REQUEST_KEY_PREFIX } from '../../src/limits/request-counters.js';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { within } from '../helpers/poll.js';
import { expect429, ROOMY } from '../limits/support.js';

const LIMIT = 5;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  await within(5000, async () => probe.connect().then(() => true, () => false));
  probe.disconnect();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('Redis stopped and started under load', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestApp;
  let probe: Redis;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_REQUESTS_PER_IP: `${LIMIT}/1m`, REDIS_URL: `redis://127.0.0.1:${port}` } });
    probe = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => 200 });
    probe.on('error', () => {});
  });
  afterAll(async () => {
    probe?.disconnect();
    await t?.close();
    if (redis) await stopRedis(redis);
  });

  const get = (remoteAddress: string) => t.app.inject({ method: 'GET', url: '/.well-known/jwks.json', remoteAddress });
  const ready = () => t.app.inject({ method: 'GET', url: '/api/health/ready' });
  const logLines = (pattern: RegExp) => t.logs.filter((line) => pattern.test(line)).length;

  it('counts in Redis while it answers', async () => {
    expect((await get('192.0.2.1')).statusCode).toBe(200);
    expect(await probe.get(`${REDIS_REQUEST_KEY_PREFIX}192.0.2.1`)).toBe('1');
    expect(json(await ready()).checks.redis).toMatchObject({ ok: true });
  });

  it('Redis killed: requests keep answering at once, limited in memory; one log line; readiness ready with redis.ok false', async () => {
    await stopRedis(redis);
    const started = Date.now();
    const answers = [];
    for (let i = 0; i < LIMIT; i += 1) answers.push(await get('192.0.2.2'));
    const refused = await get('192.0.2.2');
    expect(Date.now() - started).toBeLessThan(2000);
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    expect429(refused, 'RATE_LIMITED');
    // A burst in parallel: none waits for Redis.
    const burstStarted = Date.now();
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`192.0.2.${100 + i}`)));
    expect(burst.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(Date.now() - burstStarted).toBeLessThan(1500);
    expect(logLines(/Redis does not answer: request limits fall back/)).toBe(1);
    const readiness = await ready();
    expect(readiness.statusCode).toBe(200);
    expect(json(readiness)).toMatchObject({ status: 'ready', checks: { redis: { ok: false } } });
  });

  it('Redis back: the limit counts in Redis again, with one log line', async () => {
    redis = await startRedis(port);
    await within(5000, async () => {
      await get('192.0.2.3');
      return (await probe.get(`${REDIS_REQUEST_KEY_PREFIX}192.0.2.3`).catch(() => null)) !== null;
    });
    expect(logLines(/Redis answers again: request limits are shared again/)).toBe(1);
    expect(json(await ready()).checks.redis).toMatchObject({ ok: true });
  });
});
