// `boreal doctor`: everything a deploy needs, checked before a user finds out.
// Every setting (loadConfig), the signing keys (imported as the server will),
// the data encryption key (DATA_ENCRYPTION_KEY or the development one),
// the database, Redis when REDIS_URL is set, and the OTP provider (for Twilio:
// the Verify service fetched with the credentials). One line per check with
// what to do; exit 0 only when every check passes. Warnings (a non-https
// TWILIO_VERIFY_BASE_URL, migrations the next start will apply) do not fail.

import { access, constants, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createAccessTokens, type KeySet } from '../auth/access-tokens.js';
import { systemClock } from '../core/clock.js';
import type { Config } from '../config.js';
import { connectDatabase, pingDatabase, type DatabaseHandle } from '../db/connect.js';
import { createOtpProvider } from '../otp/create-provider.js';
import { DEVELOPMENT_DATA_KEY_FILE, decodeDataEncryptionKey } from '../secrets/data-key.js';
import { EXIT_FAILED, EXIT_OK, describeDatabase, loadSettings, messageOf, writeLine, type CliIo, type ExitCode } from './io.js';
import { migrationStatus } from './migrations.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  name: string;
  detail: string;
}

const MARKS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗' };
const REDIS_TIMEOUT_MS = 3000;

export async function doctorCommand(io: CliIo): Promise<ExitCode> {
  const print = (result: CheckResult) => writeLine(io.stdout, `${MARKS[result.status]} ${result.name}: ${result.detail}`);
  // The report is doctor's output: the settings' problems go to stdout with the rest.
  const config = loadSettings(io, io.stdout);
  if (!config) {
    writeLine(io.stdout, 'Fix the settings above (nothing else was checked), then run `boreal doctor` again.');
    return EXIT_FAILED;
  }
  const results: CheckResult[] = [];
  const run = async (check: () => Promise<CheckResult | CheckResult[]>) => {
    for (const result of [await check()].flat()) {
      results.push(result);
      print(result);
    }
  };
  await run(async () => ({
    status: 'pass',
    name: 'settings',
    detail: `every setting is valid (NODE_ENV=${config.nodeEnv}${config.isProduction ? ', production guards on' : ''})`,
  }));
  await run(() => checkSigningKeys(config));
  await run(() => checkDataEncryptionKey(config));
  await run(() => checkDatabase(config));
  if (config.redisUrl) await run(() => checkRedis(config.redisUrl!));
  await run(() => checkOtpProvider(config));

  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  writeLine(
    io.stdout,
    failed === 0
      ? `All ${results.length - warned} checks passed${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : `${failed} check${failed === 1 ? '' : 's'} failed: fix ${failed === 1 ? 'it' : 'them'} before serving.`,
  );
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

async function checkSigningKeys(config: Config): Promise<CheckResult> {
  const name = 'signing keys';
  let keySet: KeySet | undefined = config.jwt.privateKeys;
  let source = 'JWT_PRIVATE_KEYS';
  if (!keySet) {
    // Development only (config requires JWT_PRIVATE_KEYS in production).
    const file = path.join(config.dataDir, 'jwt-private-keys.json');
    try {
      keySet = JSON.parse(await readFile(file, 'utf8')) as KeySet;
      source = file;
    } catch {
      return { status: 'pass', name, detail: `no JWT_PRIVATE_KEYS: development keys will be generated into ${file} at first start (production needs JWT_PRIVATE_KEYS: \`boreal keys generate\`)` };
    }
  }
  try {
    const tokens = await createAccessTokens({
      keySet,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ttlSeconds: config.jwt.accessTokenTtlSeconds,
      clock: systemClock,
    });
    const kids = tokens.jwks().keys.map((key) => key.kid);
    return { status: 'pass', name, detail: `${kids.length} key${kids.length === 1 ? '' : 's'} from ${source}; kid ${kids[0]} signs` };
  } catch (error) {
    return { status: 'fail', name, detail: `${messageOf(error)}${source === 'JWT_PRIVATE_KEYS' ? '' : ` (file ${source}: delete it to have new keys generated)`}` };
  }
}

async function checkDataEncryptionKey(config: Config): Promise<CheckResult> {
  const name = 'data encryption key';
  // Set means valid: loadConfig refused anything but 32 bytes (and requires it in production).
  if (config.dataEncryptionKey) return { status: 'pass', name, detail: 'DATA_ENCRYPTION_KEY is a 32-byte key' };
  const file = path.join(config.dataDir, DEVELOPMENT_DATA_KEY_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) {
    return { status: 'pass', name, detail: `no DATA_ENCRYPTION_KEY: a development key will be generated into ${file} at first use (production needs DATA_ENCRYPTION_KEY: \`boreal keys generate-data-key\`)` };
  }
  return decodeDataEncryptionKey(text)
    ? { status: 'pass', name, detail: `development key from ${file}` }
    : { status: 'fail', name, detail: `${file} is not a 32-byte base64url key: restore it, or delete it only if nothing was encrypted with it yet` };
}

async function checkDatabase(config: Config): Promise<CheckResult> {
  const name = 'database';
  const where = describeDatabase(config);
  const setting = config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR';
  if (!config.databaseUrl) {
    // Opening the embedded database creates it: a doctor only looks.
    const directory = path.join(config.dataDir, 'pglite');
    const exists = await stat(directory).then(() => true, () => false);
    if (!exists) {
      const writable = await nearestExistingDirectoryWritable(config.dataDir);
      return writable
        ? { status: 'pass', name, detail: `the embedded database does not exist yet; the server creates it in ${directory} at first start` }
        : { status: 'fail', name, detail: `${config.dataDir} cannot be created or written: set DATA_DIR to a writable directory` };
    }
  }
  let database: DatabaseHandle | undefined;
  try {
    database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await pingDatabase(database);
    const status = await migrationStatus(database);
    if (status.applied < status.total) {
      const pending = status.total - status.applied;
      return {
        status: 'warn',
        name,
        detail: `${where} answers; ${pending} migration${pending === 1 ? '' : 's'} not applied yet: run \`boreal migrate\` (the server also applies them at start)`,
      };
    }
    return { status: 'pass', name, detail: `${where} answers; all ${status.total} migrations applied` };
  } catch (error) {
    return { status: 'fail', name, detail: `${where} cannot be reached (${messageOf(error)}): check ${setting} and that the database accepts connections` };
  } finally {
    await database?.close().catch(() => {});
  }
}

async function nearestExistingDirectoryWritable(directory: string): Promise<boolean> {
  let current = path.resolve(directory);
  for (;;) {
    const exists = await stat(current).then((info) => info.isDirectory(), () => null);
    if (exists === true) return access(current, constants.W_OK).then(() => true, () => false);
    if (exists === false) return false;
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

async function checkRedis(url: string): Promise<CheckResult> {
  const name = 'redis';
  const where = redisLocation(url);
  // No retries and no offline queue: one attempt, answered within seconds.
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED, WRONGPASS) says more than the command's "Connection is closed".
  let connectionError: unknown;
  redis.on('error', (error: unknown) => {
    connectionError ??= error;
  });
  try {
    await redis.connect();
    const answer = await redis.ping();
    return answer === 'PONG'
      ? { status: 'pass', name, detail: `${where} answers PING` }
      : { status: 'fail', name, detail: `${where} answered ${answer} to PING: check REDIS_URL` };
  } catch (error) {
    return { status: 'fail', name, detail: `${where} cannot be reached (${messageOf(connectionError ?? error)}): check REDIS_URL (and its password) or unset it to count requests in memory` };
  } finally {
    redis.disconnect();
  }
}

/** "redis://:secret@cache:6379/0" → "Redis at cache:6379": never the password. */
function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `Redis at ${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'Redis (REDIS_URL)';
  }
}

async function checkOtpProvider(config: Config): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const name = 'otp provider';
  if (config.twilio && !config.twilio.baseUrl.startsWith('https://')) {
    results.push({
      status: 'warn',
      name: 'TWILIO_VERIFY_BASE_URL',
      detail: `${config.twilio.baseUrl} is not https: codes go to a stand-in, not to Twilio. Unset it in production (the default is https://verify.twilio.com)`,
    });
  }
  // The provider's own failure logs would repeat the line below; doctor speaks for itself.
  const provider = await createOtpProvider(config, pino({ level: 'silent' }));
  const health = await provider.checkHealth({ deep: true }).catch((error: unknown) => ({ ok: false, detail: `${provider.name}: ${messageOf(error)}` }));
  results.push({ status: health.ok ? 'pass' : 'fail', name, detail: health.detail });
  return results;
}
