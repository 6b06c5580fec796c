// TRUST_PROXY=1 (one proxy in front, defect 9.5): the client is the address
// that proxy appended to X-Forwarded-For, for the audit log and the limits
// alike; what the client itself wrote further left is not believed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/app.js';
import { auditRows } from '../helpers/audit.js';
import { RELAXED_LIMITS } from '../helpers/limits-env.js';

const PROXY = '10.0.0.5';

function login(t: TestApp, forwardedFor: string | undefined, remoteAddress = PROXY) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress,
    headers: { 'content-type': 'application/json', ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) },
    payload: { email: ADMIN.email, password: 'not-the-password' },
  });
}

describe('TRUST_PROXY=1', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...RELAXED_LIMITS, TRUST_PROXY: '1', LIMIT_LOGIN_PER_IP: '2/10m' } });
  });
  afterAll(async () => t.close());

  it('the login audit row holds the client address the proxy forwarded, not the proxy’s', async () => {
    expect((await login(t, '203.0.113.9')).statusCode).toBe(401);
    const [row] = (await auditRows(t, 'LOGIN_FAILED')).slice(-1);
    expect(row!.ip).toBe('203.0.113.9');
  });

  it('only the hop the proxy added is believed: an address the client wrote before it is not', async () => {
    expect((await login(t, '198.51.100.66, 203.0.113.10')).statusCode).toBe(401);
    expect((await auditRows(t, 'LOGIN_FAILED')).at(-1)!.ip).toBe('203.0.113.10');
  });

  it('the sign-in limit counts each client behind the proxy apart', async () => {
    expect((await login(t, '203.0.113.20')).statusCode).toBe(401);
    expect((await login(t, '203.0.113.20')).statusCode).toBe(401);
    expect((await login(t, '203.0.113.20')).statusCode).toBe(429);
    expect((await login(t, '203.0.113.21')).statusCode).toBe(401);
  });

  it('a request without X-Forwarded-For is the proxy itself', async () => {
    expect((await login(t, undefined, '10.0.0.6')).statusCode).toBe(401);
    expect((await auditRows(t, 'LOGIN_FAILED')).at(-1)!.ip).toBe('10.0.0.6');
  });
});
