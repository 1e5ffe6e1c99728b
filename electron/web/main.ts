// `npm run web -- [--db F] [--port P] [--now ISO]`: browser mode for tests, demos and screenshots. Builds the renderer
// when needed, opens an existing database (never creates one), and serves it on http://127.0.0.1:P/ only: the office
// server (electron/server) bound to loopback, without TLS and pairing. Other PCs use `isolation-desk serve` instead.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DatabaseOpenError, openDatabase } from '../db/open.ts';
import { resolveKey } from '../db/keys.ts';
import { setDatabaseKey } from '../db/sqlite.ts';
import { isPostgresUrl, redactUrl } from '../db/engine.ts';
import { SessionStore } from '../api/sessions.ts';
import type { ApiEnv } from '../api/env.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { getSettings } from '../domain/settings.ts';
import { ensureRendererBuilt, RENDERER_OUT } from '../server/build.ts';
import { startOfficeServer } from '../server/index.ts';
import { keepWorkerReady } from '../jobs/runner.ts';
import { discardAllUploads, sweepUploadFolder } from '../excel/import/uploads.ts';

export const DEFAULT_DB = path.join('data', 'isolation-desk.db');
export const DEFAULT_PORT = 5178;

const USAGE = `用法：npm run web -- [--db 文件] [--port 端口] [--now 时间]

  --db     数据库文件，默认 ${DEFAULT_DB}（先用 npm run cli -- init --db 文件 创建）；
           或 PostgreSQL 地址 postgres://角色:密码@主机:端口/库名（已 init 的库；区级只读角色即区级只读界面）
  --port   端口，默认 ${DEFAULT_PORT}；0 表示自动选择空闲端口
  --now    让系统时钟从指定时刻开始走（ISO 格式，如 2022-01-20T09:00:00+08:00），用于演示和测试
  --key-file  加密数据库的密钥文件（仅所有者可读）；省略时用环境变量 ISOLATION_DESK_DB_KEY

只在本机 127.0.0.1 上提供服务，不对局域网开放。按 Ctrl+C 停止。`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** A clock that starts at `startIso` and then runs at real speed (demo data stays "today" while sessions still age). */
export function shiftedClock(startIso: string, timeZone: string): Clock {
  const start = Date.parse(startIso);
  const base = Date.now();
  return { now: () => new Date(start + (Date.now() - base)), timeZone };
}

async function main(): Promise<void> {
  let values: { db?: string; port?: string; now?: string; 'key-file'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { db: { type: 'string' }, port: { type: 'string' }, now: { type: 'string' }, 'key-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    fail(`参数不正确：${(e as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const onPg = isPostgresUrl(values.db ?? '');
  const dbFile = onPg ? values.db! : path.resolve(values.db ?? process.env.ISOLATION_DESK_DB ?? DEFAULT_DB);
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`端口不正确：${values.port}（应为 0–65535 的整数）`);
  if (values.now !== undefined && Number.isNaN(Date.parse(values.now))) fail(`--now 时间不正确：${values.now}（例：2022-01-20T09:00:00+08:00）`);

  let handle;
  try {
    // The key of an encrypted file: used for the database, its backups and the job workers (db/sqlite.ts).
    // PostgreSQL: an initialised database as it is (never migrated here: a bound role could not), e.g. as the district
    // reader (区级只读) to see that screen.
    if (onPg) {
      const { openPostgres, pgAsDbHandle } = await import('../db/postgres.ts');
      handle = pgAsDbHandle(await openPostgres(dbFile, { migrate: false }));
    } else {
      setDatabaseKey(resolveKey(values['key-file']));
      handle = await openDatabase(dbFile, { create: false });
    }
  } catch (e) {
    if (e instanceof DatabaseOpenError && e.code === 'missing') {
      fail(`数据库文件不存在：${dbFile}\n请先创建：npm run cli -- init --db ${values.db ?? DEFAULT_DB}\n（演示数据：再运行 npm run cli -- seed-demo --db ${values.db ?? DEFAULT_DB}）`);
    }
    fail(e instanceof Error ? e.message : String(e));
  }
  // The database first: a wrong path should fail at once, not after a half-minute build.
  try {
    const built = await ensureRendererBuilt((line) => process.stdout.write(`${line}\n`));
    if (built.built) process.stdout.write(`界面构建完成（${(built.ms / 1000).toFixed(1)} 秒）。\n`);
  } catch (e) {
    await handle.close();
    fail(`界面构建失败：${(e as Error).message}`);
  }
  // As in the app: uploaded lists left by a crash or a killed process go once they are a day old.
  sweepUploadFolder();
  const { timeZone } = await getSettings({ db: handle.db });
  const clock = values.now ? shiftedClock(values.now, timeZone) : systemClock(timeZone);
  const shown = onPg ? redactUrl(dbFile) : dbFile;
  const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: shown, exportDir: path.join(onPg ? path.dirname(path.resolve(DEFAULT_DB)) : path.dirname(dbFile), 'exports') };

  let server;
  try {
    // The office server's code on loopback, without TLS or pairing: one person on this computer.
    server = await startOfficeServer({ env, staticDir: RENDERER_OUT, host: '127.0.0.1', port, tls: false, requirePairing: false });
  } catch (e) {
    await handle.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') fail(`端口 ${port} 已被占用。请换一个端口：npm run web -- --port ${port + 1}（或 --port 0 自动选择）`);
    fail(`无法启动服务：${err.message}`);
  }
  // As in the app: a spare worker with the import and export code loaded waits for the first job.
  if (!onPg) void keepWorkerReady(true);
  process.stdout.write(`居家隔离管理台（浏览器模式）已启动，数据库：${shown}\n请在浏览器中打开：${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    discardAllUploads();
    if (!onPg) await keepWorkerReady(false);
    await server.close();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
