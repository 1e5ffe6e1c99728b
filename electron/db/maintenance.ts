// SQLite housekeeping after personal data is deleted, so no trace stays in the file or its WAL:
// secure_delete (on since open) zeroes freed cells; the checkpoint empties the WAL; VACUUM rewrites every page.
import { sql } from 'kysely';
import { openSqlite } from './sqlite.ts';
import { kyselyOver, migrate, type Db } from './open.ts';
import { latestVersion, readSchemaVersion } from './migrations/index.ts';
import { readDatabaseId } from './identity.ts';

export interface CompactResult {
  /** True when the WAL was fully written back and truncated to zero bytes. */
  walCleared: boolean;
  pagesBefore: number;
  pagesAfter: number;
}

async function checkpoint(db: Db): Promise<boolean> {
  const r = await sql<{ busy: number; log: number; checkpointed: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  const row = r.rows[0];
  // busy = 1 means another connection held a read lock; log = -1 means the file is not in WAL mode (nothing to clear).
  return !row || (row.busy === 0 && (row.log === -1 || row.log === row.checkpointed));
}

/**
 * Checkpoint, VACUUM, checkpoint again. Must run outside any transaction. The VACUUM's temporary copy is kept in
 * memory, so personal data never lands in a temp file.
 */
export async function secureCompact(db: Db): Promise<CompactResult> {
  if (db.isTransaction) throw new Error('secureCompact must run outside a transaction');
  const pages = async () => Number((await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0]?.page_count ?? 0);
  const pagesBefore = await pages();
  await sql`PRAGMA secure_delete = ON`.execute(db);
  await checkpoint(db);
  const tempStore = (await sql<{ temp_store: number }>`PRAGMA temp_store`.execute(db)).rows[0]?.temp_store ?? 0;
  await sql`PRAGMA temp_store = MEMORY`.execute(db);
  try {
    await sql`VACUUM`.execute(db);
  } finally {
    await sql.raw(`PRAGMA temp_store = ${Number(tempStore)}`).execute(db);
  }
  const walCleared = await checkpoint(db);
  return { walCleared, pagesBefore, pagesAfter: await pages() };
}

/** A copy whose contents carry another database's identity: left alone by withDatabaseFile. */
export class ForeignDatabaseError extends Error {
  readonly databaseId: string;
  constructor(databaseId: string) {
    super(`文件内容属于另一个数据库（标识 ${databaseId.slice(0, 8)}）`);
    this.databaseId = databaseId;
  }
}

/**
 * Opens a backup or a file kept aside for a change such as a purge: no WAL switch (a backup stays a standalone
 * rollback-journal file), migrated first when older, refused when newer or when it holds another database's identity
 * (an older copy without one gets `databaseId` when migrated). Compacts securely after `fn`.
 */
export async function withDatabaseFile<T>(file: string, databaseId: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const sqlite = openSqlite(file, { fileMustExist: true });
  const db = kyselyOver(sqlite);
  try {
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('secure_delete = ON');
    sqlite.pragma('busy_timeout = 5000');
    const version = readSchemaVersion(sqlite);
    if (version === 0 || version > latestVersion) throw new Error(`数据结构版本 ${version} 不是本程序能处理的版本`);
    const inside = readDatabaseId(sqlite);
    if (inside !== null && inside !== databaseId) throw new ForeignDatabaseError(inside);
    if (version < latestVersion) await migrate(db, version, databaseId);
    const value = await fn(db);
    await secureCompact(db);
    return value;
  } finally {
    await db.destroy();
  }
}
