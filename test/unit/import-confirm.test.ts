// What a resident list may only do when the clerk says so (excel/import/confirm.ts), on the shared sample: its title
// names another subdistrict (新开路街道), its people started on 2022-01-12/13 so their 7 days are over by 2022-01-20,
// and 9 of its valid rows name 南大街社区, which the database lacks. Without the choices the commit refuses and
// writes nothing; rows naming an unconfirmed community are rejected with the nearest names; people imported as
// already ended raise nothing in the daily numbers; the CLI takes --create-communities, --stale, --other-subdistrict.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { dumpContent, listFile, listRequest, STANDARD_HEADER } from '../helpers/lists.ts';
import { previewImport, runImport, type ResidentPreview } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { commitResidents } from '../../electron/excel/import/commit.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { nearestNames } from '../../electron/excel/import/confirm.ts';
import { undoBatch } from '../../electron/excel/import/batches.ts';
import { communityDailyStats } from '../../electron/domain/dashboard.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { endEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { AppError } from '../../electron/shared/errors.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/sample-upstream-list.xlsx');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/sample-upstream-list.expected.json'), 'utf8')) as {
  imported: number;
  errorRows: number;
  households: number;
  confirm: { otherSubdistrict: string; staleRows: number; newCommunities: { name: string; validRows: number; nearest: string[] }[] };
};
const SAMPLE_CONFIRMED = { createCommunities: ['南大街社区'], otherSubdistrict: true } as const;

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-import-confirm-');
  env = await makeEnv({ file: path.join(dir, 'desk.db') });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sample = (extra: Record<string, unknown>) => listRequest(FIXTURE, { mode: 'valid-only', ...extra });
const count = (sql: string, ...args: unknown[]) => env.handle.sqlite.prepare(sql).pluck().get(...args) as number;
const totals = async (date: string) => {
  const rows = await communityDailyStats(env.ctx(), date);
  const sum = (k: 'underControl' | 'dueForRelease' | 'checkinsDue') => rows.reduce((n, r) => n + r[k], 0);
  return { underControl: sum('underControl'), dueForRelease: sum('dueForRelease'), checkinsDue: sum('checkinsDue') };
};

describe('the sample list without any choice made', () => {
  it('preview: the foreign title, the stale people and the new community, each with its consequence; its rows rejected with the nearest name', async () => {
    const p = (await previewImport(env.ctx(), sample({ confirm: undefined }))) as ResidentPreview;
    const c = p.confirmations;
    expect(c.otherSubdistrict).toEqual({ named: EXPECTED.confirm.otherSubdistrict, own: '解放道街道' });
    const [community] = EXPECTED.confirm.newCommunities;
    expect(c.newCommunities).toEqual([{ name: community.name, rows: community.validRows + 2, nearest: community.nearest, confirmed: false }]);
    // The rows naming it are rejected (9 valid ones + the 2 already rejected for their ID numbers).
    const unknown = p.errors.filter((e) => e.code === 'community-unknown');
    expect(unknown).toHaveLength(community.validRows + 2);
    expect(unknown[0]).toMatchObject({ row: 3, column: '社区', value: '南大街社区' });
    expect(unknown[0].reason).toContain('相近的已有社区：西大街社区');
    expect(p.counts.valid).toBe(EXPECTED.imported - community.validRows);
    // Everyone still importable started a period that is already over.
    expect(c.stale).toMatchObject({ count: EXPECTED.imported - community.validRows, earliestStart: '2022-01-12', latestLastDay: '2022-01-19' });
    expect(c.pending).toEqual(['otherSubdistrict', 'stale']);
  });

  it('commit (valid-only) is refused with every consequence in Chinese, and the database file is unchanged', async () => {
    const before = dumpContent(env.handle.sqlite);
    const err = await runImport(env.ctx(), sample({ confirm: undefined })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BLOCKED');
    const msg = (err as AppError).message;
    expect(msg).toContain('名单标题写的是“新开路街道”，本街道是“解放道街道”');
    expect(msg).toContain('13 人的隔离期在今天（2022-01-20）以前已经结束');
    expect(msg).toContain('计入在管、待解除和应报人数');
    expect(msg).toContain('未写入任何数据');
    expect((err as AppError).details).toMatchObject({ confirmationRequired: ['otherSubdistrict', 'stale'] });
    // With the community confirmed, the count is of all 22 and the community to be created is named.
    const err2 = (await runImport(env.ctx(), sample({ confirm: SAMPLE_CONFIRMED })).catch((e: unknown) => e)) as AppError;
    expect(err2.code).toBe('BLOCKED');
    expect(err2.message).toContain(`${EXPECTED.confirm.staleRows} 人的隔离期`);
    expect(err2.message).toContain('将新建社区：南大街社区（11 行）');
    expect(err2.message).not.toContain('标题');
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
  });
});

describe('the sample list with the choices made', () => {
  it('import-ended: 22 people with their real dates, released on their release date; nothing under control, due for release or due to report', async () => {
    const s = (await runImport(env.ctx(), sample({ confirm: { ...SAMPLE_CONFIRMED, stale: 'import-ended' } }))) as ImportSummary;
    expect(s).toMatchObject({ status: 'written', imported: EXPECTED.imported, endedOnImport: EXPECTED.imported, households: EXPECTED.households });
    expect(s.newPlaces.filter((x) => x.level === 'community').map((x) => x.name)).toEqual(['南大街社区']);
    const eps = env.handle.sqlite.prepare('SELECT start_date AS start, last_day AS last, release_date AS rel, status, ended_on AS ended, end_reason AS reason FROM episodes ORDER BY id').all() as Record<string, string>[];
    expect(eps).toHaveLength(EXPECTED.imported);
    for (const e of eps) {
      expect(e).toMatchObject({ status: 'released', ended: e.rel, reason: expect.stringContaining('导入时隔离期已结束') });
      expect(e.last < '2022-01-20').toBe(true);
    }
    expect(eps.filter((e) => e.start === '2022-01-12').every((e) => e.last === '2022-01-18' && e.rel === '2022-01-19')).toBe(true);
    expect(count("SELECT COUNT(*) FROM residents WHERE status = 'released'")).toBe(EXPECTED.imported);
    expect(await totals('2022-01-20')).toEqual({ underControl: 0, dueForRelease: 0, checkinsDue: 0 });
    // The real dates stay: on 2022-01-15 they were all isolating.
    expect((await totals('2022-01-15')).underControl).toBe(EXPECTED.imported);
    expect(count("SELECT COUNT(*) FROM audit_log WHERE action = 'episode.release' AND details LIKE '%endedOnImport%'")).toBe(1);
    // The same list again records no second copy of those periods.
    const again = (await runImport(env.ctx(), sample({ confirm: { ...SAMPLE_CONFIRMED, stale: 'import-ended' } }))) as ImportSummary;
    expect(again).toMatchObject({ status: 'written', imported: 0, updated: 0, skipped: EXPECTED.imported, endedOnImport: 0 });
    expect(again.warnings.filter((w) => w.code === 'period-recorded')).toHaveLength(EXPECTED.imported);
    expect(count('SELECT COUNT(*) FROM episodes')).toBe(EXPECTED.imported);
    // The batch can still be undone: the episodes are as the import wrote them.
    expect(await undoBatch(env.ctx(), s.batchId!)).toMatchObject({ residents: EXPECTED.imported, episodes: EXPECTED.imported });
  });

  it('import-active: as before, 22 isolating people overdue for release (what import-ended avoids)', async () => {
    const s = (await runImport(env.ctx(), sample({ confirm: { ...SAMPLE_CONFIRMED, stale: 'import-active' } }))) as ImportSummary;
    expect(s).toMatchObject({ status: 'written', imported: EXPECTED.imported, endedOnImport: 0 });
    expect(await totals('2022-01-20')).toEqual({ underControl: EXPECTED.imported, dueForRelease: EXPECTED.imported, checkinsDue: 2 * EXPECTED.imported });
  });

  it('without the new community confirmed: its rows are rejected, the others imported, the community not created', async () => {
    const s = (await runImport(env.ctx(), sample({ confirm: { otherSubdistrict: true, stale: 'import-ended' } }))) as ImportSummary;
    expect(s).toMatchObject({ status: 'written', imported: 13, endedOnImport: 13 });
    expect(s.errors.filter((e) => e.code === 'community-unknown')).toHaveLength(11);
    expect(count("SELECT COUNT(*) FROM places WHERE name = '南大街社区'")).toBe(0);
    // All-or-nothing: the whole list is refused, the hint in the errors.
    const before = dumpContent(env.handle.sqlite);
    const r = (await runImport(env.ctx(), listRequest(FIXTURE, { confirm: { otherSubdistrict: true, stale: 'import-ended' } }))) as ImportSummary;
    expect(r.status).toBe('rejected');
    expect(r.errors.some((e) => e.code === 'community-unknown' && e.reason.includes('西大街社区'))).toBe(true);
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
  });
});

describe('stale and unknown-community rules beyond the sample', () => {
  const ID = (seq: number) => makeIdNumber('131003', '1970-05-05', seq);

  it('a known person with no running episode, on a stale list imported as ended, gets a released episode too', async () => {
    const { id } = await createResident(env.ctx(), { name: '老住户', docType: '居民身份证', docNumber: ID(1), category: '其他', address: { communityId: env.communities.a, compound: '金桥小区', building: '1', unit: '1', room: '101' } });
    const first = await startEpisode(env.ctx(), { residentId: id, startDate: '2022-01-02' });
    await endEpisode(env.ctx(), { episodeId: first.id, version: first.version, outcome: 'ended_other', reason: '搬离', date: '2022-01-05' });
    const file = await listFile(dir, 'old.xlsx', { rows: [STANDARD_HEADER, [1, '老住户', ID(1), '13900000001', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-10'], [2, '新人', ID(2), '13900000002', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-19']] });
    const p = (await previewImport(env.ctx(), listRequest(file, { confirm: undefined }))) as ResidentPreview;
    expect(p.confirmations.stale).toMatchObject({ count: 1, rows: [{ row: 2, name: '老住户', startDate: '2022-01-10', lastDay: '2022-01-16' }] });
    const s = (await runImport(env.ctx(), listRequest(file, { confirm: { stale: 'import-ended' } }))) as ImportSummary;
    expect(s).toMatchObject({ imported: 1, updated: 1, endedOnImport: 1 });
    const rows = env.handle.sqlite.prepare('SELECT r.name, r.status, e.status AS ep, e.ended_on AS ended FROM residents r JOIN episodes e ON e.id = r.current_episode_id ORDER BY r.id').all();
    expect(rows).toEqual([
      { name: '老住户', status: 'released', ep: 'released', ended: '2022-01-17' },
      { name: '新人', status: 'isolating', ep: 'active', ended: null },
    ]);
  });

  it('a current list needs no choice; a committed list naming an unknown community through the domain directly is refused', async () => {
    const file = await listFile(dir, 'fresh.xlsx', { rows: [STANDARD_HEADER, [1, '甲', ID(3), '13900000003', '西大街社区', '金桥小区', 1, 1, 103, '2022-01-18']] });
    expect(((await previewImport(env.ctx(), listRequest(file, { confirm: undefined }))) as ResidentPreview).confirmations).toEqual({ otherSubdistrict: null, stale: null, newCommunities: [], pending: [] });
    expect(await runImport(env.ctx(), listRequest(file, { confirm: undefined }))).toMatchObject({ status: 'written', imported: 1 });
    // analyseResidents without the known communities, as a direct caller might: the commit still refuses to create one.
    const table = { sheetName: 'S', sheetNames: ['S'], rows: [STANDARD_HEADER, [1, '乙', ID(4), '13900000004', '东风社区', '金桥小区', 1, 1, 104, '2022-01-18']], date1904: false, format: 'xlsx' as const };
    const a = analyseResidents(table, {}, { today: '2022-01-20', orgNames: ['广阳区', '解放道街道'] });
    const before = dumpContent(env.handle.sqlite);
    await expect(commitResidents(env.ctx(), a, { mode: 'all-or-nothing', fileName: 'x.xlsx' })).rejects.toMatchObject({ code: 'BLOCKED', message: expect.stringContaining('东风社区') });
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
    expect(await commitResidents(env.ctx(), a, { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: { createCommunities: ['东风社区'] } })).toMatchObject({ status: 'written', imported: 1 });
  });

  it('nearest names: by edit distance of the names without 社区, only names sharing half their characters', () => {
    const known = ['西大街社区', '华夏里社区', '新华路社区', '银河南路社区', '光明东道社区'];
    expect(nearestNames('南大街社区', known)).toEqual(['西大街社区']);
    expect(nearestNames('华夏社区', known)).toEqual(['华夏里社区', '新华路社区']);
    expect(nearestNames('银河路社区', known)[0]).toBe('银河南路社区');
    expect(nearestNames('幸福社区', known)).toEqual([]);
  });
});

describe('API: the commit job refuses until the choices come with it', () => {
  const api = <C extends Channel>(channel: C, input: InputOf<C>, key: string): Promise<OutputOf<C>> => call(env.env, channel, input, key);
  async function finish(key: string, jobId: string) {
    for (let i = 0; i < 600; i++) {
      const st = await api('jobs.status', { jobId }, key);
      if (st.state !== 'running') return st;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('job did not finish');
  }

  it('preview lists what is pending; commit without the choices fails BLOCKED and writes nothing; with them it imports', async () => {
    const key = await env.login('clerk');
    const u = await api('import.upload', { fileName: 'sample.xlsx', dataBase64: fs.readFileSync(FIXTURE).toString('base64') }, key);
    const list = { fileId: u.fileId, kind: 'residents' as const };
    const p = (await api('import.preview', list, key)) as ResidentPreview;
    expect(p.confirmations.pending).toEqual(['otherSubdistrict', 'stale']);
    expect(p.confirmations.newCommunities.map((c) => c.name)).toEqual(['南大街社区']);
    const before = dumpContent(env.handle.sqlite);
    const refused = await finish(key, (await api('import.commit', { ...list, mode: 'valid-only' }, key)).jobId);
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'BLOCKED', message: expect.stringContaining('导入前须确认') } });
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
    // 'all' is the CLI's: the API names the communities it creates.
    await expect(api('import.commit', { ...list, confirm: { createCommunities: 'all' as never } }, key)).rejects.toMatchObject({ code: 'VALIDATION' });
    const confirm = { createCommunities: ['南大街社区'], stale: 'import-ended' as const, otherSubdistrict: true };
    const p2 = (await api('import.preview', { ...list, confirm }, key)) as ResidentPreview;
    expect(p2.confirmations.pending).toEqual([]);
    expect(p2.counts.valid).toBe(EXPECTED.imported);
    const done = await finish(key, (await api('import.commit', { ...list, mode: 'valid-only', confirm }, key)).jobId);
    expect(done).toMatchObject({ state: 'succeeded', result: { imported: EXPECTED.imported, endedOnImport: EXPECTED.imported } });
  });
});

describe('CLI: --create-communities, --stale, --other-subdistrict', () => {
  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const content = (db: string) => {
    const s = new SqliteDatabase(db, { readonly: true });
    try {
      return dumpContent(s);
    } finally {
      s.close();
    }
  };

  it('without the flags exit 1 naming each flag and nothing written; with them exit 0 and the people ended', async () => {
    await env.close();
    const db = path.join(dir, 'cli.db');
    env = await makeEnv({ file: db });
    await env.close();
    const before = content(db);
    const r = cli('import', 'residents', FIXTURE, '--db', db, '--mode', 'valid-only');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/--other-subdistrict/);
    expect(r.stderr + r.stdout).toMatch(/--stale ended/);
    expect(content(db)).toEqual(before);
    // All-or-nothing without --create-communities: the rows of 南大街社区 refuse the list, with the hint and the flag.
    const a = cli('import', 'residents', FIXTURE, '--db', db, '--other-subdistrict', '--stale', 'ended');
    expect(a.code, a.stderr).toBe(1);
    expect(a.stderr).toContain('--create-communities');
    expect(a.stderr).toContain('相近的已有社区：西大街社区');
    expect(content(db)).toEqual(before);
    expect(cli('import', 'residents', FIXTURE, '--db', db, '--stale', 'maybe').code).toBe(2);
    const ok = cli('import', 'residents', FIXTURE, '--db', db, '--json', '--mode', 'valid-only', '--other-subdistrict', '--stale', 'ended', '--create-communities');
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, status: 'written', imported: EXPECTED.imported, endedOnImport: EXPECTED.imported });
    const s = new SqliteDatabase(db, { readonly: true });
    try {
      expect(s.prepare("SELECT COUNT(*) FROM episodes WHERE status = 'released'").pluck().get()).toBe(EXPECTED.imported);
      expect(s.prepare("SELECT COUNT(*) FROM places WHERE level = 'community' AND name = '南大街社区'").pluck().get()).toBe(1);
    } finally {
      s.close();
    }
  }, 120_000);
});
