// `boreal rate-limits clear`: the way out of a limit from a shell, through the
// same rate-limit clearing use case as DELETE /api/rbac/rate-limits (audited alike).

import { EXIT_FAILED, EXIT_OK, loadSettings, withServices, writeLine, type CliIo, type ExitCode } from './io.js';

export interface RateLimitsClearOptions {
  phone?: string | undefined;
  ip?: string | undefined;
  email?: string | undefined;
}

export async function rateLimitsClearCommand(io: CliIo, options: RateLimitsClearOptions): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  return withServices(
    config,
    io,
    async (services) => {
      const target = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
      const cleared = await services.rateLimitClearing.clear(target, { actorId: null, ip: null });
      writeLine(io.stdout, String(cleared));
      return EXIT_OK;
    },
    (pointer) => `--${pointer.replace(/^\//, '')}`,
  );
}
