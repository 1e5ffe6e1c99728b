// Startup with a mocked `electron` over real files: the main module wires guards, protocol, every channel and a
// secure window, and forks the real core process (the database is opened there, never in main); a damaged or too-new
// data file is never replaced by an empty one; a damaged one can be restored.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { openDatabase } from '../../electron/db/open.ts';
import { backupDatabase, newBackupPath } from '../../electron/db/backup.ts';
import { restoreNewestVerified } from '../../electron/db/restore.ts';
import { contract } from '../../electron/api/contract.ts';
import { appPaths } from '../../electron/main/paths.ts';
import { tempDir } from '../helpers/env.ts';

type Mock = typeof import('../helpers/electron-mock.ts');
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A fresh main process: modules re-evaluated, Electron mock emptied, a new userData folder. */
async function freshShell(): Promise<Mock> {
  vi.resetModules();
  const m = await import('../helpers/electron-mock.ts');
  m.resetElectronMock();
  return m;
}

describe('main process startup', () => {
  it('opens the data file in userData, registers every channel and opens one secure window at app://desk', async () => {
    const m = await freshShell();
    const { ready } = await import('../../electron/main/index.ts');
    await ready;
    expect(m.app.enableSandbox).toHaveBeenCalled();
    expect(m.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(m.protocol.privileged).toContainEqual(expect.objectContaining({ scheme: 'app' }));
    expect(m.protocol.handlers.has('app')).toBe(true);
    expect(m.session.defaultSession.permissionCheckHandler).toBeTypeOf('function');
    // Any web contents created later (devtools, something unexpected) gets the same guards.
    const [onCreated] = m.app.listeners.get('web-contents-created')!;
    const other = new m.FakeWebContents();
    onCreated({}, other);
    expect(other.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(fs.existsSync(path.join(m.userDataDir(), 'isolation-desk.db'))).toBe(true);
    expect([...m.ipcMain.handlers.keys()].sort()).toEqual(Object.keys(contract).sort());
    expect(m.Menu.setApplicationMenu).toHaveBeenCalled();

    expect(m.FakeBrowserWindow.all).toHaveLength(1);
    const win = m.FakeBrowserWindow.all[0];
    expect(win.loadedUrl).toBe('app://desk/index.html');
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/);

    // The window's page reaches the API; a foreign page in the same window does not.
    const status = m.ipcMain.handlers.get('auth.setupStatus')!;
    await expect(status(m.invokeEvent(win.webContents, 'app://desk/index.html'), {})).resolves.toMatchObject({ ok: true, data: { needsSetup: true } });
    await expect(status(m.invokeEvent(win.webContents, 'https://evil.example/'), {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // The database is the core process's: main forked the real entry and holds no connection.
    expect(m.utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(m.utilityProcess.fork.mock.calls[0][0]).toMatch(/electron[\\/]server[\\/]core-process\.ts$/);
    const forked = m.utilityProcess.fork.mock.results[0].value as { child: import('node:child_process').ChildProcess };
    expect(forked.child.pid).not.toBe(process.pid);
    win.emit('ready-to-show');
    // Quitting stops the core cleanly: it exits with 0 and the file's WAL is checkpointed (no -wal left behind).
    await m.quitApp();
    expect(forked.child.exitCode).toBe(0);
    const file = path.join(m.userDataDir(), 'isolation-desk.db');
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
  }, 60_000);

  it('a core that dies is started again once (a dialog, the window back to 登录, the data kept); a second death ends the app', { timeout: 60_000 }, async () => {
    const m = await freshShell();
    const { ready } = await import('../../electron/main/index.ts');
    await ready;
    const win = m.FakeBrowserWindow.all[0];
    const invoke = (channel: string, input: unknown) => m.ipcMain.handlers.get(channel)!(m.invokeEvent(win.webContents, 'app://desk/index.html'), input) as Promise<any>;
    expect(await invoke('auth.setupAdmin', { username: 'admin', password: 'abc12345', displayName: '管理员' })).toMatchObject({ ok: true });
    expect(await invoke('auth.me', {})).toMatchObject({ ok: true, data: { actor: { username: 'admin' } } });
    const forks = m.utilityProcess.fork.mock.results.map((r) => r.value as { child: import('node:child_process').ChildProcess });

    forks[0].child.kill('SIGKILL');
    await vi.waitFor(() => expect(win.webContents.reloads).toBe(1), { timeout: 30_000 });
    expect(m.utilityProcess.fork).toHaveBeenCalledTimes(2);
    const told = m.dialog.showMessageBox.mock.calls.at(-1)![0] as any;
    expect(told.message).toMatch(/本机数据服务意外停止/);
    expect(told.detail).toMatch(/请重新登录/);
    // The same window and channels, a new core: the login is gone (登录), the account written before is not.
    expect(await invoke('auth.me', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await invoke('auth.setupStatus', {})).toMatchObject({ ok: true, data: { needsSetup: false } });
    expect(await invoke('auth.login', { username: 'admin', password: 'abc12345' })).toMatchObject({ ok: true });

    (m.utilityProcess.fork.mock.results[1].value as typeof forks[0]).child.kill('SIGKILL');
    await vi.waitFor(() => expect(m.app.quit).toHaveBeenCalled(), { timeout: 30_000 });
    expect(m.dialog.showErrorBox).toHaveBeenCalledWith('居家隔离管理台', expect.stringMatching(/再次意外停止/));
    expect(m.utilityProcess.fork).toHaveBeenCalledTimes(2);
    expect(await invoke('auth.me', {})).toMatchObject({ ok: false, error: { key: 'core.gone' } });
  });

  it('a second instance hands over and quits without opening anything', async () => {
    const m = await freshShell();
    m.app.requestSingleInstanceLock.mockReturnValue(false);
    const { ready } = await import('../../electron/main/index.ts');
    await ready;
    expect(m.app.quit).toHaveBeenCalled();
    expect(m.FakeBrowserWindow.all).toHaveLength(0);
    expect(m.ipcMain.handlers.size).toBe(0);
    expect(fs.existsSync(path.join(m.userDataDir(), 'isolation-desk.db'))).toBe(false);
  });

  it('a too-new data file: explains, quits, leaves the file byte for byte', async () => {
    const m = await freshShell();
    const file = path.join(m.userDataDir(), 'isolation-desk.db');
    const h = await openDatabase(file, { create: true });
    h.sqlite.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    await h.close();
    const before = sha(file);
    const { ready } = await import('../../electron/main/index.ts');
    await ready;
    expect(m.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    const opts = m.dialog.showMessageBox.mock.calls[0][0] as any;
    expect(opts.message).toMatch(/更新版本/);
    expect(m.app.quit).toHaveBeenCalled();
    expect(m.FakeBrowserWindow.all).toHaveLength(0);
    expect(sha(file)).toBe(before);
  });
});

describe('damaged data file', () => {
  let m: Mock;
  let dir: string;
  let dbFile: string;
  const garbage = Buffer.concat([Buffer.from('this is not a database '), crypto.randomBytes(8192)]);

  beforeEach(async () => {
    m = await freshShell();
    dir = tempDir('idesk-damaged-');
    dbFile = path.join(dir, 'isolation-desk.db');
  });

  async function openWithChoice(choice: number, withBackup = true) {
    const { openAppDatabase } = await import('../../electron/main/database.ts');
    m.dialog.showMessageBox.mockResolvedValueOnce({ response: choice, checkboxChecked: false });
    const paths = appPaths({ getPath: () => dir }, dir);
    // What the core does for main (core.ts 'open' and 'restoreNewest'), here in-process.
    return openAppDatabase(dbFile, {
      open: () => openDatabase(dbFile, { create: true }),
      restoreNewest: withBackup ? (f: string) => restoreNewestVerified(f, paths.backupDir) : undefined,
    });
  }

  it('is kept, never replaced by an empty database, when the user quits', async () => {
    fs.writeFileSync(dbFile, garbage);
    const h = await openWithChoice(1);
    expect(h).toBeNull();
    const opts = m.dialog.showMessageBox.mock.calls[0][0] as any;
    expect(opts.message).toMatch(/损坏/);
    expect(opts.buttons).toEqual(['从最近的备份恢复', '退出']);
    expect(fs.readFileSync(dbFile).equals(garbage)).toBe(true);
  });

  it('without a restore hook only 退出 is offered and the file stays', async () => {
    fs.writeFileSync(dbFile, garbage);
    expect(await openWithChoice(0, false)).toBeNull();
    expect((m.dialog.showMessageBox.mock.calls[0][0] as any).buttons).toEqual(['退出']);
    expect(fs.readFileSync(dbFile).equals(garbage)).toBe(true);
  });

  it('restore with no usable backup touches nothing', async () => {
    fs.writeFileSync(dbFile, garbage);
    expect(await openWithChoice(0)).toBeNull();
    expect(fs.readFileSync(dbFile).equals(garbage)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['isolation-desk.db']);
  });

  it('restores the newest verified backup and keeps the damaged file renamed', async () => {
    const h = await openDatabase(dbFile, { create: true });
    h.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('district', '\"广阳区\"', 'x')").run();
    await backupDatabase(h.sqlite, newBackupPath(path.join(dir, 'backups'), new Date()));
    await h.close();
    for (const c of ['-wal', '-shm']) fs.rmSync(dbFile + c, { force: true });
    fs.writeFileSync(dbFile, garbage);

    const restored = await openWithChoice(0);
    expect(restored).not.toBeNull();
    const row = restored!.sqlite.prepare("SELECT value FROM settings WHERE key = 'district'").get() as { value: string };
    expect(JSON.parse(row.value)).toBe('广阳区');
    await restored!.close();
    const kept = fs.readdirSync(dir).filter((n) => n.startsWith('isolation-desk.db.damaged-') && !/-(wal|shm)$/.test(n));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, kept[0])).equals(garbage)).toBe(true);
    // Told the user what happened and where the damaged file is.
    const info = m.dialog.showMessageBox.mock.calls.at(-1)![0] as any;
    expect(info.detail).toContain(kept[0]);
  });
});
