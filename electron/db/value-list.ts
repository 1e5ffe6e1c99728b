// A list of values as ONE bound parameter, for `column IN (…)`: SQLite reads it back with json_each. Looking up
// thousands of values then prepares one short statement instead of a statement with a placeholder per value
// (preparing a 900-placeholder statement costs more than running it): an import's 50,000 ID numbers are looked up
// in ~35 ms instead of 80–170 ms, with the same index (residents_document) doing the searching.
// On PostgreSQL the one parameter is an array (text[] or bigint[]) read back with unnest.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from './engine.ts';
import type { Database } from './schema.ts';

/**
 * `(SELECT value FROM json_each(?))` with the values as JSON: strings stay text, numbers integers. Pass the Db the
 * query runs on: on PostgreSQL the list is `(SELECT unnest(?::text[]))` or `bigint[]`.
 */
export function valueList<T extends string | number>(values: readonly T[], db?: Kysely<Database>): RawBuilder<T> {
  if (db && isPostgres(db)) {
    return values.length && typeof values[0] === 'number' ? sql<T>`(SELECT unnest(${values}::bigint[]))` : sql<T>`(SELECT unnest(${values}::text[]))`;
  }
  return sql<T>`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
