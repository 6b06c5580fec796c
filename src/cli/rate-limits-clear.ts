// `boreal rate-limits clear`: the way out of a limit from a shell, through the
// same clearRateLimits as DELETE /api/rbac/rate-limits (audited alike).

import { AppError } from '../errors.js';
import { clearRateLimits } from '../limits/clear.js';
import { EXIT_FAILED, EXIT_OK, loadSettings, messageOf, openServices, writeLine, type CliIo, type ExitCode } from './io.js';

export interface RateLimitsClearOptions {
  phone?: string | undefined;
  ip?: string | undefined;
  email?: string | undefined;
}

export async function rateLimitsClearCommand(io: CliIo, options: RateLimitsClearOptions): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  let opened;
  try {
    opened = await openServices(config, io);
  } catch (error) {
    writeLine(io.stderr, `✗ the database cannot be opened: ${messageOf(error)}. Check ${config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR'}.`);
    return EXIT_FAILED;
  }
  try {
    const target = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    const cleared = await clearRateLimits(opened.services, target, { actorId: null, ip: null });
    writeLine(io.stdout, String(cleared));
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    writeLine(io.stderr, `✗ ${error.detail}`);
    for (const fieldError of error.errors ?? []) writeLine(io.stderr, `  --${fieldError.path.replace(/^\//, '')} ${fieldError.message}`);
    return EXIT_FAILED;
  } finally {
    await opened.close();
  }
}
