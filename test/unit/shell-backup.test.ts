// Automatic backups of the desktop app, with a mocked `electron` over a real data file: a verified daily backup at
// start, none again the same day, and a verified backup on quit only when something was written since.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { scanBackups } from '../../electron/db/backup.ts';

async function until<T>(fn: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A fresh main process on a fresh mocked `electron`, started up; its backup folder. */
async function startShell() {
  vi.resetModules();
  const m = await import('../helpers/electron-mock.ts');
  m.resetElectronMock();
  const { ready } = await import('../../electron/main/index.ts');
  await ready;
  return { m, dir: path.join(m.userDataDir(), 'backups') };
}

describe('automatic backups', () => {
  it('takes a verified daily backup at start, and one on quit only after a write', async () => {
    const { m, dir } = await startShell();
    const daily = await until(() => scanBackups(dir).find((b) => b.status === 'verified'));
    expect(daily.reason).toBe('daily');

    // Nothing written since: quitting takes no second backup, and the quit goes ahead.
    const quit1 = { preventDefault: vi.fn() };
    m.app.emit('before-quit', quit1);
    expect(quit1.preventDefault).toHaveBeenCalled();
    await until(() => (m.app.quit.mock.calls.length > 0 ? true : undefined));
    expect(scanBackups(dir)).toHaveLength(1);
    // The second before-quit (from app.quit()) is let through.
    const quit2 = { preventDefault: vi.fn() };
    m.app.emit('before-quit', quit2);
    expect(quit2.preventDefault).not.toHaveBeenCalled();
  }, 60_000);

  it('backs up on quit when something changed since the newest verified backup', async () => {
    const { m, dir } = await startShell();
    await until(() => scanBackups(dir).find((b) => b.status === 'verified'));
    // A write through the real channel: the first-run admin account (audited).
    const win = m.FakeBrowserWindow.all[0];
    const setup = m.ipcMain.handlers.get('auth.setupAdmin')!;
    const r = (await setup(m.invokeEvent(win.webContents, 'app://desk/index.html'), { username: 'admin', password: 'abc12345', displayName: '管理员' })) as { ok: boolean };
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    // Backup names carry seconds: make sure the quit backup gets a name of its own.
    await new Promise((res) => setTimeout(res, 1100));
    m.app.emit('before-quit', { preventDefault: vi.fn() });
    await until(() => (m.app.quit.mock.calls.length > 0 ? true : undefined));
    // A verified quit backup now holds the new account (retention keeps one backup per day: the newest).
    const newest = scanBackups(dir).find((b) => b.status === 'verified')!;
    expect(newest.reason).toBe('quit');
    expect(newest.verification?.counts).toMatchObject({ users: 1 });
  }, 60_000);
});
