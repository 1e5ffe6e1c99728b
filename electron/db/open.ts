// Opens the one SQLite file: pragmas on every open, refuses damaged or future files, migrates.
import fs from 'node:fs';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { CamelCasePlugin, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection } from 'kysely';
import type { Database } from './schema.ts';
import { latestVersion, migrations, readSchemaVersion, type Migration } from './migrations/index.ts';
import { backupBeforeMigrate } from './backup.ts';
import { newDatabaseId, readDatabaseId } from './identity.ts';
import { openSqlite } from './sqlite.ts';
import { DatabaseOpenError } from './open-error.ts';
import type { DbKey } from './keys.ts';

export { DatabaseOpenError };

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  sqlite: SqliteDatabase.Database;
  file: string;
  schemaVersion: number;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Create the file when missing (init); otherwise a missing file is an error, never a silent empty database. */
  create?: boolean;
  readonly?: boolean;
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /**
   * Called with the raw connection before migrating an existing, non-empty file. Default for files: a verified backup
   * (backup.ts backupBeforeMigrate); `false` skips it.
   */
  beforeMigrate?: ((sqlite: SqliteDatabase.Database, from: number, to: number, databaseId: string) => Promise<unknown> | unknown) | false;
  /** The key (sqlite.ts openSqlite); default: the process key. */
  key?: DbKey | null;
  /** A file created now is encrypted with the key (init --encrypt, the desktop app); default: plaintext. */
  encrypt?: boolean;
}

/** Page size of a new database file, in bytes. */
export const PAGE_SIZE = 8192;

/** Applies the connection pragmas architecture.md asks for. */
export function applyPragmas(sqlite: SqliteDatabase.Database, readonly = false): void {
  if (!readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Freed pages are zeroed, so purged personal data leaves no bytes behind.
  sqlite.pragma('secure_delete = ON');
  // Temporary tables, sorts and statement journals stay in memory: a row's INSERT with the counters' triggers
  // (counters.ts) journals more than SQLite keeps in memory by default, and an import then wrote millions of times to
  // a temporary file in /var/tmp — slow, and pages of personal data outside the database file.
  sqlite.pragma('temp_store = MEMORY');
}

export async function openDatabase(file: string, options: OpenOptions = {}): Promise<DbHandle> {
  const memory = file === ':memory:';
  const existed = memory ? false : fs.existsSync(file);
  if (!memory && !existed && !options.create) {
    throw new DatabaseOpenError('missing', `数据库文件不存在：${file}。请先用 init 创建，或检查路径。`);
  }
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = openSqlite(file, { readonly: options.readonly ?? false, fileMustExist: !options.create && !memory, key: options.key, encryptNew: options.encrypt });
  } catch (e) {
    if (e instanceof DatabaseOpenError) throw e;
    throw new DatabaseOpenError('unreadable', `无法打开数据库文件 ${file}：${(e as Error).message}`);
  }
  let version: number;
  try {
    // Read the version before any pragma writes to the file, so a refused file stays byte-for-byte as it was.
    sqlite.pragma('busy_timeout = 5000');
    version = readSchemaVersion(sqlite);
  } catch (e) {
    sqlite.close();
    throw new DatabaseOpenError(
      'damaged',
      `数据库文件已损坏或不是本软件的数据文件（${(e as Error).message}）。原文件已保留，请从最近一次经过校验的备份恢复。`,
    );
  }
  if (version > latestVersion) {
    sqlite.close();
    throw new DatabaseOpenError(
      'too_new',
      `此数据库由更新版本的居家隔离管理台创建（数据结构版本 ${version}，本程序支持到 ${latestVersion}）。请升级软件后再打开，本程序不会修改它。`,
    );
  }
  // A new file gets 8 KiB pages (SQLite's default is 4 KiB): half the WAL frames per commit and shallower indexes —
  // a 50,000-row import writes ~0.1 s faster. Set before anything is written; an existing file keeps its page size.
  if (!memory && !options.readonly && (sqlite.pragma('page_count', { simple: true }) as number) === 0) sqlite.pragma(`page_size = ${PAGE_SIZE}`);
  applyPragmas(sqlite, options.readonly);
  const db = kyselyOver(sqlite);
  if ((options.migrate ?? true) && !options.readonly && version < latestVersion) {
    const hasTables = (sqlite.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type='table'").get() as { n: number }).n > 0;
    const beforeMigrate = options.beforeMigrate ?? (memory ? false : backupBeforeMigrate);
    // A file made before version 4 gets its identity now; the backup taken before migrating is named with it.
    const databaseId = readDatabaseId(sqlite) ?? newDatabaseId();
    if (existed && hasTables && beforeMigrate) {
      try {
        await beforeMigrate(sqlite, version, latestVersion, databaseId);
      } catch (e) {
        sqlite.close();
        throw e;
      }
    }
    await migrate(db, version, databaseId);
    version = latestVersion;
  }
  return {
    db,
    sqlite,
    file,
    schemaVersion: version,
    async close() {
      await db.destroy();
    },
  };
}

/**
 * SQLite itself rolls a transaction back on SQLITE_FULL, IOERR or NOMEM; Kysely's ROLLBACK would then fail with
 * "no transaction is active" and hide the real error (so a full disk would not reach the user as STORAGE).
 */
class SafeRollbackDriver extends SqliteDriver {
  readonly #sqlite: SqliteDatabase.Database;
  constructor(sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
  }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class SafeRollbackSqliteDialect extends SqliteDialect {
  readonly #sqlite: SqliteDatabase.Database;
  constructor(sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
  }
  override createDriver(): SqliteDriver {
    return new SafeRollbackDriver(this.#sqlite);
  }
}

/** How many prepared statements a connection keeps (the app's distinct queries are a few hundred). */
const STATEMENTS_KEPT = 1000;

/**
 * The connection as Kysely sees it, with its statements prepared once per distinct SQL text: Kysely's driver asks
 * for a new statement on every query, and preparing costs about as much as running a small one (a quarter of a
 * check-in's save). better-sqlite3 runs a statement to its end before returning (nothing here streams with
 * iterate()), so one statement is never in use twice at once; SQLite re-prepares a kept one after a schema change.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          let stmt = kept.get(sql);
          if (!stmt) {
            if (kept.size >= STATEMENTS_KEPT) kept.clear();
            stmt = target.prepare(sql);
            kept.set(sql, stmt);
          }
          return stmt;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The typed query builder over an open connection (also used for backup files opened without openDatabase). */
export function kyselyOver(sqlite: SqliteDatabase.Database): Db {
  return new Kysely<Database>({ dialect: new SafeRollbackSqliteDialect(withStatementCache(sqlite)), plugins: [new CamelCasePlugin()] });
}

/**
 * Applies every migration newer than `from`, all in one transaction: either the file is fully migrated or untouched.
 * The same transaction gives the file its identity (db/identity.ts) when it has none: `databaseId`, or a new one.
 */
export async function migrate(db: Db, from: number, databaseId = newDatabaseId()): Promise<void> {
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return;
  await db.transaction().execute(async (trx) => {
    if (from === 0) {
      await trx.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
    }
    for (const m of pending) {
      await m.up(trx as unknown as Parameters<Migration['up']>[0]);
      await trx.insertInto('schemaMigrations').values({ version: m.version, name: m.name, appliedAt: new Date().toISOString() }).execute();
    }
    await trx
      .insertInto('databaseIdentity')
      .values({ id: 1, databaseId, createdAt: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}
