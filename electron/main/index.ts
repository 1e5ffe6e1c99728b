// Electron main process: one instance, guards first, then the core process (database, API, jobs, office server,
// backups: electron/server/core-process.ts, spawned by core-client.ts), the API over IPC forwarded to it, and the
// window. Main holds no database: a slow query in the core never freezes the window's IPC, menus or dialogs.
import path from 'node:path';
import { app, dialog, safeStorage, session, shell, utilityProcess } from 'electron';
import { openAppDatabase } from './database.ts';
import { unlockDatabase, type KeyFileOps } from './db-key.ts';
import { CoreClient } from './core-client.ts';
import type { CoreOpenArgs } from '../server/core-protocol.ts';
import { hardenSession, installContentsGuard, type UrlCheck } from './guards.ts';
import { registerIpc, sessionKeyOf } from './ipc.ts';
import { appPaths } from './paths.ts';
import { APP_START_URL, isAppUrl } from './app-files.ts';
import { registerAppProtocol, registerAppScheme } from './protocol.ts';
import { localDatabaseUrl, readConnection, writeLocalDatabase } from './connection-file.ts';
import { storeUsable } from './key-store.ts';
import { restartApp, startChoice, startClient } from './modes.ts';
import { withoutPassword as redactUrl } from '../shared/server-db.ts';
import { WINDOW_TITLE, createMainWindow, installMenu, isOwnContents } from './window.ts';
import type { BrowserWindow } from 'electron';

// Both must happen before 'ready'.
registerAppScheme();
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let core: CoreClient | null = null;
/** What the core opened the database with: a restarted core opens it the same way. */
let openArgs: CoreOpenArgs | null = null;
let coreRestarts = 0;
let quitting = false;

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

/**
 * The core exited unexpectedly (crash, killed): pending calls have already failed with core.gone. It is started again
 * once; its sessions are gone, so the window reloads to 登录. A second death ends the app.
 */
async function coreDied(client: CoreClient, code: number | null): Promise<void> {
  // During startup the request in flight fails with core.gone, and start()'s caller tells the user and quits.
  if (quitting || !openArgs) return;
  if (coreRestarts >= 1) {
    dialog.showErrorBox(WINDOW_TITLE, `本机数据服务再次意外停止（退出码 ${code}），程序将退出。\n数据文件未被删除；重新打开程序即可继续，最近一次操作可能需要重新录入。`);
    quitting = true;
    app.quit();
    return;
  }
  coreRestarts++;
  void dialog.showMessageBox({
    type: 'warning',
    title: WINDOW_TITLE,
    message: '本机数据服务意外停止，已自动重新启动。',
    detail: `请重新登录。刚才正在进行的操作可能未完成，登录后请先查看结果再继续。（退出码 ${code}）`,
    buttons: ['确定'],
  });
  try {
    await client.start();
    await client.request({ op: 'open', ...openArgs });
  } catch (e) {
    dialog.showErrorBox(WINDOW_TITLE, `本机数据服务无法重新启动，程序将退出：${(e as Error).message ?? String(e)}`);
    quitting = true;
    app.quit();
    return;
  }
  mainWindow?.webContents.reload();
  void client.request({ op: 'warmWorker', on: true }).catch(() => {});
}

async function start(): Promise<void> {
  const paths = appPaths(app, import.meta.dirname, import.meta.url.endsWith('.ts'));
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
  const client = new CoreClient(() => utilityProcess.fork(paths.coreFile, [], { serviceName: 'isolation-desk-core', stdio: 'inherit' }), {
    showItemInFolder: (file) => shell.showItemInFolder(file),
    onUnexpectedExit: (code) => void coreDied(client, code),
    // 设置 › 共享 › 服务器的数据库: kept in connection.json, the password wrapped by safeStorage; applies at the next start.
    saveServerDatabase: (url) => {
      try {
        writeLocalDatabase(paths.userData, safeStorage, url);
      } catch (e) {
        dialog.showErrorBox(WINDOW_TITLE, `服务器的数据库设置未能保存：${(e as Error).message ?? String(e)}`);
      }
    },
  });
  core = client;
  await client.start();
  const stop = async () => {
    quitting = true;
    await client.shutdown(false);
    app.quit();
  };

  // A PostgreSQL database chosen in 设置 › 共享 (its password unwrapped from safeStorage): no file, no file key.
  const pg = connection.mode === 'local' ? connection.pg : undefined;
  if (pg) {
    let pgUrl: string;
    try {
      pgUrl = localDatabaseUrl(pg, safeStorage);
    } catch (e) {
      if (await offerFileInstead(paths.userData, `无法取出 PostgreSQL 数据库的密码：${(e as Error).message ?? String(e)}`)) return;
      return stop();
    }
    const pgArgs: CoreOpenArgs = {
      dbFile: paths.dbFile,
      key: null,
      encrypt: false,
      exportDir: path.join(app.getPath('documents'), '居家隔离管理台导出'),
      staticDir: paths.rendererDir,
      dataDir: path.dirname(paths.dbFile),
      pgUrl,
      canStoreSecrets: storeUsable(safeStorage),
    };
    try {
      await client.request({ op: 'open', ...pgArgs });
    } catch (e) {
      if (await offerFileInstead(paths.userData, `无法打开 PostgreSQL 数据库 ${redactUrl(pgUrl)}：${(e as Error).message ?? String(e)}`)) return;
      return stop();
    }
    return showApp(client, pgArgs, paths, startUrl, isTrustedUrl, `数据库：${redactUrl(pgUrl)}（PostgreSQL）`);
  }

  // The key first (created, unwrapped or recovered; db-key.ts): the file, its WAL and backups are encrypted with it.
  // The dialogs and the OS key store are here; reading and converting the file is the core's.
  const ops: KeyFileOps = {
    fileKind: (dbFile) => client.request({ op: 'fileKind', dbFile }),
    opens: (dbFile, key) => client.request({ op: 'keyOpens', dbFile, key }),
    encrypt: async (dbFile, key) => void (await client.request({ op: 'encrypt', dbFile, key })),
  };
  const unlocked = await unlockDatabase(paths.dbFile, safeStorage, ops);
  if (!unlocked) return stop();
  const args: CoreOpenArgs = {
    dbFile: paths.dbFile,
    key: unlocked.key,
    // A new file is encrypted whenever db-key.ts found or made a key.
    encrypt: unlocked.key !== null,
    // Reports, audit exports and purge exports: a folder of their own under 文档 (Documents).
    exportDir: path.join(app.getPath('documents'), '居家隔离管理台导出'),
    staticDir: paths.rendererDir,
    dataDir: path.dirname(paths.dbFile),
    canStoreSecrets: storeUsable(safeStorage),
  };
  const opened = await openAppDatabase(paths.dbFile, {
    open: () => client.request({ op: 'open', ...args }),
    // A damaged file cannot tell us its configured backup folder, so the default one beside it is searched.
    restoreNewest: (dbFile) => client.request({ op: 'restoreNewest', dbFile, backupDir: paths.backupDir }),
  });
  if (!opened) return stop();
  showApp(client, args, paths, startUrl, isTrustedUrl, `数据文件：${paths.dbFile}`);
}

/**
 * The PostgreSQL database of 设置 › 共享 cannot be opened: the admin may go back to this PC's data file (the app
 * starts again on it) or quit. True when it restarts.
 */
async function offerFileInstead(userData: string, problem: string): Promise<boolean> {
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: WINDOW_TITLE,
    message: '无法打开设置中选择的 PostgreSQL 数据库。',
    detail: `${problem}\n\n可以改用本机的数据文件（重新启动），或退出后请数据库管理员检查。`,
    buttons: ['改用本机数据文件', '退出'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  if (response !== 0) return false;
  writeLocalDatabase(userData, safeStorage, null);
  quitting = true;
  restartApp();
  return true;
}

/** The database is open in the core: the API over IPC, the menu and the window. */
function showApp(client: CoreClient, args: CoreOpenArgs, paths: ReturnType<typeof appPaths>, startUrl: string, isTrustedUrl: UrlCheck, what: string): void {
  openArgs = args;
  registerIpc((channel, input, sessionKey) => client.call(channel, input, sessionKey), { isOwnContents, isTrustedUrl });

  installMenu(() => {
    void dialog.showMessageBox({
      type: 'info',
      title: WINDOW_TITLE,
      message: WINDOW_TITLE,
      detail: `版本 ${app.getVersion()}\n${what}`,
      buttons: ['确定'],
    });
  });
  mainWindow = createMainWindow({
    preloadFile: paths.preloadFile,
    url: startUrl,
    // A closed or crashed-and-gone page ends its login; a new window must log in again.
    onContentsGone: (id) => void client.request({ op: 'endSession', sessionKey: sessionKeyOf(id) }).catch(() => {}),
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  // Once the window shows (not competing with its first paint), a spare worker loads the import and export code, so
  // the clerk's import starts without that wait.
  mainWindow.once('ready-to-show', () => void client.request({ op: 'warmWorker', on: true }).catch(() => {}));
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
    const client = core;
    if (!client?.running || quitting) return;
    // Hold the quit for the core's clean stop, then quit for real: the office server stops (its running saves
    // finish), the quit backup is made when anything changed (bounded by its timeout), the core's uploaded lists
    // are deleted and the file is closed with its WAL checkpointed.
    event.preventDefault();
    quitting = true;
    void client
      .shutdown(true)
      .catch(() => {})
      .finally(() => app.quit());
  });
  app.on('will-quit', () => {
    // Quitting without the clean stop (it timed out, or Electron quits on its own): the core goes with main.
    quitting = true;
    core?.kill();
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
