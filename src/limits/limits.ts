// The limits module: sliding-window attempt limits and consecutive-failure
// lockouts, both kept in PostgreSQL so every server instance sharing the
// database shares them, and both clearable by an admin.
//
// consume(key, rules) is ONE atomic upsert: the row lock of ON CONFLICT
// serialises parallel consumes of a key, so a burst can never let through
// more than a limit. An attempt refused by any rule of the key is not
// recorded (API.md: "a send refused by our own limits is not counted").
// An attempt that needs several keys (a code send counts per phone and per
// IP) consumes them one by one and refunds the ones already taken when a later
// one refuses: a burst may then see a refusal it could have been spared, never
// an allowance beyond a limit.

import { sql } from 'drizzle-orm';
import type { LimitRule } from '../core/limit-rule.js';
import type { DatabaseHandle } from '../db/connect.js';
import type { Clock } from '../core/clock.js';
import { textArray } from '../db/text-array.js';

export interface LimitDecision {
  allowed: boolean;
  /** 0 when allowed; else whole seconds until the attempt would be let through (never less than the real wait). */
  retryAfterSeconds: number;
  /** The instant recorded for an allowed attempt: give it to `refund` to take the attempt back. */
  recordedAt?: string;
}

export interface LockoutState {
  locked: boolean;
  retryAfterSeconds: number;
  failures: number;
}

export interface FailureOutcome extends LockoutState {
  /** This failure started the lock (exactly one of a parallel burst does): audit it once. */
  lockedNow: boolean;
}

/** A failure reserved before the attempt is judged (reserveFailure). */
export type FailureReservation =
  | { allowed: true; /** failures of the run, this one included */ failures: number }
  | {
      allowed: false;
      /** true: a lock holds. false: the run is full of failures still being judged, which may yet turn out successes. */
      locked: boolean;
      retryAfterSeconds: number;
    };
export interface KeyWait {
  key: string;
  retryAfterSeconds: number;
}

export interface Limits {
  consume(key: string, rules: readonly LimitRule[]): Promise<LimitDecision>;
  /** The decision `consume` would take, without recording anything. */
  peek(key: string, rules: readonly LimitRule[]): Promise<LimitDecision>;
  /** Takes back an attempt `consume` let through (its `recordedAt`), when the action it allowed did not happen. */
  refund(key: string, recordedAt: string): Promise<void>;
  lockoutState(key: string): Promise<LockoutState>;
  /** Counts one more consecutive failure; the `rule.limit`-th locks the key for `rule.windowSeconds`. Failures during a lock are neither counted nor extend it. */
  recordFailure(key: string, rule: LimitRule): Promise<FailureOutcome>;
  /** A success ends the run of failures. */
  resetFailures(key: string): Promise<void>;
  /**
   * Counts one failure before the attempt is judged (so parallel attempts can
   * never have more than `rule.limit` judged), in one conditional upsert:
   * refused while the key is locked, or while `rule.limit` failures of the run
   * are already counted (some still being judged: the caller may wait for
   * their outcome and ask again). Settle it with
   * keepFailure (it was one) or endFailureRun (it was a success).
   */
  reserveFailure(key: string, rule: LimitRule): Promise<FailureReservation>;
  /** The reserved failure stands; when the run holds `rule.limit` failures it locks the key (lockedNow for exactly one caller). */
  keepFailure(key: string, rule: LimitRule): Promise<{ lockedNow: boolean }>;
  /** A success ends the run, unless a lock holds: then nothing changes and the lock is answered. */
  endFailureRun(key: string): Promise<LockoutState>;
  /** Every key starting with `prefix` that `consume(key, rules)` would refuse now, with its wait (for the admin's list). */
  refusedNow(prefix: string, rules: readonly LimitRule[]): Promise<KeyWait[]>;
  /** Every lockout key starting with `prefix` that is locked now, with its wait. */
  lockedNow(prefix: string): Promise<KeyWait[]>;
  /** Deletes every counter and lockout whose key is one of `keys`; returns how many rows went. */
  clear(keys: readonly string[]): Promise<number>;
}

export function createLimits(database: DatabaseHandle, clock: Clock): Limits {
  const rulesTable = (rules: readonly LimitRule[]) =>
    sql.join(
      rules.map((rule) => sql`(${rule.limit}::int, ${rule.windowSeconds}::int)`),
      sql`, `,
    );

  const decide = (hitTexts: string[], rules: readonly LimitRule[], now: Date, allowed: boolean): LimitDecision => {
    if (allowed) return { allowed: true, retryAfterSeconds: 0 };
    const hits = hitTexts.map((text) => new Date(text).getTime()).sort((a, b) => a - b);
    let waitMs = 0;
    for (const rule of rules) {
      const inWindow = hits.filter((hit) => hit > now.getTime() - rule.windowSeconds * 1000);
      if (inWindow.length >= rule.limit) {
        // The attempt is let through once enough of the oldest hits have left the window.
        const freeingHit = inWindow[inWindow.length - rule.limit]!;
        waitMs = Math.max(waitMs, freeingHit + rule.windowSeconds * 1000 - now.getTime());
      }
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  };

  async function lockoutState(key: string): Promise<LockoutState> {
    const now = clock.now();
    const [row] = await database.query<{ failures: number; locked_until: Date | string | null }>(sql`
      select failures, locked_until from lockouts where key = ${key}`);
    return lockoutFrom(row, now);
  }

  const longestWindow = (rules: readonly LimitRule[]) => Math.max(...rules.map((rule) => rule.windowSeconds));

  return {
    async consume(key, rules) {
      const now = clock.now();
      const nowText = now.toISOString();
      const keepSeconds = longestWindow(rules);
      // "ok": no rule already holds `limit` hits inside its window.
      const [row] = await database.query<{ hits: string[] | string; last_allowed: boolean }>(sql`
        insert into rate_limit_counters as c (key, hits, last_allowed, updated_at)
        values (${key}, array[${nowText}::timestamptz], true, ${nowText}::timestamptz)
        on conflict (key) do update set
          hits = case
            when not exists (
              select 1 from (values ${rulesTable(rules)}) as r(max_hits, window_seconds)
              where (select count(*) from unnest(c.hits) as h(at)
                     where h.at > ${nowText}::timestamptz - make_interval(secs => r.window_seconds)) >= r.max_hits)
            then array(select h.at from unnest(c.hits) as h(at)
                       where h.at > ${nowText}::timestamptz - make_interval(secs => ${keepSeconds}::int) order by h.at)
                 || ${nowText}::timestamptz
            else array(select h.at from unnest(c.hits) as h(at)
                       where h.at > ${nowText}::timestamptz - make_interval(secs => ${keepSeconds}::int) order by h.at)
          end,
          last_allowed = not exists (
            select 1 from (values ${rulesTable(rules)}) as r(max_hits, window_seconds)
            where (select count(*) from unnest(c.hits) as h(at)
                   where h.at > ${nowText}::timestamptz - make_interval(secs => r.window_seconds)) >= r.max_hits),
          updated_at = ${nowText}::timestamptz
        returning array(select to_json(h.at)#>>'{}' from unnest(hits) as h(at)) as hits, last_allowed`);
      const decision = decide(textArray(row!.hits), rules, now, row!.last_allowed);
      return decision.allowed ? { ...decision, recordedAt: nowText } : decision;
    },

    async refund(key, recordedAt) {
      // One occurrence of that instant leaves the log (parallel attempts of
      // one instant are alike, so which one does not matter).
      await database.query(sql`
        update rate_limit_counters set
          hits = hits[1:array_position(hits, ${recordedAt}::timestamptz) - 1]
                 || hits[array_position(hits, ${recordedAt}::timestamptz) + 1:]
        where key = ${key} and array_position(hits, ${recordedAt}::timestamptz) is not null`);
    },

    async peek(key, rules) {
      const now = clock.now();
      const [row] = await database.query<{ hits: string[] | string }>(sql`
        select array(select to_json(h.at)#>>'{}' from unnest(hits) as h(at)) as hits
        from rate_limit_counters where key = ${key}`);
      if (!row) return { allowed: true, retryAfterSeconds: 0 };
      const hits = textArray(row.hits).map((text) => new Date(text).getTime());
      const blocked = rules.some(
        (rule) => hits.filter((hit) => hit > now.getTime() - rule.windowSeconds * 1000).length >= rule.limit,
      );
      return decide(textArray(row.hits), rules, now, !blocked);
    },

    lockoutState,

    async refusedNow(prefix, rules) {
      const now = clock.now();
      const nowText = now.toISOString();
      // Only the keys some rule refuses now come back: the table holds a row for every phone and IP of the last day.
      const rows = await database.query<{ key: string; hits: string[] | string }>(sql`
        select key, array(select to_json(h.at)#>>'{}' from unnest(hits) as h(at)) as hits
        from rate_limit_counters c
        where starts_with(key, ${prefix}) and exists (
          select 1 from (values ${rulesTable(rules)}) as r(max_hits, window_seconds)
          where (select count(*) from unnest(c.hits) as h(at)
                 where h.at > ${nowText}::timestamptz - make_interval(secs => r.window_seconds)) >= r.max_hits)`);
      return rows.map((row) => ({ key: row.key, retryAfterSeconds: decide(textArray(row.hits), rules, now, false).retryAfterSeconds }));
    },

    async lockedNow(prefix) {
      const now = clock.now();
      const rows = await database.query<{ key: string; failures: number; locked_until: Date | string | null }>(sql`
        select key, failures, locked_until from lockouts
        where starts_with(key, ${prefix}) and locked_until > ${now.toISOString()}::timestamptz`);
      return rows.map((row) => ({ key: row.key, retryAfterSeconds: lockoutFrom(row, now).retryAfterSeconds }));
    },

    async recordFailure(key, rule) {
      const now = clock.now();
      const nowText = now.toISOString();
      const lockUntilText = new Date(now.getTime() + rule.windowSeconds * 1000).toISOString();
      // A finished lock starts a new run. A running lock leaves the row
      // untouched (the WHERE): neither extended nor counted further, and no
      // row comes back, so only the failure that locked reports lockedNow.
      const [row] = await database.query<{ failures: number; locked_until: Date | string | null }>(sql`
        insert into lockouts as l (key, failures, locked_until, updated_at)
        values (${key}, 1, case when 1 >= ${rule.limit}::int then ${lockUntilText}::timestamptz end, ${nowText}::timestamptz)
        on conflict (key) do update set
          failures = case when l.locked_until is not null then 1 else l.failures + 1 end,
          locked_until = case
            when (case when l.locked_until is not null then 1 else l.failures + 1 end) >= ${rule.limit}::int
              then ${lockUntilText}::timestamptz
            else null end,
          updated_at = ${nowText}::timestamptz
        where l.locked_until is null or l.locked_until <= ${nowText}::timestamptz
        returning failures, locked_until`);
      if (!row) return { ...(await lockoutState(key)), lockedNow: false };
      const state = lockoutFrom(row, now);
      return { ...state, lockedNow: state.locked };
    },

    async resetFailures(key) {
      await database.query(sql`delete from lockouts where key = ${key}`);
    },

    async reserveFailure(key, rule) {
      const now = clock.now();
      const nowText = now.toISOString();
      // A finished lock starts a new run. updated_at is the instant of the
      // latest reserved failure: the one that fills the run dates the lock
      // (keepFailure), so a refusal meanwhile can say when the lock will end.
      // A full run never settled (its request died) counts as a lock that
      // ended a window after its last failure.
      const windowStartText = new Date(now.getTime() - rule.windowSeconds * 1000).toISOString();
      const [row] = await database.query<{ failures: number }>(sql`
        insert into lockouts as l (key, failures, locked_until, updated_at)
        values (${key}, 1, null, ${nowText}::timestamptz)
        on conflict (key) do update set
          failures = case
            when l.locked_until is not null or l.failures >= ${rule.limit}::int then 1
            else l.failures + 1 end,
          locked_until = null,
          updated_at = ${nowText}::timestamptz
        where l.locked_until <= ${nowText}::timestamptz
           or (l.locked_until is null and (l.failures < ${rule.limit}::int or l.updated_at <= ${windowStartText}::timestamptz))
        returning failures`);
      if (row) return { allowed: true, failures: row.failures };
      const [held] = await database.query<{ locked_until: Date | string | null; updated_at: Date | string }>(sql`
        select locked_until, updated_at from lockouts where key = ${key}`);
      // Locked, or full with failures still being judged: the lock they lead to ends a window after the last of them.
      const until = held?.locked_until ?? new Date(new Date(held?.updated_at ?? now).getTime() + rule.windowSeconds * 1000);
      return {
        allowed: false,
        locked: Boolean(held?.locked_until),
        retryAfterSeconds: Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)),
      };
    },

    async keepFailure(key, rule) {
      const rows = await database.query<{ key: string }>(sql`
        update lockouts set locked_until = updated_at + make_interval(secs => ${rule.windowSeconds}::int)
        where key = ${key} and locked_until is null and failures >= ${rule.limit}::int
        returning key`);
      return { lockedNow: rows.length > 0 };
    },

    async endFailureRun(key) {
      const nowText = clock.now().toISOString();
      const ended = await database.query<{ key: string }>(sql`
        delete from lockouts where key = ${key}
          and (locked_until is null or locked_until <= ${nowText}::timestamptz)
        returning key`);
      return ended.length > 0 ? lockoutFrom(undefined, clock.now()) : lockoutState(key);
    },

    async clear(keys) {
      if (keys.length === 0) return 0;
      const list = sql.join(keys.map((key) => sql`${key}`), sql`, `);
      const counters = await database.query(sql`delete from rate_limit_counters where key in (${list}) returning key`);
      const locks = await database.query(sql`delete from lockouts where key in (${list}) returning key`);
      return counters.length + locks.length;
    },
  };
}

function lockoutFrom(row: { failures: number; locked_until: Date | string | null } | undefined, now: Date): LockoutState {
  if (!row) return { locked: false, retryAfterSeconds: 0, failures: 0 };
  const lockedUntil = row.locked_until === null ? null : new Date(row.locked_until);
  if (lockedUntil && lockedUntil.getTime() > now.getTime()) {
    return { locked: true, retryAfterSeconds: Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000), failures: row.failures };
  }
  return { locked: false, retryAfterSeconds: 0, failures: lockedUntil ? 0 : row.failures };
}
