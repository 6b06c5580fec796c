// The `boreal` command line (API.md "Operating it"): parse, dispatch, exit
// code. 0 success, 1 a failed command or wrong settings (one line per
// problem), 2 a usage error (unknown command or flag; usage on stderr).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { generateKeySet } from '../auth/access-tokens.js';
import { generateDataEncryptionKey } from '../secrets/data-key.js';
import { serveUntilSignalled } from '../server.js';
import { doctorCommand } from './doctor.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, cliLogger, loadSettings, writeLine, type CliIo, type ExitCode } from './io.js';
import { migrateCommand } from './migrations.js';
import { rateLimitsClearCommand } from './rate-limits-clear.js';
import { rateLimitsListCommand } from './rate-limits-list.js';
import { buildRouteTable } from './route-table.js';
import { usersCreateCommand } from './users-create.js';
import { usersResetPasswordCommand } from './users-reset-password.js';

export const USAGE = `Usage: boreal <command> [options]

Commands:
  serve              Start the server (what \`npm start\` runs).
  migrate            Apply the database migrations (the server also applies them at start).
  doctor             Check every setting and reach the database, Redis and the OTP provider.
  routes             Print the route table: one "METHOD path" a line, sorted by path, then method.
  users create --email E --name N [--phone P] --role R [--role R2] [--lender NAME] [--invite]
                     Create a user. The password is read from stdin (or asked for on a terminal).
                     --lender creates the lender when the name is new. --invite reads no password:
                     the user is created without one and the answer carries a password-setup link.
  users reset-password --email E
                     Print a new password-setup link for the user (it replaces any earlier one).
  rate-limits clear --phone P | --ip I | --email E
                     Clear the limits of a phone, a client address or an email (which also
                     unlocks that account); prints how many counters went.
  rate-limits list [--json]
                     Who is limited or locked now: kind, subject, code, wait, and the clear to run.
  keys generate      Print a new Ed25519 JWK set for JWT_PRIVATE_KEYS.
  keys generate-data-key
                     Print a new DATA_ENCRYPTION_KEY (32 random bytes, base64url).

Every command reads the settings of the server from the environment (and ./.env).`;

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  options: Options;
  run(io: CliIo, values: Record<string, unknown>): Promise<ExitCode | UsageProblem>;
}

class UsageProblem {
  constructor(readonly message: string) {}
}

const text = (values: Record<string, unknown>, name: string) => values[name] as string | undefined;

const COMMANDS: Record<string, Command> = {
  serve: { options: {}, run: (io) => serveUntilSignalled(io.env) },
  migrate: { options: {}, run: (io) => migrateCommand(io) },
  doctor: { options: {}, run: (io) => doctorCommand(io) },
  routes: {
    options: {},
    async run(io) {
      const config = loadSettings(io);
      if (!config) return EXIT_FAILED;
      const table = await buildRouteTable(config, cliLogger(io, config.logLevel === 'info' ? 'warn' : config.logLevel));
      io.stdout.write(`${table.join('\n')}\n`);
      return EXIT_OK;
    },
  },
  'users create': {
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      role: { type: 'string', multiple: true },
      lender: { type: 'string' },
      invite: { type: 'boolean' },
    },
    async run(io, values) {
      const missing = ['email', 'name', 'role'].filter((name) => values[name] === undefined).map((name) => `--${name}`);
      if (missing.length > 0) return new UsageProblem(`users create needs ${missing.join(', ')}`);
      return usersCreateCommand(io, {
        email: text(values, 'email')!,
        name: text(values, 'name')!,
        phone: text(values, 'phone'),
        roles: values.role as string[],
        lender: text(values, 'lender'),
        invite: values.invite === true,
      });
    },
  },
  'users reset-password': {
    options: { email: { type: 'string' } },
    async run(io, values) {
      if (values.email === undefined) return new UsageProblem('users reset-password needs --email');
      return usersResetPasswordCommand(io, { email: text(values, 'email')! });
    },
  },
  'rate-limits clear': {
    options: { phone: { type: 'string' }, ip: { type: 'string' }, email: { type: 'string' } },
    async run(io, values) {
      if (values.phone === undefined && values.ip === undefined && values.email === undefined) {
        return new UsageProblem('rate-limits clear needs --phone, --ip or --email');
      }
      return rateLimitsClearCommand(io, { phone: text(values, 'phone'), ip: text(values, 'ip'), email: text(values, 'email') });
    },
  },
  'rate-limits list': {
    options: { json: { type: 'boolean' } },
    run: (io, values) => rateLimitsListCommand(io, { json: values.json === true }),
  },
  'keys generate': {
    options: {},
    // Reads no setting: it is how a broken JWT_PRIVATE_KEYS gets fixed.
    async run(io) {
      io.stdout.write(`${JSON.stringify(await generateKeySet())}\n`);
      return EXIT_OK;
    },
  },
  'keys generate-data-key': {
    options: {},
    // Reads no setting either: it is how a missing DATA_ENCRYPTION_KEY gets set.
    async run(io) {
      io.stdout.write(`${generateDataEncryptionKey()}\n`);
      return EXIT_OK;
    },
  },
};

const GROUPS = new Set(['users', 'rate-limits', 'keys']);

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const usageError = (message: string): ExitCode => {
    writeLine(io.stderr, `boreal: ${message}`);
    writeLine(io.stderr);
    writeLine(io.stderr, USAGE);
    return EXIT_USAGE;
  };
  if (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!)) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const [first, second] = argv;
  if (first === undefined) return usageError('name a command');
  const grouped = GROUPS.has(first);
  const name = grouped ? `${first} ${second ?? ''}`.trim() : first;
  const command = COMMANDS[name];
  if (!command) return usageError(grouped && second === undefined ? `"${first}" needs a subcommand` : `unknown command "${name}"`);
  const rest = argv.slice(grouped ? 2 : 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: false }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  const outcome = await command.run(io, values);
  return outcome instanceof UsageProblem ? usageError(outcome.message) : outcome;
}
