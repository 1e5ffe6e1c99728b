// Which way this desktop app works, kept in <userData>/connection.json: on its own database ({mode:'local'}) or as a
// client of the subdistrict's office server ({mode:'client', url, fingerprint, name, deviceId, credential}). The
// device credential (the value of the server's idesk_device cookie) is stored only wrapped by the operating system
// (Electron safeStorage: DPAPI, Keychain, libsecret), base64 in the file; without a usable key store client mode is
// refused rather than the credential written in clear.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FINGERPRINT_RE } from '../shared/connection.ts';
import { storeUsable, type KeyStore } from './key-store.ts';

export const CONNECTION_FILE_NAME = 'connection.json';

export interface ClientConnection {
  mode: 'client';
  /** The server's address, https://host:port/ (the origin the window loads and trusts). */
  url: string;
  /** SHA-256 of the server certificate (DER), 64 lowercase hex: the only certificate accepted from it. */
  fingerprint: string;
  /** This PC's device name, as paired. */
  name: string;
  deviceId: number | null;
  /** safeStorage.encryptString(credential), base64. Never the credential itself. */
  credential: string;
}

/**
 * The local app on a PostgreSQL database instead of its data file (设置 › 共享 › 服务器的数据库): the URL without its
 * password, and the password wrapped by safeStorage (base64), as the client mode keeps its device credential.
 */
export interface LocalPg {
  url: string;
  password: string | null;
}

export type Connection = { mode: 'local'; pg?: LocalPg } | ClientConnection;

/** What startup does: the stored choice, or the choice page (first start; a damaged file says why). */
export type ConnectionState = Connection | { mode: 'choose'; problem?: string };

const fileSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('local'),
    pg: z.object({ url: z.string().regex(/^postgres(ql)?:\/\/[^:@/\s]+@[^/\s]+\/[^/\s]+$/i), password: z.string().regex(/^[A-Za-z0-9+/]+=*$/).nullable() }).optional(),
  }),
  z.object({
    mode: z.literal('client'),
    url: z.string().regex(/^https:\/\/[^/?#@\s]+\/$/),
    fingerprint: z.string().regex(FINGERPRINT_RE),
    name: z.string().min(1).max(100),
    deviceId: z.number().int().nullable(),
    credential: z.string().regex(/^[A-Za-z0-9+/]+=*$/),
  }),
]);

/** Refused before anything is written: the message (Chinese) says what to do. */
export class ConnectionStoreError extends Error {
  readonly code = 'NO_SAFE_STORAGE';
}

export const NO_SAFE_STORAGE_MESSAGE =
  '此电脑没有可用的系统密钥存储，无法安全保存设备凭据，不能使用客户端模式。Windows 请用本人的账户登录后重试；Linux 需要 GNOME 密钥环或 KWallet。也可以改用浏览器访问街道服务器。';

export function connectionFile(userData: string): string {
  return path.join(userData, CONNECTION_FILE_NAME);
}

/**
 * The mode this start runs in. No file: an existing data file means an install from before the choice existed
 * (local, as it always was); otherwise the first start asks. A file that cannot be read asks again (nothing deleted).
 */
export function readConnection(userData: string, dbFile: string): ConnectionState {
  const file = connectionFile(userData);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { mode: 'choose', problem: `${file}: ${(e as Error).message}` };
    return fs.existsSync(dbFile) ? { mode: 'local' } : { mode: 'choose' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { mode: 'choose', problem: `${file}: 不是有效的 JSON` };
  }
  const checked = fileSchema.safeParse(parsed);
  return checked.success ? checked.data : { mode: 'choose', problem: `${file}: 内容不完整或格式不对` };
}

function writeAtomically(userData: string, value: Connection): void {
  fs.mkdirSync(userData, { recursive: true });
  const file = connectionFile(userData);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function writeLocalConnection(userData: string): void {
  writeAtomically(userData, { mode: 'local' });
}

export interface NewClientConnection {
  url: string;
  fingerprint: string;
  name: string;
  deviceId: number | null;
  /** The clear credential; only its safeStorage-wrapped form reaches the disk. */
  credential: string;
}

/** True when client mode can keep its credential safely on this PC. */
export function canStoreCredential(store: KeyStore): boolean {
  return storeUsable(store);
}

/** Wraps the credential and writes the client choice; throws ConnectionStoreError (nothing written) without a key store. */
export function writeClientConnection(userData: string, store: KeyStore, c: NewClientConnection): ClientConnection {
  if (!storeUsable(store)) throw new ConnectionStoreError(NO_SAFE_STORAGE_MESSAGE);
  const value: ClientConnection = {
    mode: 'client',
    url: c.url,
    fingerprint: c.fingerprint,
    name: c.name,
    deviceId: c.deviceId,
    credential: Buffer.from(store.encryptString(c.credential)).toString('base64'),
  };
  writeAtomically(userData, value);
  return value;
}

/** The clear credential; throws when this profile cannot unwrap it (another PC or user, no key store). */
export function unwrapCredential(conn: ClientConnection, store: KeyStore): string {
  if (!storeUsable(store)) throw new ConnectionStoreError(NO_SAFE_STORAGE_MESSAGE);
  return store.decryptString(Buffer.from(conn.credential, 'base64'));
}

/**
 * Keeps the database of the next start: a PostgreSQL URL (its password wrapped by the OS key store, never in clear;
 * refused with ConnectionStoreError, nothing written, without a usable key store), or null for the data file.
 */
export function writeLocalDatabase(userData: string, store: KeyStore, url: string | null): void {
  if (url === null) return writeAtomically(userData, { mode: 'local' });
  if (!storeUsable(store)) throw new ConnectionStoreError(NO_SAFE_STORAGE_MESSAGE);
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : '';
  u.password = '';
  const pg: LocalPg = { url: u.toString(), password: password ? Buffer.from(store.encryptString(password)).toString('base64') : null };
  writeAtomically(userData, { mode: 'local', pg });
}

/** The full URL of the local PostgreSQL choice, its password unwrapped; throws when this profile cannot unwrap it. */
export function localDatabaseUrl(pg: LocalPg, store: KeyStore): string {
  if (pg.password === null) return pg.url;
  if (!storeUsable(store)) throw new ConnectionStoreError(NO_SAFE_STORAGE_MESSAGE);
  const u = new URL(pg.url);
  u.password = encodeURIComponent(store.decryptString(Buffer.from(pg.password, 'base64')));
  return u.toString();
}

/** Forgets the server (back to the choice page on the next start). The office's admin revokes the device in 设置 › 设备. */
export function forgetConnection(userData: string): void {
  fs.rmSync(connectionFile(userData), { force: true });
}
