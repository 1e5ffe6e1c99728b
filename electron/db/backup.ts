// Backups of the one SQLite file: taken with SQLite's online backup API (never a file copy of a live database),
// verified by reopening read-only, named by database and date, listed with a small .json sidecar holding the
// verification result. A backup belongs to the database whose identity (db/identity.ts) it carries: every list,
// retention, purge and restore takes only the backups of its own database, even when several share a folder.
import fs from 'node:fs';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { keyOf, openSqlite, snapshotCopy } from './sqlite.ts';
import { latestVersion, readSchemaVersion } from './migrations/index.ts';
import { readDatabaseId, shortDatabaseId } from './identity.ts';
import { DEFAULT_TIME_ZONE, isoIn } from '../shared/time.ts';
import { readChainRecord, type ChainRecord } from './audit-chain.ts';

/** Tables whose row counts are compared between the source and its backup. */
export const COUNTED_TABLES = [
  'residents',
  'households',
  'episodes',
  'episode_extensions',
  'checkins',
  'tests',
  'alerts',
  'supply_requests',
  'supply_items',
  'cadres',
  'users',
  'audit_log',
] as const;

export type RowCounts = Record<string, number>;

export interface BackupVerification {
  ok: boolean;
  /** 'ok', or what PRAGMA integrity_check reported, or why it could not run. */
  integrity: string;
  schemaVersion: number;
  /** The identity stored inside the file (null: none, made before identities or not readable). */
  databaseId?: string | null;
  counts: RowCounts;
  /** What is wrong, in Chinese, for the admin. Empty when ok. */
  problems: string[];
  verifiedAt: string;
}

/** What the .json beside each backup holds. */
export interface BackupSidecar extends BackupVerification {
  reason: string | null;
  /** The database this is a backup of (its identity; also in the file, except for a copy taken before migration 4). */
  databaseId?: string | null;
  /** The absolute path of the file it was copied from: finds a damaged file's backups when it cannot tell its id. */
  sourceFile?: string;
  /** Row counts of the source at the instant of the copy. */
  sourceCounts?: RowCounts;
  /** Highest audit_log id in the copy: anything audited after it is not in this backup. */
  lastAuditId?: number;
  /** The audit hash chain as copied (head, first row, restore epoch): verify holds the live chain to it. */
  auditHead?: ChainRecord | null;
  /** Set when a purge later removed people from this backup. */
  purgedAt?: string;
}

export interface BackupInfo {
  file: string;
  name: string;
  size: number;
  /** Local wall-clock time of the backup from its name, 'YYYY-MM-DDTHH:mm:ss'. */
  takenAt: string;
  /** 'YYYY-MM-DD' (local) from the name, used by retention. */
  date: string;
  reason: string | null;
  /** The first 8 hex digits of the database id in the name (null: a name without one). */
  shortId: string | null;
  /** The database id its sidecar records (null: no sidecar, or none recorded). */
  databaseId: string | null;
  status: 'verified' | 'failed' | 'unverified';
  verification: BackupSidecar | null;
}

/** A backup-named file in the folder that is not one of this database's: left alone by every operation, reported. */
export interface ForeignBackup {
  name: string;
  file: string;
  /** Whose it is, when known. */
  databaseId: string | null;
  /** Why it is not ours, in Chinese. */
  why: string;
}

export interface BackupResult {
  file: string;
  counts: RowCounts;
  lastAuditId: number;
  databaseId: string | null;
  verification: BackupVerification;
}

/** isolation-desk-[<8 hex of the database id>-]YYYYMMDD-HHmmss[-reason].db (names without the id are older). */
const NAME_RE = /^isolation-desk-(?:([0-9a-f]{8})-)?(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-([a-z0-9-]+))?\.db$/;

/** 'YYYYMMDD-HHmmss' of an instant in a time zone. */
export function fileStamp(at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const iso = isoIn(at, timeZone); // 2022-01-20T09:00:00+08:00
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

function cleanReason(reason: string | null | undefined): string {
  return (reason ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** isolation-desk-<id8>-YYYYMMDD-HHmmss[-reason].db (without the id part for a database that has none). */
export function backupFileName(at: Date, timeZone = DEFAULT_TIME_ZONE, reason?: string | null, databaseId?: string | null): string {
  const r = cleanReason(reason);
  const id = databaseId ? `${shortDatabaseId(databaseId)}-` : '';
  return `isolation-desk-${id}${fileStamp(at, timeZone)}${r ? `-${r}` : ''}.db`;
}

export function parseBackupName(name: string): { date: string; takenAt: string; reason: string | null; shortId: string | null } | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  const date = `${m[2]}-${m[3]}-${m[4]}`;
  return { date, takenAt: `${date}T${m[5]}:${m[6]}:${m[7]}`, reason: m[8] ?? null, shortId: m[1] ?? null };
}

/** A path in dir for a new backup that does not exist yet (two backups in the same second get -2, -3…). */
export function newBackupPath(dir: string, at: Date, timeZone = DEFAULT_TIME_ZONE, reason?: string | null, databaseId?: string | null): string {
  const base = cleanReason(reason);
  for (let n = 1; ; n++) {
    const r = n === 1 ? base : `${base ? `${base}-` : ''}${n}`;
    const file = path.join(dir, backupFileName(at, timeZone, r, databaseId));
    if (!fs.existsSync(file) && !fs.existsSync(`${file}.partial`)) return file;
  }
}

/** The backup folder: the setting (absolute, or relative to the database's folder) or `<db folder>/backups`. */
export function backupDirFor(dbFile: string, configured?: string | null): string {
  const base = path.dirname(path.resolve(dbFile));
  return configured && configured.trim() ? path.resolve(base, configured.trim()) : path.join(base, 'backups');
}

export function countRows(sqlite: SqliteDatabase.Database): RowCounts {
  const present = new Set(sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all() as string[]);
  const counts: RowCounts = {};
  for (const t of COUNTED_TABLES) {
    if (present.has(t)) counts[t] = (sqlite.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number) ?? 0;
  }
  return counts;
}

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename durable; not every platform lets a folder be opened for fsync, so failures are ignored. */
export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* Windows: directories cannot be fsynced; NTFS journals the rename itself. */
  }
}

/** Puts a finished file in its place durably: its bytes on disk, renamed over `dest`, the rename itself on disk. */
export function renameDurably(file: string, dest: string): void {
  fsyncFile(file);
  fs.renameSync(file, dest);
  fsyncDir(path.dirname(path.resolve(dest)));
}

/**
 * Copies a database with SQLite's online backup API. `source` is an open connection or a file path (then a separate
 * read-only connection is used, so the app keeps writing meanwhile). The counts and the copy come from one read
 * transaction, so they describe the same snapshot; the result is then reopened and verified against those counts.
 */
export async function backupDatabase(
  source: SqliteDatabase.Database | string,
  outFile: string,
  opts: { reason?: string | null; /** For a file that has no identity yet (before migration 4): the one it will get. */ databaseId?: string | null } = {},
): Promise<BackupResult> {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  if (fs.existsSync(outFile)) throw new Error(`备份文件已存在：${outFile}`);
  const partial = `${outFile}.partial`;
  fs.rmSync(partial, { force: true });
  const own = typeof source === 'string';
  const src = own ? openSqlite(source, { readonly: true, fileMustExist: true }) : source;
  let counts: RowCounts;
  let lastAuditId: number;
  let databaseId: string | null;
  let auditHead: ChainRecord | null;
  try {
    // An encrypted source gives an encrypted copy with the same key (sqlite.ts snapshotCopy).
    ({ counts, lastAuditId, databaseId, auditHead } = await snapshotCopy(src, partial, () => {
      const c = countRows(src);
      const last = 'audit_log' in c ? ((src.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_log').pluck().get() as number) ?? 0) : 0;
      return { counts: c, lastAuditId: last, databaseId: readDatabaseId(src) ?? opts.databaseId ?? null, auditHead: 'audit_log' in c ? readChainRecord(src) : null };
    }));
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  } finally {
    if (own) src.close();
  }
  // A backup is a standalone file: rollback-journal mode, so it never needs -wal/-shm companions.
  const d = openSqlite(partial, { key: keyOf(src) });
  try {
    d.pragma('journal_mode = DELETE');
  } finally {
    d.close();
  }
  renameDurably(partial, outFile);
  const verification = verifyBackup(outFile, counts);
  writeSidecar(outFile, {
    ...verification,
    reason: opts.reason ?? parseBackupName(path.basename(outFile))?.reason ?? null,
    databaseId,
    sourceFile: path.resolve(own ? source : src.name),
    sourceCounts: counts,
    lastAuditId,
    auditHead,
  });
  return { file: outFile, counts, lastAuditId, databaseId, verification };
}

/**
 * Reopens a backup read-only: PRAGMA integrity_check must say 'ok', the schema version must be one this program
 * knows, and (when given) the row counts must match the source's at the time of the copy.
 */
export function verifyBackup(file: string, expectedCounts?: RowCounts): BackupVerification {
  const problems: string[] = [];
  let integrity = '未检查';
  let schemaVersion = 0;
  let databaseId: string | null = null;
  let counts: RowCounts = {};
  let db: SqliteDatabase.Database | null = null;
  try {
    db = openSqlite(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    integrity = rows.map((r) => r.integrity_check).join('; ') || '无结果';
    if (integrity !== 'ok') problems.push(`完整性检查未通过：${integrity.slice(0, 300)}`);
    schemaVersion = readSchemaVersion(db);
    if (schemaVersion === 0) problems.push('不是本软件的数据文件（缺少数据结构版本）');
    else if (schemaVersion > latestVersion) problems.push(`数据结构版本 ${schemaVersion} 高于本程序支持的 ${latestVersion}，请升级软件后再使用此备份`);
    databaseId = readDatabaseId(db);
    counts = countRows(db);
    if (expectedCounts) {
      for (const [t, n] of Object.entries(expectedCounts)) {
        if (counts[t] !== n) problems.push(`行数不符：${t} 应为 ${n}，备份中为 ${counts[t] ?? '（无此表）'}`);
      }
    }
  } catch (e) {
    if (integrity === '未检查') integrity = `无法读取：${(e as Error).message}`;
    problems.push(`无法读取备份文件：${(e as Error).message}`);
  } finally {
    db?.close();
  }
  return { ok: problems.length === 0, integrity, schemaVersion, databaseId, counts, problems, verifiedAt: new Date().toISOString() };
}

export function sidecarPath(file: string): string {
  return `${file}.json`;
}

export function writeSidecar(file: string, data: BackupSidecar): void {
  const tmp = `${sidecarPath(file)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2));
  fs.renameSync(tmp, sidecarPath(file));
}

export function readSidecar(file: string): BackupSidecar | null {
  try {
    return JSON.parse(fs.readFileSync(sidecarPath(file), 'utf8')) as BackupSidecar;
  } catch {
    return null;
  }
}

/** Re-verifies a backup now and records the result in its sidecar (keeping its reason, database and source counts). */
export function reverifyBackup(file: string): BackupVerification {
  const old = readSidecar(file);
  const v = verifyBackup(file);
  writeSidecar(file, { ...old, ...v, databaseId: v.databaseId ?? old?.databaseId ?? null, reason: old?.reason ?? parseBackupName(path.basename(file))?.reason ?? null });
  return v;
}

/** Every backup-named file in a folder, newest first, each with its recorded verification, whoever's it is. */
export function scanBackups(dir: string): BackupInfo[] {
  if (!fs.existsSync(dir)) return [];
  const out: BackupInfo[] = [];
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    const verification = readSidecar(file);
    const recorded = verification?.databaseId;
    out.push({
      file,
      name,
      size: stat.size,
      takenAt: parsed.takenAt,
      date: parsed.date,
      reason: parsed.reason,
      shortId: parsed.shortId,
      databaseId: typeof recorded === 'string' ? recorded : null,
      status: verification ? (verification.ok ? 'verified' : 'failed') : 'unverified',
      verification,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/**
 * Why a backup is not one of `databaseId`'s, from its name and sidecar (null: it is ours). A database without an
 * identity (an older file not migrated yet) owns only backups that name no database.
 */
function notOurs(b: BackupInfo, databaseId: string | null): string | null {
  if (databaseId === null) return b.shortId === null && b.databaseId === null ? null : '属于另一个数据库';
  if (b.databaseId !== null) return b.databaseId === databaseId ? null : '属于另一个数据库';
  if (b.shortId === null) return '旧格式备份，无法确认属于哪个数据库';
  return b.shortId === shortDatabaseId(databaseId) ? null : '属于另一个数据库';
}

/** A folder's backups: this database's (newest first) and the others, which every operation leaves alone. */
export function backupsInFolder(dir: string, databaseId: string | null): { own: BackupInfo[]; foreign: ForeignBackup[] } {
  const own: BackupInfo[] = [];
  const foreign: ForeignBackup[] = [];
  for (const b of scanBackups(dir)) {
    const why = notOurs(b, databaseId);
    if (why === null) own.push(b);
    else foreign.push({ name: b.name, file: b.file, databaseId: b.databaseId, why });
  }
  return { own, foreign };
}

/** This database's backups in a folder, newest first, each with its recorded verification. */
export function listBackups(dir: string, databaseId: string | null): BackupInfo[] {
  return backupsInFolder(dir, databaseId).own;
}

/**
 * Checks what a backup holds inside against the database it is taken for: a file whose stored identity differs is
 * another database's, whatever its name says. A copy without an identity inside (taken before migration 4) is
 * accepted on its name and sidecar. Returns why it is not ours, or null.
 */
export function foreignContent(verification: Pick<BackupVerification, 'databaseId'>, databaseId: string | null): string | null {
  const inside = verification.databaseId ?? null;
  if (inside === null || databaseId === null || inside === databaseId) return null;
  return `文件内容属于另一个数据库（标识 ${shortDatabaseId(inside)}）`;
}

/** Deletes a backup and its sidecar. */
export function deleteBackup(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(sidecarPath(file), { force: true });
}

function readSettingRaw(sqlite: SqliteDatabase.Database, key: string): unknown {
  try {
    const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? JSON.parse(row.value) : undefined;
  } catch {
    return undefined; // no settings table yet (a very old file)
  }
}

/**
 * Where a file's own settings put its backups and in which time zone they are named, read from its settings rows as
 * they are (before the file is migrated or opened as a Db; the settings' meaning is the domain's, not needed here):
 * a missing or non-text value means the default.
 */
export function backupPlaceOf(sqlite: SqliteDatabase.Database): { dir: string; timeZone: string } {
  const configured = readSettingRaw(sqlite, 'backupDir');
  const tz = readSettingRaw(sqlite, 'timeZone');
  return { dir: backupDirFor(sqlite.name, typeof configured === 'string' ? configured : null), timeZone: typeof tz === 'string' ? tz : DEFAULT_TIME_ZONE };
}

/**
 * openDatabase's default `beforeMigrate` for files: a verified backup of the file as it is, before its schema changes.
 * Throws (so nothing is migrated) when the backup cannot be made or does not verify.
 */
export async function backupBeforeMigrate(sqlite: SqliteDatabase.Database, from: number, to: number, databaseId?: string): Promise<BackupResult> {
  const { dir, timeZone } = backupPlaceOf(sqlite);
  const id = readDatabaseId(sqlite) ?? databaseId ?? null;
  const out = newBackupPath(dir, new Date(), timeZone, `before-migrate-v${from}-v${to}`, id);
  let result: BackupResult;
  try {
    result = await backupDatabase(sqlite, out, { databaseId: id });
  } catch (e) {
    throw new Error(`升级数据结构前无法备份（${(e as Error).message}），为安全起见未升级，数据文件未改动。请检查备份文件夹 ${dir} 是否可写。`, { cause: e });
  }
  if (!result.verification.ok) {
    throw new Error(`升级数据结构前的备份未通过校验（${result.verification.problems.join('；')}），为安全起见未升级，数据文件未改动。`);
  }
  return result;
}
