// A large import into a small table: the table's search indexes are dropped inside the import's transaction and built
// again at its end, from the whole table at once (CREATE INDEX sorts the keys and fills its pages in order), instead
// of taking every new row into each of them one at a time — on 50,000 new residents ~0.3 s less for the import.
// DDL is transactional in SQLite: other connections keep reading the last commit (indexes included), and a rollback
// puts the indexes back as they were. Only indexes that no statement of the import itself reads are deferred: the
// lookups it makes while writing (a person by document, a household by room, a place by parent and name, episodes by
// resident) keep theirs, so nothing it reads turns into a scan. SQLite-specific; on PostgreSQL `fn` just runs.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres } from './engine.ts';

/**
 * The indexes a resident import may defer: those serving the screens' lists, searches and counts. Kept: the unique
 * ones (residents_document, households' room, places_parent_name, episodes_one_active — the import looks people and
 * places up by them and they guard against duplicates), residents_household (a household's members), places_level
 * (the communities, read each part; deferring it gained nothing) and episodes_resident (a known person's episodes,
 * read each part).
 */
export const IMPORT_DEFERRABLE_INDEXES = [
  'residents_community_last_day',
  'residents_community_name',
  'residents_community_initials',
  'residents_community_id',
  'residents_status_last_day',
  'residents_phone',
  'residents_last_day',
  'residents_name',
  'residents_initials',
  'residents_pinyin',
  'households_compound',
  'households_community',
  'episodes_status_last_day',
  'episodes_dates',
] as const;

/** Fewer new rows than this: the indexes are kept (building them again would cost more than it spares). */
export const DEFER_MIN_ROWS = 5000;

/**
 * Whether writing `incoming` new rows into a table of `existing` rows is worth deferring its indexes: a rebuild reads
 * every row, so only when the new rows are at least as many as the old ones (each index then costs about half as
 * much built as taken row by row, measured on 50,000 residents), and enough of them to matter.
 */
export function deferIndexes(incoming: number, existing: number): boolean {
  return incoming >= DEFER_MIN_ROWS && incoming >= existing;
}

/**
 * Runs `fn` (inside the caller's transaction) with these indexes dropped, then creates them again with their exact
 * definitions. Names that do not exist (an older or newer schema) are skipped. When `fn` throws, the indexes are put
 * back too (the caller's rollback would restore them anyway; this keeps the transaction whole if it is not rolled
 * back), and the error of `fn` is what is thrown.
 */
export async function withIndexesDeferred<T>(db: Kysely<Database>, names: readonly string[], fn: () => Promise<T>): Promise<T> {
  if (isPostgres(db)) return fn();
  if (!db.isTransaction) throw new Error('withIndexesDeferred needs a transaction');
  const defs = (await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (SELECT value FROM json_each(${JSON.stringify(names)}))`.execute(db)).rows;
  for (const d of defs) {
    if (/^\s*create\s+unique\b/i.test(d.sql)) throw new Error(`withIndexesDeferred: ${d.name} is unique (it guards the rows being written)`);
  }
  for (const d of defs) await sql.raw(`DROP INDEX "${d.name}"`).execute(db);
  let out: T;
  try {
    out = await fn();
  } catch (e) {
    for (const d of defs) await sql.raw(d.sql).execute(db).catch(() => undefined);
    throw e;
  }
  for (const d of defs) await sql.raw(d.sql).execute(db);
  return out;
}
