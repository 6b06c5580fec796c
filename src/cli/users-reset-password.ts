// `boreal users reset-password --email E`: a new password-setup link for a
// user who forgot their password (or never used their invitation), through
// the same use case as POST /api/rbac/users/:id/password-setup, audited alike.
// The link goes to stdout alone, so `… | mail` or a copy takes just it.

import { findUserByEmail } from '../users/users-repository.js';
import { EXIT_FAILED, EXIT_OK, loadSettings, withServices, writeLine, type CliIo, type ExitCode } from './io.js';

export async function usersResetPasswordCommand(io: CliIo, options: { email: string }): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  return withServices(config, io, async (services) => {
    const user = await findUserByEmail(services.db, options.email);
    if (!user) {
      writeLine(io.stderr, `✗ there is no user with the email ${options.email.trim().toLowerCase()}`);
      return EXIT_FAILED;
    }
    const link = await services.passwordSetup.issue(user.id, { actorId: null, ip: null });
    writeLine(io.stdout, link.url);
    writeLine(
      io.stderr,
      `Hand this link to ${user.email} privately. It works once, until ${link.expiresAt.toISOString()}; it replaces any earlier link, and ${user.passwordHash ? 'the current password keeps working until it is used' : 'the user has no password until then'}.`,
    );
    return EXIT_OK;
  });
}
