// The desktop app's start and quit over a real upload folder (Electron mocked, real files, the real core process): at
// start, uploaded lists older than a day are deleted and younger ones (another instance's) kept; at quit, the core's
// own uploads go.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { isolatedTmpdir } from '../helpers/env.ts';

const tmpRoot = isolatedTmpdir('idesk-uploads-start-', { beforeAll, afterAll });

describe('desktop start and quit', () => {
  it('sweeps day-old uploads at start, keeps younger ones, and deletes its own at quit', { timeout: 60_000 }, async () => {
    vi.resetModules();
    const m = await import('../helpers/electron-mock.ts');
    m.resetElectronMock();
    const uploads = await import('../../electron/excel/import/uploads.ts');
    const dir = uploads.uploadDir();
    expect(dir.startsWith(tmpRoot())).toBe(true);
    fs.mkdirSync(dir, { recursive: true });
    const old = path.join(dir, 'a1b2c3d4-0000-4000-8000-000000000001.xlsx');
    const fresh = path.join(dir, 'a1b2c3d4-0000-4000-8000-000000000002.xlsx');
    fs.writeFileSync(old, '张三,110101199001011237,13900000001');
    fs.writeFileSync(fresh, '李四,110101199001011245,13900000002');
    const twoDays = new Date(Date.now() - 2 * 24 * 60 * 60_000);
    const anHour = new Date(Date.now() - 60 * 60_000);
    fs.utimesSync(old, twoDays, twoDays);
    fs.utimesSync(fresh, anHour, anHour);

    const { ready } = await import('../../electron/main/index.ts');
    await ready;
    expect(m.FakeBrowserWindow.all).toHaveLength(1);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);

    // An upload through the window (into the core process), then quit: it goes; the other instance's file stays.
    const win = m.FakeBrowserWindow.all[0];
    const invoke = (channel: string, input: unknown) => m.ipcMain.handlers.get(channel)!(m.invokeEvent(win.webContents, 'app://desk/index.html'), input) as Promise<any>;
    expect(await invoke('auth.setupAdmin', { username: 'admin', password: 'abc12345', displayName: '管理员' })).toMatchObject({ ok: true });
    const before = new Set(fs.readdirSync(dir));
    const up = await invoke('import.upload', { fileName: '名单.xlsx', dataBase64: fs.readFileSync(fresh).toString('base64') });
    expect(up, JSON.stringify(up)).toMatchObject({ ok: true });
    const own = fs.readdirSync(dir).filter((n) => !before.has(n));
    expect(own).toHaveLength(1);
    await m.quitApp();
    expect(fs.existsSync(path.join(dir, own[0]))).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
