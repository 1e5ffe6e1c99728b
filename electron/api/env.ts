// What the API layer runs against: one database, a clock, the session store, and where files live.
import path from 'node:path';
import type { Db, DbHandle } from '../db/open.ts';
import type { Clock } from '../domain/clock.ts';
import type { Ctx } from '../domain/context.ts';
import type { SessionStore } from './sessions.ts';
import { forbidden } from '../shared/errors.ts';

export interface ApiEnv {
  db: Db;
  clock: Clock;
  sessions: SessionStore;
  /** The database file path (':memory:' in tests); backups and exports are placed relative to it. */
  dbFile: string;
  /** Folder for exported reports when the caller does not choose one. */
  exportDir?: string;
  /** A restore (backups.restore / undoRestore) closed `db` and set a new one: the shell closes this handle on quit. */
  onDatabaseReopened?: (handle: DbHandle) => void;
  /**
   * The caller is the operator on this machine who holds the database file (the command line): a channel may then
   * write to an exact path they name (reports.export outFile, backups.create out). Never set for the window or browser
   * mode, whose users name no server paths.
   */
  localFiles?: boolean;
  /**
   * Jobs (import, export) run in this thread on this handle of `db`'s file instead of a worker thread (jobs/runner.ts
   * `inline`): the command line, one caller with nothing else to keep responsive. Same job functions, same checks.
   */
  inlineJobs?: DbHandle;
  /** The desktop shell's file manager (shell.showItemInFolder); absent in browser mode and the CLI. */
  showItemInFolder?: (file: string) => void;
  /** The office server serving this database, when one runs (serve) or can be started here (the desktop app). */
  office?: OfficeControl;
  /** The desktop app: which database it opens at start (设置 › 共享 › 服务器的数据库). */
  serverDatabase?: ServerDatabaseControl;
}

/** The desktop app's choice of database; main keeps it (a PostgreSQL password only wrapped by the OS key store). */
export interface ServerDatabaseControl {
  current(): { engine: 'sqlite' | 'postgres'; shown: string };
  /** What the next start opens when it was changed here: a full URL, 'file', or null (unchanged). */
  chosen(): string | null;
  /** Main can keep a password safely (its OS key store is usable). */
  canStore: boolean;
  /** Hands the choice to main (a full URL, or null for the data file). */
  choose(url: string | null): void;
}

/** What the API knows of the office server (electron/server): its status, and start/stop where the transport allows. */
export interface OfficeControl {
  status(): { running: boolean; url: string | null; fingerprint: string | null; host: string | null; port: number | null };
  canControl: boolean;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** A device was revoked: end its sessions and close its live connections now. */
  deviceRevoked?(deviceId: number): void;
}

/** What a handler receives: the domain context plus the session slot of the caller. */
export interface HandlerCtx extends Ctx {
  env: ApiEnv;
  sessionKey: string;
  /** The paired device the call came from, over the office server. */
  deviceId?: number;
}

/** An exact output path named by the caller: only where env.localFiles says the caller may (the command line). */
export function localFile(env: Pick<ApiEnv, 'localFiles'>, file: string): string {
  if (!env.localFiles) throw forbidden('files.localOnly');
  return path.resolve(file);
}
