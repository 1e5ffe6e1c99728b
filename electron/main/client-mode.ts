// Client mode of the desktop app: no local database; the window shows the office server's own page (the same
// renderer as in a browser, speaking HTTP to its server). The session accepts from the server's host only the
// certificate pinned at pairing, carries this PC's device credential as the server's HttpOnly cookie, and a refused
// certificate or an unreachable server is explained in a dialog that also offers to forget the server and pair again.
import { dialog, session, type BrowserWindow } from 'electron';
import { groupFingerprint } from '../shared/connection.ts';
import type { KeyStore } from './key-store.ts';
import { forgetConnection, unwrapCredential, type ClientConnection } from './connection-file.ts';
import { DEVICE_COOKIE } from './connect.ts';
import { certificateChangedMessage, pinnedVerifyProc } from './pinning.ts';
import { WINDOW_TITLE, createMainWindow } from './window.ts';

export interface ClientModeDeps {
  userData: string;
  store: KeyStore;
  /** Start the app again (after the server was forgotten: the choice page). */
  restart: () => void;
  quit: () => void;
  onContentsGone?: (webContentsId: number) => void;
}

const ABORTED = -3; // net::ERR_ABORTED: a navigation replaced by another, not a failure.

async function ask(type: 'error' | 'warning' | 'question', message: string, detail: string, buttons: string[]): Promise<number> {
  const { response } = await dialog.showMessageBox({ type, title: WINDOW_TITLE, message, detail, buttons, defaultId: 0, cancelId: buttons.length - 1, noLink: true });
  return response;
}

/** Forgets the server on this PC: the choice file and the session's device cookie; the app restarts at the choice. */
export async function forgetServer(conn: ClientConnection, deps: Pick<ClientModeDeps, 'userData' | 'restart'>): Promise<void> {
  forgetConnection(deps.userData);
  try {
    await session.defaultSession.cookies.remove(conn.url, DEVICE_COOKIE);
  } catch {
    // The cookie was only ever a session cookie; a failure here leaves nothing behind on disk.
  }
  deps.restart();
}

/** 文件 › 断开街道服务器…: confirm, then forget and restart. */
export async function confirmForgetServer(conn: ClientConnection, deps: Pick<ClientModeDeps, 'userData' | 'restart'>): Promise<void> {
  const choice = await ask(
    'question',
    '断开与街道服务器的连接？',
    `服务器：${conn.url}\n本机设备名称：${conn.name}\n\n断开后，本机保存的设备凭据会被删除，程序重新启动并回到“本机数据库 / 连接到街道服务器”的选择；再次连接需要管理员给的新配对码。\n服务器上的数据不受影响。请同时告知街道管理员在 设置 › 设备 中撤销本机。`,
    ['断开并重新选择', '取消'],
  );
  if (choice === 0) await forgetServer(conn, deps);
}

/** About box text for client mode. */
export function clientAbout(conn: ClientConnection): string {
  return `连接到街道服务器：${conn.url}\n本机设备名称：${conn.name}\n服务器证书指纹（SHA-256）：\n${groupFingerprint(conn.fingerprint)}`;
}

/**
 * Sets up the session (pinned certificate, device cookie) and opens the window at the server. Returns null when the
 * credential cannot be unwrapped on this PC (the user chose to pair again or to quit).
 */
export async function startClientMode(conn: ClientConnection, deps: ClientModeDeps): Promise<BrowserWindow | null> {
  let credential: string;
  try {
    credential = unwrapCredential(conn, deps.store);
  } catch {
    const choice = await ask(
      'error',
      '无法取出本机保存的设备凭据。',
      `服务器：${conn.url}\n\n设备凭据由系统密钥存储保护，只能在配对时的这台电脑、这个 Windows 用户下取出（可能换了电脑或用户，或系统密钥存储不可用）。\n请重新配对：向街道管理员要一个新的配对码。`,
      ['重新配对', '退出'],
    );
    if (choice === 0) await forgetServer(conn, deps);
    else deps.quit();
    return null;
  }

  let refused = false;
  const ses = session.defaultSession;
  ses.setCertificateVerifyProc(
    pinnedVerifyProc(conn.url, conn.fingerprint, (presented) => {
      if (refused) return;
      refused = true;
      void ask('error', '街道服务器的证书与配对时不一致，已拒绝连接。', certificateChangedMessage(conn.url, conn.fingerprint, presented), [
        '重新配对（忘记此服务器）',
        '退出',
      ]).then((choice) => (choice === 0 ? forgetServer(conn, deps) : deps.quit()));
    }),
  );
  // A session cookie (no expiry): Chromium does not write it to its cookie file; each start sets it again from safeStorage.
  await ses.cookies.set({ url: conn.url, name: DEVICE_COOKIE, value: credential, path: '/', httpOnly: true, secure: true, sameSite: 'strict' });

  const win = createMainWindow({ preloadFile: null, url: conn.url, onContentsGone: deps.onContentsGone });
  let asking = false;
  win.webContents.on('did-fail-load', (_event: unknown, errorCode: number, errorDescription: string, _url: string, isMainFrame: boolean) => {
    if (!isMainFrame || errorCode === ABORTED || refused || asking) return;
    asking = true;
    void ask(
      'warning',
      '无法连接到街道服务器。',
      `服务器：${conn.url}\n原因：${errorDescription || errorCode}\n\n请确认街道服务器已开机并在运行，本机网络（政务外网或 VPN）已连接，然后点“重试”。`,
      ['重试', '断开并重新配对', '退出'],
    ).then(async (choice) => {
      asking = false;
      if (choice === 0) await win.loadURL(conn.url).catch(() => undefined);
      else if (choice === 1) await confirmForgetServer(conn, deps);
      else deps.quit();
    });
  });
  return win;
}
