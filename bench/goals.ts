// Issue #13's goals, judged from one run's measurements, and the table that
// shows them. A goal is either a ratio to reach (at least `target`) or a
// quantity to stay under (at most `target`); "misses by" says what factor
// the measured value still has to move.

import type { SignInMeasure, SoakMeasure, StormMeasure } from './scenarios.js';

export interface Measurements {
  helloPerSecond: number;
  mePerSecond: number;
  signIns: SignInMeasure;
  storm: StormMeasure;
  helloIdleRssMb: number;
  idleRssMb: number;
  soak: SoakMeasure;
  /** PASSWORD_HASH_CONCURRENCY of the server each scenario ran against. */
  hashConcurrency: { idleRss: number; me: number; signIns: number; storm: number; soak: number };
}

export interface GoalResult {
  goal: string;
  measured: string;
  ceiling: string;
  /** measured ÷ ceiling (for the latency and memory goals: the ratio to their reference, for context). */
  ratio: number;
  target: string;
  met: boolean;
  /** Empty when met; else how far off, e.g. "needs ×13.9". */
  miss: string;
  /** The judged value, for the JSON: the ratio, milliseconds, megabytes or deviation. */
  value: number;
  baseline: string;
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

function atLeast(value: number, target: number): Pick<GoalResult, 'met' | 'miss'> {
  const met = value >= target;
  return { met, miss: met ? '' : `needs ×${fixed(target / value, 1)}` };
}

function atMost(value: number, target: number, unit: string): Pick<GoalResult, 'met' | 'miss'> {
  const met = value <= target;
  return { met, miss: met ? '' : `${fixed(value - target, unit === '%' ? 1 : 0)} ${unit} over (÷${fixed(value / target, 1)})` };
}

export function judge(m: Measurements): GoalResult[] {
  const meRatio = m.mePerSecond / m.helloPerSecond;
  const signInRatio = m.signIns.signInsPerSecond / m.signIns.argon2PerSecond;
  const deviationPercent = m.soak.maxDeviation * 100;
  return [
    {
      goal: 'GET /api/auth/me ÷ Fastify hello-world',
      measured: `${fixed(m.mePerSecond)} req/s`,
      ceiling: `${fixed(m.helloPerSecond)} req/s`,
      ratio: meRatio,
      target: '≥ 0.50',
      ...atLeast(meRatio, 0.5),
      value: meRatio,
      baseline: '0.036',
    },
    {
      goal: 'full sign-ins ÷ raw argon2id',
      measured: `${fixed(m.signIns.signInsPerSecond, 1)} /s (${m.signIns.serverHashConcurrency} hashes at once)`,
      ceiling: `${fixed(m.signIns.argon2PerSecond, 1)} /s (${m.signIns.inFlight} in flight)`,
      ratio: signInRatio,
      target: '≥ 0.80',
      ...atLeast(signInRatio, 0.8),
      value: signInRatio,
      baseline: '0.38',
    },
    {
      goal: 'p99 /me at 200 req/s in a login storm',
      measured: `${fixed(m.storm.stormP99Ms)} ms`,
      ceiling: `${fixed(m.storm.quietP99Ms)} ms quiet`,
      ratio: m.storm.stormP99Ms / Math.max(m.storm.quietP99Ms, 1),
      target: '≤ 25 ms',
      ...atMost(m.storm.stormP99Ms, 25, 'ms'),
      value: m.storm.stormP99Ms,
      baseline: '130 ms',
    },
    {
      goal: 'RSS idle on PostgreSQL',
      measured: `${fixed(m.idleRssMb)} MB`,
      ceiling: `${fixed(m.helloIdleRssMb)} MB hello`,
      ratio: m.idleRssMb / m.helloIdleRssMb,
      target: '≤ 100 MB',
      ...atMost(m.idleRssMb, 100, 'MB'),
      value: m.idleRssMb,
      baseline: '134 MB',
    },
    {
      goal: `RSS flat over ${fixed(m.soak.seconds)} s mixed load`,
      measured: `±${fixed(deviationPercent, 1)} %`,
      ceiling: `${fixed(m.soak.warmUpRssMb)}→${fixed(m.soak.endRssMb)} MB`,
      ratio: m.soak.endRssMb / m.soak.warmUpRssMb,
      target: '≤ ±10 %',
      ...atMost(deviationPercent, 10, '%'),
      value: m.soak.maxDeviation,
      baseline: 'not measured',
    },
  ];
}

export function formatTable(results: GoalResult[]): string {
  const header = ['goal', 'measured', 'ceiling / reference', 'ratio', 'goal', 'met?', 'today (issue)'];
  const rows = results.map((r) => [r.goal, r.measured, r.ceiling, fixed(r.ratio, 3), r.target, r.met ? 'yes' : `no: ${r.miss}`, r.baseline]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line under the table: which PASSWORD_HASH_CONCURRENCY each scenario's server ran with. */
export function describeHashConcurrency(m: Pick<Measurements, 'hashConcurrency' | 'signIns'>): string {
  const { hashConcurrency: c } = m;
  return (
    `Servers: idle RSS, /me, storm and soak with PASSWORD_HASH_CONCURRENCY=${c.me} (the production default here); ` +
    `sign-ins on a second server with PASSWORD_HASH_CONCURRENCY=${c.signIns}, as many as the ceiling's ${m.signIns.inFlight} hashes in flight.`
  );
}

/**
 * One line under the table: where a sign-in's CPU goes, by process, against
 * one raw argon2id check. On a machine of `cores`, the sign-in rate cannot
 * pass cores ÷ (CPU per sign-in), whatever the concurrency.
 */
export function describeSignInCpu(m: Pick<Measurements, 'signIns'>, cores: number): string {
  const { cpuPerSignInMs: cpu, argon2CpuMs } = m.signIns;
  const total = cpu.server + cpu.postgres + cpu.client;
  return (
    `CPU per sign-in: ${fixed(total, 1)} ms = server ${fixed(cpu.server, 1)} (one argon2id check is ${fixed(argon2CpuMs, 1)} of it), ` +
    `PostgreSQL ${fixed(cpu.postgres, 1)}, client ${fixed(cpu.client, 1)}; ` +
    `${cores} cores allow at most ${fixed((cores * 1000) / total, 1)} sign-ins/s, the raw checks ${fixed((cores * 1000) / argon2CpuMs, 1)}/s.`
  );
}
