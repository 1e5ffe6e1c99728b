// 设置 › 共享 › 服务器的数据库 with a PostgreSQL server that answers (test/unit/server-database.test.ts has the refusals),
// and the desktop core opened on that database as main opens it at the next start: it reports PostgreSQL, starts its
// office server there (TLS, the live feed on LISTEN) and stops and closes cleanly. The first core works on a SQLite file
// (this suite is PostgreSQL-only, so it may open one).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { Core } from '../../electron/server/core.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';
import { createTestPgDatabase } from '../helpers/pg-db.ts';
import { tempDir } from '../helpers/env.ts';

let dir: string;
let pgDb: { url: string; drop: () => Promise<void> };
const cores: Core[] = [];

async function openCore(args: { dbFile: string; pgUrl?: string }, saved: (string | null)[] = []): Promise<(channel: string, input: unknown, key?: string) => Promise<ApiResult<unknown>>> {
  const core = new Core({ showItemInFolder: () => {}, saveServerDatabase: (url) => saved.push(url) });
  cores.push(core);
  fs.mkdirSync(path.join(dir, 'ui'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ui', 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""></head><body></body></html>');
  await core.handle({ op: 'open', dbFile: args.dbFile, key: null, encrypt: false, exportDir: path.join(dir, 'exports'), staticDir: path.join(dir, 'ui'), dataDir: dir, pgUrl: args.pgUrl ?? null, canStoreSecrets: true });
  return async (channel, input, key = 'admin') => (await core.handle({ op: 'call', channel, input, sessionKey: key })) as ApiResult<unknown>;
}

beforeAll(async () => {
  dir = tempDir('idesk-serverdb-pg-');
  pgDb = await createTestPgDatabase();
}, 60_000);

afterAll(async () => {
  for (const c of cores) await c.shutdown(false).catch(() => {});
  await pgDb?.drop();
});

describe('choosing PostgreSQL for the desktop app', () => {
  it('checks and keeps a reachable database; the audit row names it without the password', async () => {
    const file = path.join(dir, 'isolation-desk.db');
    expect((await runCli(['seed-demo', '--db', file, '--residents', '10', '--seed', '4'])).result.code).toBe(0);
    const saved: (string | null)[] = [];
    const call = await openCore({ dbFile: file }, saved);
    expect((await call('auth.login', { username: 'admin', password: 'demo1234' })).ok).toBe(true);
    const password = new URL(pgDb.url).password;
    expect(password.length).toBeGreaterThan(8);
    const r = await call('server.setDatabase', { url: pgDb.url });
    expect(r).toMatchObject({ ok: true, data: { engine: 'sqlite', canChoose: true } });
    const next = (r as { data: { next: string } }).data.next;
    expect(next).toContain('***');
    expect(next).not.toContain(password);
    expect(saved).toEqual([pgDb.url]);
    const trail = await call('audit.list', { action: 'server.database' });
    expect(JSON.stringify(trail)).toContain('postgres');
    expect(JSON.stringify(trail)).not.toContain(password);
  }, 60_000);

  it('the core opened on it (the next start) reports PostgreSQL and serves it: start, status, stop', async () => {
    const call = await openCore({ dbFile: path.join(dir, 'unused.db'), pgUrl: pgDb.url });
    expect(fs.existsSync(path.join(dir, 'unused.db'))).toBe(false);
    expect((await call('auth.setupAdmin', { username: 'boss', displayName: '管理员', password: 'demo1234' })).ok).toBe(true);
    const d = await call('server.database', {});
    expect(d).toMatchObject({ ok: true, data: { engine: 'postgres', next: null } });
    expect((d as { data: { current: string } }).data.current).not.toContain(new URL(pgDb.url).password);
    await call('settings.update', { serverPort: 15443 + (process.pid % 1000) });
    const started = await call('server.start', {});
    expect(started).toMatchObject({ ok: true, data: { running: true, host: '127.0.0.1' } });
    expect((started as { data: { url: string } }).data.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await call('server.stop', {})).toMatchObject({ ok: true, data: { running: false } });
  }, 60_000);
});
