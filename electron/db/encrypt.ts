// Converting a plaintext database file to an encrypted one, in place: first a verified backup of the file as it is,
// then an encrypted copy beside it (online backup → PRAGMA rekey), checked (integrity, row counts equal to the
// backup's), then renamed over the original in one step. Any failure before the rename leaves the file as it was.
// Used by the CLI (`encrypt`) and by the desktop app when it finds a plaintext file from before encryption.
import fs from 'node:fs';
import { fail } from '../shared/errors.ts';
import { backupDatabase, backupPlaceOf, countRows, listBackups, newBackupPath, renameDurably, type BackupResult } from './backup.ts';
import { openDatabase } from './open.ts';
import { fileKind, openSqlite, rekeyPlainFile } from './sqlite.ts';
import { DatabaseOpenError } from './open-error.ts';
import type { DbKey } from './keys.ts';
import { readDatabaseId } from './identity.ts';

export interface EncryptOutcome {
  /** The verified (plaintext) backup taken first. */
  backup: BackupResult;
  /** Backups in the backup folder that are still plaintext (the one above among them): to delete once all is well. */
  plaintextBackups: string[];
}

function removeCopy(file: string): void {
  for (const s of ['', '-journal', '-wal', '-shm']) fs.rmSync(file + s, { force: true });
}

/** Integrity and row counts of the encrypted copy, opened with the key only. */
function checkCopy(file: string, key: DbKey, expected: Record<string, number>): string[] {
  const problems: string[] = [];
  const db = openSqlite(file, { key, readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    if (integrity !== 'ok') problems.push(`完整性检查未通过：${integrity.slice(0, 200)}`);
    const counts = countRows(db);
    for (const [t, n] of Object.entries(expected)) if (counts[t] !== n) problems.push(`行数不符：${t} 应为 ${n}，加密后为 ${counts[t] ?? '（无此表）'}`);
  } finally {
    db.close();
  }
  return problems;
}

export async function encryptDatabaseFile(dbFile: string, key: DbKey, now = new Date()): Promise<EncryptOutcome> {
  const kind = fileKind(dbFile);
  if (kind === 'encrypted') throw fail('BLOCKED', 'encrypt.already', { file: dbFile });
  if (kind === 'missing') throw new DatabaseOpenError('missing', `数据库文件不存在：${dbFile}。`);
  if (kind !== 'plain') throw new DatabaseOpenError('damaged', `数据库文件已损坏或不是本软件的数据文件：${dbFile}。文件未改动。`);
  const handle = await openDatabase(dbFile, { key: null, migrate: false });
  const tmp = `${dbFile}.encrypting`;
  let switched = false;
  try {
    const place = backupPlaceOf(handle.sqlite);
    const databaseId = readDatabaseId(handle.sqlite);
    const backup = await backupDatabase(handle.sqlite, newBackupPath(place.dir, now, place.timeZone, 'before-encrypt', databaseId));
    if (!backup.verification.ok) throw fail('STORAGE', 'encrypt.backupBad', { problems: backup.verification.problems.join('；') });
    removeCopy(tmp);
    const dataVersion = () => handle.sqlite.pragma('data_version', { simple: true }) as number;
    const copiedAt = dataVersion();
    await handle.sqlite.backup(tmp);
    rekeyPlainFile(tmp, key);
    const problems = checkCopy(tmp, key, backup.counts);
    if (problems.length) throw fail('STORAGE', 'encrypt.copyBad', { problems: problems.join('；') });
    // The last step before the swap, as it is the first that writes to the file: leaving WAL mode needs the file to
    // ourselves, so it is refused while the app or another command has it open.
    const mode = handle.sqlite.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw fail('BLOCKED', 'encrypt.inUse');
    switched = true;
    if (dataVersion() !== copiedAt) throw fail('BLOCKED', 'encrypt.changed');
    await handle.close();
    renameDurably(tmp, dbFile);
    const plaintextBackups = listBackups(place.dir, databaseId)
      .filter((b) => fileKind(b.file) === 'plain')
      .map((b) => b.file);
    return { backup, plaintextBackups };
  } catch (e) {
    removeCopy(tmp);
    if (handle.sqlite.open) {
      if (switched) handle.sqlite.pragma('journal_mode = WAL');
      await handle.close();
    }
    throw e;
  }
}
