// Raw SQL reads for engine-neutral suites (they run on SQLite under `npm test` and on PostgreSQL under `npm run
// test:pg`): a query with `?` placeholders through the Kysely connection of either engine, and the whole content of a
// database to compare before and after a refused write.
import { CompiledQuery } from 'kysely';
import { isPostgres } from '../../electron/db/engine.ts';
import type { DbHandle } from '../../electron/db/open.ts';
import { dumpContent } from './lists.ts';

type Db = DbHandle['db'];

/** The rows of `text` with `?` placeholders (written as $1, $2… on PostgreSQL), columns named as in SQL (no camelCase). */
export async function rawAll<T>(db: Db, text: string, ...params: unknown[]): Promise<T[]> {
  let i = 0;
  const q = isPostgres(db) ? text.replace(/\?/g, () => `$${++i}`) : text;
  return (await db.withoutPlugins().executeQuery<T>(CompiledQuery.raw(q, params))).rows;
}

/** The first row of `text`, or undefined. */
export async function rawGet<T>(db: Db, text: string, ...params: unknown[]): Promise<T | undefined> {
  return (await rawAll<T>(db, text, ...params))[0];
}

/**
 * Every table's rows and the id counters: SQLite's dumpContent (rowid order, sqlite_sequence included); on PostgreSQL
 * each table ordered by all its columns, and each identity sequence's position.
 */
export async function dumpDb(handle: DbHandle): Promise<Record<string, unknown[]>> {
  if (!isPostgres(handle.db)) return dumpContent(handle.sqlite);
  const db = handle.db;
  const tables = await rawAll<{ t: string; n: number }>(
    db,
    "SELECT c.table_name AS t, COUNT(*) AS n FROM information_schema.columns c JOIN information_schema.tables x USING (table_schema, table_name) WHERE c.table_schema = current_schema() AND x.table_type = 'BASE TABLE' GROUP BY c.table_name ORDER BY 1",
  );
  if (!tables.some((x) => x.t === 'residents')) throw new Error('dumpDb: the tables of the database were not found');
  const out: Record<string, unknown[]> = {};
  for (const { t, n } of tables) {
    const order = Array.from({ length: Number(n) }, (_, i) => i + 1).join(', ');
    out[t] = await rawAll(db, `SELECT * FROM "${t.replace(/"/g, '""')}" ORDER BY ${order}`);
  }
  out['(sequences)'] = await rawAll(db, 'SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1');
  return out;
}
