// A backup of a PostgreSQL database (`backup --db postgres://… --out F`): pg_dump's custom format, taken in the snapshot
// the row counts and the audit chain head are read in (pg_export_snapshot + pg_dump --snapshot), then verified by
// pg_restore into a scratch database (created from template0 and dropped afterwards) whose every table's row count,
// audit chain head and whole chain are compared. A role without CREATEDB cannot make the scratch database: then the
// dump is checked with `pg_restore --list` (every table has its data in the archive) and the result says so.
//
// The client programs are Debian's (postgresql-client): the newest /usr/lib/postgresql/<major>/bin, or the folder
// IDESK_PG_BIN names. pg_dump refuses a server of a newer major version, so that is checked first with a clear message.
// The password goes to the programs in PGPASSWORD (their environment), never on their command line or in any output.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { openPostgres } from '../postgres.ts';
import { redactUrl } from '../engine.ts';
import { verifyAuditChain } from '../audit-chain.ts';

export interface PgTools {
  bin: string;
  pgDump: string;
  pgRestore: string;
  /** Major version of the client programs (15 for "pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)"). */
  major: number;
  version: string;
}

export class PgBackupError extends Error {
  readonly code: 'PG_TOOLS_MISSING' | 'PG_TOOLS_TOO_OLD' | 'PG_DUMP_FAILED' | 'OUT_EXISTS';
  constructor(message: string, code: PgBackupError['code']) {
    super(message);
    this.code = code;
  }
}

export interface PgBackupResult {
  file: string;
  size: number;
  /** Rows of every table of the schema, in the dump's snapshot. */
  counts: Record<string, number>;
  /** The newest audit row in the dump's snapshot (null: no audit rows yet). */
  chainHead: { id: number; hash: string } | null;
  schemaVersion: number;
  /** 'restored': restored into a scratch database and compared; 'listed': only pg_restore --list (no CREATEDB). */
  verified: 'restored' | 'listed';
  ok: boolean;
  problems: string[];
  /** Why the restore check was not possible ('listed'). */
  note: string | null;
  tools: { version: string; bin: string };
  serverVersion: string;
}

/** The folders to look in for pg_dump: IDESK_PG_BIN alone when set, else Debian's per-version folders, newest first. */
function candidateBins(): string[] {
  if (process.env.IDESK_PG_BIN) return [process.env.IDESK_PG_BIN];
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v));
  } catch {
    versions = [];
  }
  return versions.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(root, v, 'bin'));
}

function run(exe: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 6 * 3600_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < 4_000_000) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 100_000) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** pg_dump and pg_restore of one folder, with their major version; a clear Chinese message when there are none. */
export async function findPgTools(): Promise<PgTools> {
  for (const bin of candidateBins()) {
    const pgDump = path.join(bin, 'pg_dump');
    const pgRestore = path.join(bin, 'pg_restore');
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) continue;
    const v = await run(pgDump, ['--version'], { PATH: process.env.PATH ?? '' }, 30_000).catch(() => null);
    const m = v && /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(v.stdout);
    if (!m) continue;
    return { bin, pgDump, pgRestore, major: Number(m[1]), version: v.stdout.trim() };
  }
  const where = process.env.IDESK_PG_BIN ? `IDESK_PG_BIN 指定的 ${process.env.IDESK_PG_BIN}` : '/usr/lib/postgresql/<版本>/bin';
  throw new PgBackupError(
    `找不到 PostgreSQL 的备份程序 pg_dump 和 pg_restore（在 ${where} 中）。请安装 Debian 的 postgresql-client 软件包（版本不低于数据库服务器，如 apt-get install postgresql-client-15），或用环境变量 IDESK_PG_BIN 指定其所在目录。未做备份。 / pg_dump and pg_restore not found: install postgresql-client (not older than the server) or set IDESK_PG_BIN.`,
    'PG_TOOLS_MISSING',
  );
}

/** Connection settings for the client programs, from the URL: PG* environment variables (the password included). */
export function pgClientEnv(url: string, database?: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const q = u.searchParams;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'isolation-desk-backup' };
  const host = q.get('host') ?? decodeURIComponent(u.hostname);
  if (host) env.PGHOST = host;
  if (u.port || q.get('port')) env.PGPORT = u.port || q.get('port')!;
  if (u.username || q.get('user')) env.PGUSER = decodeURIComponent(u.username) || q.get('user')!;
  if (u.password || q.get('password')) env.PGPASSWORD = decodeURIComponent(u.password) || q.get('password')!;
  env.PGDATABASE = database ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (q.get('sslmode')) env.PGSSLMODE = q.get('sslmode')!;
  return env;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Every base table of the schema and its rows, and the chain head, read by `client` (inside its transaction). */
async function readState(client: pg.ClientBase): Promise<{ counts: Record<string, number>; chainHead: PgBackupResult['chainHead']; schemaVersion: number }> {
  const tables = (
    await client.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
  ).rows.map((r) => r.t);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(t)}`)).rows[0].n);
  const head = tables.includes('audit_log') ? (await client.query<{ id: string; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1')).rows[0] : undefined;
  const v = tables.includes('schema_migrations') ? (await client.query<{ v: string | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0].v : null;
  return { counts, chainHead: head ? { id: Number(head.id), hash: head.hash } : null, schemaVersion: Number(v ?? 0) };
}

function compare(what: string, a: PgBackupResult['counts'], b: PgBackupResult['counts']): string[] {
  const problems: string[] = [];
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[t] !== b[t]) problems.push(`${what}表 ${t} 的记录数 ${b[t] ?? '（缺少此表）'} 与原库 ${a[t] ?? '（无此表）'} 不一致`);
  }
  return problems;
}

/**
 * Dumps the database of `url` to `out` (must not exist) and verifies the dump. Throws PgBackupError when the programs
 * are missing or too old, or pg_dump fails (no file left behind); a dump that fails verification is returned with
 * ok false and its problems.
 */
export async function dumpPostgres(url: string, out: string): Promise<PgBackupResult> {
  if (fs.existsSync(out)) throw new PgBackupError(`备份文件已存在：${out}。请换一个文件名，不会覆盖已有文件。`, 'OUT_EXISTS');
  const tools = await findPgTools();
  const shown = redactUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'isolation-desk-backup', connectionTimeoutMillis: 10_000 });
  await client.connect();
  let state: Awaited<ReturnType<typeof readState>>;
  let serverVersion: string;
  let mayCreateDb: boolean;
  try {
    serverVersion = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
    const serverMajor = Math.floor(Number((await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0].n) / 10000);
    if (tools.major < serverMajor) {
      throw new PgBackupError(
        `${tools.pgDump} 的版本（${tools.major}）低于数据库服务器（PostgreSQL ${serverMajor}），pg_dump 不能备份更新版本的服务器。请安装 postgresql-client-${serverMajor}，或用 IDESK_PG_BIN 指定其目录。未做备份。 / pg_dump ${tools.major} is older than the server (${serverMajor}).`,
        'PG_TOOLS_TOO_OLD',
      );
    }
    mayCreateDb = (await client.query<{ ok: boolean }>('SELECT rolcreatedb OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user')).rows[0]?.ok === true;
    // One snapshot for the counts, the chain head and the dump: they describe exactly the same data.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0].s;
    state = await readState(client);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const partial = `${out}.partial-${process.pid}`;
    const r = await run(tools.pgDump, ['--format=custom', `--snapshot=${snapshot}`, '--no-password', `--file=${partial}`], pgClientEnv(url));
    if (r.code !== 0) {
      fs.rmSync(partial, { force: true });
      throw new PgBackupError(`pg_dump 备份 ${shown} 失败（退出码 ${r.code}）：${r.stderr.trim().slice(0, 2000)}。未留下备份文件。`, 'PG_DUMP_FAILED');
    }
    fs.renameSync(partial, out);
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
  const size = fs.statSync(out).size;
  const base = { file: path.resolve(out), size, ...state, tools: { version: tools.version, bin: tools.bin }, serverVersion };
  if (!mayCreateDb) {
    const problems = await checkList(tools, out, Object.keys(state.counts));
    return { ...base, verified: 'listed', ok: !problems.length, problems, note: '当前数据库用户没有 CREATEDB 权限，不能建立临时库做恢复校验，只用 pg_restore --list 检查了备份内容（每张表都有数据）。如需完整校验，请用有 CREATEDB 权限的用户备份，或由数据库管理员授予：ALTER ROLE … CREATEDB。' };
  }
  const problems = await checkByRestore(tools, url, out, state);
  return { ...base, verified: 'restored', ok: !problems.length, problems, note: null };
}

/** pg_restore --list: the archive reads, and every table of the database has its TABLE and TABLE DATA entries. */
async function checkList(tools: PgTools, file: string, tables: string[]): Promise<string[]> {
  const r = await run(tools.pgRestore, ['--list', file], { PATH: process.env.PATH ?? '' });
  if (r.code !== 0) return [`pg_restore --list 读不出备份文件：${r.stderr.trim().slice(0, 1000)}`];
  const missing = tables.filter((t) => !new RegExp(`\\bTABLE DATA \\S+ ${t.replace(/[^a-z0-9_]/gi, '')} `).test(r.stdout));
  return missing.length ? [`备份中缺少这些表的数据：${missing.join('、')}`] : [];
}

/** Restores the dump into a scratch database, compares it with the snapshot's state, verifies its chain, drops it. */
async function checkByRestore(tools: PgTools, url: string, file: string, state: Awaited<ReturnType<typeof readState>>): Promise<string[]> {
  const scratch = `idesk_verify_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, application_name: 'isolation-desk-backup', connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${scratch} TEMPLATE template0 ENCODING 'UTF8'`);
    try {
      const r = await run(tools.pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--no-password', `--dbname=${scratch}`, file], pgClientEnv(url, scratch));
      if (r.code !== 0) return [`pg_restore 恢复到临时库失败：${r.stderr.trim().slice(0, 2000)}`];
      const c = new pg.Client({ connectionString: withDatabase(url, scratch), connectionTimeoutMillis: 10_000 });
      await c.connect();
      let restored;
      try {
        restored = await readState(c);
      } finally {
        await c.end().catch(() => undefined);
      }
      const problems = compare('恢复后的', state.counts, restored.counts);
      if (JSON.stringify(restored.chainHead) !== JSON.stringify(state.chainHead)) {
        problems.push(`恢复后的审计链尾（${restored.chainHead ? `第 ${restored.chainHead.id} 条` : '无'}）与原库（${state.chainHead ? `第 ${state.chainHead.id} 条` : '无'}）不一致`);
      }
      if (restored.schemaVersion !== state.schemaVersion) problems.push(`恢复后的数据结构版本 ${restored.schemaVersion} 与原库 ${state.schemaVersion} 不一致`);
      // The whole chain of the restored copy, row by row (the copy is opened as is: no migration).
      const h = await openPostgres(withDatabase(url, scratch), { migrate: false, max: 1 });
      try {
        const chain = await verifyAuditChain(h.db);
        if (!chain.ok) problems.push(`恢复后的审计链校验未通过：${chain.problems.join('；')}`);
      } finally {
        await h.close();
      }
      return problems;
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export interface PgRestoreResult {
  file: string;
  sha256: string;
  /** Rows of every table after the restore. */
  counts: Record<string, number>;
  chainHead: { id: number; hash: string } | null;
  schemaVersion: number;
}

/**
 * Restores a pg_dump custom-format file into an EMPTY database (no table in its schema): pg_restore in one transaction
 * (--single-transaction --exit-on-error: on any error the database stays empty). The database is never one with data:
 * a restore over live data is the database administrator's decision (drop and create the database first).
 */
export async function restorePostgres(url: string, file: string): Promise<PgRestoreResult> {
  if (!fs.existsSync(file)) throw new PgBackupError(`备份文件不存在：${file}`, 'OUT_EXISTS');
  const tools = await findPgTools();
  const client = new pg.Client({ connectionString: url, application_name: 'isolation-desk-restore', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const serverMajor = Math.floor(Number((await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0].n) / 10000);
    if (tools.major < serverMajor) {
      throw new PgBackupError(`${tools.pgRestore} 的版本（${tools.major}）低于数据库服务器（PostgreSQL ${serverMajor}）。请安装 postgresql-client-${serverMajor}，或用 IDESK_PG_BIN 指定其目录。未做任何改动。`, 'PG_TOOLS_TOO_OLD');
    }
    const tables = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()`)).rows[0].n);
    if (tables > 0) {
      throw new PgBackupError(
        `目标库 ${redactUrl(url)} 不是空库（已有 ${tables} 张表），不会在已有数据上恢复。请由数据库管理员新建一个空库（如 createdb -O <用户> <新库名>）后恢复到新库，核对无误后再切换。未做任何改动。`,
        'PG_DUMP_FAILED',
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  const list = await run(tools.pgRestore, ['--list', file], { PATH: process.env.PATH ?? '' });
  if (list.code !== 0) throw new PgBackupError(`pg_restore 读不出这个备份文件（不是 pg_dump 自定义格式，或已损坏）：${list.stderr.trim().slice(0, 1000)}。未做任何改动。`, 'PG_DUMP_FAILED');
  const r = await run(tools.pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--no-password', `--dbname=${decodeURIComponent(new URL(url).pathname.slice(1))}`, file], pgClientEnv(url));
  if (r.code !== 0) throw new PgBackupError(`pg_restore 恢复失败，已整体撤销（目标库仍为空）：${r.stderr.trim().slice(0, 2000)}`, 'PG_DUMP_FAILED');
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const state = await readState(c);
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    return { file: path.resolve(file), sha256, ...state };
  } finally {
    await c.end().catch(() => undefined);
  }
}
