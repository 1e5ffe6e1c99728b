// The desktop app's database key (encryption at rest by default). A random 256-bit key, wrapped by the operating
// system through Electron safeStorage (DPAPI on Windows, Keychain on macOS, libsecret/kwallet on Linux) and stored
// beside the data file as `<db>.key`. Only this Windows/Linux user on this PC can unwrap it.
//
// First run: the key is made and the admin is shown the recovery key once (the same key in 16 groups of four), to
// write down or save to a removable drive and lock away. An existing plaintext file (from before encryption) is
// converted in place after a verified backup (db/encrypt.ts). On another PC or user profile the wrapped key cannot be
// unwrapped: the app asks for the recovery key (a text file holding it), checks it against the data file, and wraps it
// anew for this profile. Without an OS key store (Linux without a keyring: safeStorage's "basic_text" is no
// protection) the file stays plaintext and the admin is told so.
//
// The key store and the dialogs are main's; whatever touches the data file (its kind, whether a key opens it, the
// conversion to encrypted) runs in the core process (KeyFileOps, from core-client.ts): main opens no database.
import fs from 'node:fs';
import { dialog } from 'electron';
import { storeUsable, type KeyStore } from './key-store.ts';
import { formatRecoveryKey, generateKey, parseKey, parseRecoveryKey, type DbKey } from '../db/keys.ts';
import type { FileKind } from '../db/sqlite.ts';
import { isDatabaseOpenError } from '../server/core-protocol.ts';

const TITLE = '居家隔离管理台';

export type { KeyStore };

/** The data file's side of unlocking, done by the core process. */
export interface KeyFileOps {
  fileKind(dbFile: string): Promise<FileKind>;
  /** True when `key` opens the encrypted file (read-only). */
  opens(dbFile: string, key: DbKey): Promise<boolean>;
  /** Converts a plaintext file in place after a verified backup; a DatabaseOpenError when the file cannot be opened. */
  encrypt(dbFile: string, key: DbKey): Promise<void>;
}

export function wrappedKeyFile(dbFile: string): string {
  return `${dbFile}.key`;
}

function wrap(store: KeyStore, dbFile: string, key: DbKey): void {
  const file = wrappedKeyFile(dbFile);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, store.encryptString(key), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function unwrap(store: KeyStore, dbFile: string): DbKey | null {
  try {
    return parseKey(store.decryptString(fs.readFileSync(wrappedKeyFile(dbFile))), '本机保存的密钥');
  } catch {
    return null;
  }
}

async function tell(type: 'error' | 'info' | 'warning', message: string, detail: string, buttons: string[]): Promise<number> {
  const { response } = await dialog.showMessageBox({ type, title: TITLE, message, detail, buttons, defaultId: 0, cancelId: buttons.length - 1, noLink: true });
  return response;
}

/** Shows the recovery key until the admin confirms it is kept; offers to save it to a file (e.g. a USB drive). */
async function showRecoveryKey(key: DbKey, why: string): Promise<void> {
  const printed = formatRecoveryKey(key);
  for (;;) {
    const choice = await tell(
      'warning',
      '请抄写或保存恢复密钥，并锁入保险柜',
      `${why}\n\n恢复密钥：\n${printed}\n\n数据文件已加密。换电脑、重装系统或换用户后，只有凭这个恢复密钥才能打开数据。` +
        '本窗口关闭后不会再显示。请抄写（或保存到U盘后打印），交专人锁入保险柜；不要把它和电脑放在一起。',
      ['已抄写/保存，妥善保管', '保存到文件…'],
    );
    if (choice === 0) return;
    const { canceled, filePath } = await dialog.showSaveDialog({ title: '保存恢复密钥', defaultPath: '居家隔离管理台-恢复密钥.txt' });
    if (canceled || !filePath) continue;
    try {
      fs.writeFileSync(filePath, `居家隔离管理台 数据文件恢复密钥\r\n${printed}\r\n`, { mode: 0o600 });
    } catch (e) {
      await tell('error', '恢复密钥未能保存。', `${(e as Error).message}\n请换一个位置，或抄写下来。`, ['确定']);
    }
  }
}

/** Asks for the recovery key (a text file holding it) until one opens the file; null when the user gives up. */
async function askRecoveryKey(dbFile: string, reason: string, ops: KeyFileOps): Promise<DbKey | null> {
  for (;;) {
    const choice = await tell(
      'warning',
      '需要恢复密钥才能打开数据文件',
      `${reason}\n\n请把打印或保存的恢复密钥（16 组、每组 4 个字符）存为文本文件（如放在U盘上），然后选择该文件。\n数据文件：${dbFile}\n数据文件不会被修改。`,
      ['选择恢复密钥文件…', '退出'],
    );
    if (choice !== 0) return null;
    const { canceled, filePaths } = await dialog.showOpenDialog({ title: '选择恢复密钥文件', properties: ['openFile'], filters: [{ name: '文本文件', extensions: ['txt', 'key'] }] });
    if (canceled || !filePaths?.length) continue;
    let key: DbKey;
    try {
      const text = fs.readFileSync(filePaths[0], 'utf8');
      // The file may carry a title line: take the line that holds the key.
      const line = text.split(/\r?\n/).find((l) => /^[\s0-9a-f-]{64,}$/i.test(l.trim())) ?? text;
      key = parseRecoveryKey(line);
    } catch (e) {
      await tell('error', '无法读取恢复密钥。', (e as Error).message, ['重试']);
      continue;
    }
    if (await ops.opens(dbFile, key)) return key;
    await tell('error', '恢复密钥不正确。', '这个恢复密钥打不开本数据文件。请核对后重试（数据文件未被修改）。', ['重试']);
  }
}

/** What unlocking decided: the key the core opens the file with (null: plaintext). */
export interface Unlocked {
  key: DbKey | null;
}

/**
 * Before the data file is opened: finds, creates or recovers its key (null for a plaintext file). Returns null when
 * the app must quit (the user gave up on the recovery key); files are then untouched.
 */
export async function unlockDatabase(dbFile: string, store: KeyStore, ops: KeyFileOps): Promise<Unlocked | null> {
  const kind = await ops.fileKind(dbFile);
  const hasWrapped = fs.existsSync(wrappedKeyFile(dbFile));
  const usable = storeUsable(store);
  let key = hasWrapped && usable ? unwrap(store, dbFile) : null;

  if (kind === 'encrypted') {
    if (key && (await ops.opens(dbFile, key))) return { key };
    const reason = !usable
      ? '此电脑没有可用的系统密钥存储，无法取出保存的密钥。'
      : hasWrapped
        ? '本机保存的密钥无法在此电脑或此用户下解开（数据文件可能来自另一台电脑），或与数据文件不符。'
        : '找不到本机保存的密钥（数据文件可能是从另一台电脑复制来的）。';
    key = await askRecoveryKey(dbFile, reason, ops);
    if (!key) return null;
    if (usable) wrap(store, dbFile, key);
    return { key };
  }
  if (kind === 'other') {
    // Damaged: openAppDatabase explains and offers the backups; a key at hand is kept for them.
    return { key };
  }
  if (!usable) {
    await tell('warning', '数据文件未加密。', '此电脑没有可用的系统密钥存储（Linux 需要 GNOME 密钥环或 KWallet），无法安全保存加密密钥，数据文件保持未加密。请装好密钥环后重新启动程序，届时会自动加密。', ['继续']);
    return { key: null };
  }
  const fresh = kind === 'missing' || kind === 'empty';
  if (!key) {
    key = generateKey();
    wrap(store, dbFile, key);
  }
  if (kind === 'plain') {
    try {
      await ops.encrypt(dbFile, key);
    } catch (e) {
      fs.rmSync(wrappedKeyFile(dbFile), { force: true });
      // A file this program cannot open (too new, damaged): openAppDatabase explains that next.
      if (isDatabaseOpenError(e)) return { key: null };
      await tell('warning', '数据文件未能加密，本次仍以未加密方式打开。', `${(e as Error).message}\n\n下次启动时会再次尝试。`, ['继续']);
      return { key: null };
    }
    await showRecoveryKey(key, '数据文件已加密（加密前的数据已做了经过校验的备份，在备份文件夹中，未加密，确认无误后请删除）。');
  } else if (fresh) {
    await showRecoveryKey(key, '首次使用：数据文件将加密保存。');
  }
  return { key };
}
