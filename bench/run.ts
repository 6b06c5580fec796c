// `npm run bench`: issue #13's performance goals measured on PostgreSQL, each
// as a ratio to a ceiling taken in the same run on the same machine (shared
// machines are noisy; only ratios compare across runs). See
// docs/performance.md for the goals, the settings and how to profile.
//
// The server measured is the production build (`node dist/main.js`) in a
// child process on a scratch database; the load comes from this process.
// `--smoke` runs every scenario for about a second and never judges speed.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { describeHashConcurrency, describeSignInCpu, formatTable, judge, type Measurements } from './goals.js';
import { signIn } from './load.js';
import { idleRssBytes, loginStorm, meThroughput, signInThroughput, soak, throughput } from './scenarios.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { ensureBuilt, startBoreal, startHelloWorld, type ServerProcess } from './server-process.js';
import { readSettings } from './settings.js';

const MB = 1024 * 1024;
const settings = readSettings();
const step = (text: string) => process.stderr.write(`bench: ${text}\n`);

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
/** Once, whoever asks first (Ctrl-C or the end of the run); the other waits for the same clean-up. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => step(`clean-up failed: ${String(error)}`));
  })();
  return cleaning;
}
// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): the second must not kill the clean-up.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    step(`${signal}: stopping the servers and dropping the scratch database`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function measure(): Promise<Measurements> {
  ensureBuilt();
  const signingUsers = Math.max(settings.signInsInFlight, settings.stormSignIns);
  step(`scratch database on ${new URL(settings.adminDatabaseUrl).host}`);
  const database: ScratchDatabase = await createScratchDatabase(settings.adminDatabaseUrl, 1 + signingUsers);
  cleanups.push(database.drop);
  const [meUser, ...signers] = database.users;

  step('ceiling: Fastify hello-world (child process)');
  const hello: ServerProcess = await startHelloWorld();
  cleanups.push(hello.stop);
  const helloIdleRssMb = (await idleRssBytes(hello, settings)) / MB;
  const helloPerSecond = await throughput(`${hello.url}/api/health`, settings);
  await cleanups.pop()!();

  step('Boreal: node dist/main.js (child process), idle');
  // The production default of PASSWORD_HASH_CONCURRENCY: what protects /me in a login storm.
  const boreal = await startBoreal(database.url, settings);
  cleanups.push(boreal.stop);
  const idleRssMb = (await idleRssBytes(boreal, settings)) / MB;
  // A fresh token per scenario: none outlives its access-token lifetime.
  const freshToken = () => signIn(boreal.url, meUser!);

  step('GET /api/auth/me throughput');
  const mePerSecond = await meThroughput(boreal, await freshToken(), settings);

  // Like with like: the ceiling runs BENCH_SIGNINS_IN_FLIGHT hashes at once, so
  // the sign-ins run against a server allowed as many (a second child, started
  // for this scenario only; the first one idles meanwhile).
  step(`argon2id ceiling, then full sign-ins (a second server, PASSWORD_HASH_CONCURRENCY=${settings.signInsInFlight})`);
  const signInServer = await startBoreal(database.url, settings, { passwordHashConcurrency: settings.signInsInFlight });
  cleanups.push(signInServer.stop);
  const signIns = await signInThroughput(signInServer, signers, settings);
  await cleanups.pop()!();

  step(`/me at ${settings.stormMeRate} req/s, quiet then in a storm of ${settings.stormSignIns} parallel sign-ins`);
  const storm = await loginStorm(boreal, await freshToken(), signers, settings);
  step(`soak: mixed load for ${settings.soakSeconds} s, RSS sampled`);
  const soakMeasure = await soak(boreal, await freshToken(), signers, settings);
  const hashConcurrency = {
    idleRss: boreal.passwordHashConcurrency,
    me: boreal.passwordHashConcurrency,
    signIns: signInServer.passwordHashConcurrency,
    storm: boreal.passwordHashConcurrency,
    soak: boreal.passwordHashConcurrency,
  };
  return { helloPerSecond, mePerSecond, signIns, storm, helloIdleRssMb, idleRssMb, soak: soakMeasure, hashConcurrency };
}

let exitCode = 0;
try {
  const startedAt = new Date();
  const measurements = await measure();
  const results = judge(measurements);
  console.log(
    `\nBoreal Portal performance goals (issue #13) on PostgreSQL, ${settings.scenarioSeconds} s per scenario, ${settings.soakSeconds} s soak${settings.smoke ? ', SMOKE: numbers not judged' : ''}\n`,
  );
  console.log(formatTable(results));
  console.log(`\n${describeHashConcurrency(measurements)}`);
  console.log(describeSignInCpu(measurements, os.availableParallelism()));
  console.log(`${results.filter((r) => r.met).length} of ${results.length} goals met. Ratios are against ceilings measured in this run.`);
  mkdirSync(path.dirname(settings.jsonPath), { recursive: true });
  writeFileSync(settings.jsonPath, `${JSON.stringify({ startedAt, settings: { ...settings, adminDatabaseUrl: undefined }, results, measurements }, null, 2)}\n`);
  console.log(`JSON: ${settings.jsonPath}`);
} catch (error) {
  console.error(`bench: failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
