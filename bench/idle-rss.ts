// `npx tsx bench/idle-rss.ts [--runs N] [checkout…]`: the idle RSS of the
// production build, on a scratch PostgreSQL database, started N times (5 by
// default) per checkout, the checkouts taking turns so that a machine that
// gets busier weighs on each alike. Each start is read as the bench reads
// it (VmRSS, BENCH_IDLE_SECONDS after /api/health first answers, 3 by
// default); then one more start per checkout, probed by live-heap-probe.mjs,
// gives the heap still in use after a full collection. To compare a change,
// give this checkout and a worktree of the commit before it (each built,
// with its node_modules): docs/performance.md "What each change bought".

import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from './scratch-database.js';
import { startBoreal } from './server-process.js';
import { ROOT, readSettings } from './settings.js';

const MB = 1024 * 1024;
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 5 : Number(args.splice(runsAt, 2)[1]);
const checkouts = (args.length > 0 ? args : [ROOT]).map((checkout) => path.resolve(checkout));
for (const checkout of checkouts) {
  if (!existsSync(path.join(checkout, 'dist', 'main.js'))) throw new Error(`${checkout}/dist/main.js is missing: run \`npm run build\` there`);
}
const settings = { ...readSettings([], process.env), idleSeconds: Number(process.env.BENCH_IDLE_SECONDS ?? 3) };
const database = await createScratchDatabase(settings.adminDatabaseUrl, 1);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const rssMb = new Map<string, number[]>(checkouts.map((checkout) => [checkout, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const checkout of checkouts) {
      const server = await startBoreal(database.url, settings, { root: checkout });
      await sleep(settings.idleSeconds * 1000);
      rssMb.get(checkout)!.push(server.rssBytes() / MB);
      await server.stop();
    }
  }
  for (const checkout of checkouts) {
    const liveHeapFile = path.join(tmpdir(), `boreal-live-heap-${process.pid}.json`);
    const probe = path.join(ROOT, 'bench', 'live-heap-probe.mjs');
    const server = await startBoreal(database.url, settings, {
      root: checkout,
      nodeArgs: ['--expose-gc', `--import=${new URL(`file://${probe}`).href}`],
      env: { BENCH_LIVE_HEAP_FILE: liveHeapFile },
    });
    await sleep(settings.idleSeconds * 1000);
    process.kill(server.pid, 'SIGUSR2');
    let liveHeapMb = Number.NaN;
    for (let attempt = 0; attempt < 50 && Number.isNaN(liveHeapMb); attempt += 1) {
      await sleep(100);
      if (existsSync(liveHeapFile)) liveHeapMb = (JSON.parse(readFileSync(liveHeapFile, 'utf8')) as { heapUsedBytes: number }).heapUsedBytes / MB;
    }
    rmSync(liveHeapFile, { force: true });
    await server.stop();
    const samples = rssMb.get(checkout)!;
    console.log(
      `${checkout}: idle RSS median ${median(samples).toFixed(1)} MB (${samples.map((value) => value.toFixed(1)).join(', ')}), live heap after a full GC ${liveHeapMb.toFixed(2)} MB`,
    );
  }
} finally {
  await database.drop();
}
process.exit(0);
