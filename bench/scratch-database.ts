// A scratch PostgreSQL database per run, as test/helpers/database.ts makes
// for the postgres suites: created, migrated and seeded here, dropped at the
// end. The bench seeds its own users rather than relying on the development
// admin, which API.md reserves for the embedded database.
//
// Each parallel sign-in needs its own user: a newer login of the same user
// supersedes the older one's challenge (API.md), which would turn a storm of
// one user's logins into INVALID_TEMP_TOKEN answers.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hash } from '@node-rs/argon2';
import { connectPostgres } from '../src/db/connect.js';
import { applications, userRoles, users } from '../src/db/schema.js';
import { ARGON2_OPTIONS } from '../src/auth/passwords.js';

export const BENCH_PASSWORD = 'bench-password-not-secret';
export const BENCH_OTP_CODE = '123456';
const SEEDED_APPLICATIONS = 60;

export interface BenchUser {
  email: string;
}

export interface ScratchDatabase {
  url: string;
  name: string;
  /** users[0] holds the token of the /me and list loads; the others sign in. */
  users: BenchUser[];
  drop(): Promise<void>;
}

async function runAdminStatement(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const SCRATCH_NAME = /^boreal_bench_(\d+)_[0-9a-f]+$/;

const processIsAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A run killed outright (SIGKILL; tsx may escalate a Ctrl-C to it) cannot drop
 * its database. Its name carries its process id, so the next run on this
 * machine drops it — only on a loopback server, where that id means this machine.
 */
async function dropLeftovers(adminUrl: string): Promise<void> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(adminUrl).hostname)) return;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'boreal\\_bench\\_%'");
    for (const { datname } of rows) {
      const pid = Number(SCRATCH_NAME.exec(datname)?.[1]);
      if (pid && !processIsAlive(pid)) await client.query(`drop database if exists ${datname} with (force)`);
    }
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(adminUrl: string, userCount: number): Promise<ScratchDatabase> {
  await dropLeftovers(adminUrl);
  const name = `boreal_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await runAdminStatement(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = () => runAdminStatement(adminUrl, `drop database if exists ${name} with (force)`);
  try {
    const handle = connectPostgres(url.toString());
    try {
      await handle.migrate();
      const passwordHash = await hash(BENCH_PASSWORD, ARGON2_OPTIONS);
      const seeded = Array.from({ length: userCount }, (_, index) => ({
        email: `bench-${index}@boreal.test`,
        name: `Bench User ${index}`,
        phone: `+1613555${String(1000 + index).padStart(4, '0')}`,
        passwordHash,
      }));
      const rows = await handle.db.insert(users).values(seeded).returning({ id: users.id });
      await handle.db.insert(userRoles).values(rows.map((row) => ({ userId: row.id, role: 'admin' as const })));
      await handle.db.insert(applications).values(
        Array.from({ length: SEEDED_APPLICATIONS }, (_, index) => ({
          businessName: `Bench Business ${index}`,
          contactName: `Contact ${index}`,
          contactEmail: `contact-${index}@business.test`,
          contactPhone: '+16135550199',
          amountRequested: 1_000_000 + index * 100,
          currency: 'CAD' as const,
          productType: 'term_loan' as const,
        })),
      );
    } finally {
      await handle.close();
    }
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url: url.toString(), name, users: seeded(userCount), drop };
}

function seeded(userCount: number): BenchUser[] {
  return Array.from({ length: userCount }, (_, index) => ({ email: `bench-${index}@boreal.test` }));
}
