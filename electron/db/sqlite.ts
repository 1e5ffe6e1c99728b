// Every SQLite connection of the program is made here (openSqlite), so encryption at rest is decided in one place.
// The driver is better-sqlite3-multiple-ciphers (better-sqlite3 built over SQLite3 Multiple Ciphers, Node-API
// prebuilds in the npm package): an encrypted file is keyed with `PRAGMA hexkey` right after opening, and then its
// pages, its WAL and its journal are written encrypted (ChaCha20-Poly1305, the library's default cipher).
//
// The key of "this process's database" is set once by the entry point (CLI command, office server, desktop app, job
// worker: setDatabaseKey) and used for every file opened afterwards — the database, its backups, files kept aside —
// unless a caller names another key. A key is never logged, never put in an error message, never written to audit.
import fs from 'node:fs';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { DbKey } from './keys.ts';
import { DatabaseOpenError } from './open-error.ts';

export { SqliteDatabase };
export type Sqlite = SqliteDatabase.Database;

let processKey: DbKey | null = null;

/** Sets (or with null clears) the key used for encrypted files opened without an explicit key. */
export function setDatabaseKey(key: DbKey | null): void {
  processKey = key;
}

export function databaseKey(): DbKey | null {
  return processKey;
}

const keyOfConnection = new WeakMap<Sqlite, DbKey>();

/** The key a connection was opened with (null for a plaintext file). */
export function keyOf(sqlite: Sqlite): DbKey | null {
  return keyOfConnection.get(sqlite) ?? null;
}

/**
 * What a file is, from its first 24 bytes, without opening it: a plaintext SQLite file starts with
 * "SQLite format 3\0"; an encrypted one starts with a random salt, but SQLite3 Multiple Ciphers leaves bytes 16–23
 * of the header readable (page size, versions, reserved bytes > 0, then 64 32 32). Anything else is 'other' (damaged).
 */
export type FileKind = 'missing' | 'empty' | 'plain' | 'encrypted' | 'other';

export function fileKind(file: string): FileKind {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'other';
  }
  const head = Buffer.alloc(24);
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 24, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n === 0) return 'empty';
  if (n < 24) return 'other';
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'plain';
  const pageSize = head.readUInt16BE(16);
  const validPage = pageSize === 1 || (pageSize >= 512 && pageSize <= 32768 && (pageSize & (pageSize - 1)) === 0);
  const versions = [1, 2].includes(head[18]) && [1, 2].includes(head[19]);
  return validPage && versions && head[20] > 0 && head[21] === 64 && head[22] === 32 && head[23] === 32 ? 'encrypted' : 'other';
}

export interface SqliteOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** The key; default: the process key (setDatabaseKey). null: open as plaintext. */
  key?: DbKey | null;
  /** A new (missing or empty) file is created encrypted with the key. Default false: new files stay plaintext. */
  encryptNew?: boolean;
}

export const MISSING_KEY_HINT = '请用 --key-file 指定密钥文件，或设置环境变量 ISOLATION_DESK_DB_KEY（64 位十六进制）。';

/**
 * Opens a connection. An encrypted file is keyed and read once, so a missing or wrong key is a DatabaseOpenError
 * ('key') at once, with nothing written. A plaintext file opens as plaintext even when a key is at hand.
 */
export function openSqlite(file: string, opts: SqliteOptions = {}): Sqlite {
  const key = opts.key === undefined ? processKey : opts.key;
  const kind = file === ':memory:' ? 'empty' : fileKind(file);
  if (kind === 'encrypted' && !key) {
    throw new DatabaseOpenError('key', `数据库文件 ${file} 已加密，需要密钥才能打开。${MISSING_KEY_HINT}文件未改动。`);
  }
  const sqlite = new SqliteDatabase(file, { readonly: opts.readonly ?? false, fileMustExist: opts.fileMustExist ?? false });
  const fresh = (kind === 'missing' || kind === 'empty') && file !== ':memory:' && !opts.readonly && opts.encryptNew === true;
  if (key && (kind === 'encrypted' || fresh)) {
    if (!/^[0-9a-f]{64}$/.test(key)) {
      sqlite.close();
      throw new DatabaseOpenError('key', '数据库密钥格式不正确（应为 64 位十六进制）。');
    }
    try {
      sqlite.pragma(`hexkey = '${key}'`);
      sqlite.prepare('SELECT COUNT(*) FROM sqlite_master').get();
      // Sorts and temporary tables stay in memory: SQLite's temporary files are not encrypted.
      sqlite.pragma('temp_store = MEMORY');
    } catch (e) {
      sqlite.close();
      if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new DatabaseOpenError('key', `密钥不正确，无法打开数据库文件 ${file}（也可能是文件已损坏）。请检查密钥文件或环境变量 ISOLATION_DESK_DB_KEY。文件未改动。`);
      }
      throw e;
    }
    keyOfConnection.set(sqlite, key);
  } else if (fresh && !key) {
    sqlite.close();
    throw new DatabaseOpenError('key', `要创建加密的数据库，需要密钥。${MISSING_KEY_HINT}`);
  }
  return sqlite;
}

/**
 * Copies `src` into the new file `dest` as one consistent snapshot, calling `measure` (row counts…) on that same
 * snapshot; the copy has the source's key. A plaintext source uses SQLite's online backup API inside one read
 * transaction. An encrypted source cannot: SQLite3 Multiple Ciphers refuses a backup into the unkeyed connection
 * better-sqlite3 opens for the destination. It is copied with VACUUM INTO instead, which writes the copy with the
 * source's cipher and key; VACUUM cannot run inside a transaction, so the snapshot is checked with data_version
 * (unchanged = no other connection committed between measuring and copying) and retaken if it moved.
 */
export async function snapshotCopy<T>(src: Sqlite, dest: string, measure: () => T): Promise<T> {
  if (!keyOf(src)) {
    const began = !src.inTransaction;
    if (began) src.exec('BEGIN');
    try {
      const measured = measure();
      await src.backup(dest);
      return measured;
    } finally {
      if (began && src.inTransaction) src.exec('COMMIT');
    }
  }
  if (src.inTransaction) throw new Error('加密的数据库不能在事务中备份');
  const dataVersion = () => src.pragma('data_version', { simple: true }) as number;
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = dataVersion();
    const measured = measure();
    fs.rmSync(dest, { force: true });
    src.prepare('VACUUM INTO ?').run(dest);
    if (dataVersion() === before) return measured;
  }
  fs.rmSync(dest, { force: true });
  throw new Error('数据库一直在被写入，未能取得一致的备份，请稍后重试。');
}

/** Encrypts a plaintext file that no one else has open, in place (PRAGMA rekey; the file must not be in WAL mode). */
export function rekeyPlainFile(file: string, key: DbKey): void {
  const sqlite = openSqlite(file, { key: null, fileMustExist: true });
  try {
    sqlite.pragma('journal_mode = DELETE');
    sqlite.pragma(`hexrekey = '${key}'`);
  } finally {
    sqlite.close();
  }
}
