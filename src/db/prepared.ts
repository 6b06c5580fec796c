// Hot-path statements built once and run by name (issue #13).
//
// Drizzle builds a query's SQL again on every call (walking its columns was
// a quarter of a simple query's main-thread time), and a statement sent
// without a name is parsed and planned again by PostgreSQL each time. A
// prepared statement here is built on its first run, with
// `sql.placeholder('…')` where its values go, and from then on only its
// values are sent, under its name: `pg` parses it once per connection and
// reuses it (PGlite, in-process, has no parse to save and ignores the name).
//
// It runs on the database or on a transaction. Drizzle's own `.prepare()`
// binds a statement to the connection it was built on, and a transaction is
// a new connection each time, so the built parts (text, parameters, result
// fields) are kept and handed to the executor's session instead.

import { sql, type Column, type Query, type SQL } from 'drizzle-orm';
import { PgDialect, type PgPreparedQuery, type PreparedQueryConfig, type SelectedFieldsOrdered } from 'drizzle-orm/pg-core';
import type { DbExecutor } from './connect.js';

/** What a Drizzle query builder offers to be prepared. */
interface Preparable<Result> {
  prepare(name: string): PgPreparedQuery<PreparedQueryConfig & { execute: Result }>;
}

/**
 * What Drizzle's prepared query holds besides its text: how rows map to
 * results. Read once from the first prepared query; these fields are private
 * in Drizzle's types, so a Drizzle upgrade that renames them fails every
 * prepared statement's first run (the unit test of this module), not silently.
 */
interface BuiltParts {
  query: Query;
  fields: SelectedFieldsOrdered | undefined;
  arrayMode: boolean;
  mapper: ((rows: unknown[][]) => unknown) | undefined;
}

type Executor = (executor: DbExecutor, values: Record<string, unknown>) => Promise<unknown>;

function runBuilt(name: string, built: BuiltParts): Executor {
  const { query, fields, arrayMode, mapper } = built;
  return (executor, values) => executor._.session.prepareQuery(query, fields, name, arrayMode, mapper).execute(values);
}

export type PreparedStatement<Values extends Record<string, unknown>, Result> = (executor: DbExecutor, values: Values) => Promise<Result>;

/**
 * `name` must be unique in the process and always name the same text (pg
 * refuses a second text under a name it has prepared); `build` makes the
 * statement on the executor it is given, with placeholders for `Values`.
 */
export function preparedStatement<Values extends Record<string, unknown>, Result>(
  name: string,
  build: (executor: DbExecutor) => Preparable<Result>,
): PreparedStatement<Values, Result> {
  let run: Executor | undefined;
  return async (executor, values) => {
    if (!run) {
      const first = build(executor).prepare(name) as unknown as {
        getQuery(): Query;
        fields?: SelectedFieldsOrdered;
        _isResponseInArrayMode?: boolean;
        customResultMapper?: (rows: unknown[][]) => unknown;
      };
      // Both drivers assign all three in their constructor, undefined or not.
      if (typeof first._isResponseInArrayMode !== 'boolean' || !('fields' in first) || !('customResultMapper' in first)) {
        throw new Error(`preparedStatement ${name}: Drizzle's prepared query no longer has the parts this module reads`);
      }
      run = runBuilt(name, { query: first.getQuery(), fields: first.fields, arrayMode: first._isResponseInArrayMode, mapper: first.customResultMapper });
    }
    return (await run(executor, values)) as Result;
  };
}

const dialect = new PgDialect();

/**
 * A hand-written statement (`sql` with placeholders), prepared as above; its
 * rows as the driver answers them, as `db.execute` would.
 */
export function preparedSql<Values extends Record<string, unknown>, Row>(name: string, statement: SQL): PreparedStatement<Values, Row[]> {
  const run = runBuilt(name, { query: dialect.sqlToQuery(statement), fields: undefined, arrayMode: false, mapper: undefined });
  return async (executor, values) => ((await run(executor, values)) as { rows: Row[] }).rows;
}

/**
 * The placeholder `name` as a value of `column`: encoded as Drizzle encodes
 * a literal for it (a Date as an ISO instant), null staying null. For
 * `.set()`, `.values()` and hand-written SQL, which take a bare placeholder
 * as the driver's raw value.
 */
export function columnValue(name: string, column: Column): SQL {
  return sql`${sql.param(sql.placeholder(name), { mapToDriverValue: (value: unknown) => (value === null ? null : column.mapToDriverValue(value)) })}`;
}
