// Bulk loading (demo seed, benchmark fills) on an open connection: a Kysely instance that reuses prepared INSERT
// statements — Kysely's driver prepares every query anew, and preparing a 2,000-row VALUES statement costs about
// as much as running it — and a bigger page cache while the load runs. SQLite-specific, hence here.
import type SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';

const MAX_CACHED = 64;
/** Page cache during a load, in KiB (SQLite's negative cache_size); restored afterwards. */
const BULK_CACHE_KIB = 256 * 1024;

/** Kysely over `sqlite` whose INSERT statements are prepared once per distinct SQL text. */
export function bulkKysely(sqlite: SqliteDatabase.Database): Kysely<Database> {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const wrapper = {
    prepare(sql: string) {
      if (!/^\s*insert\b/i.test(sql)) return sqlite.prepare(sql);
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= MAX_CACHED) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    // The connection belongs to its DbHandle; destroying this Kysely instance must not close it.
    close() {},
  };
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: wrapper as never }), plugins: [new CamelCasePlugin()] });
}

/**
 * Runs a bulk load with the statement cache, a larger page cache and foreign-key enforcement off (so rows can
 * be written in full chunks, children before parents; the loader is responsible for consistency and its tests
 * run `verify`, which checks every foreign key). Settings are put back afterwards.
 */
export async function withBulkLoad<T>(sqlite: SqliteDatabase.Database, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (sqlite.inTransaction) throw new Error('withBulkLoad must start outside a transaction');
  const previousCache = sqlite.pragma('cache_size', { simple: true }) as number;
  const previousFk = sqlite.pragma('foreign_keys', { simple: true }) as number;
  sqlite.pragma(`cache_size = -${BULK_CACHE_KIB}`);
  sqlite.pragma('foreign_keys = OFF');
  const db = bulkKysely(sqlite);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
    sqlite.pragma(`foreign_keys = ${previousFk ? 'ON' : 'OFF'}`);
    sqlite.pragma(`cache_size = ${previousCache}`);
  }
}
