// `boreal rate-limits list`: who is limited or locked now, through the same
// listing as GET /api/rbac/rate-limits. One line a subject, the longest wait
// first, with the flag that clears it; `--json` prints the route's body.
// The per-IP request limit is seen when it lives in Redis (REDIS_URL); a
// server's in-memory counters are its own (and end with their window).

import type { LimitedSubject } from '../limits/limited-list.js';
import { tryAgainIn } from '../errors.js';
import { EXIT_FAILED, EXIT_OK, loadSettings, withServices, writeLine, type CliIo, type ExitCode } from './io.js';

const CLEAR_FLAG: Record<LimitedSubject['kind'], string> = { phone: '--phone', ip: '--ip', email: '--email', account: '--email' };

export function formatLimitedSubject(item: LimitedSubject): string {
  const wait = tryAgainIn(item.retryAfterSeconds).replace(/^Try again in /, '').replace(/\.$/, '');
  const user = item.userId ? ` user ${item.userId}` : '';
  return `${item.kind.padEnd(7)} ${item.subject}  ${item.code}  ${wait} (${item.retryAfterSeconds} s)${user}  → boreal rate-limits clear ${CLEAR_FLAG[item.kind]} ${item.subject}`;
}

export async function rateLimitsListCommand(io: CliIo, options: { json: boolean }): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  return withServices(config, io, async (services) => {
    const items = await services.rateLimitListing.list();
    if (options.json) {
      writeLine(io.stdout, JSON.stringify({ items }));
    } else if (items.length === 0) {
      writeLine(io.stdout, 'Nobody is limited or locked right now.');
    } else {
      for (const item of items) writeLine(io.stdout, formatLimitedSubject(item));
    }
    return EXIT_OK;
  });
}
