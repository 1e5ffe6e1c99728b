// Putting a backup in place of the database file. The backup is verified first; the current file (with its -wal/-shm)
// is only ever moved aside, never deleted or overwritten, so every restore can itself be undone.
// The caller must have closed its connection to dbFile first.
import fs from 'node:fs';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { openSqlite } from './sqlite.ts';
import {
  backupDirFor,
  backupsInFolder,
  fileStamp,
  fsyncDir,
  readSidecar,
  renameDurably,
  reverifyBackup,
  scanBackups,
  verifyBackup,
  type BackupInfo,
  type BackupVerification,
} from './backup.ts';
import { readDatabaseId, shortDatabaseId } from './identity.ts';
import { fail } from '../shared/errors.ts';

const COMPANIONS = ['-wal', '-shm', '-journal'];

export type AsideTag = 'before-restore' | 'undone-restore' | 'damaged';

export interface RestoreOutcome {
  /** The file that was put in place. */
  restoredFrom: string;
  /** Where the previous file was kept (null when there was none). */
  movedAsideAs: string | null;
  verification: BackupVerification;
}

/** `<db>.<tag>-YYYYMMDD-HHmmss`, with -2, -3… when that name is taken. */
function asidePath(dbFile: string, tag: AsideTag, now: Date): string {
  const base = `${dbFile}.${tag}-${fileStamp(now)}`;
  for (let n = 1; ; n++) {
    const p = n === 1 ? base : `${base}-${n}`;
    if (!fs.existsSync(p) && COMPANIONS.every((c) => !fs.existsSync(p + c))) return p;
  }
}

/** Renames the file and its companions; the companions keep the pairing SQLite expects (<file>-wal). */
function moveWithCompanions(from: string, to: string): void {
  fs.renameSync(from, to);
  for (const c of COMPANIONS) if (fs.existsSync(from + c)) fs.renameSync(from + c, to + c);
}

/** Moves the database file (and -wal/-shm) aside; returns the new name, or null when there was no file. */
export function moveAside(dbFile: string, tag: AsideTag, now = new Date()): string | null {
  if (!fs.existsSync(dbFile)) {
    // A stray -wal without its database would be applied to whatever file takes this name: keep it aside too.
    const strays = COMPANIONS.filter((c) => fs.existsSync(dbFile + c));
    if (!strays.length) return null;
    const to = asidePath(dbFile, tag, now);
    for (const c of strays) fs.renameSync(dbFile + c, to + c);
    return null;
  }
  const to = asidePath(dbFile, tag, now);
  moveWithCompanions(dbFile, to);
  fsyncDir(path.dirname(dbFile));
  return to;
}

/** Copies a (closed, verified) file into place through a temporary name, so dbFile is never half-written. */
function putInPlace(source: string, dbFile: string): void {
  const tmp = `${dbFile}.restoring`;
  fs.rmSync(tmp, { force: true });
  fs.copyFileSync(source, tmp);
  renameDurably(tmp, dbFile);
}


/** The identity stored in a database file, or null when it has none or cannot be read (a damaged file). */
export function fileDatabaseId(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  let db: SqliteDatabase.Database | null = null;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
    return readDatabaseId(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * Verifies `fromBackup`, moves the current file aside as `<db>.before-restore-<time>`, puts the backup in place.
 * A backup of another database (its identity, inside or in its sidecar, differs from the current file's) is refused;
 * a copy that names no database at all (taken before identities existed) is accepted.
 */
export async function restoreDatabase(dbFile: string, fromBackup: string, opts: { tag?: AsideTag; now?: Date } = {}): Promise<RestoreOutcome> {
  if (!fs.existsSync(fromBackup)) throw fail('BLOCKED', 'restore.noBackupFile', { file: fromBackup });
  if (path.resolve(fromBackup) === path.resolve(dbFile)) throw fail('BLOCKED', 'restore.selfBackup');
  const verification = verifyBackup(fromBackup);
  if (!verification.ok) throw fail('BLOCKED', 'restore.backupBad', { problems: verification.problems.join('；') });
  const current = fileDatabaseId(dbFile);
  const theirs = verification.databaseId ?? readSidecar(fromBackup)?.databaseId ?? null;
  if (current !== null && theirs !== null && theirs !== current) {
    throw fail('BLOCKED', 'restore.otherDatabase', { theirs: shortDatabaseId(theirs), current: shortDatabaseId(current) });
  }
  const movedAsideAs = moveAside(dbFile, opts.tag ?? 'before-restore', opts.now);
  try {
    putInPlace(fromBackup, dbFile);
  } catch (e) {
    if (movedAsideAs && !fs.existsSync(dbFile)) moveWithCompanions(movedAsideAs, dbFile);
    throw e;
  }
  return { restoredFrom: fromBackup, movedAsideAs, verification };
}

/** The files a restore moved aside (newest first): candidates for undoRestore. */
export function listRestoreAsides(dbFile: string): string[] {
  const dir = path.dirname(path.resolve(dbFile));
  const prefix = `${path.basename(dbFile)}.before-restore-`;
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix) && !COMPANIONS.some((c) => n.endsWith(c)))
    .sort()
    .reverse()
    .map((n) => path.join(dir, n));
}

/**
 * Undoes a restore: the file that restore moved aside (the newest one unless named) goes back in place; the restored
 * file is itself moved aside as `<db>.undone-restore-<time>`. The aside file must pass integrity_check.
 */
export async function undoRestore(dbFile: string, asideFile?: string, now = new Date()): Promise<RestoreOutcome> {
  const candidates = listRestoreAsides(dbFile);
  const chosen = asideFile ? candidates.find((c) => path.resolve(c) === path.resolve(path.dirname(path.resolve(dbFile)), path.basename(asideFile))) : candidates[0];
  if (!chosen) throw asideFile ? fail('BLOCKED', 'restore.noAsideFile', { file: path.basename(asideFile) }) : fail('BLOCKED', 'restore.nothingToUndo');
  const verification = verifyBackup(chosen);
  if (!verification.ok) throw fail('BLOCKED', 'restore.asideBad', { problems: verification.problems.join('；') });
  const movedAsideAs = moveAside(dbFile, 'undone-restore', now);
  try {
    moveWithCompanions(chosen, dbFile);
    fsyncDir(path.dirname(dbFile));
  } catch (e) {
    if (movedAsideAs && !fs.existsSync(dbFile)) moveWithCompanions(movedAsideAs, dbFile);
    throw e;
  }
  return { restoredFrom: chosen, movedAsideAs, verification };
}

export interface DamagedRestoreOutcome {
  restoredFrom: string;
  /** Where the damaged file now is (renamed, never modified). */
  damagedKeptAs: string;
  /** Newer backups that were skipped because they failed verification. */
  skipped: { file: string; problems: string[] }[];
}

/**
 * The backups that may replace a damaged file: those of its database when the file can still tell its identity;
 * otherwise those of the database most recently backed up from this very path (the sidecars record it). A folder of
 * backups that all predate identities is taken as the file's own, as before. Otherwise refuses, touching nothing:
 * another database's backup must never take the damaged file's place.
 */
function backupsForDamaged(dbFile: string, dir: string): BackupInfo[] {
  const own = fileDatabaseId(dbFile);
  if (own !== null) return backupsInFolder(dir, own).own;
  const all = scanBackups(dir);
  const here = path.resolve(dbFile);
  const fromHere = all.find((b) => b.databaseId !== null && b.verification?.sourceFile === here);
  if (fromHere) return backupsInFolder(dir, fromHere.databaseId).own;
  if (all.every((b) => b.shortId === null && b.databaseId === null)) return all;
  throw fail('BLOCKED', 'restore.unknownOwner', { dir, file: here });
}

/**
 * For a file openDatabase refused as damaged: finds the newest backup of the same database that verifies now, keeps
 * the damaged file aside as `<db>.damaged-<time>` (only renamed, never opened for writing), and puts the backup in its
 * place. Returns null, touching nothing, when no backup verifies.
 */
export async function restoreNewestVerified(dbFile: string, dir = backupDirFor(dbFile)): Promise<DamagedRestoreOutcome | null> {
  const skipped: DamagedRestoreOutcome['skipped'] = [];
  for (const b of backupsForDamaged(dbFile, dir)) {
    if (b.status === 'failed') {
      skipped.push({ file: b.file, problems: b.verification?.problems ?? [] });
      continue;
    }
    const v = reverifyBackup(b.file);
    if (!v.ok) {
      skipped.push({ file: b.file, problems: v.problems });
      continue;
    }
    const r = await restoreDatabase(dbFile, b.file, { tag: 'damaged' });
    return { restoredFrom: b.file, damagedKeptAs: r.movedAsideAs ?? '', skipped };
  }
  return null;
}
