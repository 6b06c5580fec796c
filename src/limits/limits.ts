// The limits module: sliding-window attempt limits and consecutive-failure
// lockouts, both kept in PostgreSQL so every server instance sharing the
// database shares them, and both clearable by an admin.
//
// consume(key, rules) is ONE atomic upsert: the row lock of ON CONFLICT
// serialises parallel consumes of a key, so a burst can never let through
// more than a limit. An attempt refused by any rule of the key is not
// recorded (API.md: "a send refused by our own limits is not counted").
// An attempt that needs several keys (a code send counts per phone and per
// IP) consumes them all in that same one upsert (consumeAll), each key judged
// on its own locked row, and refunds the ones taken when another refused: a
// burst may then see a refusal it could have been spared, never an allowance
// beyond a limit.
//
// Every method that the sign-in runs inside a transaction of its own takes
// an optional `executor` (the transaction); by default it runs on its own.

import { sql, type SQL } from 'drizzle-orm';
import type { LimitRule } from '../core/limit-rule.js';
import type { DatabaseHandle, DbExecutor } from '../db/connect.js';
import type { Clock } from '../core/clock.js';
import { textArray } from '../db/text-array.js';
import { preparedSql } from '../db/prepared.js';

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
/** One key of a consumeAll: its rules, and how many hits this attempt counts (default 1). */
export interface LimitAttempt {
  key: string;
  rules: readonly LimitRule[];
  count?: number;
}

export interface KeyWait {
  key: string;
  retryAfterSeconds: number;
}

export interface Limits {
  /** Records one attempt (`count` hits) on `key` unless a rule refuses it. */
  consume(key: string, rules: readonly LimitRule[], options?: { count?: number; executor?: DbExecutor }): Promise<LimitDecision>;
  /**
   * Records the attempt on every key, or on none: one statement; when a key
   * refuses, the keys it recorded are refunded and the longest wait answered.
   */
  consumeAll(attempts: readonly LimitAttempt[], executor?: DbExecutor): Promise<LimitDecision>;
  /**
   * endFailureRun(runKey), and in the same statement a lockout's state and
   * what `consume(counter)` would decide (the login's right password, which
   * then checks the account's code guesses).
   */
  endFailureRunAndPeek(
    runKey: string,
    peek: { lockoutKey: string; counter: { key: string; rules: readonly LimitRule[] } },
    executor?: DbExecutor,
  ): Promise<{ run: LockoutState; lockout: LockoutState; counter: LimitDecision }>;
  /** Takes back an attempt `consume` let through (its `recordedAt`, and its `count`), when the action it allowed did not happen. */
  refund(key: string, recordedAt: string, options?: { count?: number; executor?: DbExecutor }): Promise<void>;
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
  reserveFailure(key: string, rule: LimitRule, executor?: DbExecutor): Promise<FailureReservation>;
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
  /** Runs one statement on the transaction given, else on its own; both drivers answer `{ rows }`. */
  const run = async <Row>(statement: SQL, executor: DbExecutor = database.db): Promise<Row[]> =>
    ((await executor.execute(statement)) as unknown as { rows: Row[] }).rows;

  async function lockoutState(key: string): Promise<LockoutState> {
    const now = clock.now();
    const [row] = await run<{ failures: number; locked_until: Date | string | null }>(sql`
      select failures, locked_until from lockouts where key = ${key}`);
    return lockoutFrom(row, now);
  }

  async function refund(key: string, recordedAt: string, options: { count?: number; executor?: DbExecutor } = {}) {
    // `count` occurrences of that instant leave the log (parallel attempts of
    // one instant are alike, so which ones does not matter).
    await run(sql`
      update rate_limit_counters set hits = ${hitsWithout(sql`hits`, sql`${recordedAt}`, sql`${options.count ?? 1}`)}
      where key = ${key} and ${recordedAt}::timestamptz = any(hits)`, options.executor);
  }

  async function consumeAll(attempts: readonly LimitAttempt[], executor?: DbExecutor): Promise<LimitDecision> {
    const now = clock.now();
    const nowText = now.toISOString();
    // An attempt of more hits than a rule allows in a whole window can never
    // pass (an authenticator guess counts 3 codes against a budget set below
    // 3): refused, recording nothing, its wait a full window of that rule.
    const tooLarge = attempts.flatMap(({ rules, count = 1 }) => rules.filter((rule) => count > rule.limit));
    if (tooLarge.length > 0) return { allowed: false, retryAfterSeconds: Math.max(...tooLarge.map((rule) => rule.windowSeconds)) };
    // Rows are locked in key order, so two attempts sharing keys can never deadlock.
    const sorted = [...attempts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = await consumeStatement(executor ?? database.db, {
      now: nowText,
      keys: sorted.map((attempt) => attempt.key),
      counts: sorted.map((attempt) => attempt.count ?? 1),
      ruleKeys: sorted.flatMap(({ key, rules }) => rules.map(() => key)),
      ruleLimits: sorted.flatMap(({ rules }) => rules.map((rule) => rule.limit)),
      ruleWindows: sorted.flatMap(({ rules }) => rules.map((rule) => rule.windowSeconds)),
    });
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const refused = sorted.filter((attempt) => !byKey.get(attempt.key)!.last_allowed);
    if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0, recordedAt: nowText };
    for (const attempt of sorted) {
      if (!refused.includes(attempt)) await refund(attempt.key, nowText, { count: attempt.count, executor });
    }
    // The refused rows answer their hits as they were before this attempt: the wait is until `count` more fit.
    const waits = refused.map((attempt) => refusal(textArray(byKey.get(attempt.key)!.hits), attempt.rules, now, attempt.count ?? 1).retryAfterSeconds);
    return { allowed: false, retryAfterSeconds: Math.max(...waits) };
  }

  return {
    consume: (key, rules, options = {}) => consumeAll([{ key, rules, count: options.count }], options.executor),
    consumeAll,
    refund,

    async endFailureRunAndPeek(runKey, { lockoutKey, counter }, executor) {
      const now = clock.now();
      const nowText = now.toISOString();
      // The reads see the rows as they were before the delete (one snapshot): a run that was not ended is read as it stands.
      const [row] = await endRunAndPeekStatement(executor ?? database.db, { runKey, lockoutKey, counterKey: counter.key, now: nowText });
      return {
        run: row!.ended ? lockoutFrom(undefined, now) : lockoutFrom(row!.run ?? undefined, now),
        lockout: lockoutFrom(row!.lockout ?? undefined, now),
        counter: peekDecision(row!.hits ? textArray(row!.hits) : [], counter.rules, now),
      };
    },

    lockoutState,

    async refusedNow(prefix, rules) {
      const now = clock.now();
      const nowText = now.toISOString();
      // Only the keys some rule refuses now come back: the table holds a row for every phone and IP of the last day.
      const rows = await run<{ key: string; hits: string[] | string }>(sql`
        select key, array(select to_json(h.at)#>>'{}' from unnest(hits) as h(at)) as hits
        from rate_limit_counters c
        where starts_with(key, ${prefix}) and exists (
          select 1 from (values ${sql.join(rules.map((rule) => sql`(${rule.limit}::int, ${rule.windowSeconds}::int)`), sql`, `)}) as r(max_hits, window_seconds)
          where (select count(*) from unnest(c.hits) as h(at)
                 where h.at > ${nowText}::timestamptz - make_interval(secs => r.window_seconds)) >= r.max_hits)`);
      return rows.map((row) => ({ key: row.key, retryAfterSeconds: refusal(textArray(row.hits), rules, now).retryAfterSeconds }));
    },

    async lockedNow(prefix) {
      const now = clock.now();
      const rows = await run<{ key: string; failures: number; locked_until: Date | string | null }>(sql`
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
      const [row] = await run<{ failures: number; locked_until: Date | string | null }>(sql`
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
      await run(sql`delete from lockouts where key = ${key}`);
    },

    async reserveFailure(key, rule, executor) {
      const now = clock.now();
      const nowText = now.toISOString();
      // A finished lock starts a new run. updated_at is the instant of the
      // latest reserved failure: the one that fills the run dates the lock
      // (keepFailure), so a refusal meanwhile can say when the lock will end.
      // A full run never settled (its request died) counts as a lock that
      // ended a window after its last failure.
      const windowStartText = new Date(now.getTime() - rule.windowSeconds * 1000).toISOString();
      const [row] = await reserveFailureStatement(executor ?? database.db, { key, limit: rule.limit, now: nowText, windowStart: windowStartText });
      if (row) return { allowed: true, failures: row.failures };
      const [held] = await run<{ locked_until: Date | string | null; updated_at: Date | string }>(sql`
        select locked_until, updated_at from lockouts where key = ${key}`, executor);
      // Locked, or full with failures still being judged: the lock they lead to ends a window after the last of them.
      const until = held?.locked_until ?? new Date(new Date(held?.updated_at ?? now).getTime() + rule.windowSeconds * 1000);
      return {
        allowed: false,
        locked: Boolean(held?.locked_until),
        retryAfterSeconds: Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000)),
      };
    },

    async keepFailure(key, rule) {
      const rows = await run<{ key: string }>(sql`
        update lockouts set locked_until = updated_at + make_interval(secs => ${rule.windowSeconds}::int)
        where key = ${key} and locked_until is null and failures >= ${rule.limit}::int
        returning key`);
      return { lockedNow: rows.length > 0 };
    },

    async endFailureRun(key) {
      const ended = await run<{ key: string }>(endRun(sql`${key}`, sql`${clock.now().toISOString()}::timestamptz`));
      return ended.length > 0 ? lockoutFrom(undefined, clock.now()) : lockoutState(key);
    },

    async clear(keys) {
      if (keys.length === 0) return 0;
      const list = sql.join(keys.map((key) => sql`${key}`), sql`, `);
      const counters = await run(sql`delete from rate_limit_counters where key in (${list}) returning key`);
      const locks = await run(sql`delete from lockouts where key in (${list}) returning key`);
      return counters.length + locks.length;
    },
  };
}

// The sign-in's statements, prepared (src/db/prepared.ts): one text
// whatever the number of keys and rules (they come in as arrays).
const placeholder = sql.placeholder;
const nowParam = sql`${placeholder('now')}::timestamptz`;

/**
 * consumeAll's one upsert. The new hits of each key ride in the inserted row
 * (`excluded.hits`). On a conflict the existing row is locked and judged as
 * it is now: a key whose rules all leave room for them gets them, after the
 * hits older than its longest window are dropped; a refused key only loses
 * the old hits. Rows are locked in the order of `keys`.
 */
const consumeStatement = preparedSql<
  { now: string; keys: string[]; counts: number[]; ruleKeys: string[]; ruleLimits: number[]; ruleWindows: number[] },
  { key: string; hits: string[] | string; last_allowed: boolean }
>(
  'limits_consume',
  sql`
    with rules (key, max_hits, window_seconds) as (
      select * from unnest(${placeholder('ruleKeys')}::text[], ${placeholder('ruleLimits')}::int[], ${placeholder('ruleWindows')}::int[]))
    insert into rate_limit_counters as c (key, hits, last_allowed, updated_at)
    select a.key, array_fill(${nowParam}, array[a.count]), true, ${nowParam}
    from unnest(${placeholder('keys')}::text[], ${placeholder('counts')}::int[]) as a(key, count)
    on conflict (key) do update set
      hits = array(select h.at from unnest(c.hits) as h(at)
                   where h.at > ${nowParam} - make_interval(secs => (select max(r.window_seconds) from rules r where r.key = c.key))
                   order by h.at)
             || case when ${roomFor(nowParam)} then excluded.hits else '{}'::timestamptz[] end,
      last_allowed = ${roomFor(nowParam)},
      updated_at = ${nowParam}
    returning key, array(select to_json(h.at)#>>'{}' from unnest(c.hits) as h(at)) as hits, last_allowed`,
);

type LockRow = { failures: number; locked_until: Date | string | null };

/** endFailureRunAndPeek: the reads see the rows as they were before the delete (one snapshot): a run that was not ended is read as it stands. */
const endRunAndPeekStatement = preparedSql<
  { runKey: string; lockoutKey: string; counterKey: string; now: string },
  { ended: boolean; run: LockRow | null; lockout: LockRow | null; hits: string[] | string | null }
>(
  'limits_end_run_and_peek',
  sql`
    with ended as (${endRun(sql`${placeholder('runKey')}::text`, nowParam)})
    select exists (select 1 from ended) as ended,
           (select json_build_object('failures', failures, 'locked_until', locked_until) from lockouts where key = ${placeholder('runKey')}::text) as run,
           (select json_build_object('failures', failures, 'locked_until', locked_until) from lockouts where key = ${placeholder('lockoutKey')}::text) as lockout,
           (select array(select to_json(h.at)#>>'{}' from unnest(c.hits) as h(at)) from rate_limit_counters c where c.key = ${placeholder('counterKey')}::text) as hits`,
);

/** reserveFailure's conditional upsert; see there. */
const reserveFailureStatement = preparedSql<{ key: string; limit: number; now: string; windowStart: string }, { failures: number }>(
  'limits_reserve_failure',
  sql`
    insert into lockouts as l (key, failures, locked_until, updated_at)
    values (${placeholder('key')}, 1, null, ${nowParam})
    on conflict (key) do update set
      failures = case
        when l.locked_until is not null or l.failures >= ${placeholder('limit')}::int then 1
        else l.failures + 1 end,
      locked_until = null,
      updated_at = ${nowParam}
    where l.locked_until <= ${nowParam}
       or (l.locked_until is null and (l.failures < ${placeholder('limit')}::int or l.updated_at <= ${placeholder('windowStart')}::timestamptz))
    returning failures`,
);

/** A success ends the run of failures of `key` (its row goes), unless a lock holds; returns the key when it did. */
function endRun(key: SQL, now: SQL): SQL {
  return sql`delete from lockouts where key = ${key} and (locked_until is null or locked_until <= ${now}) returning key`;
}

/** The decision consume would take on these hits for an attempt of `count` hits, recording nothing. */
function peekDecision(hitTexts: string[], rules: readonly LimitRule[], now: Date, count = 1): LimitDecision {
  const hits = hitTexts.map((text) => new Date(text).getTime());
  const blocked = rules.some((rule) => hits.filter((hit) => hit > now.getTime() - rule.windowSeconds * 1000).length + count > rule.limit);
  return blocked ? refusal(hitTexts, rules, now, count) : { allowed: true, retryAfterSeconds: 0 };
}

/** A refused attempt of `count` hits: whole seconds until enough of the oldest hits have left every full window. */
function refusal(hitTexts: string[], rules: readonly LimitRule[], now: Date, count = 1): LimitDecision {
  const hits = hitTexts.map((text) => new Date(text).getTime()).sort((a, b) => a - b);
  let waitMs = 0;
  for (const rule of rules) {
    const inWindow = hits.filter((hit) => hit > now.getTime() - rule.windowSeconds * 1000);
    if (inWindow.length + count > rule.limit) {
      // The attempt is let through once the hit at this position has left the window.
      const freeingHit = inWindow[inWindow.length + count - 1 - rule.limit]!;
      waitMs = Math.max(waitMs, freeingHit + rule.windowSeconds * 1000 - now.getTime());
    }
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/**
 * Whether the locked row `c` of a consume leaves room, under every rule of
 * its key (the statement's `rules`), for the hits of the attempt (`excluded.hits`).
 */
function roomFor(now: SQL): SQL {
  return sql`not exists (
    select 1 from rules r
    where r.key = c.key
      and (select count(*) from unnest(c.hits) as h(at)
           where h.at > ${now} - make_interval(secs => r.window_seconds)) + cardinality(excluded.hits) > r.max_hits)`;
}

/** The hits of `column` without `count` occurrences of the instant `at` (SQL: a value or a placeholder). */
export function hitsWithout(column: SQL, at: SQL, count: SQL): SQL {
  return sql`array(
    select h.at from unnest(${column}) with ordinality as h(at, position)
    where h.position not in (select o.position from unnest(${column}) with ordinality as o(at, position)
                             where o.at = ${at}::timestamptz order by o.position limit ${count}::int)
    order by h.position)`;
}

function lockoutFrom(row: { failures: number; locked_until: Date | string | null } | undefined, now: Date): LockoutState {
  if (!row) return { locked: false, retryAfterSeconds: 0, failures: 0 };
  const lockedUntil = row.locked_until === null ? null : new Date(row.locked_until);
  if (lockedUntil && lockedUntil.getTime() > now.getTime()) {
    return { locked: true, retryAfterSeconds: Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000), failures: row.failures };
  }
  return { locked: false, retryAfterSeconds: 0, failures: lockedUntil ? 0 : row.failures };
}
