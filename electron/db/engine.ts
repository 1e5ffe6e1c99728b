// Which engine a Db runs on, and the few statements the domain needs that SQLite and PostgreSQL spell differently.
// The domain stays engine-neutral by calling these; every PostgreSQL-specific word lives under electron/db/.
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { withoutPassword } from '../shared/server-db.ts';

type AnyDb = Kysely<Database>;

export type Engine = 'sqlite' | 'postgres';

/** A --db value naming a PostgreSQL database rather than a file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The URL with its password replaced by *** (for messages, logs and command output): the settings page's own. */
export const redactUrl = withoutPassword;

/** A --db value as shown to people: a file path as given, a PostgreSQL URL without its password. */
export const shownDb = (target: string): string => (isPostgresUrl(target) ? redactUrl(target) : target);

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

/**
 * A place name's natural-order key on PostgreSQL (checkins-due.ts has SQLite's): names starting with a digit first, by
 * their leading integer (what SQLite's CAST reads), then the name itself.
 */
export function naturalKeyPg(name: RawBuilder<unknown>): RawBuilder<unknown>[] {
  return [sql`case when ${name} ~ '^[0-9]' then 0 else 1 end`, sql`coalesce(substring(${name} from '^[0-9]+')::numeric, 0)`, name];
}

/**
 * A place name's natural-order key in the engine of `db`: on SQLite names starting with a digit first (glob), by their
 * leading integer (CAST reads the longest integer prefix), then the name; on PostgreSQL naturalKeyPg.
 */
export function naturalKey(db: AnyDb, name: RawBuilder<unknown>): RawBuilder<unknown>[] {
  if (isPostgres(db)) return naturalKeyPg(name);
  return [sql`case when ${name} glob '[0-9]*' then 0 else 1 end`, sql`cast(${name} as integer)`, name];
}

/**
 * A stamp that changes whenever the database may have changed (list counts are cached while it stays), or null when
 * the engine has none: SQLite's total_changes() (this connection's writes) and data_version (other connections'
 * commits). PostgreSQL has no such cheap and exact counter across servers, so there nothing is cached.
 */
export async function changeStamp(db: AnyDb): Promise<string | null> {
  if (isPostgres(db)) return null;
  const v = (await sql<{ c: number; v: number }>`SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v`.execute(db)).rows[0];
  return `${v.c}/${v.v}`;
}

/**
 * After rows were written with ids chosen by the writer (the demo seed, a bulk fill), moves each PostgreSQL identity
 * sequence past the largest id, never back. SQLite needs nothing: AUTOINCREMENT follows the largest id itself.
 */
export async function syncIdSequences(db: AnyDb): Promise<void> {
  if (!isPostgres(db)) return;
  const tables = (
    await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES' ORDER BY 1`.execute(db)
  ).rows;
  for (const { t } of tables) {
    await sql`SELECT setval(pg_get_serial_sequence(${t}, 'id'), m) FROM (SELECT max(id) AS m FROM ${sql.table(t)}) AS x
      WHERE m IS NOT NULL AND m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${sql.table(`${t}_id_seq`)})`.execute(db);
  }
}

/**
 * Runs a statement that may fail (a delete refused by a foreign key, say) inside a transaction, so that the caller can
 * catch the failure and go on. SQLite undoes just the failed statement; PostgreSQL aborts the whole transaction
 * unless the statement ran under a savepoint, which is rolled back to on failure.
 */
export async function mayFail<T>(db: AnyDb, fn: () => Promise<T>): Promise<T> {
  if (!isPostgres(db) || !db.isTransaction) return fn();
  await sql`SAVEPOINT idesk_may_fail`.execute(db);
  try {
    const out = await fn();
    await sql`RELEASE SAVEPOINT idesk_may_fail`.execute(db);
    return out;
  } catch (e) {
    await sql`ROLLBACK TO SAVEPOINT idesk_may_fail`.execute(db);
    throw e;
  }
}

/** The audit chain's advisory lock on PostgreSQL (also taken by pg/audit.ts audit_chain_prev, inside the database). */
export const AUDIT_LOCK = 0x1de5_a0d1;

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

const bound = new WeakMap<object, Promise<number | null>>();

/**
 * The subdistrict this connection is bound to (a district's PostgreSQL database, migration 0015: the server connects
 * as a role listed in idesk_bindings), read once per Kysely instance from the database; null on SQLite (a file is one
 * subdistrict), for the tables' owner, a district reader, and before 0015. The API narrows its answers to it on top
 * of the database's own row-level security (db/pg/district.ts).
 */
export function boundSubdistrict(db: AnyDb): Promise<number | null> {
  if (!isPostgres(db)) return Promise.resolve(null);
  const key = db.getExecutor().adapter as object;
  let p = bound.get(key);
  if (!p) {
    p = (async () => {
      const has = (await sql<{ f: string | null }>`SELECT to_regprocedure('idesk_bound_subdistrict()')::text AS f`.execute(db)).rows[0];
      if (!has?.f) return null;
      const r = (await sql<{ s: number | null }>`SELECT idesk_bound_subdistrict() AS s`.execute(db)).rows[0];
      return r?.s === null || r?.s === undefined ? null : Number(r.s);
    })();
    p.catch(() => bound.delete(key));
    bound.set(key, p);
  }
  return p;
}

/** Whether account `userId` belongs to the subdistrict this connection is bound to (always, when it is bound to none). */
export async function userInBoundSubdistrict(db: AnyDb, userId: number): Promise<boolean> {
  const b = await boundSubdistrict(db);
  if (b === null) return true;
  const r = (await sql<{ s: number | null }>`SELECT subdistrict_id AS s FROM users WHERE id = ${userId}`.execute(db)).rows[0];
  return r?.s !== null && r?.s !== undefined && Number(r.s) === b;
}

/** A unique index refused the row (SQLite's and PostgreSQL's words for it). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return err?.code === '23505' || (typeof err?.message === 'string' && err.message.includes('UNIQUE constraint failed'));
}
