// Per-category policies (settings.categoryPolicies) on a real database: what startEpisode, the import's batch path and
// applyCurrentPolicy plan for each category; extending an isolation moves its last-day test (入境 [1, 7, last]) and
// keeps the days already due, with the previous list in the audit; the domain refuses an unknown category itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { createResident, updateResident } from '../../electron/domain/residents.ts';
import { applyCurrentPolicy, extendEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { releaseBlockers } from '../../electron/domain/episodes-release.ts';
import { createIsolatedResidentsBatch } from '../../electron/domain/residents-batch.ts';
import { inTx } from '../../electron/domain/context.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { updateSettings } from '../../electron/domain/settings.ts';
import { listFile, listRequest } from '../helpers/lists.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import type { Category } from '../../electron/db/schema.ts';
import fs from 'node:fs';

let t: TestEnv;
let dir: string;
beforeEach(async () => {
  t = await makeEnv({ now: '2022-01-19T02:00:00.000Z' }); // 2022-01-19 10:00 Shanghai
  dir = tempDir('idesk-policy-');
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const POLICIES = {
  入境: { isolationDays: 7, monitoringDays: 7, testDays: [1, 7, 'last'] as (number | 'last')[] },
  密接: { isolationDays: 14, monitoringDays: 7, testDays: [1, 4, 7, 'last'] as (number | 'last')[] },
};

let seq = 0;
async function person(category: Category, name = `人${++seq}`) {
  const r = await createResident(t.ctx(), {
    name,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1985-03-04', ++seq),
    category,
    address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: String(500 + seq) },
  });
  return r.id;
}
const days = (e: { testDays: string }) => JSON.parse(e.testDays) as number[];
const episode = (id: number) => t.handle.db.selectFrom('episodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('per-category policies', () => {
  beforeEach(async () => {
    await updateSettings(t.ctx(), { categoryPolicies: POLICIES });
  });

  it('startEpisode plans each category by its own policy; a category without one by the default', async () => {
    const mi = await startEpisode(t.ctx(), { residentId: await person('密接'), startDate: '2022-01-12' });
    expect(mi).toMatchObject({ lastDay: '2022-01-25', releaseDate: '2022-01-26', monitoringDays: 7 });
    expect(days(mi)).toEqual([1, 4, 7, 14]);
    const ru = await startEpisode(t.ctx(), { residentId: await person('入境'), startDate: '2022-01-12' });
    expect(ru).toMatchObject({ lastDay: '2022-01-18', monitoringDays: 7 });
    expect(days(ru)).toEqual([1, 7]);
    const other = await startEpisode(t.ctx(), { residentId: await person('其他'), startDate: '2022-01-12' });
    expect(other).toMatchObject({ lastDay: '2022-01-18', monitoringDays: 0 });
    expect(days(other)).toEqual([1, 7]);
  });

  it('an imported list plans each row by its category (the batch path)', async () => {
    const ID = (n: number) => makeIdNumber('131003', '1990-01-01', n);
    const file = await listFile(dir, 'cat.xlsx', {
      rows: [
        ['姓名', '身份证号', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期', '人员类别'],
        ['密一', ID(1), '西大街社区', '金桥小区', 1, 1, 101, '2022-01-15', '密切接触者'],
        ['入一', ID(2), '西大街社区', '金桥小区', 1, 1, 102, '2022-01-15', '入境人员'],
        ['其一', ID(3), '西大街社区', '金桥小区', 1, 1, 103, '2022-01-15', ''],
      ],
    });
    expect(((await runImport(t.ctx(), listRequest(file))) as ImportSummary).imported).toBe(3);
    const rows = t.handle.sqlite.prepare('SELECT r.name, r.category, e.last_day AS last, e.test_days AS tests, e.monitoring_days AS mon FROM residents r JOIN episodes e ON e.resident_id = r.id ORDER BY r.id').all();
    expect(rows).toEqual([
      { name: '密一', category: '密接', last: '2022-01-28', tests: '[1,4,7,14]', mon: 7 },
      { name: '入一', category: '入境', last: '2022-01-21', tests: '[1,7]', mon: 7 },
      { name: '其一', category: '其他', last: '2022-01-21', tests: '[1,7]', mon: 0 },
    ]);
  });

  it('applyCurrentPolicy re-plans a running period by the changed policy: last day, test days, history', async () => {
    const e = await startEpisode(t.ctx(), { residentId: await person('入境'), startDate: '2022-01-15' });
    expect(days(e)).toEqual([1, 7]);
    await updateSettings(t.ctx(), { categoryPolicies: { ...POLICIES, 入境: { isolationDays: 10, monitoringDays: 7, testDays: [1, 3, 'last'] } } });
    const x = await applyCurrentPolicy(t.ctx(), e.id, e.version);
    expect(x).toMatchObject({ lastDay: '2022-01-24', releaseDate: '2022-01-25' });
    // Day 1 and day 3 were due by 2022-01-19 (day 5); day 7 was not, and goes; the new last day is 10.
    expect(days(x)).toEqual([1, 3, 10]);
    const hist = await t.handle.db.selectFrom('episodeExtensions').selectAll().where('episodeId', '=', e.id).execute();
    expect(hist).toEqual([expect.objectContaining({ previousLastDay: '2022-01-21', newLastDay: '2022-01-24', reason: '按新政策调整' })]);
    const a = t.handle.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'episode.apply_policy'").pluck().get() as string;
    expect(JSON.parse(a)).toMatchObject({ before: { lastDay: '2022-01-21', testDays: [1, 7] }, after: { lastDay: '2022-01-24', testDays: [1, 3, 10] } });
    // Only the test days changed: applied too, with no extension in the history.
    await updateSettings(t.ctx(), { categoryPolicies: { ...POLICIES, 入境: { isolationDays: 10, monitoringDays: 7, testDays: [1, 2, 'last'] } } });
    const y = await applyCurrentPolicy(t.ctx(), x.id, x.version);
    expect(days(y)).toEqual([1, 2, 3, 10]);
    expect(y.lastDay).toBe('2022-01-24');
    expect(await t.handle.db.selectFrom('episodeExtensions').selectAll().where('episodeId', '=', e.id).execute()).toHaveLength(1);
  });
});

describe('extending moves the last-day test', () => {
  it('入境 [1, 7, last]: 7 days [1, 7] → 14 days [1, 7, 14]; release then needs the day-14 test; the old list is in the audit', async () => {
    await updateSettings(t.ctx(), { categoryPolicies: POLICIES });
    const e = await startEpisode(t.ctx(), { residentId: await person('入境'), startDate: '2022-01-12' });
    expect(days(e)).toEqual([1, 7]);
    const x = await extendEpisode(t.ctx(), { episodeId: e.id, version: e.version, newLastDay: '2022-01-25', reason: '同住人阳性' });
    expect(days(x)).toEqual([1, 7, 14]);
    expect(days(await episode(e.id))).toEqual([1, 7, 14]);
    const a = t.handle.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'episode.extend'").pluck().get() as string;
    expect(JSON.parse(a)).toMatchObject({ before: { lastDay: '2022-01-18', testDays: [1, 7] }, after: { lastDay: '2022-01-25', testDays: [1, 7, 14] } });
    t.clock.set('2022-01-26T02:00:00.000Z');
    const blockers = await releaseBlockers(t.ctx(), x);
    expect(blockers.map((b) => b.day)).toEqual([1, 7, 14]);
    expect(blockers[2].message).toContain('第14天（2022-01-25）');
  });

  it('default [1, last]: a last-day test already due stays; one not yet due moves to the new last day', async () => {
    const due = await startEpisode(t.ctx(), { residentId: await person('其他'), startDate: '2022-01-12' }); // day 8 today
    const x = await extendEpisode(t.ctx(), { episodeId: due.id, version: due.version, newLastDay: '2022-01-21', reason: '复核' });
    expect(days(x)).toEqual([1, 7, 10]);
    const early = await startEpisode(t.ctx(), { residentId: await person('其他'), startDate: '2022-01-15' }); // day 5 today
    const y = await extendEpisode(t.ctx(), { episodeId: early.id, version: early.version, newLastDay: '2022-01-24', reason: '复核' });
    expect(days(y)).toEqual([1, 10]);
  });
});

describe('the domain refuses an unknown category', () => {
  it('createResident, updateResident and the import batch path all say so in Chinese, and save nothing', async () => {
    const input = { name: '外星人', docType: '居民身份证' as const, docNumber: makeIdNumber('131002', '1985-03-04', 900), address: { communityId: t.communities.a, compound: '金桥小区', building: '1', unit: '1', room: '101' } };
    await expect(createResident(t.ctx(), { ...input, category: '外星人' as Category })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('人员类别“外星人”不正确') });
    const id = await person('密接');
    const before = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await expect(updateResident(t.ctx(), { id, version: before.version, category: '外星人' as Category })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before);
    const batch = inTx(t.ctx(), async (tx) => {
      const household = await tx.db.selectFrom('households').select(['id', 'communityId']).executeTakeFirstOrThrow();
      const value = { name: '乙', docType: '居民身份证' as const, docNumber: makeIdNumber('131002', '1985-03-04', 901), sex: null, birthDate: null, phone: null, category: '外星人' as Category, notes: null, guardianId: null };
      return createIsolatedResidentsBatch(tx, [{ value, householdId: household.id, communityId: household.communityId, startDate: '2022-01-18' }], { importBatchId: 1 });
    });
    await expect(batch).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('外星人') });
    expect(t.handle.sqlite.prepare("SELECT COUNT(*) FROM residents WHERE category NOT IN ('密接','次密接','入境','中高风险地区来返','其他')").pluck().get()).toBe(0);
  });
});
