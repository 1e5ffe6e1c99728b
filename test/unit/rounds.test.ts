// 全员核酸 test rounds on a real SQLite file built by the real migrations, with real xlsx/csv lists: coverage against
// a recount from the raw rows, 10混1 pooled tubes (a positive tube flags each person for a single re-test and opens an
// alert each; the re-test clears the flag), a person's own positive (an alert proposing isolation, no episode made),
// matching by passport, permit and phone + name (and §5: the ordinary test import by passport), unmatched rows
// listed and never created, a bad list refused with nothing written, a committee member's scope, the 未检 list and
// its sheet.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { csvText, listFile, listRequest, type SheetSpec } from '../helpers/lists.ts';
import { dumpDb, rawAll } from '../helpers/raw.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { addExemption, createRound, listRounds } from '../../electron/domain/rounds.ts';
import { roundCoverage, untestedList, type CoverageCounts } from '../../electron/domain/rounds-coverage.ts';
import { previewImport, runImport, type TestPreview } from '../../electron/excel/import/run.ts';
import type { RoundImportSummary } from '../../electron/excel/import/round-tests.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import type { TestImportSummary } from '../../electron/excel/import/tests.ts';
import { AppError } from '../../electron/shared/errors.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import type { DocType } from '../../electron/shared/enums.ts';

let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-rounds-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const ID = (seq: number) => makeIdNumber('131003', '1980-02-02', seq);
const file = (spec: SheetSpec) => listFile(dir, `round-${++n}.xlsx`, spec);

type Person = { name: string; docType: DocType; doc: string; phone: string; community: 'a' | 'b'; compound: string; building: string; room: string };
const PEOPLE: Person[] = [
  { name: '甲一', docType: '居民身份证', doc: ID(1), phone: '13900000001', community: 'a', compound: '金桥小区', building: '1', room: '101' },
  { name: '甲二', docType: '居民身份证', doc: ID(2), phone: '13900000002', community: 'a', compound: '金桥小区', building: '1', room: '102' },
  { name: 'Smith John', docType: '护照', doc: 'E12345678', phone: '13900000003', community: 'a', compound: '金桥小区', building: '1', room: '201' },
  { name: '甲四', docType: '港澳居民来往内地通行证', doc: 'H7654321', phone: '13911112222', community: 'a', compound: '金桥小区', building: '1', room: '202' },
  { name: '乙一', docType: '居民身份证', doc: ID(5), phone: '13900000005', community: 'a', compound: '金桥小区', building: '2', room: '101' },
  { name: '乙二', docType: '居民身份证', doc: ID(6), phone: '13900000006', community: 'a', compound: '金桥小区', building: '2', room: '102' },
  { name: '丙一', docType: '居民身份证', doc: ID(7), phone: '13900000007', community: 'b', compound: '芳菲苑', building: '1', room: '101' },
  { name: '丙二', docType: '居民身份证', doc: ID(8), phone: '13900000008', community: 'b', compound: '芳菲苑', building: '1', room: '102' },
  { name: '丙三', docType: '台湾居民来往大陆通行证', doc: '01234567', phone: '13900000009', community: 'b', compound: '芳菲苑', building: '1', room: '103' },
];

/** Everyone living in the two communities (nobody isolated): ids by name. */
async function seedResidents(e: TestEnv = env): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const p of PEOPLE) {
    const r = await createResident(e.ctx(), {
      name: p.name,
      docType: p.docType,
      docNumber: p.doc,
      phone: p.phone,
      category: '其他',
      address: { communityId: e.communities[p.community], compound: p.compound, building: p.building, unit: '1', room: p.room },
    });
    ids[p.name] = r.id;
  }
  return ids;
}

const HEADER = ['姓名', '证件号码', '联系电话', '采样时间', '试管号', '结果'];
const roundReq = (f: string, roundId: number, extra: Record<string, unknown> = {}) => listRequest(f, { kind: 'tests', roundId, ...extra });

/** Coverage counted again, in plain code, from the raw rows of the file: people by building minus exemptions. */
async function recount(e: TestEnv, roundId: number, communityIds: number[] | null) {
  const q = <T>(sql: string, ...p: unknown[]) => rawAll<T>(e.handle.db, sql, ...p);
  const residents = await q<{ id: number; community_id: number; household_id: number; status: string }>('SELECT id, community_id, household_id, status FROM residents');
  const households = new Map((await q<{ id: number; room_id: number }>('SELECT id, room_id FROM households')).map((h) => [h.id, h]));
  const places = new Map((await q<{ id: number; parent_id: number; name: string }>('SELECT id, parent_id, name FROM places')).map((p) => [p.id, p]));
  const exempt = new Set((await q<{ resident_id: number }>('SELECT resident_id FROM round_exemptions WHERE round_id = ?', roundId)).map((x) => x.resident_id));
  const tests = await q<{ resident_id: number; result: string; pooled: number }>('SELECT resident_id, result, pooled FROM tests WHERE round_id = ?', roundId);
  const byBuilding = new Map<number, CoverageCounts>();
  for (const r of residents) {
    if (exempt.has(r.id) || r.status === 'transferred' || (communityIds && !communityIds.includes(r.community_id))) continue;
    const building = places.get(places.get(households.get(r.household_id)!.room_id)!.parent_id)!.parent_id;
    const mine = tests.filter((t) => t.resident_id === r.id);
    const c = byBuilding.get(building) ?? { due: 0, tested: 0, untested: 0, positive: 0, retest: 0 };
    c.due++;
    if (mine.length) c.tested++;
    else c.untested++;
    if (mine.some((t) => !t.pooled && t.result === '阳性')) c.positive++;
    if (mine.some((t) => t.pooled && t.result === '阳性') && !mine.some((t) => !t.pooled)) c.retest++;
    byBuilding.set(building, c);
  }
  return byBuilding;
}

function buildingsOf(cov: Awaited<ReturnType<typeof roundCoverage>>) {
  const out = new Map<number, CoverageCounts>();
  for (const c of cov.communities) for (const p of c.compounds) for (const b of p.buildings) out.set(b.buildingId, { due: b.due, tested: b.tested, untested: b.untested, positive: b.positive, retest: b.retest });
  return out;
}

describe('test rounds: coverage, pooled tubes, matching', () => {
  it('imports a round’s list (passport, permit, phone + name; 10混1), counts coverage live and as a recount does', async () => {
    const ids = await seedResidents();
    const { round, due } = await createRound(env.ctx(), { startDate: '2022-01-19' });
    expect(due).toBe(9);
    await addExemption(env.ctx(), { roundId: round.id, residentId: ids['丙二'], reason: '婴幼儿' });
    const spec: SheetSpec = {
      titles: ['解放道街道全员核酸检测结果（1月19日）'],
      rows: [
        HEADER,
        ['甲一', ID(1), '', '2022-01-19 08:30', 'T001', '阴性'],
        ['甲二', ID(2), '', '2022-01-19 08:31', 'T001', '阴性'],
        ['Smith John', 'e 1234 5678', '', '2022-01-19 08:40', 'T002', '阳性'],
        ['乙一', ID(5), '', '2022-01-19 08:41', 'T002', '阳性'],
        ['甲四', '', '139 1111 2222', '2022-01-19 09:05', 'S100', '阳性'],
        ['丙三', '01234567', '', '2022-01-19 10:00', 'S101', '阴性'],
        ['路人', ID(40), '', '2022-01-19 10:01', 'S102', '阴性'],
      ],
    };
    const preview = (await previewImport(env.ctx(), roundReq(await file(spec), round.id))) as TestPreview;
    expect(preview.counts).toMatchObject({ dataRows: 7, valid: 7, matched: 6, unmatched: 1 });
    expect(preview.mapping.map((m) => m.field)).toEqual(['name', 'docNumber', 'phone', 'sampleDate', 'tube', 'result']);
    expect(await env.handle.db.selectFrom('tests').select('id').execute()).toEqual([]);

    const s = (await runImport(env.ctx(), roundReq(await file(spec), round.id))) as RoundImportSummary;
    expect(s).toMatchObject({ status: 'written', recorded: 6, alerts: 3, retest: 2, roundId: round.id });
    // Unmatched: listed with a reason, never created.
    expect(s.unmatched.map((u) => [u.row, u.code, u.value])).toEqual([[9, 'not-found', '路人']]);
    expect(s.unmatched[0].reason).toMatch(/路人 的证件号码不在系统的居民中/);
    expect(await env.handle.db.selectFrom('residents').select('id').where('name', '=', '路人').execute()).toEqual([]);

    const tests = await env.handle.db
      .selectFrom('tests as t')
      .innerJoin('residents as r', 'r.id', 't.residentId')
      .select(['r.name', 't.episodeId', 't.roundId', 't.tubeNo', 't.pooled', 't.result', 't.sampleTime'])
      .orderBy('t.id')
      .execute();
    expect(tests.map((t) => [t.name, t.tubeNo, t.pooled, t.result])).toEqual([
      ['甲一', 'T001', 1, '阴性'],
      ['甲二', 'T001', 1, '阴性'],
      ['Smith John', 'T002', 1, '阳性'],
      ['乙一', 'T002', 1, '阳性'],
      ['甲四', 'S100', 0, '阳性'],
      ['丙三', 'S101', 0, '阴性'],
    ]);
    expect(tests.every((t) => t.episodeId === null && t.roundId === round.id)).toBe(true);
    expect(tests[0].sampleTime).toBe('2022-01-19 08:30');
    // A positive pooled tube: an alert for each person on it asking for a single re-test; the own positive proposes isolation.
    const alerts = await env.handle.db.selectFrom('alerts as a').innerJoin('residents as r', 'r.id', 'a.residentId').select(['r.name', 'a.reason', 'a.status', 'a.episodeId']).orderBy('a.id').execute();
    expect(alerts.map((a) => a.name)).toEqual(['Smith John', '乙一', '甲四']);
    expect(alerts[0].reason).toMatch(/混管阳性（试管号 T002.*单管复核/);
    expect(alerts[2].reason).toMatch(/单管.*建议启动居家隔离/);
    expect(alerts.every((a) => a.status === 'open' && a.episodeId === null)).toBe(true);
    expect(await env.handle.db.selectFrom('episodes').select('id').execute()).toEqual([]);

    let cov = await roundCoverage(env.ctx(), { roundId: round.id });
    expect(cov).toMatchObject({ due: 8, tested: 6, untested: 2, positive: 1, retest: 2 });
    expect(buildingsOf(cov)).toEqual(await recount(env, round.id, null));
    expect(cov.communities.map((c) => [c.community, c.due, c.tested])).toEqual([
      ['华夏里社区', 2, 1],
      ['西大街社区', 6, 5],
    ]);

    // The single re-test of a pooled-positive person clears the flag; the same list again is skipped.
    const retest = await listFile(dir, `retest-${++n}.csv`, csvText([HEADER, ['Smith John', 'E12345678', '', '2022-01-20 08:00', 'R001', '阴性']]));
    const r2 = (await runImport(env.ctx(), roundReq(retest, round.id))) as RoundImportSummary;
    expect(r2).toMatchObject({ status: 'written', recorded: 1, alerts: 0, retest: 0 });
    expect(r2.warnings.map((w) => w.code)).toContain('sample-date-outside-round');
    const again = (await runImport(env.ctx(), roundReq(await file(spec), round.id))) as RoundImportSummary;
    expect(again).toMatchObject({ recorded: 0, skipped: 6, alerts: 0 });
    cov = await roundCoverage(env.ctx(), { roundId: round.id });
    expect(cov).toMatchObject({ due: 8, tested: 6, positive: 1, retest: 1 });
    expect(buildingsOf(cov)).toEqual(await recount(env, round.id, null));

    // A person added during the round is due at once (应检 is counted live).
    await createResident(env.ctx(), { name: '新来', docType: '居民身份证', docNumber: ID(30), phone: '13900000030', category: '其他', address: { communityId: env.communities.a, compound: '金桥小区', building: '2', unit: '1', room: '201' } });
    cov = await roundCoverage(env.ctx(), { roundId: round.id });
    expect(cov).toMatchObject({ due: 9, untested: 3 });
    expect(buildingsOf(cov)).toEqual(await recount(env, round.id, null));
    const listed = await listRounds(env.ctx());
    expect(listed.map((r) => [r.id, r.due, r.tested, r.untested, r.positive])).toEqual([[round.id, 9, 6, 3, 1]]);
  });

  it('a tube whose rows disagree, or a bad cell, refuses the whole list with Chinese reasons and writes nothing', async () => {
    await seedResidents();
    const { round } = await createRound(env.ctx(), { startDate: '2022-01-19' });
    const before = await dumpDb(env.handle);
    const bad = await file({
      rows: [HEADER, ['甲一', ID(1), '', '2022-01-19', 'T9', '阴性'], ['甲二', ID(2), '', '2022-01-19', 'T9', '阳性'], ['乙一', '12/34?', '', '2022-01-19', 'T8', '阴性'], ['乙二', '', '', '2022-01-19', 'T7', '阴性']],
    });
    const s = (await runImport(env.ctx(), roundReq(bad, round.id))) as RoundImportSummary;
    expect(s.status).toBe('rejected');
    expect(s.errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'tube-results-differ'],
      [3, 'tube-results-differ'],
      [4, 'doc-format'],
      [5, 'id-missing'],
    ]);
    for (const e of s.errors) expect(e.reason).toMatch(/[\u4e00-\u9fff]/);
    expect(s.errors[0].reason).toMatch(/试管号 T9/);
    expect(await dumpDb(env.handle)).toEqual(before);
    // Not a list at all: refused with a Chinese message, nothing written.
    const junk = path.join(dir, `junk-${++n}.xlsx`);
    fs.writeFileSync(junk, 'not a workbook');
    const err = await runImport(env.ctx(), roundReq(junk, round.id)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/[\u4e00-\u9fff]/);
    // A round that does not exist: refused before reading.
    await expect(runImport(env.ctx(), roundReq(bad, 999))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await dumpDb(env.handle)).toEqual(before);
  });

  it('§5: the ordinary test-result import matches an isolated person by passport (not only 居民身份证)', async () => {
    const f = await file({
      rows: [
        ['姓名', '证件类型', '证件号码', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'],
        ['Smith John', '护照', 'E12345678', '13900000003', '西大街社区', '金桥小区', 1, 1, 201, '2022-01-12'],
        ['台胞', '台湾居民来往大陆通行证', '01234567', '13900000004', '西大街社区', '金桥小区', 1, 1, 202, '2022-01-12'],
      ],
    });
    expect(((await runImport(env.ctx(), listRequest(f))) as ImportSummary).imported).toBe(2);
    const s = (await runImport(
      env.ctx(),
      listRequest(await file({ rows: [['姓名', '证件号码', '采样日期', '检测结果'], ['Smith John', 'E12345678', '2022-01-19', '阳性'], ['台胞', '01234567', '2022-01-19', '阴性']] }), { kind: 'tests' }),
    )) as TestImportSummary;
    expect(s).toMatchObject({ status: 'written', recorded: 2, alerts: 1, unmatched: [] });
    const t = await env.handle.db.selectFrom('tests as t').innerJoin('residents as r', 'r.id', 't.residentId').select(['r.docType', 't.episodeId']).orderBy('t.id').execute();
    expect(t.map((x) => x.docType)).toEqual(['护照', '台湾居民来往大陆通行证']);
    expect(t.every((x) => x.episodeId !== null)).toBe(true);
  });
});

describe('test rounds: a committee member’s scope and the 未检 list', () => {
  it('sees and counts only their community; creates rounds and exemptions for it alone', async () => {
    const ids = await seedResidents();
    const user = await env.handle.db.selectFrom('users').selectAll().where('username', '=', 'committee1').executeTakeFirstOrThrow();
    const committee: Actor = { userId: user.id, username: user.username, displayName: user.displayName, role: 'committee', communityId: env.communities.a };
    const whole = await createRound(env.ctx(), { startDate: '2022-01-19' });
    const onlyB = await createRound(env.ctx(), { startDate: '2022-01-19', communityIds: [env.communities.b] });
    expect(onlyB.due).toBe(3);
    const mine = await roundCoverage(env.ctx(committee), { roundId: whole.round.id });
    expect(mine.communities.map((c) => c.community)).toEqual(['西大街社区']);
    expect(mine.due).toBe(6);
    expect(buildingsOf(mine)).toEqual(await recount(env, whole.round.id, [env.communities.a]));
    await expect(roundCoverage(env.ctx(committee), { roundId: onlyB.round.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await listRounds(env.ctx(committee))).map((r) => r.id)).toEqual([whole.round.id]);
    await expect(createRound(env.ctx(committee), { startDate: '2022-01-19', communityIds: [env.communities.b] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const own = await createRound(env.ctx(committee), { startDate: '2022-01-20' });
    expect(own.round.communities.map((c) => c.id)).toEqual([env.communities.a]);
    await expect(addExemption(env.ctx(committee), { roundId: whole.round.id, residentId: ids['丙一'], reason: '外出' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(addExemption(env.ctx(committee), { roundId: whole.round.id, residentId: ids['甲一'], reason: '其他' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await addExemption(env.ctx(committee), { roundId: whole.round.id, residentId: ids['甲一'], reason: '外出', note: '在京' });
    // The 未检 list of a building of the other community is not theirs.
    const bBuilding = (await roundCoverage(env.ctx(), { roundId: whole.round.id })).communities.find((c) => c.community === '华夏里社区')!.compounds[0].buildings[0].buildingId;
    await expect(untestedList(env.ctx(committee), { roundId: whole.round.id, buildingId: bBuilding })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Their own building 1: 甲一 exempt, so three left, by room, masked, paged in SQL.
    const aBuilding = mine.communities[0].compounds[0].buildings.find((b) => b.building === '1号楼')!.buildingId;
    const page1 = await untestedList(env.ctx(committee), { roundId: whole.round.id, buildingId: aBuilding, limit: 2 });
    expect(page1.total).toBe(3);
    expect(page1.rows.map((r) => [r.room, r.name])).toEqual([
      ['102', '甲二'],
      ['201', 'Smith John'],
    ]);
    expect(page1.rows[0].phone).toBe('139****0002');
    const page2 = await untestedList(env.ctx(committee), { roundId: whole.round.id, buildingId: aBuilding, offset: 2, limit: 2 });
    expect(page2.rows.map((r) => r.name)).toEqual(['甲四']);
  });

  it('the 未检 sheet: title, repeated header, A4 landscape, masked rows, audited', async () => {
    await seedResidents();
    const { round } = await createRound(env.ctx(), { startDate: '2022-01-19' });
    const key = await env.login('clerk');
    const cov = await call(env.env, 'rounds.coverage', { roundId: round.id }, key);
    const b = cov.communities.find((c) => c.community === '西大街社区')!.compounds[0].buildings[0];
    const out = await call(env.env, 'rounds.exportUntested', { roundId: round.id, buildingId: b.buildingId }, key);
    expect(out.rows).toBe(4);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(out.dataBase64, 'base64') as never);
    const ws = wb.worksheets[0];
    expect(String(ws.getCell('A1').value)).toBe('广阳区解放道街道西大街社区金桥小区1号楼未检人员名单（2022年1月19日全员核酸）');
    expect(ws.pageSetup.orientation).toBe('landscape');
    expect(ws.pageSetup.paperSize).toBe(9);
    expect(ws.pageSetup.printTitlesRow).toBe('3:3');
    const rows = ws.getSheetValues().slice(4).filter(Boolean) as unknown[][];
    expect(rows.slice(0, 4).map((r) => r[4])).toEqual(['甲一', '甲二', 'Smith John', '甲四']);
    const text = JSON.stringify(ws.getSheetValues());
    expect(text).not.toContain('13900000001');
    expect(text).not.toContain(ID(1));
    const audits = await env.handle.db.selectFrom('auditLog').select(['action', 'userName']).where('action', '=', 'round.export_untested').execute();
    expect(audits).toEqual([{ action: 'round.export_untested', userName: 'clerk' }]);
  });
});
