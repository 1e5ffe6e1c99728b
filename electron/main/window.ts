// The main window: secure webPreferences (isolated, sandboxed, no Node), a Chinese menu, and a registry of our own
// web contents so ipc.ts can tell our window from anything else.
import { BrowserWindow, Menu, app, type MenuItemConstructorOptions, type WebPreferences } from 'electron';
import { BRIDGE_ARG, type PreloadBridge } from '../shared/connection.ts';

export const WINDOW_TITLE = '居家隔离管理台';

/**
 * The renderer gets nothing but the preload's bridge: no Node, no insecure mixing. The bridge (read by
 * electron/preload from process.argv): 'local' = window.api (our own database), 'connect' = window.desk.connection
 * (the first-start choice). No preload file (client mode, the office server's page): no bridge at all — the page
 * speaks HTTP to its server like a browser, and nothing of this PC is exposed to it.
 */
export function secureWebPreferences(preloadFile: string | null, bridge: PreloadBridge = 'local'): WebPreferences {
  return {
    ...(preloadFile ? { preload: preloadFile, additionalArguments: [`${BRIDGE_ARG}${bridge}`] } : {}),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

const ownContents = new Set<number>();

/** True for the web contents of a window created by createMainWindow (and still open). */
export function isOwnContents(id: number): boolean {
  return ownContents.has(id);
}

export interface MainWindowOptions {
  /** null: no preload (client mode, the server's page). */
  preloadFile: string | null;
  /** Which bridge the preload exposes (default 'local'). */
  bridge?: PreloadBridge;
  url: string;
  /** Called with the web contents id when the window's page is gone (ends its session). */
  onContentsGone?: (webContentsId: number) => void;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: WINDOW_TITLE,
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 700,
    show: false,
    backgroundColor: '#f5f5f5',
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(opts.preloadFile, opts.bridge),
  });
  const id = win.webContents.id;
  ownContents.add(id);
  win.webContents.once('destroyed', () => {
    ownContents.delete(id);
    opts.onContentsGone?.(id);
  });
  // Keep our title; the page's <title> must not rename the window.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.url);
  return win;
}

/** 文件 / 编辑 / 视图 / 帮助, built from Electron roles with Chinese labels; developer tools only when unpackaged. */
export function menuTemplate(isPackaged: boolean, onAbout: () => void, onForgetServer?: () => void): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    { role: 'reload', label: '重新加载' },
    { type: 'separator' },
    { role: 'resetZoom', label: '实际大小' },
    { role: 'zoomIn', label: '放大' },
    { role: 'zoomOut', label: '缩小' },
    { type: 'separator' },
    { role: 'togglefullscreen', label: '全屏' },
  ];
  if (!isPackaged) view.push({ type: 'separator' }, { role: 'toggleDevTools', label: '开发者工具' });
  return [
    {
      label: '文件',
      submenu: [
        // Client mode only: forget the office server and choose again on the next start.
        ...(onForgetServer ? [{ label: '断开街道服务器…', click: onForgetServer }, { type: 'separator' as const }] : []),
        { role: 'quit', label: '退出' },
      ],
    },
    {
      label: '编辑',
      submenu: [
        { role: 'undo', label: '撤销' },
        { role: 'redo', label: '重做' },
        { type: 'separator' },
        { role: 'cut', label: '剪切' },
        { role: 'copy', label: '复制' },
        { role: 'paste', label: '粘贴' },
        { role: 'selectAll', label: '全选' },
      ],
    },
    { label: '视图', submenu: view },
    { label: '帮助', submenu: [{ label: `关于${WINDOW_TITLE}`, click: onAbout }] },
  ];
}

export function installMenu(onAbout: () => void, onForgetServer?: () => void): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(app.isPackaged, onAbout, onForgetServer)));
}
