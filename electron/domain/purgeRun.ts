// Running a purge end to end: the purge in one transaction, secure compaction of the file and its WAL, then the same
// purge in every backup (and every file a restore kept aside) unless the admin keeps them. The optional Excel export of
// the people first is written by the caller before (excel/export/purge-archive.ts exportBeforePurge, from the handler).
import path from 'node:path';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { backupDirFor, backupsInFolder, readSidecar, verifyBackup, writeSidecar, type ForeignBackup } from '../db/backup.ts';
import { databaseIdOf } from './backups.ts';
import { listRestoreAsides } from '../db/restore.ts';
import { ForeignDatabaseError, secureCompact, withDatabaseFile } from '../db/maintenance.ts';
import { getSettings } from './settings.ts';
import { today, nowIso } from './clock.ts';
import { fail } from '../shared/errors.ts';
import { previewPurgeAt, purgeCutoff, purgeInTransaction, type PurgeCounts, type PurgePreview } from './purge.ts';
import { deleteOldExports, findOldExports, type DeletedExports, type OldExports } from './purgeExports.ts';

export interface PurgeFileResult {
  name: string;
  /** true: purged, compacted and re-verified. false: see problems — this file may still hold the people. */
  ok: boolean;
  counts: PurgeCounts | null;
  problems: string[];
}

export interface PurgeResult {
  cutoff: string;
  retentionDays: number;
  counts: PurgeCounts;
  heldBack: number;
  /** The WAL was written back and emptied; false when another connection held it open (then it clears later). */
  walCleared: boolean;
  backups: {
    /** The admin chose to keep the backups as they were: the files listed still hold the purged people. */
    kept: boolean;
    files: PurgeFileResult[];
    /** Other databases' backups (or of unknown origin) in the same folder: not opened, not changed. */
    foreign: ForeignBackup[];
  };
  exportFile: string | null;
  /** The app's exports older than the retention period, deleted from the export folder after the purge. */
  exports: DeletedExports;
}

export interface PurgeOptions {
  /** The database file (':memory:' in tests): its backups and restore leftovers are purged too. */
  dbFile: string;
  keepBackups?: boolean;
  /**
   * The Excel file of the people the caller wrote just before (exportBeforePurge) and the cutoff it was written for:
   * the purge takes exactly those people, so it refuses when the day has turned since.
   */
  exportedFirst?: { file: string; cutoff: string } | null;
  exportDir?: string;
}

/** The date before which ended isolation periods are purged today (the retention setting, office time). */
export async function purgeCutoffNow(ctx: Ctx): Promise<string> {
  const s = await getSettings(ctx);
  return purgeCutoff(today(ctx.clock), s.retentionDays);
}

/** `exportDir`: the app's export folder, whose exports older than the retention period are listed (oldExports). */
export async function previewPurge(
  ctx: Ctx,
  dbFile?: string,
  exportDir?: string,
): Promise<PurgePreview & { backupFiles: number; foreignBackups: number; oldExports: OldExports }> {
  const s = await getSettings(ctx);
  const p = await previewPurgeAt(ctx, s.retentionDays);
  const copies = dbFile ? otherFiles(dbFile, s.backupDir, await databaseIdOf(ctx.db)) : { files: [], foreign: [] };
  return {
    ...p,
    backupFiles: copies.files.length,
    foreignBackups: copies.foreign.length,
    oldExports: findOldExports(exportDir, ctx.clock.now(), s.retentionDays),
  };
}

/**
 * Every other copy of this database that may hold the people: its backups and the files kept aside by its restores.
 * Backups of other databases in the same folder are returned apart, to be reported and left alone.
 */
function otherFiles(dbFile: string, configuredDir: string, databaseId: string): { files: string[]; foreign: ForeignBackup[] } {
  if (dbFile === ':memory:') return { files: [], foreign: [] };
  const { own, foreign } = backupsInFolder(backupDirFor(dbFile, configuredDir), databaseId);
  return { files: [...own.map((b) => b.file), ...listRestoreAsides(dbFile)], foreign };
}

export async function runPurge(ctx: Ctx, opts: PurgeOptions): Promise<PurgeResult> {
  if (ctx.db.isTransaction) throw new Error('runPurge compacts the file and must not run inside a transaction');
  const s = await getSettings(ctx);
  const cutoff = purgeCutoff(today(ctx.clock), s.retentionDays);
  const keepBackups = Boolean(opts.keepBackups);
  const exportFile = opts.exportedFirst?.file ?? null;
  if (opts.exportedFirst && opts.exportedFirst.cutoff !== cutoff) {
    throw fail('BLOCKED', 'purge.dateChanged', { file: path.basename(opts.exportedFirst.file) });
  }
  const record = { cutoff, retentionDays: s.retentionDays, keepBackups, exportedFirst: exportFile !== null };
  const done = await inTx(ctx, (tx) => purgeInTransaction(tx, cutoff, [], record));
  const compact = await secureCompact(ctx.db);
  // The app's own exports past the retention period go too (the one just written is new and stays).
  const exports = await deleteOldExports(ctx, opts.exportDir, s.retentionDays);
  const files: PurgeFileResult[] = [];
  const databaseId = await databaseIdOf(ctx.db);
  const copies = otherFiles(opts.dbFile, s.backupDir, databaseId);
  for (const file of copies.files) {
    const name = path.basename(file);
    if (keepBackups) {
      files.push({ name, ok: false, counts: null, problems: ['按管理员选择保留，未清理'] });
      continue;
    }
    try {
      const r = await withDatabaseFile(file, databaseId, (db) =>
        db.transaction().execute((trx) => purgeInTransaction({ ...ctx, db: trx }, cutoff, done.purged, { ...record, copyOfDatabase: true })),
      );
      const v = verifyBackup(file);
      const old = readSidecar(file);
      if (old) writeSidecar(file, { ...old, ...v, purgedAt: nowIso(ctx.clock) });
      files.push({ name, ok: v.ok, counts: r.counts, problems: v.problems });
    } catch (e) {
      if (e instanceof ForeignDatabaseError) {
        copies.foreign.push({ name, file, databaseId: e.databaseId, why: e.message });
        continue;
      }
      files.push({ name, ok: false, counts: null, problems: [`清理失败，此文件可能仍含有这些人员的信息：${(e as Error).message}`] });
    }
  }
  return {
    cutoff,
    retentionDays: s.retentionDays,
    counts: done.counts,
    heldBack: done.heldBack,
    walCleared: compact.walCleared,
    backups: { kept: keepBackups, files, foreign: copies.foreign },
    exportFile,
    exports,
  };
}
