// The development request log (src/http/request-log.ts): a hook only for a
// line that is printed, so a server logging at warn does no per-request work
// for lines it would throw away.

import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { logOneLinePerRequest } from '../../src/http/request-log.js';

async function appAt(level: string) {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const app = Fastify({ loggerInstance: pino({ level }, sink) as FastifyBaseLogger, disableRequestLogging: true });
  const hooks: string[] = [];
  const addHook = app.addHook.bind(app) as (...args: unknown[]) => unknown;
  (app as unknown as { addHook: (...args: unknown[]) => unknown }).addHook = (name: unknown, ...rest: unknown[]) => {
    hooks.push(String(name));
    return addHook(name, ...rest);
  };
  logOneLinePerRequest(app);
  app.get('/ping', async () => ({ ok: true }));
  await app.inject({ method: 'GET', url: '/ping?email=someone@example.test' });
  await app.close();
  return { hooks, messages: lines.map((line) => JSON.parse(line).msg as string) };
}

describe('one line per request, only where it is printed', () => {
  it('at debug: the arrival and the end', async () => {
    const { hooks, messages } = await appAt('debug');
    expect(hooks).toEqual(['onRequest', 'onResponse']);
    expect(messages).toEqual(['incoming request', expect.stringMatching(/^GET \/ping → 200 \(\d+ ms\)$/)]);
  });

  it('at info: the end alone, its path without the query', async () => {
    const { hooks, messages } = await appAt('info');
    expect(hooks).toEqual(['onResponse']);
    expect(messages).toEqual([expect.stringMatching(/^GET \/ping → 200/)]);
  });

  it('at warn: no hook at all', async () => {
    expect(await appAt('warn')).toEqual({ hooks: [], messages: [] });
  });
});
