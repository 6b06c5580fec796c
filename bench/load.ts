// Load generators: autocannon for HTTP rates, a steady-rate client for the
// latency at a fixed rate (steadyRateLoad), a fetch loop for
// full sign-ins (each a chain of two requests that autocannon cannot carry a
// token through without per-connection state), and the raw argon2id loop.
// Every answer must be a 2xx: a bench that counts refusals measures nothing.

import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { hash, verify } from '@node-rs/argon2';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { ARGON2_OPTIONS } from '../src/auth/passwords.js';
import { BENCH_OTP_CODE, BENCH_PASSWORD, type BenchUser } from './scratch-database.js';

export interface HttpLoad {
  url: string;
  seconds: number;
  headers?: Record<string, string>;
  connections?: number;
  /** Requests per second over all connections; absent means as fast as possible. */
  overallRate?: number;
}

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

export async function httpLoad(load: HttpLoad): Promise<HttpResult> {
  const result = await autocannon({
    url: load.url,
    duration: load.seconds,
    connections: load.connections ?? 10,
    headers: load.headers,
    ...(load.overallRate ? { overallRate: load.overallRate } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${load.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, requests: result.requests.total };
}

/**
 * GET `url` at a steady `ratePerSecond` for `seconds`, as an open model: each
 * request leaves at its scheduled instant whether or not the earlier ones
 * have been answered, and its latency counts from that instant, so a server
 * that stalls is charged for the wait (no coordinated omission). Not
 * autocannon's `overallRate`: that sends each second's quota as a burst at
 * the start of the second (a per-connection count reset every second), so its
 * p99 at 200 req/s is the time 200 requests at once take to drain.
 */
export async function steadyRateLoad(load: { url: string; seconds: number; ratePerSecond: number; headers?: Record<string, string> }): Promise<HttpResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const request = http.get(load.url, { agent, headers: load.headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
    });
  const intervalMs = 1000 / load.ratePerSecond;
  const total = Math.round(load.seconds * load.ratePerSecond);
  const latencies: number[] = [];
  let failures = 0;
  const answers: Promise<void>[] = [];
  const startedAt = performance.now();
  for (let index = 0; index < total; index += 1) {
    const dueAt = startedAt + index * intervalMs;
    const waitMs = dueAt - performance.now();
    if (waitMs >= 1) await sleep(waitMs);
    answers.push(
      get().then(
        (status) => {
          if (status < 200 || status >= 300) failures += 1;
          latencies.push(performance.now() - dueAt);
        },
        () => {
          failures += 1;
        },
      ),
    );
  }
  await Promise.all(answers);
  agent.destroy();
  if (failures > 0) throw new Error(`${load.url}: ${failures} of ${total} requests failed or answered non-2xx`);
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.ceil(quantile * latencies.length) - 1)]!;
  return { requestsPerSecond: total / ((performance.now() - startedAt) / 1000), p50Ms: at(0.5), p99Ms: at(0.99), requests: total };
}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as Record<string, unknown>;
  // Only the status and error code: the body of a success holds tokens.
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname}: ${response.status} ${String(answer.code ?? '')}`);
  return answer;
}

/** Password step, then the console provider's code: a complete sign-in. Returns the access token. */
export async function signIn(baseUrl: string, user: BenchUser): Promise<string> {
  const { tempToken } = await postJson(`${baseUrl}/api/auth/login`, { email: user.email, password: BENCH_PASSWORD });
  const { accessToken } = await postJson(`${baseUrl}/api/auth/otp/verify`, { tempToken, code: BENCH_OTP_CODE });
  return accessToken as string;
}

/** Runs `operation` with `inFlight` parallel loops until `until()` says stop; returns completions per second. */
export async function loopRate(operation: (worker: number) => Promise<unknown>, inFlight: number, until: () => boolean): Promise<number> {
  const started = performance.now();
  let completed = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, worker) => {
      while (!until()) {
        await operation(worker);
        completed += 1;
      }
    }),
  );
  return completed / ((performance.now() - started) / 1000);
}

export const forSeconds = (seconds: number) => {
  const end = performance.now() + seconds * 1000;
  return () => performance.now() >= end;
};

/** Full sign-ins per second, each loop signing in its own user (users[first + worker]). */
export function signInRate(baseUrl: string, users: BenchUser[], inFlight: number, until: () => boolean): Promise<number> {
  if (users.length < inFlight) throw new Error(`${inFlight} parallel sign-ins need ${inFlight} users, ${users.length} seeded`);
  return loopRate((worker) => signIn(baseUrl, users[worker]!), inFlight, until);
}

/** The sign-in ceiling: argon2id checks with the project's parameters, in this process, nothing else. */
export async function argon2Rate(inFlight: number, seconds: number): Promise<number> {
  const stored = await hash(BENCH_PASSWORD, ARGON2_OPTIONS);
  return loopRate(() => verify(stored, BENCH_PASSWORD), inFlight, forSeconds(seconds));
}
