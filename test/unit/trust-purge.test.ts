// The retention purge: people whose last episode ended more than retentionDays ago go with everything about them;
// one audit record with counts only; their audit entries keep no personal values; the same purge runs in the backups
// (unless kept); and no byte of a purged ID number or name stays in the database file, its WAL, or the backup.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { addPerson, api, fileContains } from '../helpers/trust.ts';
import { runPurge } from '../../electron/domain/purgeRun.ts';
import { exportBeforePurge } from '../../electron/excel/export/purge-archive.ts';

let t: TestEnv | null = null;
afterEach(async () => {
  await t?.env.db.destroy();
  t = null;
});

const at = (date: string) => `${date}T01:00:00.000Z`; // 09:00 in Shanghai

async function setup() {
  const dir = tempDir('idesk-purge-');
  const file = path.join(dir, 'isolation-desk.db');
  const env = await makeEnv({ file });
  t = env;
  const clerk = await env.login('clerk');
  const q = <T>(sql: string, ...args: unknown[]) => env.handle.sqlite.prepare(sql).get(...args) as T;
  const episodeOf = (id: number) => q<{ id: number; version: number }>("SELECT id, version FROM episodes WHERE resident_id = ? AND status = 'active'", id);
  const release = async (key: string, id: number) => {
    const e = episodeOf(id);
    await api(env, 'episodes.release', { episodeId: e.id, version: e.version, reason: '测试', overrideReason: '测试' }, key);
  };

  // 欧阳清扫: alone in room 801, everything about them — check-ins, a test, an alert, an extension, a supply request.
  const a = await addPerson(env, clerk, { name: '欧阳清扫', communityId: env.communities.a, seq: 801, room: '801', phone: '13811112222', startEpisode: '2022-01-10' });
  const ep = episodeOf(a.id);
  await api(env, 'episodes.extend', { episodeId: ep.id, version: ep.version, newLastDay: '2022-01-18', reason: '复查' }, clerk);
  const ci = await api(env, 'checkins.record', { residentId: a.id, date: '2022-01-12', slot: 'am', temperature: 37.9, symptoms: ['咳嗽'], notes: '欧阳清扫自述咳嗽' }, clerk);
  await api(env, 'alerts.close', { id: ci.alertId!, version: 1, action: '复测正常', note: '复测36.5' }, clerk);
  await api(env, 'tests.record', { residentId: a.id, sampleDate: '2022-01-13', testType: '核酸', result: '阴性' }, clerk);
  const hhA = q<{ household_id: number }>('SELECT household_id FROM residents WHERE id = ?', a.id).household_id;
  const req = await api(env, 'supplies.create', { householdId: hhA, category: '药品', items: [{ name: '退烧药', quantity: '1盒' }], requestedBy: '欧阳清扫' }, clerk);
  const cadre = await api(env, 'cadres.create', { name: '马骏', homeUnit: '市住建局', communityId: env.communities.a }, clerk);
  await api(env, 'supplies.assign', { id: req.id, version: req.version, cadreId: cadre.id }, clerk);
  // 司马同住 and 诸葛后来 share room 802: 司马 goes, 诸葛 (isolated later) stays, and so does the household.
  const d = await addPerson(env, clerk, { name: '司马同住', communityId: env.communities.a, seq: 802, room: '802', startEpisode: '2022-01-10' });
  const e = await addPerson(env, clerk, { name: '诸葛后来', communityId: env.communities.a, seq: 803, room: '802' });
  const hhD = q<{ household_id: number }>('SELECT household_id FROM residents WHERE id = ?', d.id).household_id;
  await api(env, 'supplies.create', { householdId: hhD, category: '蔬菜', items: [{ name: '白菜', quantity: '2颗' }] }, clerk);
  // 东方未隔: registered, never isolated. 皇甫近期: ended within the retention period.
  const b = await addPerson(env, clerk, { name: '东方未隔', communityId: env.communities.b, seq: 804, compound: '华夏小区' });
  const f = await addPerson(env, clerk, { name: '皇甫近期', communityId: env.communities.b, seq: 805, compound: '华夏小区', startEpisode: '2022-01-20' });
  await release(clerk, a.id);
  await release(clerk, d.id);
  const admin = await env.login('admin');
  const backup = await api(env, 'backups.create', {}, admin);
  expect(backup.ok).toBe(true);

  env.clock.set(at('2022-02-10'));
  await release(await env.login('clerk'), f.id);
  env.clock.set(at('2022-02-20'));
  await api(env, 'episodes.start', { residentId: e.id, startDate: '2022-02-20' }, await env.login('clerk'));
  env.clock.set(at('2022-02-25')); // cutoff 2022-01-26: 01-20 is more than 30 days ago, 02-10 is not
  return { env, dir, file, a, b, d, e, f, backupFile: path.join(dir, 'backups', backup.name) };
}

describe('retention purge', () => {
  it('previews, purges everything about the expired people, scrubs their audit entries, and leaves no bytes', async () => {
    const { env, dir, file, a, b, d, e, f, backupFile } = await setup();
    const admin = await env.login('admin');
    const raw = () => env.handle.sqlite;
    const auditAboutA = raw().prepare('SELECT id, action, user_name FROM audit_log WHERE resident_id = ? ORDER BY id').all(a.id);
    expect(auditAboutA.length).toBeGreaterThanOrEqual(6);
    expect(fileContains(backupFile, a.docNumber)).toBe(true);

    const preview = await api(env, 'purge.preview', {}, admin);
    expect(preview).toMatchObject({
      cutoff: '2022-01-26',
      retentionDays: 30,
      heldBack: 0,
      backupFiles: 1,
      counts: { residents: 2, episodes: 2, extensions: 1, checkins: 1, tests: 1, alerts: 1, households: 1, supplyRequests: 1, supplyItems: 1, supplyTransitions: 2 },
    });
    expect(await env.dispatch('purge.run', { confirm: true }, await env.login('clerk'))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await env.dispatch('purge.run', {}, admin)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });

    const r = await api(env, 'purge.run', { confirm: true, exportFirst: {} }, admin);
    expect(r.counts).toEqual({ ...preview.counts, auditScrubbed: r.counts.auditScrubbed });
    expect(r.counts.auditScrubbed).toBeGreaterThanOrEqual(auditAboutA.length);
    expect(r.walCleared).toBe(true);
    expect(r.backups).toEqual({ kept: false, foreign: [], files: [{ name: path.basename(backupFile), ok: true, counts: expect.objectContaining({ residents: 2 }), problems: [] }] });
    expect(r.exportFile && fs.existsSync(r.exportFile)).toBeTruthy();

    const ids = (sql: string) => raw().prepare(sql).pluck().all() as number[];
    expect(ids('SELECT id FROM residents ORDER BY id')).toEqual([e.id, b.id, f.id].sort((x, y) => x - y));
    expect(ids('SELECT COUNT(*) FROM households')).toEqual([3]);
    expect(ids('SELECT COUNT(*) FROM supply_requests')).toEqual([1]); // 诸葛后来's household keeps its request
    for (const table of ['checkins', 'tests', 'alerts', 'episode_extensions', 'supply_items']) {
      expect(ids(`SELECT COUNT(*) FROM ${table} WHERE ${table === 'supply_items' ? 'request_id NOT IN (SELECT id FROM supply_requests)' : '1'}`), table).toEqual([0]);
    }
    // Their audit entries are still there (who did what when) but hold no personal values.
    const after = raw().prepare('SELECT id, action, user_name, details FROM audit_log WHERE resident_id = ? ORDER BY id').all(a.id) as { details: string }[];
    expect(after.map(({ details, ...rest }) => rest)).toEqual(auditAboutA);
    for (const row of after) expect(row.details).toBe('{"purged":true}');
    // One record of the purge, with counts only.
    const purgeRows = raw().prepare("SELECT user_name, details FROM audit_log WHERE action = 'purge.run'").all() as { user_name: string; details: string }[];
    expect(purgeRows).toHaveLength(1);
    expect(purgeRows[0].user_name).toBe('admin');
    expect(JSON.parse(purgeRows[0].details)).toMatchObject({ cutoff: '2022-01-26', counts: r.counts, keepBackups: false });
    expect(purgeRows[0].details).not.toMatch(/欧阳|司马|13811112222/);
    expect(raw().prepare('SELECT COUNT(*) FROM audit_purge_gate').pluck().get()).toBe(0);
    expect(raw().pragma('integrity_check', { simple: true })).toBe('ok');

    // No byte of the purged people anywhere in the file, its WAL or shared memory, or the purged backup.
    const files = [file, `${file}-wal`, `${file}-shm`, backupFile];
    for (const who of [a, d]) {
      for (const f2 of files) expect(fileContains(f2, who.docNumber), `${who.docNumber} in ${path.basename(f2)}`).toBe(false);
    }
    for (const name of ['欧阳清扫', '司马同住', '13811112222', '退烧药']) {
      for (const f2 of files) expect(fileContains(f2, name), `${name} in ${path.basename(f2)}`).toBe(false);
    }
    // The search does find what is still there (so a false "not found" cannot pass this test).
    expect(fileContains(file, '诸葛后来') || fileContains(`${file}-wal`, '诸葛后来')).toBe(true);
    expect(fileContains(backupFile, '诸葛后来')).toBe(true);
    expect(fileContains(backupFile, e.docNumber)).toBe(true);
    const sidecar = JSON.parse(fs.readFileSync(`${backupFile}.json`, 'utf8'));
    expect(sidecar).toMatchObject({ ok: true, purgedAt: '2022-02-25T09:00:00+08:00' });
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((n) => !n.endsWith('.db') && !n.endsWith('.json'))).toEqual([]);

    // A second purge finds nothing more.
    const again = await api(env, 'purge.preview', {}, admin);
    expect(again.counts.residents).toBe(0);
  });

  it('the export first and the purge take the same people: when the day turns between them nothing is purged', async () => {
    const { env, dir, file, a } = await setup();
    const ctx = env.ctx();
    const exported = await exportBeforePurge(ctx, { dbFile: file, exportDir: path.join(dir, 'exports') });
    expect(exported.cutoff).toBe('2022-01-26');
    expect(fs.existsSync(exported.file)).toBe(true);
    const residents = () => env.handle.sqlite.prepare('SELECT COUNT(*) FROM residents').pluck().get();
    const before = residents();
    env.clock.set(at('2022-02-26')); // the cutoff is now 2022-01-27: the list written is no longer the purge's
    await expect(runPurge(ctx, { dbFile: file, exportedFirst: exported })).rejects.toMatchObject({ code: 'BLOCKED', message: expect.stringContaining('未清理') });
    expect(residents()).toBe(before);
    expect(env.handle.sqlite.prepare('SELECT COUNT(*) FROM residents WHERE id = ?').pluck().get(a.id)).toBe(1);
    expect(fs.existsSync(exported.file)).toBe(true);
    env.clock.set(at('2022-02-25'));
    const r = await runPurge(ctx, { dbFile: file, exportedFirst: exported });
    expect(r).toMatchObject({ cutoff: '2022-01-26', exportFile: exported.file, counts: { residents: 2 } });
  });

  it('keepBackups leaves the backups as they were and says so; a guardian stays while their ward does', async () => {
    const { env, a, backupFile } = await setup();
    const admin = await env.login('admin');
    const before = fs.readFileSync(backupFile);
    // An infant without documents in room 802, in the care of 司马同住 (who would otherwise go), isolating now.
    const d = env.handle.sqlite.prepare("SELECT id, household_id FROM residents WHERE name = '司马同住'").get() as { id: number; household_id: number };
    const baby = await api(env, 'residents.create', { name: '小宝', docType: '无证件', birthDate: '2021-10-01', guardianId: d.id, category: '密接', householdId: d.household_id, startEpisode: '2022-02-24' }, await env.login('clerk'));
    const r = await api(env, 'purge.run', { confirm: true, keepBackups: true }, admin);
    expect(r.heldBack).toBe(1);
    expect(r.counts.residents).toBe(1);
    expect(r.backups).toEqual({ kept: true, foreign: [], files: [{ name: path.basename(backupFile), ok: false, counts: null, problems: ['按管理员选择保留，未清理'] }] });
    expect(fs.readFileSync(backupFile).equals(before)).toBe(true);
    expect(fileContains(backupFile, a.docNumber)).toBe(true);
    const left = env.handle.sqlite.prepare('SELECT name FROM residents ORDER BY id').pluck().all();
    expect(left).toEqual(expect.arrayContaining(['司马同住', '小宝']));
    expect(left).not.toContain('欧阳清扫');
    expect(baby.id).toBeGreaterThan(0);
  });
});
