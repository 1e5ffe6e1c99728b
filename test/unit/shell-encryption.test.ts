// The desktop app encrypts its data file by default (electron/main/db-key.ts), with a mocked `electron` over real
// files: the key is wrapped by safeStorage beside the file; the recovery key is shown once at first run; on a fresh
// profile (another PC) the recovery key reopens the file and is wrapped anew; a plaintext file from before is
// converted after a verified backup; without an OS key store the file stays plaintext and the admin is told.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { openDatabase } from '../../electron/db/open.ts';
import { fileKind, openSqlite } from '../../electron/db/sqlite.ts';
import { parseRecoveryKey } from '../../electron/db/keys.ts';
import { tempDir } from '../helpers/env.ts';

type Mock = typeof import('../helpers/electron-mock.ts');
const DB = 'isolation-desk.db';
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function freshShell(): Promise<Mock> {
  vi.resetModules();
  const m = await import('../helpers/electron-mock.ts');
  m.resetElectronMock();
  return m;
}

/** Starts the main process; returns the dialogs shown. */
async function start(m: Mock): Promise<{ message: string; detail: string }[]> {
  const { ready } = await import('../../electron/main/index.ts');
  await ready;
  return m.dialog.showMessageBox.mock.calls.map((c) => ({ message: String(c[0].message), detail: String(c[0].detail) }));
}

/** Quits the way the user does: the core closes the database (WAL checkpointed) and exits. */
async function quit(m: Mock): Promise<void> {
  await m.quitApp();
}

function recoveryKeyShown(dialogs: { message: string; detail: string }[]): string {
  const shown = dialogs.filter((d) => d.message.includes('恢复密钥'));
  expect(shown).toHaveLength(1);
  const m = /([0-9A-F]{4}-){15}[0-9A-F]{4}/.exec(shown[0].detail);
  expect(m).not.toBeNull();
  return m![0];
}

describe('desktop encryption at rest', { timeout: 60_000 }, () => {
  it('first run: the file is encrypted, the key kept wrapped beside it, the recovery key shown once; the next start asks nothing', async () => {
    const m = await freshShell();
    const dialogs = await start(m);
    const dir = m.userDataDir();
    const file = path.join(dir, DB);
    expect(m.FakeBrowserWindow.all).toHaveLength(1);
    const printed = recoveryKeyShown(dialogs);
    await quit(m);
    expect(fileKind(file)).toBe('encrypted');
    const key = parseRecoveryKey(printed);
    // The wrapped key is not the key in clear.
    const wrapped = fs.readFileSync(path.join(dir, `${DB}.key`));
    expect(wrapped.includes(Buffer.from(key))).toBe(false);
    expect(m.safeStorage.encryptString).toHaveBeenCalledTimes(1);
    // The recovery key opens the file.
    openSqlite(file, { key, readonly: true }).close();

    // Same PC, same user, next start: no dialog at all.
    const m2 = await freshShell();
    for (const n of [DB, `${DB}.key`]) fs.copyFileSync(path.join(dir, n), path.join(m2.userDataDir(), n));
    m2.dialog.showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false }); // any prompt: 退出
    expect(await start(m2)).toEqual([]);
    expect(m2.FakeBrowserWindow.all).toHaveLength(1);
    await quit(m2);
  });

  it('on a fresh profile the wrapped key cannot be unwrapped: a wrong recovery key is refused, the right one opens the file and is wrapped anew', async () => {
    const m = await freshShell();
    const printed = recoveryKeyShown(await start(m));
    await quit(m);
    const oldDir = m.userDataDir();

    // Another PC: the data file and its wrapped key are copied over; the user profile differs.
    const m2 = await freshShell();
    m2.setSafeStorageProfile('another-pc');
    const dir = m2.userDataDir();
    for (const n of [DB, `${DB}.key`]) fs.copyFileSync(path.join(oldDir, n), path.join(dir, n));
    const files = tempDir('idesk-usb-');
    const wrong = path.join(files, 'wrong.txt');
    fs.writeFileSync(wrong, `${'0123-'.repeat(15)}4567\n`);
    const right = path.join(files, '恢复密钥.txt');
    fs.writeFileSync(right, `居家隔离管理台 数据文件恢复密钥\r\n${printed.toLowerCase()}\r\n`);
    m2.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [wrong] }).mockResolvedValueOnce({ canceled: false, filePaths: [right] });
    const dialogs = await start(m2);
    expect(dialogs.map((d) => d.message)).toEqual(['需要恢复密钥才能打开数据文件', '恢复密钥不正确。', '需要恢复密钥才能打开数据文件']);
    expect(dialogs[0].detail).toContain('无法在此电脑或此用户下解开');
    expect(m2.FakeBrowserWindow.all).toHaveLength(1);
    await quit(m2);
    // The right key opened the file (the wrong one never got as far as opening it for writing).
    expect(fileKind(path.join(dir, DB))).toBe('encrypted');

    // The key is wrapped for this profile now: the next start asks nothing.
    const m3 = await freshShell();
    m3.setSafeStorageProfile('another-pc');
    for (const n of [DB, `${DB}.key`]) fs.copyFileSync(path.join(dir, n), path.join(m3.userDataDir(), n));
    m3.dialog.showMessageBox.mockResolvedValue({ response: 1, checkboxChecked: false }); // any prompt: 退出
    expect(await start(m3)).toEqual([]);
    await quit(m3);
  });

  it('giving up at the recovery prompt quits with the file untouched', async () => {
    const m = await freshShell();
    await start(m);
    await quit(m);
    const oldDir = m.userDataDir();
    const m2 = await freshShell();
    const file = path.join(m2.userDataDir(), DB);
    fs.copyFileSync(path.join(oldDir, DB), file); // no wrapped key at all
    const before = sha(file);
    m2.dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false }); // 退出
    const dialogs = await start(m2);
    expect(dialogs[0].detail).toContain('找不到本机保存的密钥');
    expect(m2.app.quit).toHaveBeenCalled();
    expect(m2.FakeBrowserWindow.all).toHaveLength(0);
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(m2.userDataDir())).toEqual(['connection.json', DB]);
  });

  it('a plaintext file from before is converted after a verified backup and the recovery key is shown', async () => {
    const m = await freshShell();
    const file = path.join(m.userDataDir(), DB);
    const h = await openDatabase(file, { create: true });
    h.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('marker', '\"110101199003071234\"', 'x')").run();
    await h.close();
    const dialogs = await start(m);
    const key = parseRecoveryKey(recoveryKeyShown(dialogs));
    await quit(m);
    expect(fileKind(file)).toBe('encrypted');
    expect(fs.readFileSync(file).includes(Buffer.from('110101199003071234'))).toBe(false);
    const db = openSqlite(file, { key, readonly: true });
    expect(db.prepare("SELECT value FROM settings WHERE key = 'marker'").pluck().get()).toBe('"110101199003071234"');
    db.close();
    const backups = fs.readdirSync(path.join(m.userDataDir(), 'backups')).filter((n) => /before-encrypt\.db$/.test(n));
    expect(backups).toHaveLength(1);
  });

  it('without an OS key store the file stays plaintext and the admin is told', async () => {
    const m = await freshShell();
    m.safeStorage.available = false;
    const dialogs = await start(m);
    await quit(m);
    expect(dialogs.map((d) => d.message)).toEqual(['数据文件未加密。']);
    expect(fileKind(path.join(m.userDataDir(), DB))).toBe('plain');
    expect(fs.existsSync(path.join(m.userDataDir(), `${DB}.key`))).toBe(false);
    expect(m.FakeBrowserWindow.all).toHaveLength(1);
  });
});
