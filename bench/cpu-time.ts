// CPU time by process, to say where a sign-in's time goes (issue #13: a
// missed goal says why, measured). Linux only: read from /proc, in clock
// ticks (USER_HZ, 100 on Linux), user + system of every thread, so the
// server's figure includes its argon2 threads. Elsewhere it reads zero.

import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on every Linux Node supports

function ticksOf(statText: string): number {
  // Fields after the command (which may hold spaces), from ") ": state is field 3, utime 14, stime 15.
  const fields = statText.slice(statText.lastIndexOf(') ') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function processTicks(pid: number): number {
  try {
    return ticksOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/** Every process named `postgres` (the server and its backends). */
function postgresTicks(): number {
  let total = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return 0;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += ticksOf(stat);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export interface CpuSplitMs {
  server: number;
  postgres: number;
  client: number;
}

/** Starts a CPU clock over the server `serverPid`, PostgreSQL and this process; `stop()` answers the ms each spent since. */
export function cpuClock(serverPid: number): { stop(): CpuSplitMs } {
  const start = { server: processTicks(serverPid), postgres: postgresTicks(), client: process.cpuUsage() };
  return {
    stop() {
      const client = process.cpuUsage(start.client);
      return {
        server: (processTicks(serverPid) - start.server) * TICK_MS,
        postgres: (postgresTicks() - start.postgres) * TICK_MS,
        client: (client.user + client.system) / 1000,
      };
    },
  };
}
