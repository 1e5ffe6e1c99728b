// The identity of a database file (migration 0004): a random id made once, when the file is created or first
// migrated, and kept by every copy of the file. Backups are told apart by it: their names carry its first 8 hex
// digits, their sidecars and their own contents the whole id.
import { randomBytes } from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';

/** 32 lowercase hex digits (128 random bits). */
export function newDatabaseId(): string {
  return randomBytes(16).toString('hex');
}

export const DATABASE_ID_RE = /^[0-9a-f]{32}$/;

/** The part of an id that goes into backup file names. */
export function shortDatabaseId(id: string): string {
  return id.slice(0, 8);
}

/** The id stored in the file, or null when the file has none (made before version 4, or not this program's). */
export function readDatabaseId(sqlite: SqliteDatabase.Database): string | null {
  try {
    const has = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='database_identity'").get();
    if (!has) return null;
    const row = sqlite.prepare('SELECT database_id FROM database_identity WHERE id = 1').get() as { database_id: string } | undefined;
    return row && DATABASE_ID_RE.test(row.database_id) ? row.database_id : null;
  } catch {
    return null;
  }
}
