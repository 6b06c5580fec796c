// What a bench run is told by its environment and flags. `--smoke` (or
// BENCH_SMOKE=1) is the CI run: every scenario for about a second, to prove
// the bench still runs against today's server; its numbers are not judged.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchSettings {
  smoke: boolean;
  /** Length of each throughput and latency scenario. */
  scenarioSeconds: number;
  /** Length of the mixed-load soak whose RSS is sampled. */
  soakSeconds: number;
  /** How long the freshly booted server is left alone before its idle RSS is read. */
  idleSeconds: number;
  /** The PostgreSQL server on which a scratch database is created and dropped. */
  adminDatabaseUrl: string;
  jsonPath: string;
  /** Full sign-ins in flight in the sign-in throughput scenario (the argon2id ceiling uses the same number). */
  signInsInFlight: number;
  /** Parallel full sign-ins of the login storm. */
  stormSignIns: number;
  /** The fixed rate of GET /api/auth/me during the storm (issue #13: 200 req/s). */
  stormMeRate: number;
  /** LOG_LEVEL of the measured server. */
  serverLogLevel: string;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}="${text}" must be a positive number`);
  return value;
}

export function readSettings(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  return {
    smoke,
    scenarioSeconds: positiveNumber(env, 'BENCH_SECONDS', smoke ? 1 : 10),
    soakSeconds: positiveNumber(env, 'BENCH_SOAK_SECONDS', smoke ? 3 : 600),
    idleSeconds: positiveNumber(env, 'BENCH_IDLE_SECONDS', smoke ? 1 : 5),
    adminDatabaseUrl: env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    jsonPath: path.resolve(env.BENCH_JSON || path.join(ROOT, 'bench', 'results', 'latest.json')),
    signInsInFlight: positiveNumber(env, 'BENCH_SIGNINS_IN_FLIGHT', 2),
    stormSignIns: positiveNumber(env, 'BENCH_STORM_SIGNINS', 8),
    stormMeRate: positiveNumber(env, 'BENCH_STORM_ME_RATE', 200),
    serverLogLevel: env.BENCH_SERVER_LOG_LEVEL || 'error',
  };
}
