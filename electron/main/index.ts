// Electron main process: one instance, guards first, then the data file, the API over IPC, and the window.
// Everything below the shell (api, domain, db) is the same code that browser mode and the CLI run under Node.
import path from 'node:path';
import { app, dialog, safeStorage, session, shell } from 'electron';
import { SessionStore } from '../api/sessions.ts';
import type { ApiEnv } from '../api/env.ts';
import type { DbHandle } from '../db/open.ts';
import { systemClock } from '../domain/clock.ts';
import { getSettings } from '../domain/settings.ts';
import { keepWorkerReady } from '../jobs/runner.ts';
import { discardAllUploads, sweepUploadFolder } from '../excel/import/uploads.ts';
import { openAppDatabase } from './database.ts';
import { unlockDatabase } from './db-key.ts';
import { startupBackup } from './backup-hooks.ts';
import { startAutoBackup, type AutoBackup } from '../server/auto-backup.ts';
import { desktopOffice } from './office.ts';
import { hardenSession, installContentsGuard, type UrlCheck } from './guards.ts';
import { registerIpc, sessionKeyOf } from './ipc.ts';
import { appPaths } from './paths.ts';
import { APP_START_URL, isAppUrl } from './app-files.ts';
import { registerAppProtocol, registerAppScheme } from './protocol.ts';
import { readConnection } from './connection-file.ts';
import { startChoice, startClient } from './modes.ts';
import { WINDOW_TITLE, createMainWindow, installMenu, isOwnContents } from './window.ts';
import type { BrowserWindow } from 'electron';

// Both must happen before 'ready'.
registerAppScheme();
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let handle: DbHandle | null = null;
let autoBackup: AutoBackup | null = null;
let office: ReturnType<typeof desktopOffice> | null = null;
let quitBackupDone = false;

/**
 * `electron-vite dev` serves the renderer from a local dev server; only an unpackaged app trusts it,
 * and only on loopback. A packaged app knows nothing but app://desk.
 */
function devRendererUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1') ? u.origin : null;
  } catch {
    return null;
  }
}

async function start(): Promise<void> {
  const paths = appPaths(app, import.meta.dirname);
  // 本机数据库 or 连接到街道服务器 (connection.json; modes.ts): client mode opens no database at all.
  const connection = readConnection(paths.userData, paths.dbFile);
  if (connection.mode === 'client') {
    mainWindow = await startClient(connection, paths);
    return;
  }
  const devOrigin = devRendererUrl();
  const isTrustedUrl: UrlCheck = (url) => {
    if (isAppUrl(url)) return true;
    if (!devOrigin) return false;
    try {
      return new URL(url).origin === devOrigin;
    } catch {
      return false;
    }
  };

  installContentsGuard(app, isTrustedUrl);
  hardenSession(session.defaultSession);
  registerAppProtocol(paths.rendererDir);
  const startUrl = devOrigin ? process.env.ELECTRON_RENDERER_URL! : APP_START_URL;
  if (connection.mode === 'choose') {
    mainWindow = await startChoice(paths, startUrl, isTrustedUrl, connection.problem);
    return;
  }
  // Uploaded lists left by a crash or a killed process (names, ID numbers, phones) go once they are a day old.
  sweepUploadFolder();

  // The key first (created, unwrapped or recovered; db-key.ts): the file, its WAL and backups are encrypted with it.
  if (!(await unlockDatabase(paths.dbFile, safeStorage))) {
    app.quit();
    return;
  }
  handle = await openAppDatabase(paths.dbFile, startupBackup(paths));
  if (!handle) {
    app.quit();
    return;
  }
  const settings = await getSettings({ db: handle.db });
  // The office's time zone decides "today"; a change in 设置 applies from the next start.
  const env: ApiEnv = {
    db: handle.db,
    clock: systemClock(settings.timeZone),
    sessions: new SessionStore(),
    dbFile: paths.dbFile,
    // Reports, audit exports and purge exports: a folder of their own under 文档 (Documents).
    exportDir: path.join(app.getPath('documents'), '居家隔离管理台导出'),
    // 恢复备份 swaps the connection: keep the one to close on quit current.
    showItemInFolder: (file) => shell.showItemInFolder(file),
    onDatabaseReopened: (reopened) => {
      handle = reopened;
    },
  };
  // 设置 › 共享: the admin may serve this database to the office network from here.
  office = desktopOffice(env, { staticDir: paths.rendererDir, dataDir: path.dirname(paths.dbFile) });
  env.office = office;
  registerIpc(env, { isOwnContents, isTrustedUrl });
  // Daily backup now if today has none (and hourly after), a backup on quit when anything changed.
  autoBackup = startAutoBackup(env);

  installMenu(() => {
    void dialog.showMessageBox({
      type: 'info',
      title: WINDOW_TITLE,
      message: WINDOW_TITLE,
      detail: `版本 ${app.getVersion()}\n数据文件：${paths.dbFile}`,
      buttons: ['确定'],
    });
  });
  mainWindow = createMainWindow({
    preloadFile: paths.preloadFile,
    url: startUrl,
    // A closed or crashed-and-gone page ends its login; a new window must log in again.
    onContentsGone: (id) => env.sessions.delete(sessionKeyOf(id)),
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  // Once the window shows (not competing with its first paint), a spare worker loads the import and export code, so
  // the clerk's import starts without that wait.
  mainWindow.once('ready-to-show', () => void keepWorkerReady(true));
}

async function main(): Promise<void> {
  // Two instances on one SQLite file would fight over it: the second one hands over to the first and quits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event: { preventDefault(): void }) => {
    if (!autoBackup || quitBackupDone) return;
    // Hold the quit for the backup (bounded by its timeout), then quit for real.
    event.preventDefault();
    quitBackupDone = true;
    const backup = autoBackup;
    // The office server (if the admin started it) stops first: its running saves finish before the quit backup.
    void (office?.close() ?? Promise.resolve())
      .catch(() => {})
      .then(() => backup.onQuit())
      .finally(() => app.quit());
  });
  app.on('will-quit', () => {
    // This process's uploaded lists go with it, whatever state their imports were in.
    discardAllUploads();
    void keepWorkerReady(false);
    // Synchronous close so the WAL is checkpointed before the process exits.
    if (handle?.sqlite.open) handle.sqlite.close();
    handle = null;
  });
  await app.whenReady();
  try {
    await start();
  } catch (e) {
    dialog.showErrorBox(WINDOW_TITLE, `启动失败：${(e as Error).message ?? String(e)}`);
    app.quit();
  }
}

/** Settles when startup finished (or gave up); tests await it. */
export const ready: Promise<void> = main();
