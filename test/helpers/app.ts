// A fresh app per suite: its own database (see database.ts), a clock the test
// moves, the console OTP provider unless another is given, logs captured so a
// test can prove no secret reaches them.

import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loggerOptions } from '../../src/logging.js';
import { loadConfig, type Config } from '../../src/config.js';
import { generateKeySet, type KeySet } from '../../src/auth/access-tokens.js';
import type { Clock } from '../../src/core/clock.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { DEVELOPMENT_ADMIN, seedDevelopmentAdmin } from '../../src/users/development-seed.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';
import { createTestDatabase } from './database.js';

export class TestClock implements Clock {
  #nowMs: number;
  constructor(start = Date.parse('2026-01-15T12:00:00.000Z')) {
    this.#nowMs = start;
  }
  now(): Date {
    return new Date(this.#nowMs);
  }
  advanceSeconds(seconds: number): void {
    this.#nowMs += seconds * 1000;
  }
}

/** A fixed DATA_ENCRYPTION_KEY for tests (DATA_DIR does not exist there): 32 bytes, base64url. */
export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64url');

let keySet: Promise<KeySet> | undefined;
export const testKeySet = () => (keySet ??= generateKeySet());

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  config: Config;
  clock: TestClock;
  database: DatabaseHandle;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Settings as environment variables (e.g. { LIMIT_LOGIN_PER_IP: '3/1m' }). */
  env?: Record<string, string>;
  overrides?: Omit<ServiceOverrides, 'clock'>;
  /** Seed the development admin (default true). */
  seed?: boolean;
  clock?: TestClock;
  database?: DatabaseHandle;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent-test-data-dir', LOG_LEVEL: 'info', DATA_ENCRYPTION_KEY: TEST_DATA_KEY, ...options.env });
  const database = options.database ?? (await createTestDatabase());
  const clock = options.clock ?? new TestClock();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino(loggerOptions(config.logLevel), sink);
  const services = await createServices(config, database, logger, { keySet: await testKeySet(), ...options.overrides, clock });
  if (options.seed ?? true) await seedDevelopmentAdmin(services.db, services.passwords);
  const app = await buildApp(services, { logger });
  await app.ready();
  return {
    app,
    services,
    config,
    clock,
    database,
    logs,
    async close() {
      await app.close();
      await services.close();
      if (!options.database) await database.close();
    },
  };
}

export const ADMIN = DEVELOPMENT_ADMIN;

export function json<T = Record<string, any>>(response: LightMyRequestResponse): T {
  return JSON.parse(response.body) as T;
}

export async function postJson(app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload: body as object, headers: { 'content-type': 'application/json', ...headers } });
}

/** Password step; returns the temp token. */
export async function loginStep(app: FastifyInstance, email: string = ADMIN.email, password: string = ADMIN.password, headers: Record<string, string> = {}): Promise<string> {
  const response = await postJson(app, '/api/auth/login', { email, password }, headers);
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return json(response).tempToken as string;
}

/** The whole sign-in with the console provider's code; returns the token answer. */
export async function signIn(app: FastifyInstance, email: string = ADMIN.email, password: string = ADMIN.password, code = '123456') {
  const tempToken = await loginStep(app, email, password);
  const response = await postJson(app, '/api/auth/otp/verify', { tempToken, code });
  if (response.statusCode !== 200) throw new Error(`verify failed: ${response.statusCode} ${response.body}`);
  return json<{ accessToken: string; refreshToken: string; user: { id: string } }>(response);
}

export const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
