// The serve command's process: opens the database (a file left by a power cut or kill -9 is recovered by SQLite's
// WAL), starts the office server with the saved LAN settings unless --host overrides them, prints where it listens,
// and on SIGTERM/SIGINT stops gracefully and closes the file.
import path from 'node:path';
import { openDatabase } from '../db/open.ts';
import { SessionStore } from '../api/sessions.ts';
import { SavedSessions } from './saved-sessions.ts';
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
  file: string;
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

const signal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });

export async function runServe(opts: ServeOptions): Promise<{ url: string; stoppedBy: string }> {
  const stop = opts.until ?? signal();
  const handle = await openDatabase(opts.file, { create: false });
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
    const saved = new SavedSessions(handle.sqlite);
    saved.prune(Date.now());
    const env: ApiEnv = {
      db: handle.db,
      clock: systemClock(settings.timeZone),
      sessions: new SessionStore(saved),
      dbFile: opts.file,
      exportDir: path.join(path.dirname(opts.file), 'exports'),
      onDatabaseReopened: (h) => {
        reopened = h;
        saved.useDatabase(h.sqlite);
      },
    };
    let reopened = handle;
    const host = serveHost(settings, opts.host);
    const server = await startOfficeServer({
      env,
      staticDir,
      host,
      port: opts.port ?? settings.serverPort,
      tls: { certDir: path.join(path.dirname(opts.file), 'office-server'), certFile: opts.certFile, keyFile: opts.keyFile },
      logFile: path.join(path.dirname(opts.file), 'logs', 'office-server.log'),
      backups: true,
    });
    env.office = server.control;
    // 定期需求: today's recurring-need requests now, and every hour while the server runs.
    const needs = startNeedSchedules(env, { log: (m) => process.stderr.write(`${m}\n`) });
    void keepWorkerReady(true);
    if (opts.json) process.stdout.write(`${JSON.stringify({ url: server.url, fingerprint: server.fingerprint })}\n`);
    else
      process.stdout.write(
        [
          `居家隔离管理台 街道服务器已启动：${server.url}`,
          `数据库：${opts.file}`,
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
    await keepWorkerReady(false);
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
