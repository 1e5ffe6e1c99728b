// What the API layer runs against: one database, a clock, the session store, and where files live.
import type { Db, DbHandle } from '../db/open.ts';
import type { Clock } from '../domain/clock.ts';
import type { Ctx } from '../domain/context.ts';
import type { SessionStore } from './sessions.ts';

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
  /** The desktop shell's file manager (shell.showItemInFolder); absent in browser mode and the CLI. */
  showItemInFolder?: (file: string) => void;
}

/** What a handler receives: the domain context plus the session slot of the caller. */
export interface HandlerCtx extends Ctx {
  env: ApiEnv;
  sessionKey: string;
}
