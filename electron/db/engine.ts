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

/**
 * What the connection is bound to on a district's PostgreSQL database (migration 0015, db/pg/district.ts), read once
 * per Kysely instance from the database: 'subdistrict' (an office server's role: reads and writes only its own),
 * 'reader' (a district reader's role, `district add-reader`: reads every subdistrict, writes only its own logins' and
 * reads' traces, migration 0019), or 'owner' (the tables' owner, a database before 0015, and every SQLite file).
 */
export interface ConnectionKind {
  kind: 'subdistrict' | 'reader' | 'owner';
  /** The bound subdistrict ('subdistrict' only). */
  subdistrictId: number | null;
  /** The district place ('reader' only): the organisation root, the reader's audit chain and its accounts' place. */
  districtId: number | null;
  /** The database has the district binding (PostgreSQL from migration 0015). */
  districtSchema: boolean;
}

const OWNER: ConnectionKind = { kind: 'owner', subdistrictId: null, districtId: null, districtSchema: false };
const bound = new WeakMap<object, Promise<ConnectionKind>>();

export function connectionKind(db: AnyDb): Promise<ConnectionKind> {
  if (!isPostgres(db)) return Promise.resolve(OWNER);
  const key = db.getExecutor().adapter as object;
  let p = bound.get(key);
  if (!p) {
    p = (async (): Promise<ConnectionKind> => {
      const has = (await sql<{ f: string | null }>`SELECT to_regprocedure('idesk_bound_subdistrict()')::text AS f`.execute(db)).rows[0];
      if (!has?.f) return OWNER;
      const r = (
        await sql<{ s: number | null; a: boolean; d: number | null }>`SELECT idesk_bound_subdistrict() AS s, idesk_reads_all() AS a,
          (SELECT min(id) FROM places WHERE level = 'district') AS d`.execute(db)
      ).rows[0];
      if (r?.s !== null && r?.s !== undefined) return { kind: 'subdistrict', subdistrictId: Number(r.s), districtId: null, districtSchema: true };
      if (r?.a) return { kind: 'reader', subdistrictId: null, districtId: r.d === null ? null : Number(r.d), districtSchema: true };
      return { ...OWNER, districtSchema: true };
    })();
    p.catch(() => bound.delete(key));
    bound.set(key, p);
  }
  return p;
}

/**
 * The subdistrict this connection is bound to; null on SQLite (a file is one subdistrict), for the tables' owner, a
 * district reader, and before 0015. The API narrows its answers to it on top of the database's own row-level security.
 */
export async function boundSubdistrict(db: AnyDb): Promise<number | null> {
  return (await connectionKind(db)).subdistrictId;
}

/** The connection is a district reader's (区级只读): every write channel is refused before its handler runs. */
export async function isDistrictReader(db: AnyDb): Promise<boolean> {
  return (await connectionKind(db)).kind === 'reader';
}

/**
 * Whether account `userId` may log in on this connection: a subdistrict's server takes its own subdistrict's accounts,
 * a district reader's server only the district's accounts (users.subdistrict_id = the district place, made by
 * `district add-user`), and the owner (and SQLite) every account but the district's (they are read-only accounts).
 */
export async function userInBoundSubdistrict(db: AnyDb, userId: number): Promise<boolean> {
  const b = await connectionKind(db);
  if (!b.districtSchema) return true;
  const r = (
    await sql<{ s: number | null; l: string | null }>`SELECT u.subdistrict_id AS s, (SELECT level FROM places WHERE id = u.subdistrict_id) AS l
      FROM users u WHERE u.id = ${userId}`.execute(db)
  ).rows[0];
  const sid = r?.s === null || r?.s === undefined ? null : Number(r.s);
  if (b.kind === 'subdistrict') return sid === b.subdistrictId;
  if (b.kind === 'reader') return sid !== null && sid === b.districtId;
  return r?.l !== 'district';
}

/** A unique index refused the row (SQLite's and PostgreSQL's words for it). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return err?.code === '23505' || (typeof err?.message === 'string' && err.message.includes('UNIQUE constraint failed'));
}
