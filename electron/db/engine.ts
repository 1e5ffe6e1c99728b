// Which engine a Db runs on, and the few statements the domain needs that SQLite and PostgreSQL spell differently.
// The domain stays engine-neutral by calling these; every PostgreSQL-specific word lives under electron/db/.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

type AnyDb = Kysely<Database>;

export type Engine = 'sqlite' | 'postgres';

/** A --db value naming a PostgreSQL database rather than a file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The engine of a Kysely instance (or transaction), from its dialect's adapter. */
export function engineOf(db: AnyDb): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export const isPostgres = (db: AnyDb): boolean => engineOf(db) === 'postgres';

/**
 * Makes this transaction the only appender of the audit chain until it ends (audit.ts appendChained). SQLite: a no-op
 * DELETE takes the database's write lock. PostgreSQL: a transaction-scoped advisory lock, so two office servers (or a
 * job) on one database never chain off the same head.
 */
export async function lockAuditChain(db: AnyDb): Promise<void> {
  if (isPostgres(db)) await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(db);
  else await sql`DELETE FROM audit_purge_gate WHERE 0`.execute(db);
}

const AUDIT_LOCK = 0x1de5_a0d1;

/**
 * The id the next row of `table` would get from the engine (above its largest id and above every id ever handed out),
 * for writers that set ids themselves (the audit chain hashes them; imports link rows before writing them). SQLite:
 * valid while the caller holds the write lock. PostgreSQL: the table is locked against other writers until the
 * transaction ends, and the sequence is moved past the `count` ids taken, so later plain INSERTs do not collide.
 */
export async function takeIds(db: AnyDb, table: string, count: number): Promise<number> {
  if (!isPostgres(db)) {
    const { rows } = await sql<{ next: number }>`SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ${table}), 0), coalesce((SELECT max(id) FROM ${sql.table(table)}), 0)) + 1 AS next`.execute(db);
    return Number(rows[0].next);
  }
  await sql`LOCK TABLE ${sql.table(table)} IN SHARE ROW EXCLUSIVE MODE`.execute(db);
  const seq = `${table}_id_seq`;
  const { rows } = await sql<{ next: number }>`SELECT GREATEST(
      (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${sql.table(seq)}),
      (SELECT coalesce(max(id), 0) FROM ${sql.table(table)})) + 1 AS next`.execute(db);
  const next = Number(rows[0].next);
  if (count > 0) await sql`SELECT setval(${seq}::regclass, ${next + count - 1})`.execute(db);
  return next;
}
