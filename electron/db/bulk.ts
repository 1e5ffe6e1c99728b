// Bulk loading (demo seed, benchmark fills) on an open connection: a Kysely instance that reuses prepared INSERT
// statements — Kysely's driver prepares every query anew, and preparing a 2,000-row VALUES statement costs about
// as much as running it — and a bigger page cache while the load runs. SQLite-specific, hence here.
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { COMMUNITY_COUNTER_TRIGGERS, COUNTER_TRIGGERS, NEED_COUNTER_TRIGGERS, VERSION_TRIGGERS, rebuildCounters } from './counters.ts';

const OFF_DURING_LOAD: Record<string, string> = { ...COUNTER_TRIGGERS, ...VERSION_TRIGGERS, ...NEED_COUNTER_TRIGGERS, ...COMMUNITY_COUNTER_TRIGGERS };

const MAX_CACHED = 64;
/** Page cache during a load, in KiB (SQLite's negative cache_size); restored afterwards. */
const BULK_CACHE_KIB = 256 * 1024;

const isInsert = (sql: string) => /^\s*insert\b/i.test(sql);

/** INSERT statements on `sqlite`, prepared once per distinct SQL text (at most MAX_CACHED kept). */
export function insertStatements(sqlite: SqliteDatabase.Database): (sql: string) => SqliteDatabase.Statement {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (!isInsert(sql)) throw new Error('insertStatements: INSERT statements only');
      if (cache.size >= MAX_CACHED) cache.clear();
      stmt = sqlite.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}

/** Kysely over `sqlite` whose INSERT statements come from `inserts` (prepared once per distinct SQL text). */
export function bulkKysely(sqlite: SqliteDatabase.Database, inserts = insertStatements(sqlite)): Kysely<Database> {
  const wrapper = {
    prepare: (sql: string) => (isInsert(sql) ? inserts(sql) : sqlite.prepare(sql)),
    // The connection belongs to its DbHandle; destroying this Kysely instance must not close it.
    close() {},
  };
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: wrapper as never }), plugins: [new CamelCasePlugin()] });
}

/**
 * Runs a bulk load with the statement cache, a larger page cache and foreign-key enforcement off (so rows can
 * be written in full chunks, children before parents; the loader is responsible for consistency and its tests
 * run `verify`, which checks every foreign key). Settings are put back afterwards. The counters' triggers
 * (counters.ts) are off during the load — children may come before their parents — and the counters are rebuilt
 * from the rows at the end, in one pass.
 */
export async function withBulkLoad<T>(sqlite: SqliteDatabase.Database, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (sqlite.inTransaction) throw new Error('withBulkLoad must start outside a transaction');
  const previousCache = sqlite.pragma('cache_size', { simple: true }) as number;
  const previousFk = sqlite.pragma('foreign_keys', { simple: true }) as number;
  sqlite.pragma(`cache_size = -${BULK_CACHE_KIB}`);
  sqlite.pragma('foreign_keys = OFF');
  const triggers = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (SELECT value FROM json_each(?))").pluck().all(JSON.stringify(Object.keys(OFF_DURING_LOAD))) as string[];
  for (const name of triggers) sqlite.exec(`DROP TRIGGER ${name}`);
  const db = bulkKysely(sqlite);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
    if (triggers.length) {
      rebuildCounters(sqlite);
      for (const name of triggers) sqlite.exec(OFF_DURING_LOAD[name]);
    }
    sqlite.pragma(`foreign_keys = ${previousFk ? 'ON' : 'OFF'}`);
    sqlite.pragma(`cache_size = ${previousCache}`);
  }
}
