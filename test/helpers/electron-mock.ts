// A stand-in for the `electron` module (its binary cannot run here): records what the shell asks of Electron
// — window options, IPC handlers, protocol handlers, guards — so tests can inspect and drive them.
// Use: vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock)
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { vi } from 'vitest';
import { forkCore } from './core-child.ts';

type Listener = (...args: any[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener): this {
    return this.on(event, fn);
  }
  emit(event: string, ...args: unknown[]): unknown[] {
    return (this.listeners.get(event) ?? []).map((fn) => fn(...args));
  }
}

// Shared across module re-evaluations (see below), so ids never repeat within a test process.
const ids = ((globalThis as { __fakeContentsIds?: { next: number } }).__fakeContentsIds ??= { next: 1 });

export class FakeWebContents extends Emitter {
  readonly id = ids.next++;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  reloads = 0;
  reload(): void {
    this.reloads++;
  }
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = fn;
  }
  /** Fires will-navigate the way Electron does; returns true when a listener prevented it. */
  navigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class FakeBrowserWindow extends Emitter {
  static all: FakeBrowserWindow[] = ((globalThis as { __fakeWindows?: FakeBrowserWindow[] }).__fakeWindows ??= []);
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  shown = false;
  readonly options: Record<string, any>;
  constructor(options: Record<string, any>) {
    super();
    this.options = options;
    FakeBrowserWindow.all.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {}
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all;
  }
}

export class FakeSession {
  certificateVerifyProc: Listener | null = null;
  /** The cookie store: what cookies.set was given, by url and name. */
  readonly cookieJar = new Map<string, Record<string, any>>();
  readonly cookies = {
    set: vi.fn(async (details: Record<string, any>) => {
      this.cookieJar.set(`${details.url} ${details.name}`, details);
    }),
    remove: vi.fn(async (url: string, name: string) => {
      this.cookieJar.delete(`${url} ${name}`);
    }),
  };
  setCertificateVerifyProc(fn: Listener | null): void {
    this.certificateVerifyProc = fn;
  }
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: Listener | null = null;
  devicePermissionHandler: Listener | null = null;
  setPermissionRequestHandler(fn: Listener | null): void {
    this.permissionRequestHandler = fn;
  }
  setPermissionCheckHandler(fn: Listener | null): void {
    this.permissionCheckHandler = fn;
  }
  setDevicePermissionHandler(fn: Listener | null): void {
    this.devicePermissionHandler = fn;
  }
}

/**
 * A fresh userData folder of an install whose first start chose 本机数据库 (connection.json {mode:'local'}), as every
 * local-mode test expects; the first-start and client-mode tests replace or remove the file.
 */
function freshUserData(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-shell-'));
  fs.writeFileSync(path.join(dir, 'connection.json'), '{"mode":"local"}\n');
  return dir;
}

function createMock() {
  const appEmitter = new Emitter();
  const state = {
    userDataDir: freshUserData(),
    /** The OS user profile safeStorage wraps for: another value is "another PC or user". */
    profile: 'profile-1',
  };
  const app = Object.assign(appEmitter, {
    isPackaged: false,
    getPath: vi.fn((name: string) => (name === 'userData' ? state.userDataDir : path.join(state.userDataDir, name))),
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: vi.fn(() => true),
    whenReady: vi.fn(() => Promise.resolve()),
    enableSandbox: vi.fn(),
    quit: vi.fn(),
    relaunch: vi.fn(),
    exit: vi.fn(),
  });
  const ipcMain = {
    handlers: new Map<string, Listener>(),
    handle: vi.fn((channel: string, fn: Listener) => {
      if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcMain.handlers.set(channel, fn);
    }),
    removeHandler: vi.fn((channel: string) => ipcMain.handlers.delete(channel)),
  };
  const ipcRenderer = { invoke: vi.fn(async (channel: string, input: unknown) => ({ ok: true, data: { channel, input } })) };
  const contextBridge = {
    exposed: new Map<string, unknown>(),
    exposeInMainWorld: vi.fn((key: string, value: unknown) => contextBridge.exposed.set(key, value)),
  };
  const protocol = {
    privileged: [] as unknown[],
    handlers: new Map<string, (request: Request) => Promise<Response>>(),
    registerSchemesAsPrivileged: vi.fn((schemes: unknown[]) => protocol.privileged.push(...schemes)),
    handle: vi.fn((scheme: string, fn: (request: Request) => Promise<Response>) => protocol.handlers.set(scheme, fn)),
  };
  const session = { defaultSession: new FakeSession() };
  const shell = { openExternal: vi.fn(async (_url: string) => {}), showItemInFolder: vi.fn((_file: string) => {}) };
  const dialog = {
    showMessageBox: vi.fn(async (_opts: Record<string, any>) => ({ response: 0, checkboxChecked: false })),
    showErrorBox: vi.fn(),
    showOpenDialog: vi.fn(async (_opts: Record<string, any>) => ({ canceled: true, filePaths: [] as string[] })),
    showSaveDialog: vi.fn(async (_opts: Record<string, any>) => ({ canceled: true, filePath: undefined as string | undefined })),
  };
  // Electron safeStorage: the wrapped text can be unwrapped only under the profile it was wrapped for (DPAPI, libsecret).
  const safeStorage = {
    available: true,
    isEncryptionAvailable: vi.fn(() => safeStorage.available),
    getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
    encryptString: vi.fn((text: string) => {
      if (!safeStorage.available) throw new Error('Encryption is not available.');
      const data = Buffer.from(text, 'utf8').map((b, i) => b ^ (state.profile.charCodeAt(i % state.profile.length) + 17));
      return Buffer.concat([Buffer.from(`v10:${state.profile}:`), data]);
    }),
    decryptString: vi.fn((wrapped: Buffer) => {
      const prefix = `v10:${state.profile}:`;
      if (!wrapped.subarray(0, prefix.length).equals(Buffer.from(prefix))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(wrapped.subarray(prefix.length).map((b, i) => b ^ (state.profile.charCodeAt(i % state.profile.length) + 17))).toString('utf8');
    }),
  };
  const Menu = {
    template: null as unknown,
    buildFromTemplate: vi.fn((t: unknown) => {
      Menu.template = t;
      return { template: t };
    }),
    setApplicationMenu: vi.fn(),
  };
  // The core process: the real entry, forked by Node (a utility process cannot run outside Electron).
  const utilityProcess = { fork: vi.fn((modulePath: string, _args?: string[], _opts?: Record<string, unknown>) => forkCore(modulePath)) };
  return { state, app, ipcMain, ipcRenderer, contextBridge, protocol, session, shell, dialog, Menu, safeStorage, utilityProcess };
}

// One instance per test process, even when vi.resetModules() re-evaluates this file: vi.mock's factory result is
// cached across resets, so the module a test imports and the `electron` the code imports must share state.
const g = globalThis as { __electronMock?: ReturnType<typeof createMock> };
const mock = (g.__electronMock ??= createMock());

export const { app, ipcMain, ipcRenderer, contextBridge, protocol, session, shell, dialog, Menu, safeStorage, utilityProcess } = mock;

export function userDataDir(): string {
  return mock.state.userDataDir;
}

/** Another OS user profile (another PC): what safeStorage wrapped before can no longer be unwrapped. */
export function setSafeStorageProfile(profile: string): void {
  mock.state.profile = profile;
}

/** Back to a pristine Electron: no windows, handlers, listeners or recorded calls; a fresh userData folder. */
export function resetElectronMock(): void {
  mock.state.userDataDir = freshUserData();
  FakeBrowserWindow.all.length = 0;
  app.listeners.clear();
  ipcMain.handlers.clear();
  protocol.handlers.clear();
  protocol.privileged.length = 0;
  contextBridge.exposed.clear();
  session.defaultSession = new FakeSession();
  vi.clearAllMocks();
  app.requestSingleInstanceLock.mockReturnValue(true);
  dialog.showMessageBox.mockReset();
  dialog.showMessageBox.mockImplementation(async () => ({ response: 0, checkboxChecked: false }));
  mock.state.profile = 'profile-1';
  safeStorage.available = true;
}

/**
 * Quits the way the user does (before-quit): resolves once main called app.quit() after the core's clean stop (office
 * server off, quit backup, file closed and checkpointed), or at once when nothing held the quit.
 */
export async function quitApp(timeoutMs = 60_000): Promise<void> {
  const event = { preventDefault: vi.fn() };
  app.emit('before-quit', event);
  if (!event.preventDefault.mock.calls.length) return;
  const end = Date.now() + timeoutMs;
  while (!app.quit.mock.calls.length) {
    if (Date.now() > end) throw new Error('app.quit was not called');
    await new Promise((r) => setTimeout(r, 20));
  }
  app.emit('will-quit');
}

/** An IPC invoke event as Electron builds it: the sending web contents and its frame. */
export function invokeEvent(contents: { id: number }, frameUrl: string | null, parent: unknown = null) {
  return { sender: contents, senderFrame: frameUrl === null ? null : { url: frameUrl, parent } };
}

export const electronMock = {
  app,
  ipcMain,
  ipcRenderer,
  contextBridge,
  protocol,
  session,
  shell,
  dialog,
  Menu,
  safeStorage,
  utilityProcess,
  BrowserWindow: FakeBrowserWindow,
  default: undefined as unknown,
};
electronMock.default = electronMock;
