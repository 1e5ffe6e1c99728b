// Backups: made with the online backup API, verified, listed with their sidecars; restore brings the data back and
// can be undone; a corrupted backup fails verification and is never restored; retention keeps 7 daily + 4 weekly;
// the daily/quit policy; a verified backup before migrating.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { addPerson, api } from '../helpers/trust.ts';
import { backupBeforeMigrate, backupDatabase, listBackups, scanBackups, verifyBackup, writeSidecar, type BackupInfo } from '../../electron/db/backup.ts';
import { databaseIdOf } from '../../electron/domain/backups.ts';
import { restoreDatabase, undoRestore } from '../../electron/db/restore.ts';
import { applyRetention, planRetention } from '../../electron/db/retention.ts';
import { openDatabase } from '../../electron/db/open.ts';
import { backupOnQuit, runDailyBackupIfDue } from '../../electron/domain/backups.ts';
import { addDays } from '../../electron/domain/dates.ts';
import { latestVersion } from '../../electron/db/migrations/index.ts';
import { startJob } from '../../electron/jobs/runner.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { pathToFileURL } from 'node:url';

let t: TestEnv | null = null;
afterEach(async () => {
  await t?.env.db.destroy();
  t = null;
});

async function fileEnv(): Promise<{ t: TestEnv; dir: string; file: string }> {
  const dir = tempDir('idesk-backup-');
  const file = path.join(dir, 'isolation-desk.db');
  t = await makeEnv({ file });
  return { t, dir, file };
}

const residents = async (env: TestEnv) => (await env.env.db.selectFrom('residents').select('name').orderBy('id').execute()).map((r) => r.name);

/** Overwrites a run of pages in the middle of a file with garbage (what a failing disk or a bad copy does). */
function corrupt(file: string) {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, Math.floor(size / 4096 / 2) * 4096);
  fs.closeSync(fd);
}

describe('backup and restore through the API', () => {
  it('restore is refused while a job runs (nothing changes), and goes ahead once its worker has ended', async () => {
    const { t } = await fileEnv();
    const admin = await t.login('admin');
    await addPerson(t, admin, { name: '早登记', communityId: t.communities.a, seq: 1 });
    const b = await api(t, 'backups.create', {}, admin);
    await addPerson(t, admin, { name: '晚登记', communityId: t.communities.a, seq: 2 });
    const fixture = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/jobs-fixture.ts')).href;
    const job = startJob('test.count', { n: 10_000, delayMs: 2 }, { dbFile: t.env.dbFile, actor: CLI_ACTOR, clock: t.clock, modules: [fixture] });
    const refused = await t.dispatch('backups.restore', { name: b.name, confirm: true }, admin);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BLOCKED', message: expect.stringContaining('任务正在进行') } });
    expect(await residents(t)).toEqual(['早登记', '晚登记']);
    job.cancel();
    expect((await job.done).state).toBe('cancelled');
    // The worker may still be ending (it checkpoints after its answer): restore waits for it.
    const r = await api(t, 'backups.restore', { name: b.name, confirm: true }, admin);
    expect(r.restoredFrom).toBe(b.name);
    expect(await residents(t)).toEqual(['早登记']);
  });

  it('backup → verified → later data → restore → data back → undoRestore → later data again', async () => {
    const { t, dir } = await fileEnv();
    const admin = await t.login('admin');
    await addPerson(t, admin, { name: '早登记', communityId: t.communities.a, seq: 1 });
    const b = await api(t, 'backups.create', {}, admin);
    expect(b).toMatchObject({ ok: true, problems: [], reason: 'manual', name: `isolation-desk-${(await databaseIdOf(t.env.db)).slice(0, 8)}-20220120-090000-manual.db` });
    expect(b.counts.residents).toBe(1);
    expect(fs.existsSync(path.join(dir, 'backups', b.name))).toBe(true);
    const list = await api(t, 'backups.list', {}, admin);
    expect(list.backups.map((x) => [x.name, x.status])).toEqual([[b.name, 'verified']]);
    expect(list.lastVerified?.name).toBe(b.name);
    expect(list.lastFailed).toBeNull();

    await addPerson(t, admin, { name: '晚登记', communityId: t.communities.a, seq: 2 });
    expect(await residents(t)).toEqual(['早登记', '晚登记']);

    const r = await api(t, 'backups.restore', { name: b.name, confirm: true }, admin);
    expect(r.restoredFrom).toBe(b.name);
    expect(r.movedAsideAs).toMatch(/^isolation-desk\.db\.before-restore-\d{8}-\d{6}$/);
    expect(await residents(t)).toEqual(['早登记']);
    // The accounts are now those of the backup: everyone logs in again.
    expect(await t.dispatch('auth.me', {}, admin)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const restoredAudit = await t.env.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'backup.restore').execute();
    expect(restoredAudit).toHaveLength(1);
    expect(restoredAudit[0].userName).toBe('admin');

    const admin2 = await t.login('admin');
    const status = await api(t, 'backups.list', {}, admin2);
    expect(status.restoreAsides).toEqual([r.movedAsideAs]);
    const u = await api(t, 'backups.undoRestore', { confirm: true }, admin2);
    expect(u.restoredFrom).toBe(r.movedAsideAs);
    expect(u.movedAsideAs).toMatch(/\.undone-restore-/);
    expect(await residents(t)).toEqual(['早登记', '晚登记']);
    const admin3 = await t.login('admin');
    expect(await t.dispatch('backups.undoRestore', { confirm: true }, admin3)).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
  });

  it('needs confirmation, a backup-folder name, and the backup.run permission', async () => {
    const { t } = await fileEnv();
    const admin = await t.login('admin');
    const clerk = await t.login('clerk');
    const b = await api(t, 'backups.create', {}, admin);
    expect(await t.dispatch('backups.restore', { name: b.name }, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await t.dispatch('backups.restore', { name: '../../etc/passwd', confirm: true }, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await t.dispatch('backups.restore', { name: 'isolation-desk-20200101-000000.db', confirm: true }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    for (const c of ['backups.list', 'backups.create', 'backups.restore', 'backups.undoRestore']) {
      expect(await t.dispatch(c, { name: b.name, confirm: true }, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });
});

describe('verification', () => {
  it('a corrupted backup fails verification and is never restored; the current file stays as it was', async () => {
    const { t, dir, file } = await fileEnv();
    const admin = await t.login('admin');
    for (let i = 0; i < 40; i++) await addPerson(t, admin, { name: `居民${i}`, communityId: t.communities.a, seq: 100 + i });
    const b = await api(t, 'backups.create', {}, admin);
    const backupFile = path.join(dir, 'backups', b.name);
    expect(verifyBackup(backupFile, b.counts)).toMatchObject({ ok: true, integrity: 'ok', schemaVersion: latestVersion });
    expect(verifyBackup(backupFile, { ...b.counts, residents: 41 })).toMatchObject({ ok: false, problems: [expect.stringContaining('行数不符：residents 应为 41')] });

    corrupt(backupFile);
    const v = verifyBackup(backupFile);
    expect(v.ok).toBe(false);
    expect(v.problems.join()).toMatch(/完整性检查未通过|无法读取备份文件/);

    const r = await t.dispatch('backups.restore', { name: b.name, confirm: true }, admin);
    expect(r).toMatchObject({ ok: false, error: { code: 'BLOCKED', message: expect.stringContaining('未通过校验') } });
    expect((await residents(t)).length).toBe(40);
    expect(await api(t, 'auth.me', {}, admin)).toBeTruthy(); // the connection was never closed
    await expect(restoreDatabase(file + '.other', backupFile)).rejects.toMatchObject({ code: 'BLOCKED' });
    expect(fs.existsSync(file + '.other')).toBe(false);
  });

  it('a backup from a newer version of the program fails verification, saying so', async () => {
    const dir = tempDir('idesk-future-');
    const h = await openDatabase(path.join(dir, 'a.db'), { create: true });
    const b = await backupDatabase(h.sqlite, path.join(dir, 'isolation-desk-20220101-000000.db'));
    await h.close();
    const raw = new SqliteDatabase(b.file);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
    raw.close();
    expect(verifyBackup(b.file)).toMatchObject({ ok: false, integrity: 'ok', schemaVersion: 99, problems: [expect.stringContaining('高于本程序支持的')] });
    await expect(restoreDatabase(path.join(dir, 'a.db'), b.file)).rejects.toMatchObject({ code: 'BLOCKED', message: expect.stringContaining('请升级软件') });
  });

  it('a backup taken from an open connection while another one writes is a consistent snapshot', async () => {
    const { t, dir, file } = await fileEnv();
    const admin = await t.login('admin');
    for (let i = 0; i < 20; i++) await addPerson(t, admin, { name: `居民${i}`, communityId: t.communities.a, seq: 200 + i });
    const out = path.join(dir, 'snap.db');
    const pending = backupDatabase(file, out);
    await addPerson(t, admin, { name: '备份中登记', communityId: t.communities.a, seq: 300 });
    const r = await pending;
    expect(r.verification).toMatchObject({ ok: true, problems: [] });
    expect(r.verification.counts.residents).toBe(r.counts.residents);
    const raw = new SqliteDatabase(out, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
    raw.close();
    expect(fs.existsSync(out + '-wal')).toBe(false);
  });
});

describe('restore at the file level', () => {
  it('moves the current file and its -wal aside, and undoRestore puts it back', async () => {
    const dir = tempDir('idesk-restore-');
    const file = path.join(dir, 'a.db');
    const h = await openDatabase(file, { create: true });
    h.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('district', '\"旧区\"', 'x')").run();
    const b = await backupDatabase(h.sqlite, path.join(dir, 'backups', 'isolation-desk-20220101-000000.db'));
    h.sqlite.prepare("UPDATE settings SET value = '\"新区\"' WHERE key = 'district'").run();
    h.sqlite.close(); // as after a crash: the raw close leaves nothing to checkpoint with Kysely, but keep it simple
    const r = await restoreDatabase(file, b.file, { now: new Date('2022-01-20T01:00:00Z') });
    expect(path.basename(r.movedAsideAs!)).toBe('a.db.before-restore-20220120-090000');
    const read = (f: string) => {
      const d = new SqliteDatabase(f, { readonly: true });
      const v = d.prepare("SELECT value FROM settings WHERE key = 'district'").pluck().get();
      d.close();
      return v;
    };
    expect(read(file)).toBe('"旧区"');
    expect(read(r.movedAsideAs!)).toBe('"新区"');
    const u = await undoRestore(file);
    expect(u.restoredFrom).toBe(r.movedAsideAs);
    expect(read(file)).toBe('"新区"');
  });
});

function fake(dir: string, date: string, time = '020000', ok = true): string {
  const name = `isolation-desk-${date.replace(/-/g, '')}-${time}-daily.db`;
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'x');
  writeSidecar(file, { ok, integrity: ok ? 'ok' : 'bad', schemaVersion: 1, counts: {}, problems: ok ? [] : ['坏'], verifiedAt: '', reason: 'daily' });
  return name;
}

describe('retention', () => {
  it('keeps the newest of each of the last 7 days and of each of the 4 weeks before them', () => {
    const dir = tempDir('idesk-retain-');
    const names: Record<string, string> = {};
    for (let i = 0; i < 60; i++) {
      const d = addDays('2022-01-20', -i); // 2022-01-20 is a Thursday
      names[d] = fake(dir, d);
      if (i < 3) fake(dir, d, '010000'); // an earlier backup the same day: never kept
    }
    const failedRecent = fake(dir, '2022-01-19', '230000', false);
    const failedOld = fake(dir, '2021-12-01', '230000', false);
    const plan = applyRetention(dir, null, 7, 4);
    const kept = listBackups(dir, null).map((b) => b.name);
    const daily = ['2022-01-20', '2022-01-19', '2022-01-18', '2022-01-17', '2022-01-16', '2022-01-15', '2022-01-14'].map((d) => names[d]);
    // Weeks before 01-14: the Sunday closing each ISO week is its newest backup.
    const weekly = ['2022-01-13', '2022-01-09', '2022-01-02', '2021-12-26'].map((d) => names[d]);
    expect(kept).toEqual([...daily.slice(0, 1), failedRecent, ...daily.slice(1), ...weekly].sort().reverse());
    expect(kept.filter((n) => n !== failedRecent)).toHaveLength(11);
    expect(plan.remove.map((b) => b.name)).toContain(failedOld);
    expect(fs.existsSync(path.join(dir, `${names['2021-12-25']}.json`))).toBe(false);
  });

  it('never lets a failed backup take the place of a verified one', () => {
    const info = (date: string, status: BackupInfo['status']): BackupInfo => ({
      file: date,
      name: `isolation-desk-${date.replace(/-/g, '')}-020000.db`,
      size: 1,
      takenAt: `${date}T02:00:00`,
      date,
      reason: null,
      shortId: null,
      databaseId: null,
      status,
      verification: null,
    });
    const plan = planRetention([info('2022-01-20', 'failed'), info('2022-01-19', 'verified'), info('2022-01-18', 'verified')], 1, 0);
    expect(plan.keep.map((b) => [b.date, b.status])).toEqual([
      ['2022-01-20', 'failed'],
      ['2022-01-19', 'verified'],
    ]);
  });
});

describe('automatic backups', () => {
  it('one a day, and on quit only when something changed since the newest backup', async () => {
    const { t, dir } = await fileEnv();
    const id = await databaseIdOf(t.env.db);
    const id8 = id.slice(0, 8);
    const first = await runDailyBackupIfDue(t.env);
    expect(first).toMatchObject({ ok: true, reason: 'daily', name: `isolation-desk-${id8}-20220120-090000-daily.db` });
    expect(await runDailyBackupIfDue(t.env)).toBeNull();
    expect(await backupOnQuit(t.env)).toBeNull();
    t.clock.set('2022-01-20T03:00:00.000Z');
    const admin = await t.login('admin');
    await addPerson(t, admin, { name: '午后登记', communityId: t.communities.a, seq: 5 });
    const quit = await backupOnQuit(t.env);
    // Retention keeps the newest backup of a day: the morning one goes.
    expect(quit).toMatchObject({ ok: true, reason: 'quit', name: `isolation-desk-${id8}-20220120-110000-quit.db`, removed: [first!.name] });
    t.clock.set('2022-01-21T00:30:00.000Z');
    expect(await runDailyBackupIfDue(t.env)).toMatchObject({ name: `isolation-desk-${id8}-20220121-083000-daily.db`, removed: [] });
    expect(listBackups(path.join(dir, 'backups'), id).map((b) => b.name)).toEqual([`isolation-desk-${id8}-20220121-083000-daily.db`, `isolation-desk-${id8}-20220120-110000-quit.db`]);
    const audits = await t.env.db.selectFrom('auditLog').select(['action', 'userName']).where('action', 'like', 'backup.%').execute();
    expect(audits).toEqual([
      { action: 'backup.create', userName: 'system' },
      { action: 'backup.create', userName: 'system' },
      { action: 'backup.create', userName: 'system' },
    ]);
  });

  it('a backup that fails verification is returned, recorded and shown to the admin', async () => {
    const { t, dir } = await fileEnv();
    const admin = await t.login('admin');
    await api(t, 'backups.create', {}, admin);
    // A backup folder on a failing disk: every new backup comes out damaged. Simulated by corrupting as it is renamed.
    const rename = fs.renameSync;
    fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
      rename(from, to);
      if (String(to).endsWith('.db') && String(from).endsWith('.partial')) corrupt(String(to));
    }) as typeof fs.renameSync;
    let out;
    try {
      for (let i = 0; i < 30; i++) await addPerson(t, admin, { name: `居民${i}`, communityId: t.communities.a, seq: 400 + i });
      t.clock.set('2022-01-20T02:00:00.000Z');
      out = await api(t, 'backups.create', {}, await t.login('admin'));
    } finally {
      fs.renameSync = rename;
    }
    expect(out.ok).toBe(false);
    expect(out.problems.length).toBeGreaterThan(0);
    expect(out.removed).toEqual([]);
    const status = await api(t, 'backups.list', {}, await t.login('admin'));
    expect(status.lastFailed?.name).toBe(out.name);
    expect(status.lastFailed?.verification?.problems).toEqual(out.problems);
    const a = await t.env.db.selectFrom('auditLog').select('details').where('action', '=', 'backup.verify_failed').executeTakeFirstOrThrow();
    expect(JSON.parse(a.details!)).toMatchObject({ file: out.name, ok: false });
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.db'))).toHaveLength(2);
  });
});

describe('before migrating', () => {
  it('openDatabase backs up an existing file first by default, and refuses to touch a file whose backup does not verify', async () => {
    const dir = tempDir('idesk-migrate-');
    const file = path.join(dir, 'foreign.db');
    const raw = new SqliteDatabase(file);
    raw.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('别人的数据')");
    raw.close();
    await expect(openDatabase(file)).rejects.toThrow(/备份未通过校验.*不是本软件的数据文件.*未升级/);
    const after = new SqliteDatabase(file, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['notes']);
    expect(after.prepare('SELECT t FROM notes').pluck().all()).toEqual(['别人的数据']);
    after.close();
    const made = scanBackups(path.join(dir, 'backups'));
    expect(made.map((b) => [b.reason, b.status])).toEqual([[`before-migrate-v0-v${latestVersion}`, 'failed']]);
    // The hook can be replaced or switched off.
    const calls: number[] = [];
    const h = await openDatabase(file, { beforeMigrate: (_s, from, to) => void calls.push(from, to) });
    expect(calls).toEqual([0, latestVersion]);
    await h.close();
  });

  it('the default hook writes a verified backup into the configured folder', async () => {
    const dir = tempDir('idesk-migrate-');
    const file = path.join(dir, 'a.db');
    const h = await openDatabase(file, { create: true });
    h.sqlite.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('backupDir', '\"我的备份\"', 'x')").run();
    const r = await backupBeforeMigrate(h.sqlite, 1, 2);
    await h.close();
    expect(path.dirname(r.file)).toBe(path.join(dir, '我的备份'));
    expect(path.basename(r.file)).toMatch(/^isolation-desk-[0-9a-f]{8}-\d{8}-\d{6}-before-migrate-v1-v2\.db$/);
    expect(r.verification.ok).toBe(true);
    expect(listBackups(path.join(dir, '我的备份'), r.databaseId)[0].status).toBe('verified');
  });
});
