// `boreal users create`: the first admin of a production database (which has
// no seeded user), or any user, through the same createUser as the admin API,
// so every rule (password policy, phone, roles, lender) holds here too. With
// --invite no password is read: the user sets one through the printed link
// (the way to create a production's first admin without a shared password).

import type { RoleName } from '../core/vocabulary.js';
import { createLender, findLenderByName } from '../users/lenders.js';
import { EXIT_FAILED, EXIT_OK, loadSettings, withServices, writeLine, type CliIo, type ExitCode } from './io.js';
import { PasswordInputError, readNewPassword } from './read-password.js';

export interface UsersCreateOptions {
  email: string;
  name: string;
  phone?: string | undefined;
  roles: string[];
  lender?: string | undefined;
  /** No password: the user is invited, and the answer carries the password-setup link. */
  invite?: boolean;
}

/** The CLI acts as no user: audit events show actorId null and no address. */
const CLI_ACTOR = { actorId: null, ip: null };

export async function usersCreateCommand(io: CliIo, options: UsersCreateOptions): Promise<ExitCode> {
  const config = loadSettings(io);
  if (!config) return EXIT_FAILED;
  // --invite is asked for by name: an empty stdin is more often a variable that was not set than an intent.
  let password: string | undefined;
  if (!options.invite) {
    try {
      password = await readNewPassword(io);
    } catch (error) {
      if (!(error instanceof PasswordInputError)) throw error;
      writeLine(io.stderr, `✗ ${error.message}`);
      writeLine(io.stderr, '  (or pass --invite to create the user without a password and print a password-setup link)');
      return EXIT_FAILED;
    }
  }

  return withServices(
    config,
    io,
    async (services) => {
      let lenderId: string | null = null;
      if (options.lender !== undefined) {
        const existing = await findLenderByName(services.db, options.lender);
        const lender = existing ?? (await createLender(services, options.lender, services.clock.now(), { actorId: null, ip: null }));
        if (!existing) writeLine(io.stderr, `Created lender "${lender.name}" (${lender.id}).`);
        lenderId = lender.id;
      }
      const user = await services.userAdmin.createUser(
        { email: options.email, name: options.name, password, roles: options.roles as RoleName[], phone: options.phone ?? null, lenderId },
        CLI_ACTOR,
      );
      writeLine(io.stdout, JSON.stringify(user));
      if (user.passwordSetup) {
        writeLine(io.stderr, `Invited: hand the link in passwordSetup.url to ${user.email} privately; it works once, until ${user.passwordSetup.expiresAt.toISOString()}.`);
      }
      return EXIT_OK;
    },
    flagOf,
  );
}

/** "/roles/1" → "--role (2nd)": errors named as the operator typed them. */
function flagOf(pointer: string): string {
  const [field, index] = pointer.split('/').slice(1);
  const flag = { email: '--email', name: '--name', password: 'password (stdin)', phone: '--phone', roles: '--role', lenderId: '--lender' }[field ?? ''] ?? pointer;
  return index === undefined ? flag : `${flag} #${Number(index) + 1}`;
}
