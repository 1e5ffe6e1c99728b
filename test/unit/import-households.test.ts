// Households, places and people already known: one household per community + compound + building + unit + room,
// unknown places created and listed, known people updated with a new episode (or skipped while isolating), and the
// community chosen for lists without a 社区 column.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { endEpisode } from '../../electron/domain/episodes.ts';
import { previewImport, runImport, type ResidentPreview } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-hh-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const ID = (seq: number) => makeIdNumber('131003', '1980-08-08', seq);
const file = (spec: SheetSpec) => listFile(dir, `hh-${++n}.xlsx`, spec);
const commit = async (spec: SheetSpec, extra: Record<string, unknown> = {}) => (await runImport(env.ctx(), listRequest(await file(spec), extra))) as ImportSummary;
const preview = async (spec: SheetSpec, extra: Record<string, unknown> = {}) => (await previewImport(env.ctx(), listRequest(await file(spec), extra))) as ResidentPreview;
const person = (name: string) =>
  env.handle.db
    .selectFrom('residents as r')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .select(['r.id', 'r.name', 'r.phone', 'r.householdId', 'r.currentEpisodeId', 'r.version', 'h.address', 'c.name as community'])
    .where('r.name', '=', name)
    .executeTakeFirstOrThrow();

describe('households and places', () => {
  it('people at the same community + compound + building + unit + room form one household; any difference is another', async () => {
    const s = await commit({
      rows: [
        H,
        ['户主', ID(1), '13900000001', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-12'],
        ['配偶', ID(2), '13900000002', '西大街社区', '金桥小区', '3号楼', '2', '501', '2022-01-12'],
        ['孩子', ID(3), '13900000003', '西大街社区', '金桥小区', '3', '2单元', 501, '2022-01-12'],
        ['别的单元', ID(4), '13900000004', '西大街社区', '金桥小区', 3, 1, 501, '2022-01-12'],
        ['别的社区', ID(5), '13900000005', '华夏里社区', '金桥小区', 3, 2, 501, '2022-01-12'],
      ],
    });
    expect(s.status).toBe('written');
    expect(s.households).toBe(3);
    const [a, b, c, d, e] = await Promise.all(['户主', '配偶', '孩子', '别的单元', '别的社区'].map(person));
    expect(b.householdId).toBe(a.householdId);
    expect(c.householdId).toBe(a.householdId);
    expect(d.householdId).not.toBe(a.householdId);
    expect(e.householdId).not.toBe(a.householdId);
    expect(e.community).toBe('华夏里社区');
    expect(await env.handle.db.selectFrom('households').select('id').execute()).toHaveLength(3);
  });

  it('places the database does not know are listed in the preview, then created, so a new office starts from its first list', async () => {
    const spec: SheetSpec = {
      rows: [
        H,
        ['甲', ID(11), '13900000011', '新开路社区', '五小宿舍', 1, 1, 101, '2022-01-12'],
        ['乙', ID(12), '13900000012', '西大街社区', '金银滩花园', 1, 1, 101, '2022-01-12'],
        ['丙', ID(13), '13900000013', '西大街社区', '金银滩花园', 1, 1, 102, '2022-01-12'],
      ],
    };
    const p = await preview(spec);
    expect(p.newPlaces).toEqual([
      { level: 'community', name: '新开路社区', community: '新开路社区' },
      { level: 'compound', name: '五小宿舍', community: '新开路社区' },
      { level: 'compound', name: '金银滩花园', community: '西大街社区' },
    ]);
    expect(p.counts).toMatchObject({ households: 3, newHouseholds: 3, create: 3 });
    expect(await env.handle.db.selectFrom('places').select('id').where('name', '=', '新开路社区').execute()).toEqual([]);
    const s = await commit(spec);
    expect(s.newPlaces).toEqual(p.newPlaces);
    const places = await env.handle.db.selectFrom('places').select(['level', 'name']).where('name', 'in', ['新开路社区', '五小宿舍', '金银滩花园']).orderBy('id').execute();
    expect(places).toEqual([
      { level: 'community', name: '新开路社区' },
      { level: 'compound', name: '五小宿舍' },
      { level: 'compound', name: '金银滩花园' },
    ]);
    // A second list for the same places: nothing new any more.
    const again = await preview({ rows: [H, ['丁', ID(14), '13900000014', '新开路社区', '五小宿舍', 1, 1, 101, '2022-01-12']] });
    expect(again.newPlaces).toEqual([]);
    expect(again.counts).toMatchObject({ households: 1, newHouseholds: 0 });
  });
});

describe('people already in the database', () => {
  it('a known person without a running episode is updated (contact details, address) and gets a new episode', async () => {
    await commit({ rows: [H, ['老住户', ID(21), '13900000021', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-02']] });
    const first = await person('老住户');
    const ep = await env.handle.db.selectFrom('episodes').selectAll().where('id', '=', first.currentEpisodeId!).executeTakeFirstOrThrow();
    await endEpisode(env.ctx(), { episodeId: ep.id, version: ep.version, outcome: 'ended_other', reason: '搬离', date: '2022-01-10' });
    const p = await preview({ rows: [H, ['老住户', ID(21), '13700000021', '华夏里社区', '芳菲苑', 8, 1, 202, '2022-01-15']] });
    expect(p.counts).toMatchObject({ create: 0, update: 1, skip: 0 });
    const s = await commit({ rows: [H, ['老住户', ID(21), '13700000021', '华夏里社区', '芳菲苑', 8, 1, 202, '2022-01-15']] });
    expect(s).toMatchObject({ status: 'written', imported: 0, updated: 1, skipped: 0 });
    const after = await person('老住户');
    expect(after.id).toBe(first.id);
    expect(after.phone).toBe('13700000021');
    expect(after.address).toBe('芳菲苑8号楼1单元202');
    expect(after.community).toBe('华夏里社区');
    const episodes = await env.handle.db.selectFrom('episodes').select(['startDate', 'status']).where('residentId', '=', first.id).orderBy('id').execute();
    expect(episodes).toEqual([
      { startDate: '2022-01-02', status: 'ended_other' },
      { startDate: '2022-01-15', status: 'active' },
    ]);
    expect(await env.handle.db.selectFrom('residents').select('id').where('docNumber', '=', ID(21)).execute()).toHaveLength(1);
  });

  it('a known person already isolating is skipped (no second episode) with a warning', async () => {
    await commit({ rows: [H, ['在隔离', ID(31), '13900000031', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-10']] });
    const s = await commit({ rows: [H, ['在隔离', ID(31), '13900000031', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-18'], ['新人', ID(32), '13900000032', '西大街社区', '金桥小区', 3, 2, 502, '2022-01-18']] });
    expect(s).toMatchObject({ status: 'written', imported: 1, updated: 0, skipped: 1 });
    expect(s.warnings.filter((w) => w.code === 'already-isolating')).toMatchObject([{ row: 2, reason: expect.stringMatching(/已在隔离.*2022-01-10/) }]);
    const p = await person('在隔离');
    const episodes = await env.handle.db.selectFrom('episodes').select('startDate').where('residentId', '=', p.id).execute();
    expect(episodes).toEqual([{ startDate: '2022-01-10' }]);
  });
});

describe('lists without a community column', () => {
  const rows = [
    ['姓名', '身份证号', '联系电话', '小区', '楼号', '单元', '房号', '隔离开始日期'],
    ['无社区甲', ID(41), '13900000041', '金桥小区', 3, 2, 501, '2022-01-12'],
    ['无社区乙', ID(42), '13900000042', '金桥小区', 3, 2, 502, '2022-01-12'],
  ];

  it('without a chosen community every row is rejected, with the reason', async () => {
    const s = await commit({ rows });
    expect(s.status).toBe('rejected');
    expect(s.errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'community-missing'],
      [3, 'community-missing'],
    ]);
    expect(s.errors[0].reason).toContain('请在名单中填写“社区”列，或在导入时选择社区');
    expect(await env.handle.db.selectFrom('residents').select('id').execute()).toEqual([]);
  });

  it('the chosen community (by name, as the CLI gives it, or by id, as the wizard does) applies to every row', async () => {
    const byName = await commit({ rows }, { community: '华夏里社区' });
    expect(byName.imported).toBe(2);
    expect((await person('无社区甲')).community).toBe('华夏里社区');
    await env.close();
    env = await makeEnv();
    const byId = await commit({ rows }, { communityId: env.communities.a });
    expect(byId.imported).toBe(2);
    expect((await person('无社区乙')).community).toBe('西大街社区');
    await expect(commit({ rows }, { communityId: 999_999 })).rejects.toThrow('所选社区不存在');
  });
});
