// The production build, booted as it is deployed: `node dist/main.js` with
// NODE_ENV=production on PostgreSQL, Twilio Verify reached over real HTTP (the
// loopback fake), its first user made with `boreal users create`. Every
// failure class of the incident behind this product is exercised here: a
// production-only import that does not exist (the build would not boot), a
// production route table smaller than development's, missing Twilio secrets
// (doctor and readiness), and an OTP provider outage.

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { generateKeySet } from '../../src/auth/access-tokens.js';
import { generateDataEncryptionKey } from '../../src/secrets/data-key.js';
import { recordRoutes } from '../../src/cli/route-table.js';
import { startFakeTwilioVerify, type FakeTwilio } from '../fakes/fake-twilio-verify.js';
import { createTestApp } from '../helpers/app.js';
import { createPostgresDatabase } from '../helpers/database.js';
import { ensureBuilt, runBoreal, scratchDirectory, startBuiltServer, type RunningBuild } from './built-server.js';

const EMAIL = 'first.admin@boreal.example';
const PASSWORD = 'Muskeg-Aurora-2031';
const PHONE = '+16135550134';

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let fake: FakeTwilio;
let cwd: string;
let env: Record<string, string>;
let server: RunningBuild | undefined;

beforeAll(async () => {
  [, database, fake, cwd] = await Promise.all([ensureBuilt(), createPostgresDatabase(), startFakeTwilioVerify(), scratchDirectory('boreal-parity-')]);
  env = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    JWT_PRIVATE_KEYS: JSON.stringify(await generateKeySet()),
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_VERIFY_SERVICE_SID: fake.serviceSid,
    TWILIO_VERIFY_BASE_URL: fake.url,
    TWILIO_TIMEOUT: '3s',
    PUBLIC_URL: 'https://portal.example.com',
    DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
    // /metrics answers 404 without it, like a route that is not there: with it, the probe below sees the route.
    METRICS_TOKEN: 'parity-metrics-token',
    HOST: '127.0.0.1',
    PORT: '0',
  };
});

afterAll(async () => {
  const stopped = await server?.stop();
  if (stopped && stopped.code !== 0) console.error(`the built server did not close cleanly (${stopped.code ?? stopped.signal}):\n${stopped.stderr}`);
  await fake?.close();
  await database?.close();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (the docs viewer)
  }
  return { status: response.status, json, text, headers: response.headers };
}

describe('the production build', () => {
  it('boreal doctor passes with the production settings (PostgreSQL reached, Twilio reached)', async () => {
    const result = await runBoreal(['doctor'], { env, cwd });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/^✓ database: PostgreSQL at /m);
    expect(result.stdout).toMatch(new RegExp(`^✓ otp provider: twilio-verify: service ${fake.serviceSid} reachable`, 'm'));
  });

  it('boreal users create makes the first admin, the password read from stdin', async () => {
    const result = await runBoreal(['users', 'create', '--email', EMAIL, '--name', 'First Admin', '--phone', PHONE, '--role', 'admin'], { env, cwd, input: `${PASSWORD}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: EMAIL, phone: PHONE, roles: ['admin'] });
  });

  it('node dist/main.js starts in production and serves', async () => {
    server = await startBuiltServer({ env, cwd });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('GET', '/api/health')).json).toEqual({ status: 'ok' });
    // No development admin in production.
    const seeded = await call('POST', '/api/auth/login', { email: 'admin@boreal.com', password: 'admin123' });
    expect(seeded.json.code).toBe('INVALID_CREDENTIALS');
  });

  it('signs in over real HTTP with the code Twilio (the fake) generated; a wrong code is INVALID_OTP', async () => {
    const login = await call('POST', '/api/auth/login', { email: EMAIL, password: PASSWORD });
    expect(login.status, login.text).toBe(200);
    expect(login.json).toMatchObject({ status: 'OTP_REQUIRED', otp: { channel: 'sms', to: '+1 ••• ••• ••34' } });
    expect(fake.sent.at(-1)).toEqual({ to: PHONE, channel: 'sms' });
    const code = fake.lastCode(PHONE)!;
    expect(code).toMatch(/^\d{6}$/);

    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await call('POST', '/api/auth/otp/verify', { tempToken: login.json.tempToken, code: wrongCode });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ code: 'INVALID_OTP', attemptsRemaining: 4 });

    const verify = await call('POST', '/api/auth/otp/verify', { tempToken: login.json.tempToken, code });
    expect(verify.status, verify.text).toBe(200);
    expect(verify.json).toMatchObject({ tokenType: 'Bearer', user: { email: EMAIL, roles: ['admin'] } });

    const me = await call('GET', '/api/auth/me', undefined, { authorization: `Bearer ${verify.json.accessToken}` });
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe(EMAIL);
  });

  // Before anything asks for readiness: it remembers the provider's answer for a few seconds.
  it('a Twilio outage: login answers 503 OTP_PROVIDER_UNAVAILABLE, readiness 503, liveness still 200', async () => {
    fake.setMode('down');
    try {
      const login = await call('POST', '/api/auth/login', { email: EMAIL, password: PASSWORD });
      expect(login.status, login.text).toBe(503);
      expect(login.json.code).toBe('OTP_PROVIDER_UNAVAILABLE');
      expect(login.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(login.text).not.toMatch(/twilio|axios|ECONN|stack/i);
      expect((await call('GET', '/api/health')).status).toBe(200);
      const ready = await call('GET', '/api/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json.checks.otp).toMatchObject({ ok: false, provider: 'twilio-verify' });
    } finally {
      fake.setMode('normal');
    }
  });

  it('with Twilio down, a user with an authenticator app signs in end to end; one without still gets OTP_PROVIDER_UNAVAILABLE', async () => {
    // The first admin makes a second user, who enrolls an authenticator while Twilio is up.
    const adminLogin = await call('POST', '/api/auth/login', { email: EMAIL, password: PASSWORD });
    const admin = await call('POST', '/api/auth/otp/verify', { tempToken: adminLogin.json.tempToken, code: fake.lastCode(PHONE)! });
    const user = { email: 'app.user@boreal.example', password: 'Tundra-Lichen-2044', phone: '+16135550177' };
    const created = await call('POST', '/api/rbac/users', { ...user, name: 'App User', roles: ['staff'] }, { authorization: `Bearer ${admin.json.accessToken}` });
    expect(created.status, created.text).toBe(201);
    const smsLogin = await call('POST', '/api/auth/login', { email: user.email, password: user.password });
    const signedIn = await call('POST', '/api/auth/otp/verify', { tempToken: smsLogin.json.tempToken, code: fake.lastCode(user.phone)! });
    const auth = { authorization: `Bearer ${signedIn.json.accessToken}` };
    const { json: enrollment } = await call('POST', '/api/auth/totp', undefined, auth);
    const secret = decodeBase32IgnorePadding(enrollment.secret);
    // Real time here: confirm with the step before now (accepted), so the current step is still free to sign in with.
    const step = () => Math.floor(Date.now() / 30_000);
    const confirmed = await call('POST', '/api/auth/totp/confirm', { code: generateHOTP(secret, BigInt(step() - 1), 6) }, auth);
    expect(confirmed.status, confirmed.text).toBe(200);

    fake.setMode('down');
    try {
      const sentBefore = fake.sent.length;
      const login = await call('POST', '/api/auth/login', { email: user.email, password: user.password });
      expect(login.status, login.text).toBe(200);
      expect(login.json.otp).toEqual({ channel: 'totp' });
      const verify = await call('POST', '/api/auth/otp/verify', { tempToken: login.json.tempToken, code: generateHOTP(secret, BigInt(step()), 6) });
      expect(verify.status, verify.text).toBe(200);
      const claims = JSON.parse(Buffer.from(verify.json.accessToken.split('.')[1], 'base64url').toString('utf8'));
      expect(claims.amr).toEqual(['pwd', 'otp']);
      expect(fake.sent.length).toBe(sentBefore);
      const withoutApp = await call('POST', '/api/auth/login', { email: EMAIL, password: PASSWORD });
      expect(withoutApp.status).toBe(503);
      expect(withoutApp.json.code).toBe('OTP_PROVIDER_UNAVAILABLE');
    } finally {
      fake.setMode('normal');
    }
  });

  it('the route table of the production build is the development app’s, route for route', async () => {
    const { result: development, routes: developmentTable } = await recordRoutes(() => createTestApp({ env: { NODE_ENV: 'development' }, seed: false }));
    try {
      // 1. What `boreal routes` prints under the production settings.
      const printed = await runBoreal(['routes'], { env, cwd });
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout.trimEnd().split('\n')).toEqual(developmentTable);

      // 2. What the running production server actually routes: every route of
      //    the development table answers something other than "no such route".
      const unknown = await call('GET', `/api/no-such-route-${randomUUID()}`);
      expect(unknown.status).toBe(404);
      const missing: string[] = [];
      for (const line of developmentTable) {
        const [method, path] = line.split(' ') as [string, string];
        if (path.includes('*')) continue; // a wildcard's 404 (a missing static file) is its own answer
        const url = path.replace(/:[^/]+/g, randomUUID());
        const withBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
        const answer = await call(method, url, withBody ? {} : undefined);
        const sameAsUnknown = answer.status === 404 && (!path.includes(':') || answer.json.detail === unknown.json.detail);
        if (sameAsUnknown) missing.push(line);
      }
      expect(missing, 'routes of development that the production build does not serve').toEqual([]);

      // 3. The OpenAPI document of both, where there is one.
      const productionDocument = await call('GET', '/openapi.json');
      const developmentDocument = await development.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(productionDocument.status).toBe(developmentDocument.statusCode);
      if (productionDocument.status === 200) {
        const operations = (document: { paths?: Record<string, Record<string, unknown>> }) =>
          Object.entries(document.paths ?? {}).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)).sort();
        expect(operations(productionDocument.json)).toEqual(operations(JSON.parse(developmentDocument.body)));
      }
    } finally {
      await development.close();
    }
  });

  it('the production logs hold no password, code or token', () => {
    const { stdout, stderr } = server!.output();
    const logs = stdout + stderr;
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(fake.authToken);
    expect(logs).not.toMatch(/DEV MODE/);
  });
});
