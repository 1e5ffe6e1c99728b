// The two starts that are not today's local app (index.ts keeps that one): the first-start choice page, and client
// mode (the office server's page in our window). Each installs the guards for exactly what its window may show.
import { app, dialog, safeStorage, session, type BrowserWindow } from 'electron';
import { connectionHandlers } from './connect.ts';
import type { ClientConnection } from './connection-file.ts';
import { clientAbout, confirmForgetServer, startClientMode } from './client-mode.ts';
import { hardenSession, installContentsGuard, pinnedOriginCheck, type UrlCheck } from './guards.ts';
import { registerConnectionIpc } from './ipc.ts';
import type { AppPaths } from './paths.ts';
import { WINDOW_TITLE, createMainWindow, installMenu, isOwnContents } from './window.ts';

/** A choice was made or the server forgotten: start again in the new mode (a fresh process, fresh guards). */
export function restartApp(): void {
  app.relaunch();
  app.exit(0);
}

function about(detail: string): void {
  void dialog.showMessageBox({ type: 'info', title: WINDOW_TITLE, message: WINDOW_TITLE, detail: `版本 ${app.getVersion()}\n${detail}`, buttons: ['确定'] });
}

/** How long the page may show "已连接" before the restart. */
export const RESTART_DELAY_MS = 800;

/**
 * First start: the window shows 本机数据库 / 连接到街道服务器 (the renderer's ConnectPage over window.desk); no
 * database is opened. The guards are the local app's (app://desk, and the dev server when unpackaged).
 */
export async function startChoice(paths: AppPaths, url: string, isTrustedUrl: UrlCheck, problem?: string): Promise<BrowserWindow> {
  if (problem) {
    await dialog.showMessageBox({
      type: 'warning',
      title: WINDOW_TITLE,
      message: '连接设置无法读取，请重新选择使用方式。',
      detail: `${problem}\n\n数据文件未被修改。`,
      buttons: ['继续'],
    });
  }
  const handlers = connectionHandlers({ userData: paths.userData, store: safeStorage, onChosen: () => setTimeout(restartApp, RESTART_DELAY_MS) });
  registerConnectionIpc(handlers, { isOwnContents, isTrustedUrl });
  installMenu(() => about(`数据文件夹：${paths.userData}`));
  return createMainWindow({ preloadFile: paths.preloadFile, bridge: 'connect', url });
}

/** Client mode: only the pinned server's origin is trusted; no database, no API over IPC, no preload. */
export async function startClient(conn: ClientConnection, paths: AppPaths, onContentsGone?: (id: number) => void): Promise<BrowserWindow | null> {
  installContentsGuard(app, pinnedOriginCheck(conn.url));
  hardenSession(session.defaultSession);
  const deps = { userData: paths.userData, store: safeStorage, restart: restartApp, quit: () => app.quit(), onContentsGone };
  installMenu(
    () => about(clientAbout(conn)),
    () => void confirmForgetServer(conn, deps),
  );
  return startClientMode(conn, deps);
}
