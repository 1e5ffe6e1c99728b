// 设置 › 共享 › 服务器的数据库 (issue 17): the desktop core (electron/server/core.ts, in this process over a real file)
// refuses a malformed PostgreSQL address and an unreachable server with a clear Chinese message, the password in
// neither the message nor the audit trail, and keeps nothing; only an admin may choose; main keeps a chosen URL in
// connection.json with the password wrapped by the OS key store (never in clear) and refuses without a usable one.
// The reachable case and the core on PostgreSQL: test/pg/server-database.pg.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { Core } from '../../electron/server/core.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';
import { checkPgUrl, withoutPassword } from '../../electron/shared/server-db.ts';
import { connectionFile, localDatabaseUrl, readConnection, writeLocalDatabase, ConnectionStoreError } from '../../electron/main/connection-file.ts';
import type { KeyStore } from '../../electron/main/key-store.ts';
import { freePort } from '../helpers/pg-server.ts';
import { tempDir } from '../helpers/env.ts';

let dir: string;
let core: Core;
const saved: (string | null)[] = [];

const call = async (channel: string, input: unknown, sessionKey: string) => (await core.handle({ op: 'call', channel, input, sessionKey })) as ApiResult<unknown>;

/** A key store that "wraps" by reversing and tagging, so a test can see the clear text is not on disk. */
const store = (usable = true): KeyStore => ({
  isEncryptionAvailable: () => usable,
  encryptString: (s: string) => Buffer.from(`W:${[...s].reverse().join('')}`),
  decryptString: (b: Buffer) => [...b.toString().slice(2)].reverse().join(''),
  getSelectedStorageBackend: () => 'gnome_libsecret',
});

beforeAll(async () => {
  dir = tempDir('idesk-serverdb-');
  const file = path.join(dir, 'isolation-desk.db');
  expect((await runCli(['seed-demo', '--db', file, '--residents', '20', '--seed', '2'])).result.code).toBe(0);
  core = new Core({ showItemInFolder: () => {}, saveServerDatabase: (url) => saved.push(url) });
  await core.handle({ op: 'open', dbFile: file, key: null, encrypt: false, exportDir: path.join(dir, 'exports'), staticDir: path.join(dir, 'ui'), dataDir: dir, canStoreSecrets: true });
  for (const u of ['admin', 'clerk']) expect((await call('auth.login', { username: u, password: 'demo1234' }, u)).ok).toBe(true);
}, 120_000);

afterAll(async () => {
  await core?.shutdown(false);
});

describe('choosing the server database', () => {
  it('checks the address form', () => {
    expect(checkPgUrl(' postgres://idesk:pw@192.168.1.20:5432/district ')).toBe('postgres://idesk:pw@192.168.1.20:5432/district');
    expect(checkPgUrl('postgresql://u@db.local/x')).toBe('postgresql://u@db.local/x');
    for (const bad of ['', 'mysql://u@h/db', 'postgres://h:5432/db', 'postgres://u@h:70000/db', 'postgres://u@h/', 'postgres://u@h/a/b', 'C:\\data\\x.db']) expect(checkPgUrl(bad)).toBeNull();
    expect(withoutPassword('postgres://u:s3cret@h:5432/d')).toBe('postgres://u:***@h:5432/d');
  });

  it('shows the data file now, and refuses a malformed address with a Chinese message on the field, keeping nothing', async () => {
    const now = await call('server.database', {}, 'admin');
    expect(now).toMatchObject({ ok: true, data: { engine: 'sqlite', next: null, canChoose: true } });
    const r = await call('server.setDatabase', { url: 'mysql://root:pw@127.0.0.1/db' }, 'admin');
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'serverDb.badUrl', fields: [{ field: 'url' }] } });
    expect((r as { error: { message: string } }).error.message).toMatch(/PostgreSQL 数据库地址的格式不对/);
    expect(saved).toEqual([]);
  });

  it('refuses a server that does not answer, naming it without the password, and keeps nothing', async () => {
    const port = await freePort();
    const r = await call('server.setDatabase', { url: `postgres://idesk:TopSecret99@127.0.0.1:${port}/district` }, 'admin');
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'serverDb.unreachable' } });
    const message = (r as { error: { message: string } }).error.message;
    expect(message).toMatch(/^无法连接 PostgreSQL 数据库 postgres:\/\/idesk:\*\*\*@127\.0\.0\.1/);
    expect(JSON.stringify(r)).not.toContain('TopSecret99');
    expect(saved).toEqual([]);
    expect((await call('server.database', {}, 'admin')) as { data: { next: unknown } }).toMatchObject({ data: { next: null } });
  });

  it('is the admin\'s: a clerk is refused by the core', async () => {
    expect(await call('server.setDatabase', { url: null }, 'clerk')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('server.database', {}, 'clerk')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(saved).toEqual([]);
  });

  it('main keeps the URL with the password wrapped by the key store, gives it back whole, and refuses without one', () => {
    const userData = tempDir('idesk-conn-');
    const db = path.join(userData, 'isolation-desk.db');
    writeLocalDatabase(userData, store(), 'postgres://idesk:Pa%40ss%20w0rd@10.0.0.5:5432/district');
    const text = fs.readFileSync(connectionFile(userData), 'utf8');
    expect(text).not.toContain('Pa%40ss');
    expect(text).not.toContain('Pa@ss w0rd');
    expect(fs.statSync(connectionFile(userData)).mode & 0o077).toBe(0);
    const conn = readConnection(userData, db);
    expect(conn).toMatchObject({ mode: 'local', pg: { url: 'postgres://idesk@10.0.0.5:5432/district' } });
    if (conn.mode !== 'local' || !conn.pg) throw new Error('not kept');
    expect(new URL(localDatabaseUrl(conn.pg, store())).password).toBe('Pa%40ss%20w0rd');
    expect(decodeURIComponent(new URL(localDatabaseUrl(conn.pg, store())).password)).toBe('Pa@ss w0rd');
    // No usable key store: refused, the file as it was.
    expect(() => writeLocalDatabase(userData, store(false), 'postgres://u:other@h/d')).toThrow(ConnectionStoreError);
    expect(fs.readFileSync(connectionFile(userData), 'utf8')).toBe(text);
    // Back to the data file.
    writeLocalDatabase(userData, store(false), null);
    expect(readConnection(userData, db)).toEqual({ mode: 'local' });
  });

  it('says so when the key store cannot keep a password', async () => {
    const file = path.join(dir, 'nostore.db');
    expect((await runCli(['init', '--db', file, '--district', '区', '--subdistrict', '街道'])).result.code).toBe(0);
    const other = new Core({ showItemInFolder: () => {}, saveServerDatabase: (url) => saved.push(url) });
    try {
      await other.handle({ op: 'open', dbFile: file, key: null, encrypt: false, exportDir: dir, staticDir: dir, dataDir: dir, canStoreSecrets: false });
      expect((await other.handle({ op: 'call', channel: 'auth.setupAdmin', input: { username: 'boss', displayName: '管理员', password: 'demo1234' }, sessionKey: 's' })) as ApiResult<unknown>).toMatchObject({ ok: true });
      const r = (await other.handle({ op: 'call', channel: 'server.setDatabase', input: { url: 'postgres://u:pw@127.0.0.1:5432/d' }, sessionKey: 's' })) as ApiResult<unknown>;
      expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'serverDb.noKeyStore' } });
      expect(saved).toEqual([]);
    } finally {
      await other.shutdown(false);
    }
  });
});
