// The connection a worker-thread job writes through: its own file handle (WAL lets it share the file with the main
// process), INSERTs prepared once per distinct SQL text (bulk.ts), and a page cache big enough that a 50,000-row
// import never spills dirty pages mid-transaction, and no automatic WAL checkpoint at the job's COMMIT: the worker
// checkpoints after it has posted the job's outcome (worker.ts), so the clerk does not wait for the copy of a large
// import's pages into the database file. SQLite-specific, hence here.
import type { Kysely } from 'kysely';
import type { DbHandle } from './open.ts';
import type { Database } from './schema.ts';
import { bulkKysely, insertStatements } from './bulk.ts';

/**
 * Runs one prepared INSERT on the same connection (and so in the same transaction) as `db` and returns the new
 * row's id, without Kysely's per-query promises: bulk paths (import) call it tens of thousands of times. `params`
 * fill the statement's `?` in order; `named`, when given, its `@name` parameters (values shared by all its rows).
 */
export type BulkInsert = (sql: string, params: unknown[], named?: Record<string, unknown>) => number;

/** Page cache of a job's connection, in KiB (SQLite's negative cache_size); memory is taken only as pages are used. */
const JOB_CACHE_KIB = 128 * 1024;

/**
 * The job's Kysely instance, and bulkInsert: the same prepared INSERTs run straight on the connection (inside
 * whatever transaction Kysely has open on it), returning the new row's id.
 */
export function jobConnection(handle: DbHandle): { db: Kysely<Database>; bulkInsert: BulkInsert } {
  handle.sqlite.pragma(`cache_size = -${JOB_CACHE_KIB}`);
  handle.sqlite.pragma('wal_autocheckpoint = 0');
  const inserts = insertStatements(handle.sqlite);
  return { db: bulkKysely(handle.sqlite, inserts), bulkInsert: (sql, params, named) => Number((named ? inserts(sql).run(params, named) : inserts(sql).run(params)).lastInsertRowid) };
}
