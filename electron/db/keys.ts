// Database keys: 256 random bits written as 64 hex characters. The CLI and the office server read the key from a key
// file (owner-only permissions) or the environment variable ISOLATION_DESK_DB_KEY; the desktop app keeps it wrapped
// by the operating system (electron/main/db-key.ts). The recovery key printed for the admin is the same key, in
// groups of four, so it can reopen the file on another PC (or be put in a key file for the CLI).
// Messages never contain the key or any part of the file's contents.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { DatabaseOpenError } from './open-error.ts';

export type DbKey = string & { readonly __dbKey: unique symbol };

export const KEY_ENV = 'ISOLATION_DESK_DB_KEY';

const HEX64 = /^[0-9a-f]{64}$/;

function keyError(message: string): DatabaseOpenError {
  return new DatabaseOpenError('key', message);
}

/** A fresh random key. */
export function generateKey(): DbKey {
  return crypto.randomBytes(32).toString('hex') as DbKey;
}

/** 64 hex characters (either case, surrounding whitespace ignored); `where` names the source in the message. */
export function parseKey(text: string, where: string): DbKey {
  const t = text.trim().toLowerCase();
  if (!HEX64.test(t)) throw keyError(`${where}不是有效的数据库密钥：应为 64 位十六进制字符（0-9、a-f），实际为 ${t.length} 个字符${t.length && !/^[0-9a-f]*$/.test(t) ? '且含有其他字符' : ''}。`);
  return t as DbKey;
}

/** Reads a key file; on POSIX a file that group or others may read is refused (chmod 600). */
export function readKeyFile(file: string): DbKey {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw keyError(`找不到密钥文件：${file}。`);
  }
  if (!stat.isFile()) throw keyError(`密钥文件不是普通文件：${file}。`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw keyError(`密钥文件 ${file} 的权限为 ${(stat.mode & 0o777).toString(8)}，其他用户也能读取。请执行 chmod 600 ${file}（只允许文件所有者读写）后重试。`);
  }
  if (stat.size > 4096) throw keyError(`密钥文件 ${file} 过大，不是密钥文件。`);
  return parseKey(fs.readFileSync(file, 'utf8'), `密钥文件 ${file} `);
}

/** Writes a new key file readable by its owner only; an existing file is never overwritten. */
export function writeKeyFile(file: string, key: DbKey): void {
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
}

/** The key from --key-file when given, else from ISOLATION_DESK_DB_KEY, else null. */
export function resolveKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): DbKey | null {
  if (keyFile !== undefined) return readKeyFile(keyFile);
  const fromEnv = env[KEY_ENV];
  if (fromEnv === undefined || fromEnv.trim() === '') return null;
  return parseKey(fromEnv, `环境变量 ${KEY_ENV} `);
}

/** The key as the admin prints it: 16 groups of 4 upper-case hex characters. */
export function formatRecoveryKey(key: DbKey): string {
  return key.toUpperCase().match(/.{4}/g)!.join('-');
}

/** A typed-in recovery key: groups separated by '-' or spaces, either case. */
export function parseRecoveryKey(text: string): DbKey {
  return parseKey(text.replace(/[\s-]+/g, ''), '恢复密钥');
}
