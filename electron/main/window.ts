// The main window: secure webPreferences (isolated, sandboxed, no Node), a Chinese menu, and a registry of our own
// web contents so ipc.ts can tell our window from anything else.
import { BrowserWindow, Menu, app, type MenuItemConstructorOptions, type WebPreferences } from 'electron';

export const WINDOW_TITLE = '居家隔离管理台';

/** The renderer gets nothing but the preload's window.api: no Node, no remote content, no insecure mixing. */
export function secureWebPreferences(preloadFile: string): WebPreferences {
  return {
    preload: preloadFile,
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
  preloadFile: string;
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
    webPreferences: secureWebPreferences(opts.preloadFile),
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
export function menuTemplate(isPackaged: boolean, onAbout: () => void): MenuItemConstructorOptions[] {
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
    { label: '文件', submenu: [{ role: 'quit', label: '退出' }] },
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

export function installMenu(onAbout: () => void): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(app.isPackaged, onAbout)));
}
