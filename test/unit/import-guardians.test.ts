// People without any document (infants, 无证件) in a resident list: imported with 出生日期 and 监护人 (the name or
// document number of a same-household person of the list or of the database), linked to that guardian; a guardian
// found nowhere, elsewhere or missing is a clear row error in Chinese, and an all-or-nothing import writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest } from '../helpers/lists.ts';
import { previewImport, runImport, type ResidentPreview } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { PART } from '../../electron/excel/import/commit.ts';
import { undoBatch } from '../../electron/excel/import/batches.ts';

let t: TestEnv;
let dir: string;
beforeEach(async () => {
  t = await makeEnv();
  dir = tempDir('idesk-guardian-');
});
afterEach(() => t.close());

const ID = (n: number, birth = '1990-01-01') => makeIdNumber('131003', birth, n);
const HEADER = ['姓名', '证件类型', '身份证号', '出生日期', '监护人', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const home = (room: number) => ['西大街社区', '金桥小区', 1, 1, room, '2022-01-18'];

interface Row {
  name: string;
  doc_type: string;
  doc_number: string | null;
  birth_date: string | null;
  guardian: string | null;
  household_id: number;
  guardian_household: number | null;
  status: string;
}

const people = () =>
  t.handle.sqlite
    .prepare(
      `SELECT r.name, r.doc_type, r.doc_number, r.birth_date, g.name AS guardian, r.household_id, g.household_id AS guardian_household, r.status
       FROM residents r LEFT JOIN residents g ON g.id = r.guardian_id ORDER BY r.id`,
    )
    .all() as Row[];

describe('resident import: 出生日期 and 监护人', () => {
  it('imports an infant without a document, with a birth date and a guardian named in the same list (by document or name)', async () => {
    const file = await listFile(dir, 'infants.xlsx', {
      rows: [
        HEADER,
        // The infant first: the guardian comes later in the list and is still found (and written first).
        ['王小宝', '无证件', '', '2021-06-01', ID(1), '', ...home(101)],
        ['王大伟', '', ID(1), '', '', '13912345678', ...home(101)],
        // No 证件类型, no number, a birth date and a guardian by name: a person without a document.
        ['李小妹', '', '', '2021年9月3日', '李娜', '', ...home(102)],
        ['李娜', '', ID(2), '', '', '13912345679', ...home(102)],
      ],
    });
    const preview = (await previewImport(t.ctx(), listRequest(file))) as ResidentPreview;
    expect(preview.errors).toEqual([]);
    expect(preview.counts).toMatchObject({ valid: 4, rejected: 0, create: 4 });
    const r = (await runImport(t.ctx(), listRequest(file))) as ImportSummary;
    expect(r).toMatchObject({ status: 'written', imported: 4, errors: [] });
    const rows = people();
    const baby = rows.find((p) => p.name === '王小宝')!;
    expect(baby).toMatchObject({ doc_type: '无证件', doc_number: null, birth_date: '2021-06-01', guardian: '王大伟', status: 'isolating' });
    expect(baby.guardian_household).toBe(baby.household_id);
    expect(rows.find((p) => p.name === '李小妹')).toMatchObject({ doc_type: '无证件', doc_number: null, birth_date: '2021-09-03', guardian: '李娜' });
    // The guardian was written before the ward (guardian_id points at an earlier row).
    expect(rows.findIndex((p) => p.name === '王大伟')).toBeLessThan(rows.findIndex((p) => p.name === '王小宝'));
    // Imported again: the infants are recognised (same name, birth date and guardian), not created twice.
    const again = (await runImport(t.ctx(), listRequest(file))) as ImportSummary;
    expect(again).toMatchObject({ status: 'written', imported: 0, skipped: 4 });
    expect(people().length).toBe(4);
    // The first import can be undone as a whole: the wards go with their guardians.
    await undoBatch(t.ctx(), again.batchId!);
    await undoBatch(t.ctx(), r.batchId!);
    expect(people()).toEqual([]);
  });

  it('links a guardian already in the database (by document number or by name in the same household)', async () => {
    await createResident(t.ctx(), { name: '赵刚', docType: '居民身份证', docNumber: ID(3), category: '密接', address: { communityId: t.communities.a, compound: '金桥小区', building: '1', unit: '1', room: '201' } });
    const file = await listFile(dir, 'db-guardian.xlsx', {
      rows: [HEADER, ['赵小宝', '', '', '2022-01-02', ID(3), '', ...home(201)], ['赵二宝', '无证件', '', '2020-03-04', '赵刚', '', ...home(201)]],
    });
    const r = (await runImport(t.ctx(), listRequest(file))) as ImportSummary;
    expect(r).toMatchObject({ status: 'written', imported: 2, errors: [] });
    expect(people().filter((p) => p.guardian === '赵刚').map((p) => p.name)).toEqual(['赵小宝', '赵二宝']);
  });

  it('a guardian found nowhere, in another household, or missing: row errors in Chinese, nothing written', async () => {
    const before = people().length;
    const file = await listFile(dir, 'bad.xlsx', {
      rows: [
        HEADER,
        ['孙小宝', '', '', '2021-06-01', '孙不存在', '', ...home(301)],
        ['周大伟', '', ID(4), '', '', '13912345670', ...home(302)],
        ['周小宝', '无证件', '', '2021-06-01', '周大伟', '', ...home(303)],
        ['吴小宝', '无证件', '', '', '', '', ...home(304)],
        ['郑小宝', '无证件', '', '2030-01-01', ID(4), '', ...home(302)],
        ['钱大伟', '', ID(5), '', '', '13912345671', ...home(305)],
      ],
    });
    const r = (await runImport(t.ctx(), listRequest(file))) as ImportSummary;
    expect(r.status).toBe('rejected');
    expect(people().length).toBe(before);
    const byRow = (row: number) => r.errors.filter((e) => e.row === row);
    expect(byRow(2)).toEqual([expect.objectContaining({ code: 'guardian-not-found', column: '监护人', cell: 'E2', value: '孙不存在', reason: expect.stringContaining('找不到监护人“孙不存在”') })]);
    expect(byRow(4)).toEqual([expect.objectContaining({ code: 'guardian-other-household', reason: expect.stringMatching(/监护人“周大伟”（第3行）的住址是.*须是同户成员/) })]);
    expect(byRow(5).map((e) => e.code).sort()).toEqual(['birth-date-missing', 'guardian-missing']);
    expect(byRow(5).every((e) => /[\u4e00-\u9fff]/.test(e.reason))).toBe(true);
    expect(byRow(6).map((e) => e.code)).toEqual(['birth-date-future']);
    expect(byRow(3)).toEqual([]);
    expect(byRow(7)).toEqual([]);
    // Valid-only writes the valid rows and none of the rejected.
    const v = (await runImport(t.ctx(), listRequest(file, { mode: 'valid-only' }))) as ImportSummary;
    expect(v).toMatchObject({ status: 'written', imported: 2 });
    expect(people().map((p) => p.name).sort()).toEqual(['周大伟', '钱大伟']);
  });

  it('a guardian written in an earlier part of a long list is found by the later part', async () => {
    // The guardian in the first part, the ward in the second: the ward's part finds the guardian written.
    const rows: unknown[][] = [HEADER, ['冯大伟', '', ID(6), '', '', '13912345672', ...home(401)]];
    for (let i = 0; i < PART + 5; i++) rows.push([`路人${i}`, '', makeIdNumber(String(131100 + Math.floor(i / 999)), '1980-01-01', i % 999), '', '', '', ...home(1000 + i)]);
    rows.push(['冯小宝', '无证件', '', '2021-06-01', ID(6), '', ...home(401)]);
    const file = await listFile(dir, 'long.xlsx', { rows: rows as never });
    const r = (await runImport(t.ctx(), listRequest(file))) as ImportSummary;
    expect(r.errors).toEqual([]);
    expect(r.imported).toBe(PART + 7);
    expect(people().find((p) => p.name === '冯小宝')).toMatchObject({ guardian: '冯大伟', birth_date: '2021-06-01' });
  }, 120_000);
});
