// LIMIT_REQUESTS_PER_IP: every route but health, the 404 handler too, signed
// in or not; 429 RATE_LIMITED problem+json with Retry-After; keyed on the
// socket address unless TRUST_PROXY says otherwise, so X-Forwarded-For,
// missing or spoofed, never buys a fresh counter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, json, type TestApp } from '../helpers/app.js';
import { clientKey, UNKNOWN_CLIENT } from '../../src/limits/client-ip.js';
import { expect429, ROOMY } from './support.js';

const LIMIT = 5;

function get(t: TestApp, url: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, remoteAddress, headers } satisfies InjectOptions);
}

describe('requests per IP (5/1m here)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_REQUESTS_PER_IP: `${LIMIT}/1m` } });
  });
  afterAll(async () => t.close());

  it('the 6th request is 429 RATE_LIMITED with Retry-After and the wait in words; released when the window ends', async () => {
    const ip = '198.51.100.1';
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, '/.well-known/jwks.json', ip)).statusCode).toBe(200);
    t.clock.advanceSeconds(15);
    const refused = await get(t, '/.well-known/jwks.json', ip);
    expect(expect429(refused, 'RATE_LIMITED')).toBe(45);
    expect(json(refused)).toMatchObject({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Too many requests from this address. Try again in 45 seconds.' });
    expect((await get(t, '/.well-known/jwks.json', '198.51.100.2')).statusCode).toBe(200);
    t.clock.advanceSeconds(44);
    expect(expect429(await get(t, '/.well-known/jwks.json', ip), 'RATE_LIMITED')).toBe(1);
    t.clock.advanceSeconds(1);
    expect((await get(t, '/.well-known/jwks.json', ip)).statusCode).toBe(200);
  });

  it('requests without a token to protected routes count (counted before authentication)', async () => {
    const ip = '198.51.100.3';
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, '/api/auth/me', ip)).statusCode).toBe(401);
    expect429(await get(t, '/api/auth/me', ip), 'RATE_LIMITED');
  });

  it('unknown routes count: the 404 handler is limited too', async () => {
    const ip = '198.51.100.4';
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, `/no/such/route/${i}`, ip)).statusCode).toBe(404);
    expect429(await get(t, '/no/such/route', ip), 'RATE_LIMITED');
    expect429(await get(t, '/.well-known/jwks.json', ip), 'RATE_LIMITED');
  });

  it('bodies refused by validation count too, and so do POSTs to the sign-in', async () => {
    const ip = '198.51.100.5';
    for (let i = 0; i < LIMIT; i += 1) {
      const answer = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(answer.statusCode).toBe(400);
    }
    expect429(await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: '{}' }), 'RATE_LIMITED');
  });

  it('health routes are never counted nor refused', async () => {
    const ip = '198.51.100.6';
    for (let i = 0; i < LIMIT * 3; i += 1) {
      expect((await get(t, '/api/health', ip)).statusCode).toBe(200);
      expect([200, 503]).toContain((await get(t, '/api/health/ready', ip)).statusCode);
    }
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, '/.well-known/jwks.json', ip)).statusCode).toBe(200);
    expect429(await get(t, '/.well-known/jwks.json', ip), 'RATE_LIMITED');
    expect((await get(t, '/api/health', ip)).statusCode).toBe(200);
  });

  it('without TRUST_PROXY, X-Forwarded-For (spoofed, changing, or absent) does not change the client', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < LIMIT; i += 1) {
      expect((await get(t, '/.well-known/jwks.json', ip, { 'x-forwarded-for': `10.0.0.${i}` })).statusCode).toBe(200);
    }
    expect429(await get(t, '/.well-known/jwks.json', ip, { 'x-forwarded-for': '10.9.9.9' }), 'RATE_LIMITED');
    expect429(await get(t, '/.well-known/jwks.json', ip, { 'x-forwarded-for': '' }), 'RATE_LIMITED');
    expect429(await get(t, '/.well-known/jwks.json', ip, { 'x-real-ip': '10.9.9.8', forwarded: 'for=10.9.9.7' }), 'RATE_LIMITED');
    expect429(await get(t, '/.well-known/jwks.json', ip), 'RATE_LIMITED');
  });

  it('without TRUST_PROXY, a spoofed X-Forwarded-For does not move the sign-in limits either', async () => {
    const t2 = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_LOGIN_PER_IP: '3/10m' } });
    try {
      for (let i = 0; i < 3; i += 1) {
        const answer = await t2.app.inject({
          method: 'POST', url: '/api/auth/login', remoteAddress: '198.51.100.8',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.1.${i}` },
          payload: { email: `spoof${i}@example.test`, password: 'x' },
        });
        expect(answer.statusCode).toBe(401);
      }
      const refused = await t2.app.inject({
        method: 'POST', url: '/api/auth/login', remoteAddress: '198.51.100.8',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.1.1.99' },
        payload: { email: 'spoof@example.test', password: 'x' },
      });
      expect429(refused, 'LOGIN_RATE_LIMITED');
    } finally {
      await t2.close();
    }
  });

  it('a parallel burst of 30 requests from one address lets exactly 5 through', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => get(t, '/.well-known/jwks.json', '198.51.100.9')));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(LIMIT);
    for (const answer of answers.filter((answer) => answer.statusCode !== 200)) expect429(answer, 'RATE_LIMITED');
  });

  it('IPv6 clients count per /64; IPv4-mapped addresses count as their IPv4', async () => {
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, '/.well-known/jwks.json', `2001:db8:1:2::${i + 1}`)).statusCode).toBe(200);
    expect429(await get(t, '/.well-known/jwks.json', '2001:db8:1:2:aaaa:bbbb:cccc:dddd'), 'RATE_LIMITED');
    expect((await get(t, '/.well-known/jwks.json', '2001:db8:1:3::1')).statusCode).toBe(200);

    for (let i = 0; i < LIMIT; i += 1) await get(t, '/.well-known/jwks.json', '198.51.100.10');
    expect429(await get(t, '/.well-known/jwks.json', '::ffff:198.51.100.10'), 'RATE_LIMITED');
  });
});

describe('with TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_REQUESTS_PER_IP: `${LIMIT}/1m`, TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => t.close());

  it('the trusted proxy\'s X-Forwarded-For names the client: clients behind one proxy count apart', async () => {
    for (let i = 0; i < LIMIT; i += 1) expect((await get(t, '/.well-known/jwks.json', '127.0.0.1', { 'x-forwarded-for': '203.0.113.1' })).statusCode).toBe(200);
    expect429(await get(t, '/.well-known/jwks.json', '127.0.0.1', { 'x-forwarded-for': '203.0.113.1' }), 'RATE_LIMITED');
    expect((await get(t, '/.well-known/jwks.json', '127.0.0.1', { 'x-forwarded-for': '203.0.113.2' })).statusCode).toBe(200);
  });

  it('an untrusted sender\'s X-Forwarded-For is ignored', async () => {
    for (let i = 0; i < LIMIT; i += 1) await get(t, '/.well-known/jwks.json', '198.51.100.77', { 'x-forwarded-for': `203.0.113.${100 + i}` });
    expect429(await get(t, '/.well-known/jwks.json', '198.51.100.77', { 'x-forwarded-for': '203.0.113.200' }), 'RATE_LIMITED');
  });

  it('the trusted proxy without X-Forwarded-For is limited as itself, not skipped', async () => {
    for (let i = 0; i < LIMIT; i += 1) await get(t, '/.well-known/jwks.json', '127.0.0.1');
    expect429(await get(t, '/.well-known/jwks.json', '127.0.0.1'), 'RATE_LIMITED');
  });
});

describe('no address is never no limit', () => {
  it('clientKey: a missing or empty address is the one client "unknown"; IPv6 per /64; mapped IPv4 as IPv4', () => {
    expect(clientKey(undefined)).toBe(UNKNOWN_CLIENT);
    expect(clientKey(null)).toBe(UNKNOWN_CLIENT);
    expect(clientKey('  ')).toBe(UNKNOWN_CLIENT);
    expect(clientKey('192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('2001:DB8:0:0:1::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('sign-ins without an address share one counter instead of skipping it', async () => {
    const t = await createTestApp({ seed: false, env: { ...ROOMY, LIMIT_LOGIN_PER_IP: '2/10m' } });
    try {
      for (const ip of ['', undefined as unknown as string]) {
        await expect(t.services.signIn.login({ email: 'a@example.test', password: 'x', ip })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      }
      await expect(t.services.signIn.login({ email: 'a@example.test', password: 'x', ip: '' })).rejects.toMatchObject({ code: 'LOGIN_RATE_LIMITED' });
    } finally {
      await t.close();
    }
  });
});
