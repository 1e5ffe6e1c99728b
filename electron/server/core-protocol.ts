// The messages between the desktop app's two processes: main (window, menus, dialogs, the OS key store) and the core
// (database, API handlers, jobs, office server, backups: core-process.ts). Pure types and two helpers, shared by both
// sides. Main sends requests with an id; the core answers each with a reply of the same id, in any order.
import type { ApiResult } from '../api/dispatch.ts';
import type { DamagedRestoreOutcome } from '../db/restore.ts';
import type { FileKind } from '../db/sqlite.ts';

/** What main tells the core when it opens the database (the key unlocked by main with the OS key store). */
export interface CoreOpenArgs {
  dbFile: string;
  /** The unlocked key of an encrypted file (hex); null for a plaintext file. Never logged. */
  key: string | null;
  /** A new file is created encrypted with the key. */
  encrypt: boolean;
  /** Reports, audit exports and purge exports (under 文档). */
  exportDir: string;
  /** The built renderer the office server hands to browsers. */
  staticDir: string;
  /** Where the office server's certificate and log live (beside the database). */
  dataDir: string;
  /**
   * A PostgreSQL database to open instead of the file (设置 › 共享 › 服务器的数据库), with its password (unwrapped by
   * main from the OS key store; never logged or shown — messages use its redacted form).
   */
  pgUrl?: string | null;
  /** Main's OS key store can keep a database password (设置 › 共享 › 服务器的数据库 may choose PostgreSQL). */
  canStoreSecrets?: boolean;
}

export type CoreOp =
  /** What the data file is (missing, plain, encrypted…), read from its header. */
  | { op: 'fileKind'; dbFile: string }
  /** True when the key opens the encrypted file (opened read-only, nothing written). */
  | { op: 'keyOpens'; dbFile: string; key: string }
  /** Converts a plaintext file in place after a verified backup (db/encrypt.ts). */
  | { op: 'encrypt'; dbFile: string; key: string }
  /** Opens (or creates) the database, then starts everything that runs on it. Fails with the open error's code. */
  | ({ op: 'open' } & CoreOpenArgs)
  /** A damaged file: the newest verified backup from `backupDir` takes its place (the damaged file is kept aside). */
  | { op: 'restoreNewest'; dbFile: string; backupDir: string }
  /** One API call from the window (main checked its sender). */
  | { op: 'call'; channel: string; input: unknown; sessionKey: string }
  /** The window's page is gone: its login ends. */
  | { op: 'endSession'; sessionKey: string }
  /** A spare job worker on (the window has shown) or off. */
  | { op: 'warmWorker'; on: boolean }
  /** Quit: office server off, the quit backup if asked, uploads deleted, the file closed (WAL checkpointed); then exit. */
  | { op: 'shutdown'; backup: boolean; backupTimeoutMs?: number };

export type CoreRequest = CoreOp & { id: number };

/** What each request answers with. */
export interface CoreAnswers {
  fileKind: FileKind;
  keyOpens: boolean;
  encrypt: null;
  open: { schemaVersion: number };
  restoreNewest: DamagedRestoreOutcome | null;
  call: ApiResult<unknown>;
  endSession: null;
  warmWorker: { spareThreadId: number | null };
  shutdown: { closed: boolean };
}

/** An error crossing the process boundary: its name and code survive (DatabaseOpenError's 'damaged', 'too_new'…). */
export interface CoreErrorData {
  name: string;
  code?: string;
  message: string;
}

export type CoreReply = { type: 'reply'; id: number; ok: true; value: unknown } | { type: 'reply'; id: number; ok: false; error: CoreErrorData };

export type FromCore =
  | CoreReply
  /** Sent once the core listens: main sends nothing before. */
  | { type: 'ready' }
  /** 打开所在文件夹 after an export: main owns the file manager (shell.showItemInFolder). */
  | { type: 'showItemInFolder'; file: string }
  /** 设置 › 共享 chose the database of the next start: main keeps it (the password wrapped by the OS key store). */
  | { type: 'serverDatabase'; url: string | null };

/** An error rebuilt on main's side from CoreErrorData. */
export class CoreError extends Error {
  readonly code: string | undefined;
  constructor(data: CoreErrorData) {
    super(data.message);
    this.name = data.name;
    this.code = data.code;
  }
}

export function toCoreError(e: unknown): CoreErrorData {
  const err = e as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: typeof err?.name === 'string' ? err.name : 'Error',
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}

/** True for a DatabaseOpenError, here or from the core (db/open-error.ts): `code` says why. */
export function isDatabaseOpenError(e: unknown): e is { name: 'DatabaseOpenError'; code: string; message: string } {
  return (e as { name?: unknown })?.name === 'DatabaseOpenError' && typeof (e as { code?: unknown }).code === 'string';
}
