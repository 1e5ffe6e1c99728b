// The serve command's process: opens the database (a file left by a power cut or kill -9 is recovered by SQLite's
// WAL; or a PostgreSQL database, --db postgres://…), starts the office server with the saved LAN settings unless
// --host overrides them, prints where it listens, and on SIGTERM/SIGINT stops gracefully and closes the database.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DbHandle } from '../db/open.ts';
import { isPostgresUrl, redactUrl } from '../db/engine.ts';
import { SessionStore } from '../api/sessions.ts';
import { PgSavedSessions, SavedSessions } from './saved-sessions.ts';
import type { ApiEnv } from '../api/env.ts';
import { systemClock } from '../domain/clock.ts';
import { getSettings } from '../domain/settings.ts';
import type { Settings } from '../shared/settings.ts';
import { keepWorkerReady } from '../jobs/runner.ts';
import { discardAllUploads, sweepUploadFolder } from '../excel/import/uploads.ts';
import { LOOPBACK, startOfficeServer } from './index.ts';
import { groupFingerprint } from '../shared/connection.ts';
import { ensureRendererBuilt, RENDERER_OUT } from './build.ts';
import { startNeedSchedules } from './need-schedules.ts';

export interface ServeOptions {
  /** A database file, or a PostgreSQL URL (postgres://user:password@host:port/name). */
  file: string;
  /** Certificate, log and exports folder; default beside the file, or for PostgreSQL defaultServeDir(url). */
  dataDir?: string;
  host?: string;
  port?: number;
  certFile?: string;
  keyFile?: string;
  json: boolean;
  /** Resolves to stop the server (default: the first SIGTERM or SIGINT). */
  until?: Promise<unknown>;
}

/** Where serve listens: --host if given, else the LAN interface the admin chose in 设置 › 共享, else loopback only. */
export function serveHost(settings: Pick<Settings, 'serverLan' | 'serverHost'>, hostArg?: string): string {
  if (hostArg !== undefined) return hostArg;
  return settings.serverLan ? settings.serverHost || '0.0.0.0' : LOOPBACK;
}

/**
 * Where serve on PostgreSQL keeps its certificate (the fingerprint PCs pinned), log and exports when --data-dir is not
 * given: a folder per database under the user's home, named by host, port and database (never the password).
 */
export function defaultServeDir(url: string): string {
  const u = new URL(url);
  const name = `${u.hostname}_${u.port || '5432'}_${decodeURIComponent(u.pathname.slice(1)) || 'postgres'}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const tag = crypto.createHash('sha256').update(`${u.username}@${u.host}${u.pathname}`).digest('hex').slice(0, 8);
  return path.join(os.homedir(), '.isolation-desk', 'serve', `${name}-${tag}`);
}

/**
 * What serve does differently on PostgreSQL (printed at start and written to the log): the file-only parts are left
 * to PostgreSQL and its administrator.
 */
export const PG_SERVE_NOTES = [
  'PostgreSQL：不做本机文件的自动备份和退出时备份（数据库的备份由数据库管理员负责，如 pg_dump）。',
  'PostgreSQL：不使用数据库文件密钥（ISOLATION_DESK_DB_KEY 不适用；数据的保护靠数据库服务器的权限、TLS 连接和磁盘加密）。',
  'PostgreSQL：不做文件整理（VACUUM 由 PostgreSQL 的 autovacuum 负责），不加文件锁（几台服务器可以连接同一数据库）。',
  'PostgreSQL：变更推送由 LISTEN idesk_change_log 唤醒，轮询只作后备。',
];

/** Opens the served database: a file (must exist: init first), or a PostgreSQL database (initialised by init). */
async function openServed(target: string): Promise<{ handle: DbHandle; saved: (now: number) => Promise<SavedSessions | PgSavedSessions> }> {
  if (!isPostgresUrl(target)) {
    const handle = await openDatabase(target, { create: false });
    return {
      handle,
      saved: async (now) => {
        const s = new SavedSessions(handle.sqlite);
        s.prune(now);
        return s;
      },
    };
  }
  const { openPostgres, pgAsDbHandle, migratePg, preparePgStatements } = await import('../db/postgres.ts');
  const { DatabaseOpenError } = await import('../db/open-error.ts');
  const pg = await openPostgres(target, { migrate: false });
  try {
    if (pg.schemaVersion === 0) {
      throw new DatabaseOpenError('missing', `PostgreSQL 数据库 ${pg.url} 还没有初始化。请先运行：isolation-desk init --db <同一地址>`);
    }
    const { latestVersion } = await import('../db/migrations/index.ts');
    if (pg.schemaVersion < latestVersion) pg.schemaVersion = await migratePg(pg.db);
  } catch (e) {
    await pg.close();
    throw e;
  }
  // Migrated: the office server's statements are prepared once per connection from here on.
  preparePgStatements(pg.db);
  const handle = pgAsDbHandle(pg);
  return { handle, saved: (now) => PgSavedSessions.open(pg.db, now) };
}

const signal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });

export async function runServe(opts: ServeOptions): Promise<{ url: string; stoppedBy: string }> {
  const stop = opts.until ?? signal();
  const onPg = isPostgresUrl(opts.file);
  const shown = onPg ? redactUrl(opts.file) : opts.file;
  const dataDir = opts.dataDir ?? (onPg ? defaultServeDir(opts.file) : path.dirname(opts.file));
  const { handle, saved: openSaved } = await openServed(opts.file);
  try {
    // Tests serve a stand-in page instead of building the interface.
    const staticDir = process.env.ISOLATION_DESK_STATIC_DIR || RENDERER_OUT;
    if (!process.env.ISOLATION_DESK_STATIC_DIR) {
      const built = await ensureRendererBuilt((line) => process.stderr.write(`${line}\n`));
      if (built.built) process.stderr.write(`界面构建完成（${(built.ms / 1000).toFixed(1)} 秒）。\n`);
    }
    sweepUploadFolder();
    const settings = await getSettings({ db: handle.db });
    // Sessions in the database: PCs stay logged in across a restart of the server (saved-sessions.ts).
    const saved = await openSaved(Date.now());
    const env: ApiEnv = {
      db: handle.db,
      clock: systemClock(settings.timeZone),
      sessions: new SessionStore(saved),
      // On PostgreSQL the URL without its password: messages and audit rows may name it.
      dbFile: shown,
      exportDir: path.join(dataDir, 'exports'),
      onDatabaseReopened: (h) => {
        reopened = h;
        if (saved instanceof SavedSessions) saved.useDatabase(h.sqlite);
      },
    };
    let reopened = handle;
    const host = serveHost(settings, opts.host);
    const server = await startOfficeServer({
      env,
      staticDir,
      host,
      port: opts.port ?? settings.serverPort,
      tls: { certDir: path.join(dataDir, 'office-server'), certFile: opts.certFile, keyFile: opts.keyFile },
      logFile: path.join(dataDir, 'logs', 'office-server.log'),
      // A file's verified daily and shutdown backups; a PostgreSQL database is backed up by its administrator.
      backups: !onPg,
      notes: onPg ? [`数据库：${shown}（PostgreSQL）`, ...PG_SERVE_NOTES] : undefined,
    });
    env.office = server.control;
    // 定期需求: today's recurring-need requests now, and every hour while the server runs.
    const needs = startNeedSchedules(env, { log: (m) => process.stderr.write(`${m}\n`) });
    // Jobs run in this thread on PostgreSQL (jobs/runner.ts): no spare worker to keep.
    if (!onPg) void keepWorkerReady(true);
    if (opts.json) process.stdout.write(`${JSON.stringify({ url: server.url, fingerprint: server.fingerprint, ...(onPg ? { engine: 'postgres', db: shown, dataDir } : {}) })}\n`);
    else
      process.stdout.write(
        [
          `居家隔离管理台 街道服务器已启动：${server.url}`,
          `数据库：${shown}${onPg ? '（PostgreSQL）' : ''}`,
          ...(onPg ? [`证书、日志和导出文件夹：${dataDir}`, ...PG_SERVE_NOTES] : []),
          `证书指纹（SHA-256，配对时核对）：${groupFingerprint(server.fingerprint ?? '')}`,
          host === LOOPBACK ? '只接受本机访问（在“设置 › 共享”中开启局域网，或用 --host 指定网卡地址）。' : `监听 ${host}，局域网内的电脑可以连接。`,
          '按 Ctrl+C 停止。',
          '',
        ].join('\n'),
      );
    const stoppedBy = String(await stop);
    await needs.stop();
    discardAllUploads();
    await server.close();
    if (saved instanceof PgSavedSessions) await saved.flush();
    if (!onPg) await keepWorkerReady(false);
    await reopened.close();
    return { url: server.url, stoppedBy };
  } catch (e) {
    await handle.close().catch(() => {});
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`端口已被占用：${opts.port}。请换一个端口（--port），或先停止正在运行的服务器。`, { cause: e });
    if (err.code === 'EADDRNOTAVAIL') throw new Error(`本机没有地址 ${opts.host}。请在“设置 › 共享”中重新选择网卡，或用 --host 指定本机的地址。`, { cause: e });
    throw e;
  }
}
