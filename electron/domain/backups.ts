// The backup policy: one automatic backup a day, one on quit when something changed since the last, one on demand.
// Each is verified and audited; a failed verification is returned, kept in the backup's sidecar and in the audit log,
// and shown by backupStatus, so the admin sees it. Restore swaps the open database for the restored file.
import path from 'node:path';
import fs from 'node:fs';
import type { Db } from '../db/open.ts';
import { openDatabase, type DbHandle } from '../db/open.ts';
import {
  backupDatabase,
  backupDirFor,
  backupsInFolder,
  foreignContent,
  listBackups,
  newBackupPath,
  parseBackupName,
  verifyBackup,
  type BackupInfo,
  type ForeignBackup,
  type RowCounts,
} from '../db/backup.ts';
import { listRestoreAsides, restoreDatabase, undoRestore, type RestoreOutcome } from '../db/restore.ts';
import { applyRetention } from '../db/retention.ts';
import type { Clock } from './clock.ts';
import type { Ctx } from './context.ts';
import { today } from './clock.ts';
import { SYSTEM_ACTOR, type Actor } from './actor.ts';
import { audit } from './audit.ts';
import { getSettings } from './settings.ts';
import { fail, invalid } from '../shared/errors.ts';

/** What the policy needs: the open database (replaced after a restore), the clock and the file's path. */
export interface BackupEnv {
  db: Db;
  clock: Clock;
  dbFile: string;
  /** Told about the new connection after a restore replaced the file (the shell closes it on quit). */
  onDatabaseReopened?: (handle: DbHandle) => void;
}

export type BackupReason = 'daily' | 'quit' | 'manual';

export interface BackupOutcome {
  file: string;
  name: string;
  /** 'cli': a copy at a path the command line named (backupCopy). */
  reason: BackupReason | 'cli';
  ok: boolean;
  problems: string[];
  counts: RowCounts;
  /** Old backups deleted by retention after this one verified. */
  removed: string[];
}

function assertFile(env: BackupEnv): void {
  if (env.dbFile === ':memory:') throw invalid('backups.memoryDb');
}

export async function backupDir(env: Pick<BackupEnv, 'db' | 'dbFile'>): Promise<string> {
  const s = await getSettings(env);
  return backupDirFor(env.dbFile, s.backupDir);
}

/** The identity of the open database (db/identity.ts); every backup operation takes only backups that carry it. */
export async function databaseIdOf(db: Db): Promise<string> {
  const row = await db.selectFrom('databaseIdentity').select('databaseId').where('id', '=', 1).executeTakeFirst();
  if (!row) throw fail('INTERNAL', 'backups.noIdentity');
  return row.databaseId;
}

/** Takes, verifies and audits one backup; applies retention only after a verified one. */
export async function createBackup(env: BackupEnv, actor: Actor, reason: BackupReason): Promise<BackupOutcome> {
  assertFile(env);
  const ctx = { db: env.db, clock: env.clock, actor };
  const s = await getSettings(env);
  const dir = backupDirFor(env.dbFile, s.backupDir);
  const databaseId = await databaseIdOf(env.db);
  let result;
  try {
    result = await backupDatabase(env.dbFile, newBackupPath(dir, env.clock.now(), env.clock.timeZone, reason, databaseId), { reason });
  } catch (e) {
    const message = (e as Error).message;
    await audit(ctx, { action: 'backup.failed', entity: 'backup', extra: { reason, dir, error: message } });
    throw fail('STORAGE', 'backups.failed', { reason: message, dir });
  }
  const { ok, problems } = result.verification;
  const removed = ok ? applyRetention(dir, databaseId, s.backupKeepDaily, s.backupKeepWeekly).remove.map((b) => b.name) : [];
  const name = path.basename(result.file);
  await audit(ctx, {
    action: ok ? 'backup.create' : 'backup.verify_failed',
    entity: 'backup',
    extra: { file: name, reason, ok, problems, counts: result.counts, removed },
  });
  return { file: result.file, name, reason, ok, problems, counts: result.counts, removed };
}

/** On demand (the admin's 立即备份 button, the CLI). */
export function backupNow(env: BackupEnv, actor: Actor): Promise<BackupOutcome> {
  return createBackup(env, actor, 'manual');
}

/**
 * A verified copy at a path the operator named (the command line's backup --out): not in the backup folder, so no
 * retention; audited like any backup. The path must not exist yet: no file is ever overwritten.
 */
export async function backupCopy(env: BackupEnv, actor: Actor, out: string): Promise<BackupOutcome> {
  assertFile(env);
  if (fs.existsSync(out)) throw invalid('backups.outExists', { file: out });
  const ctx = { db: env.db, clock: env.clock, actor };
  let result;
  try {
    result = await backupDatabase(env.dbFile, out, { reason: 'cli' });
  } catch (e) {
    const message = (e as Error).message;
    await audit(ctx, { action: 'backup.failed', entity: 'backup', extra: { reason: 'cli', file: path.basename(out), error: message } });
    throw fail('STORAGE', 'backups.failed', { reason: message, dir: path.dirname(out) });
  }
  const { ok, problems } = result.verification;
  const name = path.basename(result.file);
  await audit(ctx, { action: ok ? 'backup.create' : 'backup.verify_failed', entity: 'backup', extra: { file: name, reason: 'cli', ok, problems, counts: result.counts } });
  return { file: result.file, name, reason: 'cli', ok, problems, counts: result.counts, removed: [] };
}

/** Called at startup and on a timer: one automatic backup per calendar day, unless today already has a verified one. */
export async function runDailyBackupIfDue(env: BackupEnv): Promise<BackupOutcome | null> {
  assertFile(env);
  const day = today(env.clock);
  if (listBackups(await backupDir(env), await databaseIdOf(env.db)).some((b) => b.date === day && b.status === 'verified')) return null;
  return createBackup(env, SYSTEM_ACTOR, 'daily');
}

/** On quit: a backup when anything was written since the newest verified one (every write leaves an audit row). */
export async function backupOnQuit(env: BackupEnv): Promise<BackupOutcome | null> {
  assertFile(env);
  const newest = listBackups(await backupDir(env), await databaseIdOf(env.db)).find((b) => b.status === 'verified');
  const since = newest?.verification?.lastAuditId;
  if (since !== undefined) {
    const changed = await env.db
      .selectFrom('auditLog')
      .select('id')
      .where('id', '>', since)
      .where('action', 'not like', 'backup.%')
      .limit(1)
      .executeTakeFirst();
    if (!changed) return null;
  }
  return createBackup(env, SYSTEM_ACTOR, 'quit');
}

export interface BackupStatus {
  dir: string;
  /** This database's backups, newest first. */
  backups: BackupInfo[];
  /** Backups of other databases (or of unknown origin) in the same folder: listed, never touched. */
  foreign: ForeignBackup[];
  lastVerified: BackupInfo | null;
  /** A backup newer than the last verified one that failed verification: the admin must look. */
  lastFailed: BackupInfo | null;
  /** Today has no verified backup yet. */
  dueToday: boolean;
  /** Files kept aside by restores, newest first (names): undoRestore can put one back. */
  restoreAsides: string[];
}

export async function backupStatus(env: BackupEnv): Promise<BackupStatus> {
  const dir = env.dbFile === ':memory:' ? '' : await backupDir(env);
  const { own: backups, foreign } = dir ? backupsInFolder(dir, await databaseIdOf(env.db)) : { own: [], foreign: [] };
  const lastVerified = backups.find((b) => b.status === 'verified') ?? null;
  const lastFailed = backups.find((b) => b.status === 'failed' && (!lastVerified || b.name > lastVerified.name)) ?? null;
  return {
    dir,
    backups,
    foreign,
    lastVerified,
    lastFailed,
    dueToday: !backups.some((b) => b.date === today(env.clock) && b.status === 'verified'),
    restoreAsides: dir ? listRestoreAsides(env.dbFile).map((f) => path.basename(f)) : [],
  };
}

export interface RestoreResult {
  restoredFrom: string;
  /** Name of the previous database file, kept beside it; pass it to undoRestore. */
  movedAsideAs: string | null;
  /** Everyone must log in again: the accounts are those of the restored file. */
  reloginRequired: true;
}

/**
 * Closes the connection, runs `swap` on the closed file, reopens (migrating an older backup, with its own verified
 * backup first) and hands the new connection to env. If the swapped-in file will not open, the swap is undone.
 */
async function reopenAround(env: BackupEnv, swap: () => Promise<RestoreOutcome>, undo: (o: RestoreOutcome) => Promise<unknown>): Promise<RestoreOutcome> {
  await env.db.destroy();
  let outcome: RestoreOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await swap();
  } catch (e) {
    failure = e;
  }
  let handle: DbHandle;
  try {
    handle = await openDatabase(env.dbFile);
  } catch (e) {
    if (!outcome) throw e;
    await undo(outcome);
    handle = await openDatabase(env.dbFile);
    failure = fail('BLOCKED', 'backups.restoredUnreadable', { reason: (e as Error).message });
  }
  env.db = handle.db;
  env.onDatabaseReopened?.(handle);
  if (failure) throw failure;
  return outcome!;
}

function backupFileByName(dir: string, name: string, databaseId: string): string {
  const base = path.basename(name);
  if (!parseBackupName(base)) throw invalid('backups.notOurName', { name: base });
  const file = path.join(dir, base);
  if (!fs.existsSync(file)) throw fail('NOT_FOUND', 'backups.missing', { name: base });
  const foreign = backupsInFolder(dir, databaseId).foreign.find((f) => f.name === base);
  if (foreign) throw fail('BLOCKED', 'backups.foreign', { name: base, why: foreign.why });
  return file;
}

/** Restores a backup of the backup folder (by name) in place of the open database; the restore is audited in it. */
export async function restoreFromBackup(env: BackupEnv, actor: Actor, name: string): Promise<RestoreResult> {
  assertFile(env);
  const databaseId = await databaseIdOf(env.db);
  const file = backupFileByName(await backupDir(env), name, databaseId);
  // Check before closing anything, so a bad backup costs the user nothing.
  const v = verifyBackup(file);
  if (!v.ok) throw fail('BLOCKED', 'backups.unverified', { name: path.basename(file), problems: v.problems.join('；') });
  const other = foreignContent(v, databaseId);
  if (other) throw fail('BLOCKED', 'backups.foreign', { name: path.basename(file), why: other });
  const o = await reopenAround(
    env,
    () => restoreDatabase(env.dbFile, file),
    (o) => undoRestore(env.dbFile, o.movedAsideAs ?? undefined),
  );
  const movedAsideAs = o.movedAsideAs ? path.basename(o.movedAsideAs) : null;
  await audit({ db: env.db, clock: env.clock, actor }, { action: 'backup.restore', entity: 'backup', extra: { file: path.basename(file), movedAsideAs } });
  return { restoredFrom: path.basename(file), movedAsideAs, reloginRequired: true };
}

/** Puts back the file a restore moved aside (the newest unless named); the restored one is kept aside in turn. */
export async function undoLastRestore(env: BackupEnv, actor: Actor, aside?: string): Promise<RestoreResult> {
  assertFile(env);
  const o = await reopenAround(
    env,
    () => undoRestore(env.dbFile, aside),
    async (o) => {
      // The aside file would not open: put things back as they were.
      fs.renameSync(env.dbFile, o.restoredFrom);
      if (o.movedAsideAs) fs.renameSync(o.movedAsideAs, env.dbFile);
    },
  );
  const movedAsideAs = o.movedAsideAs ? path.basename(o.movedAsideAs) : null;
  await audit({ db: env.db, clock: env.clock, actor }, { action: 'backup.undo_restore', entity: 'backup', extra: { file: path.basename(o.restoredFrom), movedAsideAs } });
  return { restoredFrom: path.basename(o.restoredFrom), movedAsideAs, reloginRequired: true };
}

/** Audits a restore done on the closed file (the command line's restore --from / --undo), in the restored file. */
export async function auditFileRestore(ctx: Ctx, o: Pick<RestoreOutcome, 'restoredFrom' | 'movedAsideAs'>, undo: boolean): Promise<void> {
  await audit(ctx, {
    action: undo ? 'backup.undo_restore' : 'backup.restore',
    entity: 'backup',
    extra: { file: path.basename(o.restoredFrom), movedAsideAs: o.movedAsideAs ? path.basename(o.movedAsideAs) : null },
  });
}
