// The connection a worker-thread job writes through: its own file handle (WAL lets it share the file with the main
// process), INSERTs prepared once per distinct SQL text (bulk.ts), and a page cache big enough that a 50,000-row
// import never spills dirty pages mid-transaction. SQLite-specific, hence here.
import type { Kysely } from 'kysely';
import type { DbHandle } from './open.ts';
import type { Database } from './schema.ts';
import type { BulkInsert } from '../domain/context.ts';
import { bulkKysely } from './bulk.ts';

/** Page cache of a job's connection, in KiB (SQLite's negative cache_size); memory is taken only as pages are used. */
const JOB_CACHE_KIB = 128 * 1024;

export function jobConnection(handle: DbHandle): Kysely<Database> {
  handle.sqlite.pragma(`cache_size = -${JOB_CACHE_KIB}`);
  return bulkKysely(handle.sqlite);
}

/** Prepared INSERTs run straight on the job's connection (inside whatever transaction Kysely has open on it). */
export function jobBulkInsert(handle: DbHandle): BulkInsert {
  const cache = new Map<string, ReturnType<DbHandle['sqlite']['prepare']>>();
  return (sql, params) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (!/^\s*insert\b/i.test(sql)) throw new Error('bulkInsert: INSERT statements only');
      stmt = handle.sqlite.prepare(sql);
      cache.set(sql, stmt);
    }
    return Number(stmt.run(params).lastInsertRowid);
  };
}
