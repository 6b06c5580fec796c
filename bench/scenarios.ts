// The measurements behind the goals of issue #13, each next to the ceiling
// it is divided by, taken in the same run on the same machine: shared CI
// machines are noisy, so only ratios compare across runs.

import { setTimeout as sleep } from 'node:timers/promises';
import { cpuClock, type CpuSplitMs } from './cpu-time.js';
import { forSeconds, argon2Rate, httpLoad, loopRate, signIn, signInRate, steadyRateLoad } from './load.js';
import type { BenchUser } from './scratch-database.js';
import type { BorealProcess, ServerProcess } from './server-process.js';
import type { BenchSettings } from './settings.js';

const MB = 1024 * 1024;
/** The first fifth of the soak is warm-up (JIT, pools, caches filling); flatness is judged after it. */
export const SOAK_WARMUP_FRACTION = 0.2;
const SOAK_ME_RATE = 100;
const SOAK_LIST_RATE = 50;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const warmUpSeconds = (settings: BenchSettings) => Math.max(1, Math.round(settings.scenarioSeconds / 5));

/** Boots, then leaves the server alone so that the start-up's garbage can settle. */
export async function idleRssBytes(server: ServerProcess, settings: BenchSettings): Promise<number> {
  await sleep(settings.idleSeconds * 1000);
  return server.rssBytes();
}

/** Requests per second with 10 connections, after a warm-up that is not counted. */
export async function throughput(url: string, settings: BenchSettings, headers?: Record<string, string>): Promise<number> {
  await httpLoad({ url, seconds: warmUpSeconds(settings), headers });
  return (await httpLoad({ url, seconds: settings.scenarioSeconds, headers })).requestsPerSecond;
}

export const meUrl = (server: ServerProcess) => `${server.url}/api/auth/me`;

export async function meThroughput(server: ServerProcess, token: string, settings: BenchSettings): Promise<number> {
  return throughput(meUrl(server), settings, bearer(token));
}

export interface SignInMeasure {
  argon2PerSecond: number;
  signInsPerSecond: number;
  /** argon2id operations in flight for the ceiling, and sign-ins in flight against the server. */
  inFlight: number;
  /** PASSWORD_HASH_CONCURRENCY of the server the sign-ins ran against (set to `inFlight`: like with like). */
  serverHashConcurrency: number;
  /** CPU ms per raw argon2id check (the bench process alone). */
  argon2CpuMs: number;
  /** CPU ms per full sign-in, by process: the server (its argon2 threads included), PostgreSQL, the client. */
  cpuPerSignInMs: CpuSplitMs;
}

/**
 * Raw argon2id checks (in the bench process, the server idle), then full
 * sign-ins against the server, the same number in flight. The server must be
 * allowed as many hashes at once as the ceiling ran (run.ts starts one with
 * PASSWORD_HASH_CONCURRENCY = BENCH_SIGNINS_IN_FLIGHT): the ratio then weighs
 * what a sign-in costs beyond its hash, not the production bound on hashes.
 * A warm-up (JIT, pools, the first phone number parsed) is not counted.
 */
export async function signInThroughput(server: BorealProcess, users: BenchUser[], settings: BenchSettings): Promise<SignInMeasure> {
  const inFlight = settings.signInsInFlight;
  const argon2Cpu = cpuClock(server.pid);
  const argon2PerSecond = await argon2Rate(inFlight, settings.scenarioSeconds);
  const argon2CpuMs = argon2Cpu.stop().client / (argon2PerSecond * settings.scenarioSeconds);
  await signInRate(server.url, users, inFlight, forSeconds(warmUpSeconds(settings)));
  const signInCpu = cpuClock(server.pid);
  const signInsPerSecond = await signInRate(server.url, users, inFlight, forSeconds(settings.scenarioSeconds));
  const spent = signInCpu.stop();
  const signIns = signInsPerSecond * settings.scenarioSeconds;
  const cpuPerSignInMs = { server: spent.server / signIns, postgres: spent.postgres / signIns, client: spent.client / signIns };
  return { argon2PerSecond, signInsPerSecond, inFlight, serverHashConcurrency: server.passwordHashConcurrency, argon2CpuMs, cpuPerSignInMs };
}

export interface StormMeasure {
  quietP99Ms: number;
  stormP99Ms: number;
  stormP50Ms: number;
  stormSignInsPerSecond: number;
  /** PASSWORD_HASH_CONCURRENCY of the server: its production default, which is what keeps /me served during a storm. */
  serverHashConcurrency: number;
}

/** /me at a fixed rate alone, then again while `stormSignIns` full sign-ins run in parallel without pause. */
export async function loginStorm(server: BorealProcess, token: string, users: BenchUser[], settings: BenchSettings): Promise<StormMeasure> {
  const fixedRate = { url: meUrl(server), seconds: settings.scenarioSeconds, headers: bearer(token), ratePerSecond: settings.stormMeRate };
  const quiet = await steadyRateLoad(fixedRate);
  let meDone = false;
  const storm = signInRate(server.url, users, settings.stormSignIns, () => meDone);
  // Let the storm reach the password step before the clock starts.
  await sleep(200);
  const stormed = await steadyRateLoad(fixedRate).finally(() => (meDone = true));
  const stormSignInsPerSecond = await storm;
  return { quietP99Ms: quiet.p99Ms, stormP99Ms: stormed.p99Ms, stormP50Ms: stormed.p50Ms, stormSignInsPerSecond, serverHashConcurrency: server.passwordHashConcurrency };
}

export interface SoakMeasure {
  seconds: number;
  warmUpSeconds: number;
  samples: { atSeconds: number; rssMb: number }[];
  /** Median RSS of the tenth of the soak right after warm-up. */
  warmUpRssMb: number;
  /** Median RSS of the soak's last tenth. */
  endRssMb: number;
  /** Largest |RSS − warm-up RSS| ÷ warm-up RSS over every sample after warm-up (what the goal judges). */
  maxDeviation: number;
  meP99Ms: number;
  requests: number;
  signIns: number;
}

/**
 * A mixed load for `soakSeconds`: /me and the applications list at fixed
 * rates and one sign-in after another, the server's RSS sampled throughout.
 */
export async function soak(server: ServerProcess, token: string, users: BenchUser[], settings: BenchSettings): Promise<SoakMeasure> {
  const seconds = settings.soakSeconds;
  const interval = Math.min(1, seconds / 12);
  const samples: SoakMeasure['samples'] = [];
  const started = performance.now();
  let running = true;
  const sampler = (async () => {
    while (running) {
      samples.push({ atSeconds: (performance.now() - started) / 1000, rssMb: server.rssBytes() / MB });
      await sleep(interval * 1000);
    }
  })();
  let signIns = 0;
  const signInLoop = loopRate(() => signIn(server.url, users[0]!).then(() => (signIns += 1)), 1, () => !running);
  const [me, list] = await Promise.all([
    httpLoad({ url: meUrl(server), seconds, headers: bearer(token), connections: 10, overallRate: SOAK_ME_RATE }),
    httpLoad({ url: `${server.url}/api/applications?limit=25`, seconds, headers: bearer(token), connections: 5, overallRate: SOAK_LIST_RATE }),
  ]).finally(() => (running = false));
  await Promise.all([sampler, signInLoop]);
  samples.push({ atSeconds: (performance.now() - started) / 1000, rssMb: server.rssBytes() / MB });

  const warmUpSeconds = seconds * SOAK_WARMUP_FRACTION;
  const afterWarmUp = samples.filter((sample) => sample.atSeconds >= warmUpSeconds);
  // Medians over a tenth of the soak: one sample can land on an argon2id hash in flight (19 MiB each, returned after).
  const window = seconds * 0.1;
  const warmUpRssMb = median(afterWarmUp.filter((sample) => sample.atSeconds <= warmUpSeconds + window), afterWarmUp[0]!);
  const endRssMb = median(samples.filter((sample) => sample.atSeconds >= seconds - window), samples.at(-1)!);
  const maxDeviation = Math.max(...afterWarmUp.map((sample) => Math.abs(sample.rssMb - warmUpRssMb) / warmUpRssMb));
  return {
    seconds,
    warmUpSeconds,
    samples,
    warmUpRssMb,
    endRssMb,
    maxDeviation,
    meP99Ms: me.p99Ms,
    requests: me.requests + list.requests,
    signIns,
  };
}

/** The median sample's RSS; `fallback`'s when a loaded machine left the window without a sample. */
function median(samples: { rssMb: number }[], fallback: { rssMb: number }): number {
  if (samples.length === 0) return fallback.rssMb;
  const sorted = samples.map((sample) => sample.rssMb).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
