// Where things live on disk for the desktop app: the one database file in the user's data folder, backups beside it,
// and the built renderer/preload next to the main bundle (out/main → out/renderer, out/preload).
import path from 'node:path';
import type { App } from 'electron';

export const DB_FILE_NAME = 'isolation-desk.db';

export interface AppPaths {
  userData: string;
  /** The SQLite file: <userData>/isolation-desk.db. */
  dbFile: string;
  /** Default backup folder when the settings name none: <userData>/backups. */
  backupDir: string;
  /** Built renderer served over app:// (out/renderer). */
  rendererDir: string;
  /** Sandboxed preload, CommonJS (out/preload/index.cjs). */
  preloadFile: string;
  /** The core process's entry (utilityProcess.fork): out/main/core.js beside the bundle, or the source file. */
  coreFile: string;
}

/** `bundleDir` is the folder of the running main bundle (out/main); `fromSource`: running electron/main/*.ts itself. */
export function appPaths(app: Pick<App, 'getPath'>, bundleDir: string, fromSource = false): AppPaths {
  const userData = app.getPath('userData');
  return {
    userData,
    dbFile: path.join(userData, DB_FILE_NAME),
    backupDir: path.join(userData, 'backups'),
    rendererDir: path.resolve(bundleDir, '..', 'renderer'),
    preloadFile: path.resolve(bundleDir, '..', 'preload', 'index.cjs'),
    coreFile: fromSource ? path.resolve(bundleDir, '..', 'server', 'core-process.ts') : path.join(bundleDir, 'core.js'),
  };
}
