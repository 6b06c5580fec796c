// `npm run bench`: throughput of the hot paths as RATIOS against ceilings
// measured in the same run on the same machine (these machines are shared and
// noisy, so absolute numbers mean little):
//   - HTTP: a bare Fastify hello-world vs /api/health and an authenticated /api/auth/me;
//   - passwords: raw argon2id verifications/s vs complete password steps/s (POST /api/auth/login);
//   - storage: raw `select 1`/s vs limits.consume/s on the same database.
// Loads go to 127.0.0.1 only and are bounded in time.

import Fastify from 'fastify';
import { hash, verify } from '@node-rs/argon2';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { ARGON2_OPTIONS } from '../src/auth/passwords.js';
import { ADMIN, createTestApp, signIn } from '../test/helpers/app.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function requestsPerSecond(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; connections?: number } = {}): Promise<number> {
  const result = await autocannon({ url, duration: SECONDS, connections: options.connections ?? 10, method: options.method ?? 'GET', headers: options.headers, body: options.body });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return result.requests.average;
}

async function operationsPerSecond(operation: () => Promise<unknown>, concurrency = 1): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let count = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      await operation();
      count += 1;
    }
  }));
  return count / SECONDS;
}

const rows: { scenario: string; ceiling: string; rate: number; ceilingRate: number }[] = [];
const report = (scenario: string, ceiling: string, rate: number, ceilingRate: number) => rows.push({ scenario, ceiling, rate, ceilingRate });

// Ceiling 1: Fastify hello-world.
const hello = Fastify();
hello.get('/', async () => ({ hello: 'world' }));
const helloUrl = await hello.listen({ port: 0, host: '127.0.0.1' });
const helloRate = await requestsPerSecond(helloUrl);
await hello.close();

const limitsOff = { LOG_LEVEL: 'warn', LIMIT_REQUESTS_PER_IP: '100000000/1m', LIMIT_LOGIN_PER_IP: '100000000/1m', LIMIT_OTP_PER_PHONE: '100000000/1m', LIMIT_OTP_PER_IP: '100000000/1m', LOCKOUT_PASSWORD: '100000000/1m' };
const t = await createTestApp({ env: limitsOff });
const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
report('GET /api/health', 'Fastify hello-world', await requestsPerSecond(`${base}/api/health`), helloRate);
const tokens = await signIn(t.app);
report('GET /api/auth/me (JWT + live session)', 'Fastify hello-world', await requestsPerSecond(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } }), helloRate);

// Ceiling 2: raw argon2id verifications, as many in parallel as the login run uses.
const storedHash = await hash(ADMIN.password, ARGON2_OPTIONS);
const argonRate = await operationsPerSecond(() => verify(storedHash, ADMIN.password), 4);
report('POST /api/auth/login (password step)', 'raw argon2id verify', await requestsPerSecond(`${base}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }), connections: 4,
}), argonRate);

// Ceiling 3: raw SQL round trips on the same database.
const sqlRate = await operationsPerSecond(() => t.database.query(sql`select 1`));
let key = 0;
report('limits.consume (one atomic upsert)', 'raw SQL select 1', await operationsPerSecond(() => t.services.limits.consume(`bench:${key++ % 100}`, [{ limit: 1_000_000, windowSeconds: 60 }])), sqlRate);
await t.close();

console.log(`\nBoreal Portal benchmark (${SECONDS}s per scenario; ratio = scenario rate / ceiling rate, same run)\n`);
for (const row of rows) {
  console.log(`${row.scenario.padEnd(42)} ${row.rate.toFixed(0).padStart(8)}/s  vs ${row.ceiling.padEnd(22)} ${row.ceilingRate.toFixed(0).padStart(8)}/s  ratio ${(row.rate / row.ceilingRate).toFixed(2)}`);
}
