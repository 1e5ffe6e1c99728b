// Import batches: recorded with file name, who, when and counts; undone (audited) while nothing has been recorded
// about its people since; refused in Chinese, changing nothing, once a check-in, a supply request or an edit exists.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { dumpContent, listFile, listRequest, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { recordCheckIn } from '../../electron/domain/checkins.ts';
import { createSupplyRequest } from '../../electron/domain/supplies.ts';
import { updateResident } from '../../electron/domain/residents.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import { listBatches, undoBatch } from '../../electron/excel/import/batches.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

let dir: string;
let env: TestEnv;
let clerk: Actor;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-batches-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
  const u = await env.handle.db.selectFrom('users').select(['id', 'username', 'displayName']).where('username', '=', 'clerk').executeTakeFirstOrThrow();
  clerk = { userId: u.id, username: u.username, displayName: u.displayName, role: 'clerk', communityId: null };
});
afterEach(async () => env.close());

const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const ID = (seq: number) => makeIdNumber('131003', '1977-07-07', seq);
const LIST: SheetSpec = {
  rows: [
    H,
    ['批甲', ID(1), '13900000001', '新开路社区', '五小宿舍', 1, 1, 101, '2022-01-12'],
    ['批乙', ID(2), '13900000002', '新开路社区', '五小宿舍', 1, 1, 101, '2022-01-12'],
    ['批丙', ID(3), '13900000003', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-13'],
  ],
};
async function importList(spec: SheetSpec = LIST, name = `名单-${++n}.xlsx`): Promise<ImportSummary> {
  const s = (await runImport(env.ctx(clerk), listRequest(await listFile(dir, name, spec)))) as ImportSummary;
  expect(s.status).toBe('written');
  return s;
}
const residentId = async (name: string) => (await env.handle.db.selectFrom('residents').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

describe('batches', () => {
  it('each import is recorded: file name, who, when, counts; and audited', async () => {
    const s = await importList(LIST, '新开路街道1月19日名单.xlsx');
    const { rows, total } = await listBatches(env.ctx(clerk));
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({
      id: s.batchId,
      kind: 'residents',
      fileName: '新开路街道1月19日名单.xlsx',
      userName: 'clerk',
      at: '2022-01-20T09:00:00+08:00',
      undoneAt: null,
    });
    expect(rows[0].counts).toMatchObject({ rows: 3, imported: 3, updated: 0, skipped: 0, households: 2, errors: 0, mode: 'all-or-nothing' });
    const audit = await env.handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'import.residents').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ userName: 'clerk', entityId: s.batchId });
    expect(JSON.parse(audit[0].details!)).toMatchObject({ fileName: '新开路街道1月19日名单.xlsx', imported: 3 });
  });

  it('undo removes the people, episodes, households and places the batch created, keeps the rest, and is audited', async () => {
    const before = dumpContent(env.handle.sqlite);
    const s = await importList();
    const r = await undoBatch(env.ctx(clerk), s.batchId!);
    expect(r).toMatchObject({ batchId: s.batchId, residents: 3, episodes: 3, households: 2 });
    const after = dumpContent(env.handle.sqlite);
    for (const t of ['residents', 'episodes', 'households', 'places', 'residents_fts'].filter((x) => x in before)) expect(after[t], t).toEqual(before[t]);
    const b = (await listBatches(env.ctx(clerk))).rows[0];
    expect(b.undoneAt).toBe('2022-01-20T09:00:00+08:00');
    const audit = await env.handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'import.undo').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ userName: 'clerk', entity: 'import_batch', entityId: s.batchId });
    expect(JSON.parse(audit[0].details!)).toMatchObject({ residents: 3, fileName: b.fileName });
    // Twice is refused.
    await expect(undoBatch(env.ctx(clerk), s.batchId!)).rejects.toThrow(/不能撤销此次导入：已于/);
    // The same list can be imported again afterwards.
    expect((await importList()).imported).toBe(3);
  });

  it('an import after an undone one gets ids never used before, and each person points at their own running episode', async () => {
    const ids = async (table: 'residents' | 'episodes') => (await env.handle.db.selectFrom(table).select('id').execute()).map((r) => r.id);
    await importList({ rows: [H, ['先来', ID(9), '13900000009', '西大街社区', '金桥小区', 3, 2, 502, '2022-01-12']] });
    const s = await importList();
    const [residentsBefore, episodesBefore] = [Math.max(...(await ids('residents'))), Math.max(...(await ids('episodes')))];
    await undoBatch(env.ctx(clerk), s.batchId!);
    await importList();
    const rows = await env.handle.db
      .selectFrom('residents as r')
      .innerJoin('episodes as e', 'e.id', 'r.currentEpisodeId')
      .select(['r.id', 'r.name', 'e.residentId', 'e.status', 'e.id as episodeId'])
      .where('r.name', '!=', '先来')
      .execute();
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r).toMatchObject({ residentId: r.id, status: 'active' });
      expect(r.id).toBeGreaterThan(residentsBefore);
      expect(r.episodeId).toBeGreaterThan(episodesBefore);
    }
  });

  const refusedAfter: [string, RegExp, () => Promise<unknown>][] = [
    ['a check-in', /健康监测记录/, async () => recordCheckIn(env.ctx(clerk), { residentId: await residentId('批丙'), date: '2022-01-20', slot: 'am', temperature: 36.5 })],
    [
      'a supply request',
      /物资需求/,
      async () => {
        const r = await env.handle.db.selectFrom('residents').select('householdId').where('name', '=', '批甲').executeTakeFirstOrThrow();
        return createSupplyRequest(env.ctx(clerk), { householdId: r.householdId, category: '蔬菜', items: [{ name: '白菜', quantity: '2棵' }] });
      },
    ],
    [
      'an edit',
      /修改过/,
      async () => {
        const id = await residentId('批乙');
        return updateResident(env.ctx(clerk), { id, version: 1, phone: '13811112222' });
      },
    ],
  ];
  for (const [what, words, act] of refusedAfter) {
    it(`undo is refused once any of its people has ${what} after it, and changes nothing`, async () => {
      const s = await importList();
      await act();
      const before = dumpContent(env.handle.sqlite);
      const e = (await undoBatch(env.ctx(clerk), s.batchId!).then(
        () => null,
        (err: Error & { code?: string }) => err,
      ))!;
      expect(e).not.toBeNull();
      expect(e.code).toBe('BLOCKED');
      expect(e.message).toMatch(/^不能撤销此次导入：/);
      expect(e.message).toMatch(words);
      expect(dumpContent(env.handle.sqlite)).toEqual(before);
    });
  }

  it('undo is refused for a batch that updated people who were already there', async () => {
    await importList();
    const s = await importList({ rows: [H, ['批甲', ID(1), '13900009999', '新开路社区', '五小宿舍', 1, 1, 101, '2022-01-12']] });
    expect(s.skipped).toBe(1);
    await expect(undoBatch(env.ctx(clerk), s.batchId!)).rejects.toThrow(/原有的 1 人/);
  });

  it('an unknown batch is not found', async () => {
    await expect(undoBatch(env.ctx(clerk), 4242)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
