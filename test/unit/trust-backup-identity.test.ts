// Two databases sharing one backup folder (issue 16, part 1): every database has an identity, every backup carries it
// in its name, its sidecar and its contents, and purge, retention, verify, restore and the backup list touch only the
// backups of their own database. A foreign or unreadable file in the folder is left alone and reported.
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { tempDir } from '../helpers/env.ts';
import { runCli } from '../../electron/cli/run.ts';
import { kyselyOver, openDatabase } from '../../electron/db/open.ts';
import { migrations } from '../../electron/db/migrations/index.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { call, dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { backupDatabase, scanBackups } from '../../electron/db/backup.ts';
import { restoreNewestVerified } from '../../electron/db/restore.ts';
import { readDatabaseId } from '../../electron/db/identity.ts';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const q = (file: string, sql: string) => {
  const raw = new SqliteDatabase(file, { readonly: true });
  try {
    return raw.prepare(sql).pluck().get() as number | string;
  } finally {
    raw.close();
  }
};
const idOf = (file: string) => q(file, 'SELECT database_id FROM database_identity') as string;

async function cli(...args: string[]) {
  const r = await runCli([...args, '--json']);
  return r.result as { code: number; json: any };
}

/** The reproduction: A seeded as of 2022-01-20, B as of 2022-03-25 with another seed, in one folder. */
async function twoDatabases() {
  const dir = tempDir('idesk-two-dbs-');
  const a = path.join(dir, 'A.db');
  const b = path.join(dir, 'B.db');
  expect((await cli('seed-demo', '--db', a, '--residents', '300', '--today', '2022-01-20')).code).toBe(0);
  expect((await cli('seed-demo', '--db', b, '--residents', '300', '--today', '2022-03-25', '--seed', '7')).code).toBe(0);
  const bb = await cli('backup', '--db', b);
  expect(bb.code).toBe(0);
  return { dir, a, b, backups: path.join(dir, 'backups'), bBackup: bb.json.file as string };
}

/** A as the office's app would run it, with its clock at `now`. */
async function openApp(file: string, now: string) {
  const handle = await openDatabase(file);
  const env: ApiEnv = { db: handle.db, clock: fixedClock(now), sessions: new SessionStore(), dbFile: file };
  await call(env, 'auth.login', { username: 'admin', password: 'demo1234' }, 'k-admin');
  return { handle, env, api: (channel: string, input: unknown) => dispatch(env, channel, input, 'k-admin') as Promise<any> };
}

describe('database identity and backups of several databases in one folder', () => {
  it('every database gets its own identity at init, kept by its backups in name, sidecar and contents', async () => {
    const { a, b, bBackup } = await twoDatabases();
    const idA = idOf(a);
    const idB = idOf(b);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(idB).toMatch(/^[0-9a-f]{32}$/);
    expect(idA).not.toBe(idB);
    expect(path.basename(bBackup)).toMatch(new RegExp(`^isolation-desk-${idB.slice(0, 8)}-\\d{8}-\\d{6}-manual\\.db$`));
    expect(idOf(bBackup)).toBe(idB);
    expect(JSON.parse(fs.readFileSync(`${bBackup}.json`, 'utf8')).databaseId).toBe(idB);
  });

  it("a purge of A leaves B's backup byte for byte as it was, and reports it", async () => {
    const { a, backups, bBackup } = await twoDatabases();
    const bPeople = q(bBackup, 'SELECT COUNT(*) FROM residents');
    const bActive = q(bBackup, "SELECT COUNT(*) FROM episodes WHERE status = 'active'");
    const bHash = sha(bBackup);
    const app = await openApp(a, '2022-03-30T01:00:00.000Z');
    try {
      const own = await app.api('backups.create', {});
      expect(own).toMatchObject({ ok: true });
      const ownFile = path.join(backups, own.data.name);
      const aPeopleBefore = q(ownFile, 'SELECT COUNT(*) FROM residents') as number;
      const preview = await app.api('purge.preview', {});
      expect(preview.data).toMatchObject({ backupFiles: 1, foreignBackups: 1 });
      expect(preview.data.counts.residents).toBeGreaterThan(0);
      const run = await app.api('purge.run', { confirm: true });
      expect(run.ok).toBe(true);
      expect(run.data.backups.files.map((f: { name: string }) => f.name)).toEqual([own.data.name]);
      expect(run.data.backups.files[0].ok).toBe(true);
      expect(run.data.backups.foreign).toEqual([expect.objectContaining({ name: path.basename(bBackup), why: '属于另一个数据库' })]);
      // B's backup: untouched, everyone still there (before the fix: 300 → fewer people, active episodes lost).
      expect(sha(bBackup)).toBe(bHash);
      expect(q(bBackup, 'SELECT COUNT(*) FROM residents')).toBe(bPeople);
      expect(q(bBackup, "SELECT COUNT(*) FROM episodes WHERE status = 'active'")).toBe(bActive);
      // A's own backup was purged like A itself.
      expect(q(ownFile, 'SELECT COUNT(*) FROM residents')).toBe(aPeopleBefore - run.data.counts.residents);
      expect(q(ownFile, 'SELECT COUNT(*) FROM residents')).toBe(q(a, 'SELECT COUNT(*) FROM residents'));
    } finally {
      await app.handle.close();
    }
  });

  it("retention thins only the database's own backups", async () => {
    const { a, backups, bBackup } = await twoDatabases();
    const app = await openApp(a, '2022-01-20T01:00:00.000Z');
    try {
      expect((await app.api('settings.update', { backupKeepDaily: 1, backupKeepWeekly: 0 })).ok).toBe(true);
      const first = await app.api('backups.create', {});
      (app.env.clock as ReturnType<typeof fixedClock>).set('2022-01-21T01:00:00.000Z');
      await call(app.env, 'auth.login', { username: 'admin', password: 'demo1234' }, 'k-admin');
      const second = await app.api('backups.create', {});
      expect(second, JSON.stringify(second)).toMatchObject({ ok: true });
      // A keeps one day's backup: its first one goes, B's (older still, from another day) stays.
      expect(second.data.removed).toEqual([first.data.name]);
      expect(fs.existsSync(bBackup)).toBe(true);
      expect(fs.readdirSync(backups).filter((n) => n.endsWith('.db')).sort()).toEqual([path.basename(bBackup), second.data.name].sort());
    } finally {
      await app.handle.close();
    }
  });

  it('the backup list, verify and the daily backup count only their own backups; a stray file is reported', async () => {
    const { a, b, backups, bBackup } = await twoDatabases();
    // Something unreadable that looks like a backup of a third database.
    const stray = path.join(backups, 'isolation-desk-deadbeef-20220101-000000.db');
    fs.writeFileSync(stray, Buffer.alloc(4096, 7));
    const app = await openApp(a, '2022-03-25T01:00:00.000Z');
    try {
      const list = await app.api('backups.list', {});
      expect(list.data.backups).toEqual([]);
      expect(list.data.dueToday).toBe(true);
      expect(list.data.foreign.map((f: { name: string }) => f.name).sort()).toEqual([path.basename(bBackup), path.basename(stray)].sort());
      // B has a verified backup today, A has none: A's daily backup is still due and is taken.
      const daily = await app.api('backups.create', {});
      expect(daily.data.ok).toBe(true);
    } finally {
      await app.handle.close();
    }
    const va = await cli('verify', '--db', a);
    expect(va.code).toBe(0);
    expect(va.json.backups).toMatchObject({ count: 1, databaseId: idOf(a) });
    expect(va.json.backups.foreign.map((f: { name: string }) => f.name).sort()).toEqual([path.basename(bBackup), path.basename(stray)].sort());
    const vb = await cli('verify', '--db', b);
    expect(vb.json.backups).toMatchObject({ count: 1, newestVerified: path.basename(bBackup), databaseId: idOf(b) });
    expect(fs.readFileSync(stray).equals(Buffer.alloc(4096, 7))).toBe(true);
  });

  it("restoring another database's backup is refused, by name in the app and by file on the command line", async () => {
    const { a, bBackup } = await twoDatabases();
    const before = sha(a);
    const app = await openApp(a, '2022-03-25T01:00:00.000Z');
    try {
      const r = await app.api('backups.restore', { name: path.basename(bBackup), confirm: true });
      expect(r).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
      expect(r.error.message).toMatch(/不是本数据库的备份.*未恢复/);
    } finally {
      await app.handle.close();
    }
    const aNow = sha(a);
    const c = await cli('restore', '--db', a, '--from', bBackup);
    expect(c.code).not.toBe(0);
    expect(JSON.stringify(c.json)).toMatch(/属于另一个数据库.*未恢复/);
    expect(sha(a)).toBe(aNow);
    expect(fs.readdirSync(path.dirname(a)).filter((n) => n.includes('before-restore'))).toEqual([]);
    // The refusal in the app wrote only its audit rows (the file changed by those, not by a restore).
    expect(before).not.toBe('');
    expect(readDatabaseId(new SqliteDatabase(a, { readonly: true }))).toBe(idOf(a));
  });

  it("a damaged file is restored from its own database's backup, never from another database's", async () => {
    const dir = tempDir('idesk-damaged-two-');
    const a = path.join(dir, 'A.db');
    const b = path.join(dir, 'B.db');
    const backups = path.join(dir, 'backups');
    expect((await cli('seed-demo', '--db', a, '--residents', '30', '--today', '2022-01-20')).code).toBe(0);
    expect((await cli('seed-demo', '--db', b, '--residents', '60', '--today', '2022-01-20', '--seed', '7')).code).toBe(0);
    expect((await cli('backup', '--db', b)).code).toBe(0);
    // A is damaged beyond reading and has no backup: B's verified backup must not take its place.
    const aGood = fs.readFileSync(a);
    fs.writeFileSync(a, Buffer.alloc(8192, 1));
    const damaged = sha(a);
    await expect(restoreNewestVerified(a, backups)).rejects.toThrow(/无法读出它属于哪个数据库.*未自动恢复/);
    expect(sha(a)).toBe(damaged);
    // With a backup of A (taken from A's path), that one is restored, though B's is there too.
    fs.writeFileSync(a, aGood);
    const ab = await cli('backup', '--db', a);
    expect(ab.code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await cli('backup', '--db', b)).code).toBe(0);
    fs.writeFileSync(a, Buffer.alloc(8192, 1));
    const r = await restoreNewestVerified(a, backups);
    expect(r?.restoredFrom).toBe(ab.json.file);
    expect(q(a, 'SELECT COUNT(*) FROM residents')).toBe(30);
    // A readable file whose only own backup is corrupt: nothing is restored, B's verified backups are not taken.
    const c = path.join(dir, 'C.db');
    expect((await cli('seed-demo', '--db', c, '--residents', '20', '--today', '2022-01-20', '--seed', '3')).code).toBe(0);
    const cb = await cli('backup', '--db', c);
    const raw = fs.readFileSync(cb.json.file);
    raw.fill(3, 4096);
    fs.writeFileSync(cb.json.file, raw);
    expect(await restoreNewestVerified(c, backups)).toBeNull();
    expect(q(c, 'SELECT COUNT(*) FROM residents')).toBe(20);
  });

  it('a backup taken before the identity migration is named with the id the file then gets', async () => {
    const dir = tempDir('idesk-legacy-id-');
    const file = path.join(dir, 'old.db');
    // A version-3 file, as the program before identities made it: migrations 1–3 only.
    const raw = new SqliteDatabase(file);
    const db = kyselyOver(raw);
    await db.schema.createTable('schema_migrations').addColumn('version', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').addColumn('applied_at', 'text').execute();
    for (const m of migrations.filter((x) => x.version <= 3)) {
      await m.up(db as never);
      raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    await db.destroy();
    const reopened = await openDatabase(file);
    const id = readDatabaseId(reopened.sqlite)!;
    await reopened.close();
    const made = scanBackups(path.join(dir, 'backups'));
    expect(made).toHaveLength(1);
    expect(made[0].name).toMatch(new RegExp(`^isolation-desk-${id.slice(0, 8)}-\\d{8}-\\d{6}-before-migrate-v3-v`));
    expect(made[0].databaseId).toBe(id);
    expect(made[0].status).toBe('verified');
    // A backup copy made by backupDatabase of a file without identity names none.
    const bare = await backupDatabase(file, path.join(dir, 'copy.db'));
    expect(bare.databaseId).toBe(id);
  });
});
