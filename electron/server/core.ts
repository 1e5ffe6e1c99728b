// What the desktop app's core process does (core-process.ts is its entry): it holds the database, builds the API's
// environment as the local app needs it (sessions, system clock, exports under 文档, the office server it may start,
// the daily and quit backups) and answers main's requests (core-protocol.ts). Main keeps the window, the menus, the
// dialogs and the OS key store; nothing here waits on them, and nothing there waits on a query.
import { SessionStore } from '../api/sessions.ts';
import type { ApiEnv } from '../api/env.ts';
import { dispatch } from '../api/dispatch.ts';
import { openDatabase, type DbHandle } from '../db/open.ts';
import { backupBeforeMigrate } from '../db/backup.ts';
import { encryptDatabaseFile } from '../db/encrypt.ts';
import { restoreNewestVerified } from '../db/restore.ts';
import { fileKind, openSqlite, setDatabaseKey } from '../db/sqlite.ts';
import { DatabaseOpenError } from '../db/open-error.ts';
import { redactUrl } from '../db/engine.ts';
import type { DbKey } from '../db/keys.ts';
import { systemClock } from '../domain/clock.ts';
import { getSettings } from '../domain/settings.ts';
import { keepWorkerReady, spareThreadId } from '../jobs/runner.ts';
import { discardAllUploads, sweepUploadFolder } from '../excel/import/uploads.ts';
import { toErrorData } from '../shared/errors.ts';
import { startAutoBackup, type AutoBackup } from './auto-backup.ts';
import { startNeedSchedules, type NeedScheduleTimer } from './need-schedules.ts';
import { desktopOffice } from './desktop-office.ts';
import type { CoreAnswers, CoreOp, CoreOpenArgs } from './core-protocol.ts';

export interface CoreHooks {
  /** 打开所在文件夹: passed on to main, which owns the file manager. */
  showItemInFolder(file: string): void;
  log?(message: string): void;
  /** 设置 › 共享 › 服务器的数据库: passed on to main, which keeps it (a full URL, or null for the data file). */
  saveServerDatabase?(url: string | null): void;
}

export class Core {
  #handle: DbHandle | null = null;
  /** The database is PostgreSQL (args.pgUrl): no file backups, no key, closed through its pool. */
  #pg = false;
  #env: ApiEnv | null = null;
  #office: ReturnType<typeof desktopOffice> | null = null;
  #backup: AutoBackup | null = null;
  #needs: NeedScheduleTimer | null = null;
  #closing: Promise<{ closed: boolean }> | null = null;
  readonly #hooks: CoreHooks;

  constructor(hooks: CoreHooks) {
    this.#hooks = hooks;
  }

  /** Runs one request; a thrown error becomes the reply's error (its name and code kept). */
  async handle(msg: CoreOp): Promise<CoreAnswers[CoreOp['op']]> {
    switch (msg.op) {
      case 'fileKind':
        return fileKind(msg.dbFile);
      case 'keyOpens':
        return keyOpens(msg.dbFile, msg.key as DbKey);
      case 'encrypt':
        await encryptDatabaseFile(msg.dbFile, msg.key as DbKey);
        return null;
      case 'open':
        return this.#open(msg);
      case 'restoreNewest':
        return restoreNewestVerified(msg.dbFile, msg.backupDir);
      case 'call':
        // Before the file is open or after shutdown began there is no database to answer from.
        if (!this.#env || this.#closing) return { ok: false, error: toErrorData(new Error('core not open')) };
        return dispatch(this.#env, msg.channel, msg.input, msg.sessionKey);
      case 'endSession':
        this.#env?.sessions.delete(msg.sessionKey);
        return null;
      case 'warmWorker':
        await keepWorkerReady(msg.on);
        return { spareThreadId: spareThreadId() };
      case 'shutdown':
        return this.shutdown(msg.backup, msg.backupTimeoutMs);
    }
  }

  async #open(args: CoreOpenArgs): Promise<CoreAnswers['open']> {
    if (this.#handle) throw new Error('the database is already open');
    // The key main unlocked (db-key.ts): this process's key for the file, its backups and the job workers.
    setDatabaseKey(args.key as DbKey | null);
    // Uploaded lists left by a crash or a killed process (names, ID numbers, phones) go once they are a day old.
    sweepUploadFolder();
    // A verified backup before any schema migration (named here so the desktop app's safety net is visible).
    // PostgreSQL: migrations run in one transaction (all or nothing); its backups are its administrator's.
    const handle = args.pgUrl ? await openPg(args.pgUrl) : await openDatabase(args.dbFile, { create: true, encrypt: args.encrypt, beforeMigrate: backupBeforeMigrate });
    this.#handle = handle;
    this.#pg = Boolean(args.pgUrl);
    const settings = await getSettings({ db: handle.db });
    // The office's time zone decides "today"; a change in 设置 applies from the next start.
    const env: ApiEnv = {
      db: handle.db,
      clock: systemClock(settings.timeZone),
      sessions: new SessionStore(),
      dbFile: args.pgUrl ? redactUrl(args.pgUrl) : args.dbFile,
      exportDir: args.exportDir,
      showItemInFolder: (file) => this.#hooks.showItemInFolder(file),
      // 恢复备份 swaps the connection: keep the one to close on quit current.
      onDatabaseReopened: (reopened) => {
        this.#handle = reopened;
      },
    };
    // 设置 › 共享 › 服务器的数据库: the database of the next start, kept by main (the password in its OS key store).
    let chosen: string | null = null;
    env.serverDatabase = {
      current: () => (args.pgUrl ? { engine: 'postgres', shown: redactUrl(args.pgUrl) } : { engine: 'sqlite', shown: args.dbFile }),
      chosen: () => chosen,
      canStore: args.canStoreSecrets ?? false,
      choose: (url) => {
        chosen = url ?? 'file';
        this.#hooks.saveServerDatabase?.(url);
      },
    };
    // 设置 › 共享: the admin may serve this database to the office network from here (same env, same sessions).
    this.#office = desktopOffice(env, { staticDir: args.staticDir, dataDir: args.dataDir });
    env.office = this.#office;
    this.#env = env;
    // Daily backup now if today has none (and hourly after), a backup on quit when anything changed. Not on
    // PostgreSQL: the database's backups are its administrator's (pg_dump), said once in the log.
    if (args.pgUrl) this.#hooks.log?.(`PostgreSQL 数据库 ${redactUrl(args.pgUrl)}：不做本机的自动备份（由数据库管理员负责），不使用文件密钥。`);
    else this.#backup = startAutoBackup(env, { log: this.#hooks.log });
    // 定期需求: today's recurring-need requests now, and every hour.
    this.#needs = startNeedSchedules(env, { log: this.#hooks.log });
    return { schemaVersion: handle.schemaVersion };
  }

  /**
   * The office server stops first (its running saves finish), then the quit backup if asked (bounded by its timeout),
   * this process's uploaded lists go, the spare worker ends, and the file is closed so the WAL is checkpointed.
   */
  shutdown(backup: boolean, backupTimeoutMs?: number): Promise<{ closed: boolean }> {
    this.#closing ??= (async () => {
      await (this.#office?.close() ?? Promise.resolve()).catch(() => {});
      await this.#needs?.stop();
      const auto = this.#backup;
      // A backup still running (the daily one, or the quit backup past its timeout) is waited for within the limit:
      // its connection must close before the file's, or the WAL is left behind. Past the limit it is abandoned.
      const limit = backupTimeoutMs ?? 60_000;
      const bounded = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, limit).unref())]);
      if (auto && backup) await bounded(auto.onQuit().then(() => auto.stop()));
      else if (auto) await bounded(auto.stop());
      discardAllUploads();
      await keepWorkerReady(false);
      const h = this.#handle;
      this.#handle = null;
      // Synchronous close: the WAL is checkpointed into the file before the process exits. PostgreSQL: the pool ends.
      if (h && this.#pg) await h.close().catch(() => {});
      else if (h?.sqlite.open) h.sqlite.close();
      return { closed: h !== null };
    })();
    return this.#closing;
  }
}

/** The PostgreSQL database of 设置 › 共享, migrated if it is older (one transaction), as a DbHandle. */
async function openPg(url: string): Promise<DbHandle> {
  const { openPostgres, pgAsDbHandle, preparePgStatements } = await import('../db/postgres.ts');
  const h = await openPostgres(url);
  preparePgStatements(h.db);
  return pgAsDbHandle(h);
}

/** True when `key` opens the encrypted file (read-only; nothing is written). */
function keyOpens(dbFile: string, key: DbKey): boolean {
  try {
    openSqlite(dbFile, { key, readonly: true, fileMustExist: true }).close();
    return true;
  } catch (e) {
    if (e instanceof DatabaseOpenError) return false;
    throw e;
  }
}
