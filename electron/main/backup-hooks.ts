// Connects startup to the backup module (electron/db/backup.ts): a verified backup before any schema migration,
// and, for a damaged file, restore of the newest backup that still verifies (the damaged file is renamed, kept).
import { backupBeforeMigrate } from '../db/backup.ts';
import { restoreNewestVerified } from '../db/restore.ts';
import type { StartupBackup } from './database.ts';
import type { AppPaths } from './paths.ts';

export function startupBackup(paths: AppPaths): StartupBackup {
  return {
    // Also openDatabase's default for files; named here so the desktop app's safety net is visible in one place.
    beforeMigrate: backupBeforeMigrate,
    // A damaged file cannot tell us its configured backup folder, so the default one beside it is searched.
    restoreNewest: (dbFile) => restoreNewestVerified(dbFile, paths.backupDir),
  };
}
