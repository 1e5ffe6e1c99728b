// Opens a PostgreSQL database (--db postgres://user:pass@host:port/name) as the same Db = Kysely<Database> the domain
// uses on SQLite: Kysely's PostgresDialect over a node-postgres pool with limits and timeouts, the same CamelCasePlugin,
// and the same migrations (migrations/index.ts, each in its PostgreSQL form from pg/migrations.ts), applied in one
// transaction under an advisory lock so two servers starting together migrate once.
//
// Numbers: SQLite hands back integers as numbers; PostgreSQL's bigint (int8: every integer column here, COUNT(*)) and
// numeric (SUM of bigints) arrive from node-postgres as strings. This pool parses both to numbers — the values are
// ids, counts and sums far below 2^53 — so domain code reads the same types on both engines.
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { Db, DbHandle } from './open.ts';
import { DatabaseOpenError } from './open-error.ts';
import { redactUrl } from './engine.ts';
import { latestVersion, migrations } from './migrations/index.ts';
import { missingPgForms, PG_FORMS, type PgForm } from './pg/migrations.ts';
import { newDatabaseId } from './identity.ts';

export interface PgHandle {
  engine: 'postgres';
  db: Db;
  /** The URL without its password (for messages and logs). */
  url: string;
  schemaVersion: number;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface PgOpenOptions {
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /** Every transaction read-only (the server refuses writes: default_transaction_read_only). Implies no migration. */
  readonly?: boolean;
  /** Pool size (default 10). */
  max?: number;
  /** Milliseconds a statement may run before the server cancels it (default 60 s). */
  statementTimeoutMs?: number;
  /** Milliseconds to wait for a connection (default 10 s). */
  connectTimeoutMs?: number;
}

const INT8 = 20;
const NUMERIC = 1700;
const parsers: Record<number, (v: string) => unknown> = { [INT8]: Number, [NUMERIC]: Number };
const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => parsers[oid] ?? pg.types.getTypeParser(oid, format) };

/**
 * A PostgreSQL handle in the DbHandle shape the CLI and the tests pass around (db, file, schemaVersion, close). Code
 * that reaches for the SQLite connection itself (handle.sqlite: pragmas, backups, bulk loads) is SQLite-only and gets
 * a clear error instead of undefined.
 */
export function pgAsDbHandle(h: PgHandle): DbHandle {
  return {
    db: h.db,
    file: h.url,
    schemaVersion: h.schemaVersion,
    close: h.close,
    get sqlite(): never {
      throw new DatabaseOpenError('unreadable', `此功能目前只支持 SQLite 数据库文件，不支持 PostgreSQL（${h.url}）。 / This feature works on SQLite files only, not on PostgreSQL yet.`);
    },
  };
}

/**
 * Prepared statements (node-postgres named queries): once switched on for a pool (preparePgStatements), a statement
 * with parameters is parsed and planned once per connection and then only bound and run — on an office server's
 * short statements (~10 a check-in) PostgreSQL's parse and plan were a third of its CPU. Up to PREPARED_MAX texts per
 * connection (an import's multi-row inserts vary in length: those past the limit run unnamed, as before). Off until
 * the schema is migrated: a statement prepared before a table changes shape refuses to run after ("cached plan must
 * not change result type"); should that still happen, the text is prepared afresh under a new name the next time.
 */
const PREPARED_MAX = 400;
const PREPARED_TEXT_MAX = 8000;
type PgQuery = (...args: unknown[]) => unknown;

function preparingClient(state: { on: boolean }): typeof pg.Client {
  let serial = 0;
  return class PreparingClient extends pg.Client {
    readonly #names = new Map<string, string>();
    // @ts-expect-error -- one override for node-postgres's many query() overloads: it only renames the first argument.
    override query(...args: unknown[]): unknown {
      const [text, values] = args;
      if (state.on && typeof text === 'string' && Array.isArray(values) && values.length > 0 && text.length <= PREPARED_TEXT_MAX) {
        let name = this.#names.get(text);
        if (!name && this.#names.size < PREPARED_MAX) this.#names.set(text, (name = `idesk_${++serial}`));
        if (name) {
          const out = (super.query as PgQuery).call(this, { name, text, values }, ...args.slice(2));
          if (out instanceof Promise) {
            return out.catch((e: { code?: string }) => {
              if (e?.code === '0A000') this.#names.delete(text);
              throw e;
            });
          }
          return out;
        }
      }
      return (super.query as PgQuery).apply(this, args);
    }
  } as unknown as typeof pg.Client;
}

/** Switches prepared statements on for the pool of `db` (after its migrations): see preparingClient. */
export function preparePgStatements(db: Db): void {
  const state = prepareState.get(db);
  if (state) state.on = true;
}
const prepareState = new WeakMap<Db, { on: boolean }>();

/** The pool under each PostgreSQL Db opened here (the live feed's LISTEN connection copies its settings). */
const pools = new WeakMap<Db, pg.Pool>();

/** The node-postgres pool of a Db opened by openPostgres, or undefined (SQLite, or not opened here). */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

/** Advisory lock key held while migrating (any value unlikely to collide with another application's). */
const MIGRATE_LOCK = 0x1de5_0017;

export async function openPostgres(url: string, options: PgOpenOptions = {}): Promise<PgHandle> {
  const shown = redactUrl(url);
  const missing = missingPgForms();
  if (missing.length) {
    throw new DatabaseOpenError(
      'unreadable',
      `本程序的数据结构迁移 ${missing.map((m) => `${String(m.version).padStart(4, '0')}（${m.name}）`).join('、')} 尚无 PostgreSQL 形式，不能在 PostgreSQL 上使用（electron/db/pg/migrations.ts）。数据库未改动。`,
    );
  }
  const statementTimeout = options.statementTimeoutMs ?? 60_000;
  const prepare = { on: false };
  const pool = new pg.Pool({
    Client: preparingClient(prepare),
    connectionString: url,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 120_000),
    application_name: 'isolation-desk',
    // No JIT: the app's statements are short, and a join-heavy one costed high was compiled for ~1 s to run in 0.5 s
    // (checkins.due at 100,000 residents); PostgreSQL's own advice for such workloads. Join order chosen over up to 12
    // tables (default 8): the due list joins 10 (episode, person, check-in, household, five places), and with the
    // default the planner kept the written order, starting from every active episode instead of the page's buildings
    // (~500 ms instead of ~25 ms a page at 100,000 residents).
    options: ['-c jit=off', '-c join_collapse_limit=12', '-c from_collapse_limit=12', ...(options.readonly ? ['-c default_transaction_read_only=on'] : [])].join(' '),
    types,
  });
  // An idle client that loses its connection must not crash the process; the next query gets a fresh one.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  let version: number;
  try {
    version = await readPgSchemaVersion(db);
  } catch (e) {
    await db.destroy();
    throw new DatabaseOpenError('unreadable', `无法连接 PostgreSQL 数据库 ${shown}：${(e as Error).message}`);
  }
  if (version > latestVersion) {
    await db.destroy();
    throw new DatabaseOpenError(
      'too_new',
      `此数据库由更新版本的居家隔离管理台创建（数据结构版本 ${version}，本程序支持到 ${latestVersion}）。请升级软件后再打开，本程序不会修改它。`,
    );
  }
  if ((options.migrate ?? true) && !options.readonly && version < latestVersion) {
    try {
      version = await migratePg(db);
    } catch (e) {
      await db.destroy();
      throw e;
    }
  }
  pools.set(db, pool);
  prepareState.set(db, prepare);
  return {
    engine: 'postgres',
    db,
    url: shown,
    schemaVersion: version,
    pool,
    async close() {
      await db.destroy();
    },
  };
}

/** The last migration the database has had (0 for an empty database). */
export async function readPgSchemaVersion(db: Kysely<Database>): Promise<number> {
  const has = (await sql<{ t: string | null }>`SELECT to_regclass('schema_migrations')::text AS t`.execute(db)).rows[0];
  if (!has?.t) return 0;
  const row = (await sql<{ v: number | null }>`SELECT MAX(version) AS v FROM schema_migrations`.execute(db)).rows[0];
  return Number(row?.v ?? 0);
}

/**
 * Applies every pending migration in its PostgreSQL form, in one transaction (PostgreSQL's DDL is transactional:
 * the database is fully migrated or untouched), under an advisory lock; the version is read again under the lock.
 * Returns the version reached.
 */
export async function migratePg(db: Db, databaseId = newDatabaseId()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK})`.execute(trx);
    const from = await readPgSchemaVersion(trx);
    const pending = migrations.filter((m) => m.version > from);
    if (!pending.length) return from;
    if (from === 0) {
      await trx.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'bigint', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
    }
    for (const m of pending) {
      const form = PG_FORMS[m.version];
      if (!form) throw new Error(`migration ${m.version} (${m.name}) has no PostgreSQL form`);
      await form(trx as unknown as Parameters<PgForm>[0]);
      await trx.insertInto('schemaMigrations').values({ version: m.version, name: m.name, appliedAt: new Date().toISOString() }).execute();
    }
    await trx
      .insertInto('databaseIdentity')
      .values({ id: 1, databaseId, createdAt: new Date().toISOString() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return pending[pending.length - 1].version;
  });
}
