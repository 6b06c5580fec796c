// Who is locked out, now (API.md GET /api/rbac/rate-limits, `boreal
// rate-limits list`): every phone, IP, email and account that a limit or a
// lock refuses at this moment, each with the 429 code it gets, how long it
// waits, and the subject that DELETE /api/rbac/rate-limits takes to free it
// (what each clears: clear.ts). Read from the same keys and rules the sign-in
// consumes, so the list cannot disagree with the answers users get.

import { inArray } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { LimitRule } from '../core/limit-rule.js';
import type { Database } from '../db/connect.js';
import { users } from '../db/schema.js';
import type { ErrorCode } from '../errors.js';
import { type KeyWait, type Limits } from './limits.js';
import { codeGuessRules, limitKeyPrefixes, PUBLIC_INTAKE_LIMIT_PER_IP } from './limit-keys.js';
import type { RequestCounters } from './request-counters.js';

export type LimitedKind = 'phone' | 'ip' | 'email' | 'account';

export interface LimitedSubject {
  kind: LimitedKind;
  /** What DELETE /api/rbac/rate-limits takes to clear it: a phone, an IP address, an email (for `account`, the user's email). */
  subject: string;
  code: ErrorCode;
  retryAfterSeconds: number;
  userId: string | null;
}

export interface RateLimitListingDeps {
  db: Database;
  limits: Pick<Limits, 'refusedNow' | 'lockedNow'>;
  /** LIMIT_REQUESTS_PER_IP's counters: this process's memory, or Redis shared by every instance. */
  requestCounters: Pick<RequestCounters, 'limited'>;
  config: Pick<Config, 'limits' | 'otp'>;
}

export interface RateLimitListing {
  /** The longest wait first. */
  list(): Promise<LimitedSubject[]>;
}


/** An IP key is a client key (IPv6 per /64, client-ip.ts): its /64 prefix is an address that clears the same key. */
const ipSubject = (clientKey: string) => clientKey.replace(/\/64$/, '');

export function createRateLimitListing(deps: RateLimitListingDeps): RateLimitListing {
  const { limits, config } = deps;

  async function usersWhere(column: 'id' | 'email' | 'phone', values: string[]): Promise<Array<{ id: string; email: string; phone: string | null }>> {
    if (values.length === 0) return [];
    return deps.db.select({ id: users.id, email: users.email, phone: users.phone }).from(users).where(inArray(users[column], values));
  }

  const subjectsOf = (waits: KeyWait[], prefix: string) => waits.map((wait) => ({ subject: wait.key.slice(prefix.length), retryAfterSeconds: wait.retryAfterSeconds }));

  return {
    async list() {
      const counted = async (prefix: string, rules: readonly LimitRule[]) => subjectsOf(await limits.refusedNow(prefix, rules), prefix);
      const locked = async (prefix: string) => subjectsOf(await limits.lockedNow(prefix), prefix);

      const [phones, otpIps, loginIps, intakeIps, passwordLocks, codeLocks, guessBudgets, requestIps] = await Promise.all([
        counted(limitKeyPrefixes.otpPerPhone, config.limits.otpPerPhone),
        counted(limitKeyPrefixes.otpPerIp, config.limits.otpPerIp),
        counted(limitKeyPrefixes.loginPerIp, config.limits.loginPerIp),
        counted(limitKeyPrefixes.intakePerIp, PUBLIC_INTAKE_LIMIT_PER_IP),
        locked(limitKeyPrefixes.passwordLockout),
        locked(limitKeyPrefixes.otpLockout),
        counted(limitKeyPrefixes.otpGuesses, codeGuessRules(config)),
        deps.requestCounters.limited(config.limits.requestsPerIp.limit),
      ]);

      const accountIds = [...new Set([...codeLocks, ...guessBudgets].map((entry) => entry.subject))];
      const [accounts, emailOwners, phoneOwners] = await Promise.all([
        usersWhere('id', accountIds),
        usersWhere('email', passwordLocks.map((entry) => entry.subject)),
        usersWhere('phone', phones.map((entry) => entry.subject)),
      ]);
      const emailOfId = new Map(accounts.map((user) => [user.id, user.email]));
      const idOfEmail = new Map(emailOwners.map((user) => [user.email, user.id]));
      const idOfPhone = new Map(phoneOwners.map((user) => [user.phone, user.id]));

      const items: LimitedSubject[] = [
        ...phones.map((entry) => ({ kind: 'phone' as const, subject: entry.subject, code: 'OTP_RATE_LIMITED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: idOfPhone.get(entry.subject) ?? null })),
        ...otpIps.map((entry) => ({ kind: 'ip' as const, subject: ipSubject(entry.subject), code: 'OTP_RATE_LIMITED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: null })),
        ...loginIps.map((entry) => ({ kind: 'ip' as const, subject: ipSubject(entry.subject), code: 'LOGIN_RATE_LIMITED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: null })),
        ...intakeIps.map((entry) => ({ kind: 'ip' as const, subject: ipSubject(entry.subject), code: 'RATE_LIMITED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: null })),
        // A route's own stricter limit counts under "<METHOD><url>-<client>" (request-limit.ts): not a client of its own.
        ...requestIps.filter((entry) => !entry.key.includes('-')).map((entry) => ({ kind: 'ip' as const, subject: ipSubject(entry.key), code: 'RATE_LIMITED' as const, retryAfterSeconds: Math.max(1, Math.ceil(entry.ttlMs / 1000)), userId: null })),
        ...passwordLocks.map((entry) => ({ kind: 'email' as const, subject: entry.subject, code: 'ACCOUNT_LOCKED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: idOfEmail.get(entry.subject) ?? null })),
        // A user no longer there has nobody to unlock: left out.
        ...[...codeLocks, ...guessBudgets].flatMap((entry) => {
          const email = emailOfId.get(entry.subject);
          return email === undefined ? [] : [{ kind: 'account' as const, subject: email, code: 'ACCOUNT_LOCKED' as const, retryAfterSeconds: entry.retryAfterSeconds, userId: entry.subject }];
        }),
      ];
      return longestWaitFirst(mergeSameRefusal(items));
    },
  };
}

/** One row per subject and code: an account both locked and out of guesses, or an IP over two limits of one code, waits for the longer. */
function mergeSameRefusal(items: LimitedSubject[]): LimitedSubject[] {
  const merged = new Map<string, LimitedSubject>();
  for (const item of items) {
    const key = `${item.kind}\u0000${item.subject}\u0000${item.code}`;
    const existing = merged.get(key);
    if (!existing || existing.retryAfterSeconds < item.retryAfterSeconds) merged.set(key, item);
  }
  return [...merged.values()];
}

function longestWaitFirst(items: LimitedSubject[]): LimitedSubject[] {
  return items.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds || a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject) || a.code.localeCompare(b.code));
}
