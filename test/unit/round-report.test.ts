// 核酸检测轮次报告 on a real SQLite file built by the real migrations, with a real result list imported (10混1 and a
// single-tube positive) and exemptions: the .xlsx read back with exceljs — every compound and building row equals
// roundCoverage (the 'rounds.coverage' channel) and a recount in plain code from the raw rows, 免检 included (a
// building whose only resident is exempted still shows); the 合计 rows per community and overall; the title, A4
// landscape, repeated header, page numbers; a committee member gets their community only and is refused another
// community's round with a Chinese message (nothing audited); the export is audited; the command line writes it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest } from '../helpers/lists.ts';
import { rawAll } from '../helpers/raw.ts';
import { cliDbArg } from '../helpers/pg-db.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { addExemption, createRound } from '../../electron/domain/rounds.ts';
import { roundCoverage } from '../../electron/domain/rounds-coverage.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import type { RoundImportSummary } from '../../electron/excel/import/round-tests.ts';
import { AppError } from '../../electron/shared/errors.ts';
import { runCli } from '../../electron/cli/run.ts';
import { call } from '../../electron/api/dispatch.ts';

let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-round-report-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv({ file: path.join(dir, `r${++n}.db`) });
});
afterEach(async () => env.close());

const ID = (seq: number) => makeIdNumber('131003', '1981-03-03', seq);

type Person = { name: string; community: 'a' | 'b'; compound: string; building: string; room: string };
const PEOPLE: Person[] = [
  { name: '甲一', community: 'a', compound: '金桥小区', building: '1', room: '101' },
  { name: '甲二', community: 'a', compound: '金桥小区', building: '1', room: '102' },
  { name: '甲三', community: 'a', compound: '金桥小区', building: '1', room: '201' },
  { name: '甲四', community: 'a', compound: '金桥小区', building: '1', room: '202' },
  { name: '乙一', community: 'a', compound: '金桥小区', building: '2', room: '101' },
  { name: '乙二', community: 'a', compound: '金桥小区', building: '2', room: '102' },
  { name: '乙三', community: 'a', compound: '金桥小区', building: '10', room: '101' },
  { name: '丁一', community: 'a', compound: '银河小区', building: '1', room: '101' },
  { name: '丁二', community: 'a', compound: '银河小区', building: '1', room: '102' },
  { name: '丁三', community: 'a', compound: '银河小区', building: '3', room: '101' },
  { name: '丙一', community: 'b', compound: '芳菲苑', building: '1', room: '101' },
  { name: '丙二', community: 'b', compound: '芳菲苑', building: '1', room: '102' },
  { name: '丙三', community: 'b', compound: '芳菲苑', building: '2', room: '101' },
];

async function seed(): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  let seq = 0;
  for (const p of PEOPLE) {
    const r = await createResident(env.ctx(), {
      name: p.name,
      docType: '居民身份证',
      docNumber: ID(++seq),
      phone: `1390000${String(seq).padStart(4, '0')}`,
      category: '其他',
      address: { communityId: env.communities[p.community], compound: p.compound, building: p.building, unit: '1', room: p.room },
    });
    ids[p.name] = r.id;
  }
  return ids;
}

const idOf = (name: string) => ID(PEOPLE.findIndex((p) => p.name === name) + 1);

/** A whole-subdistrict round with results (10混1 tube T1 positive; 乙一's own tube positive; 丙一 pending) and exemptions. */
async function roundWithResults(ids: Record<string, number>): Promise<number> {
  const { round } = await createRound(env.ctx(), { startDate: '2022-01-19', endDate: '2022-01-20' });
  await addExemption(env.ctx(), { roundId: round.id, residentId: ids['丁三'], reason: '卧床上门采样' }); // the only one of 银河小区3号楼
  await addExemption(env.ctx(), { roundId: round.id, residentId: ids['甲四'], reason: '外出' });
  await addExemption(env.ctx(), { roundId: round.id, residentId: ids['丙三'], reason: '婴幼儿' });
  const rows = [
    ['姓名', '证件号码', '采样时间', '试管号', '结果'],
    ['甲一', idOf('甲一'), '2022-01-19 08:00', 'T1', '阳性'],
    ['甲二', idOf('甲二'), '2022-01-19 08:01', 'T1', '阳性'],
    ['乙一', idOf('乙一'), '2022-01-19 08:02', 'S1', '阳性'],
    ['乙三', idOf('乙三'), '2022-01-19 08:03', 'S2', '阴性'],
    ['丁一', idOf('丁一'), '2022-01-20 08:04', 'S3', '阴性'],
    ['丙一', idOf('丙一'), '2022-01-20 08:05', 'S4', '待出结果'],
  ];
  const f = await listFile(dir, `results-${n}.xlsx`, { rows });
  const s = (await runImport(env.ctx(), listRequest(f, { kind: 'tests', roundId: round.id }))) as RoundImportSummary;
  expect(s.recorded).toBe(6);
  return round.id;
}

type Counts = { due: number; exempt: number; tested: number; untested: number; positive: number; retest: number };
const zero = (): Counts => ({ due: 0, exempt: 0, tested: 0, untested: 0, positive: 0, retest: 0 });

/** The round counted again in plain code from the raw rows, per building id: 应检, 免检 and the rest. */
async function recount(roundId: number, communityIds: number[] | null): Promise<Map<number, Counts>> {
  const q = <T>(sql: string, ...p: unknown[]) => rawAll<T>(env.handle.db, sql, ...p);
  const residents = await q<{ id: number; community_id: number; household_id: number; status: string }>('SELECT id, community_id, household_id, status FROM residents');
  const households = new Map((await q<{ id: number; room_id: number }>('SELECT id, room_id FROM households')).map((h) => [h.id, h]));
  const places = new Map((await q<{ id: number; parent_id: number }>('SELECT id, parent_id FROM places')).map((p) => [p.id, p]));
  const exempt = new Set((await q<{ resident_id: number }>('SELECT resident_id FROM round_exemptions WHERE round_id = ?', roundId)).map((x) => x.resident_id));
  const tests = await q<{ resident_id: number; result: string; pooled: number }>('SELECT resident_id, result, pooled FROM tests WHERE round_id = ?', roundId);
  const out = new Map<number, Counts>();
  for (const r of residents) {
    if (r.status === 'transferred' || (communityIds && !communityIds.includes(r.community_id))) continue;
    const building = places.get(places.get(households.get(r.household_id)!.room_id)!.parent_id)!.parent_id;
    const c = out.get(building) ?? zero();
    out.set(building, c);
    if (exempt.has(r.id)) {
      c.exempt++;
      continue;
    }
    const mine = tests.filter((t) => t.resident_id === r.id);
    c.due++;
    if (mine.length) c.tested++;
    else c.untested++;
    if (mine.some((t) => !t.pooled && t.result === '阳性')) c.positive++;
    if (mine.some((t) => t.pooled && t.result === '阳性') && !mine.some((t) => !t.pooled)) c.retest++;
  }
  return out;
}

async function buildingNames(): Promise<Map<number, { building: string; compound: string; community: string }>> {
  const rows = await rawAll<{ id: number; building: string; compound: string; community: string }>(
    env.handle.db,
    "SELECT b.id, b.name AS building, p.name AS compound, c.name AS community FROM places b JOIN places p ON p.id = b.parent_id JOIN places c ON c.id = p.parent_id WHERE b.level = 'building'",
  );
  return new Map(rows.map((r) => [r.id, r]));
}

const COUNT_KEYS = ['due', 'exempt', 'tested', 'untested', 'positive', 'retest'] as const;

interface Line {
  label: string[];
  counts: Counts;
  rate: number | null;
  bold: boolean;
}

/** The table of a sheet (rows below the header): the label cells, the six counts and the rate. */
function table(ws: ExcelJS.Worksheet, labels: number): Line[] {
  const out: Line[] = [];
  // The last row is the note (说明：…) under the table.
  expect(String(ws.getRow(ws.rowCount).getCell(1).value)).toMatch(/^说明：应检 = 范围内登记居住的居民，不含已转运和登记免检的人；/);
  for (let r = 4; r < ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells = Array.from({ length: labels + 7 }, (_, i) => row.getCell(i + 1));
    const counts = zero();
    COUNT_KEYS.forEach((k, i) => (counts[k] = cells[labels + i].value as number));
    out.push({ label: cells.slice(0, labels).map((c) => String(c.value ?? '')), counts, rate: (cells[labels + 6].value as number | null) ?? null, bold: cells[labels].font?.bold === true });
  }
  return out;
}

function sum(cs: Counts[]): Counts {
  const t = zero();
  for (const c of cs) for (const k of COUNT_KEYS) t[k] += c[k];
  return t;
}

const rateOf = (c: Counts) => (c.due ? Math.round((c.tested / c.due) * 10000) / 10000 : null);

async function load(dataBase64: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(dataBase64, 'base64') as never);
  return wb;
}

describe('核酸检测轮次报告', () => {
  it('按小区 and 按楼栋 equal rounds.coverage and a recount, with 合计 rows per community and overall', async () => {
    const ids = await seed();
    const roundId = await roundWithResults(ids);
    const key = await env.login('clerk');
    const out = await call(env.env, 'rounds.exportReport', { roundId }, key);
    const wb = await load(out.dataBase64);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['按小区', '按楼栋']);
    const [byCompound, byBuilding] = wb.worksheets;

    // Title: the subdistrict, the round's dates and scope; the print set-up of every report.
    expect(out.title).toBe('广阳区解放道街道核酸检测轮次报告（2022年1月19日至1月20日，全街道）');
    for (const ws of wb.worksheets) {
      expect(String(ws.getCell('A1').value)).toBe(out.title);
      expect(String(ws.getCell('A2').value)).toContain('轮次：2022年1月19日至2022年1月20日全员核酸');
      expect(ws.pageSetup.orientation).toBe('landscape');
      expect(ws.pageSetup.paperSize).toBe(9);
      expect(ws.pageSetup.printTitlesRow).toBe('3:3');
      expect(ws.headerFooter.oddFooter).toContain('&P');
    }
    expect(byCompound.getRow(3).values).toEqual([undefined, '社区', '小区', '应检', '免检', '已检', '未检', '阳性', '混管待复核', '覆盖率']);
    expect(out.fileName).toBe('核酸检测轮次报告_解放道街道_2022-01-19.xlsx');

    const cov = await call(env.env, 'rounds.coverage', { roundId }, key);
    const counted = await recount(roundId, null);
    const names = await buildingNames();
    // The recount knows what the data says: 11 due (13 minus 3 exempted… 甲四, 丁三, 丙三), T1 pooled positive → 2 to
    // re-test, 乙一 positive, 丙一 pending still tested.
    expect(sum([...counted.values()])).toEqual({ due: 10, exempt: 3, tested: 6, untested: 4, positive: 1, retest: 2 });

    // 按楼栋: every building of the recount (银河小区3号楼 with 免检 only too), in order, and nothing else.
    const buildings = table(byBuilding, 3);
    const data = buildings.filter((l) => !l.bold);
    expect(data.map((l) => l.label)).toEqual([
      ['华夏里社区', '芳菲苑', '1号楼'],
      ['华夏里社区', '芳菲苑', '2号楼'],
      ['西大街社区', '金桥小区', '1号楼'],
      ['西大街社区', '金桥小区', '2号楼'],
      ['西大街社区', '金桥小区', '10号楼'],
      ['西大街社区', '银河小区', '1号楼'],
      ['西大街社区', '银河小区', '3号楼'],
    ]);
    expect(data.length).toBe(counted.size);
    expect(out.buildings).toBe(counted.size);
    const covBuildings = new Map(cov.communities.flatMap((c) => c.compounds.flatMap((p) => p.buildings.map((b) => [b.buildingId, b] as const))));
    for (const [id, c] of counted) {
      const nm = names.get(id)!;
      const line = data.find((l) => l.label.join('/') === `${nm.community}/${nm.compound}/${nm.building}`)!;
      expect(line.counts, nm.community + nm.compound + nm.building).toEqual(c);
      expect(line.rate).toBe(rateOf(c));
      const fromCoverage = covBuildings.get(id);
      if (c.due) expect({ ...line.counts, exempt: 0 }).toEqual({ exempt: 0, due: fromCoverage!.due, tested: fromCoverage!.tested, untested: fromCoverage!.untested, positive: fromCoverage!.positive, retest: fromCoverage!.retest });
      else expect(fromCoverage).toBeUndefined();
    }
    const only = data.find((l) => l.label[1] === '银河小区' && l.label[2] === '3号楼')!;
    expect(only.counts).toEqual({ ...zero(), exempt: 1 });
    expect(only.rate).toBeNull();

    // 按小区: each compound the sum of its buildings and equal to coverage; 合计 per community after its compounds.
    const compounds = table(byCompound, 2);
    expect(compounds.map((l) => (l.bold ? `[${l.label[0]}]` : l.label.join('/')))).toEqual(['华夏里社区/芳菲苑', '[华夏里社区合计]', '西大街社区/金桥小区', '西大街社区/银河小区', '[西大街社区合计]', '[合计]']);
    const covCompounds = new Map<string, (typeof cov.communities)[number]['compounds'][number]>(cov.communities.flatMap((c) => c.compounds.map((p) => [`${c.community}/${p.compound}`, p] as const)));
    for (const l of compounds.filter((x) => !x.bold)) {
      const mine = data.filter((b) => `${b.label[0]}/${b.label[1]}` === l.label.join('/'));
      expect(l.counts).toEqual(sum(mine.map((b) => b.counts)));
      const p = covCompounds.get(l.label.join('/'))!;
      expect([l.counts.due, l.counts.tested, l.counts.untested, l.counts.positive, l.counts.retest]).toEqual([p.due, p.tested, p.untested, p.positive, p.retest]);
      expect(l.rate).toBe(rateOf(l.counts));
    }
    for (const c of cov.communities) {
      const total = compounds.find((l) => l.bold && l.label[0] === `${c.community}合计`)!;
      expect(total.counts).toEqual(sum(data.filter((b) => b.label[0] === c.community).map((b) => b.counts)));
      expect([total.counts.due, total.counts.tested, total.counts.untested, total.counts.positive, total.counts.retest]).toEqual([c.due, c.tested, c.untested, c.positive, c.retest]);
      expect(total.rate).toBe(rateOf(total.counts));
      // The 按楼栋 sheet has the same community 合计.
      expect(buildings.find((l) => l.bold && l.label[0] === `${c.community}合计`)!.counts).toEqual(total.counts);
    }
    const overall = compounds[compounds.length - 1];
    expect(overall.counts).toEqual(sum([...counted.values()]));
    expect([overall.counts.due, overall.counts.tested, overall.counts.untested, overall.counts.positive, overall.counts.retest]).toEqual([cov.due, cov.tested, cov.untested, cov.positive, cov.retest]);
    expect(overall.rate).toBe(0.6);
    expect(buildings[buildings.length - 1]).toMatchObject({ label: ['合计', '合计', '合计'], counts: overall.counts, bold: true });
    expect(out.totals).toEqual(overall.counts);
    expect(byCompound.getCell(`I${byCompound.rowCount - 1}`).numFmt).toBe('0.0%');

    // Audited as report exports are; counts only, no personal data in the file.
    const audits = await rawAll<{ user_name: string; details: string }>(env.handle.db, "SELECT user_name, details FROM audit_log WHERE action = 'report.export'");
    expect(audits.length).toBe(1);
    expect(audits[0].user_name).toBe('clerk');
    expect(JSON.parse(audits[0].details)).toMatchObject({ report: 'round-report', roundId, communityId: null, rows: 3 + 7, fileName: out.fileName });
    const text = JSON.stringify(wb.worksheets.map((w) => w.getSheetValues()));
    for (const p of PEOPLE) expect(text).not.toContain(p.name);
  });

  it('a committee member: their community only; another community’s round refused in Chinese, nothing audited', async () => {
    const ids = await seed();
    const roundId = await roundWithResults(ids);
    const onlyB = await createRound(env.ctx(), { startDate: '2022-01-20', communityIds: [env.communities.b] });
    const key = await env.login('committee1');
    const out = await call(env.env, 'rounds.exportReport', { roundId }, key);
    expect(out.title).toBe('广阳区解放道街道西大街社区核酸检测轮次报告（2022年1月19日至1月20日，西大街社区）');
    expect(out.fileName).toBe('核酸检测轮次报告_解放道街道西大街社区_2022-01-19.xlsx');
    expect(out.communityId).toBe(env.communities.a);
    const wb = await load(out.dataBase64);
    const compounds = table(wb.worksheets[0], 2);
    expect(compounds.map((l) => l.label[0])).toEqual(['西大街社区', '西大街社区', '西大街社区合计', '合计']);
    const counted = await recount(roundId, [env.communities.a]);
    expect(compounds[3].counts).toEqual(sum([...counted.values()]));
    expect(compounds[3].counts).toEqual({ due: 8, exempt: 2, tested: 5, untested: 3, positive: 1, retest: 2 });
    const mine = await roundCoverage(env.ctx({ userId: 0, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: env.communities.a }), { roundId });
    expect(compounds[3].counts.due).toBe(mine.due);
    const buildings = table(wb.worksheets[1], 3).filter((l) => !l.bold);
    expect(buildings.every((l) => l.label[0] === '西大街社区')).toBe(true);
    expect(buildings.length).toBe(counted.size);

    const auditRows = async () => Number((await rawAll<{ n: number }>(env.handle.db, 'SELECT COUNT(*) AS n FROM audit_log'))[0].n);
    const before = await auditRows();
    const refused = await call(env.env, 'rounds.exportReport', { roundId: onlyB.round.id }, key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect((refused as AppError).message).toBe('该核酸轮次不包括本社区（西大街社区），不能导出它的轮次报告');
    expect(await auditRows()).toBe(before);
    // A round that does not exist is not found, for everyone.
    await expect(call(env.env, 'rounds.exportReport', { roundId: 9999 }, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The other community's member gets theirs.
    const theirs = await call(env.env, 'rounds.exportReport', { roundId: onlyB.round.id }, await env.login('committee2'));
    expect(theirs.title).toBe('广阳区解放道街道华夏里社区核酸检测轮次报告（2022年1月20日，华夏里社区）');
    expect(theirs.totals.due).toBe(3);
  });

  it('the command line writes the report and prints its totals', async () => {
    const ids = await seed();
    const roundId = await roundWithResults(ids);
    const cov = await roundCoverage(env.ctx(), { roundId });
    // The command line works on the environment's database while it is open (under test:pg it is dropped on close).
    const file = cliDbArg(env.handle, env.env.dbFile);
    const out = path.join(dir, 'cli', 'round.xlsx');
    const r = await runCli(['export', 'round-report', '--db', file, '--round', String(roundId), '--out', out, '--json']);
    expect(r.result.code, JSON.stringify(r.result.json)).toBe(0);
    expect(r.result.json).toMatchObject({ file: out, compounds: 3, buildings: 7, due: cov.due, exempt: 3, tested: cov.tested, untested: cov.untested, positive: cov.positive, retest: cov.retest });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(String(wb.worksheets[0].getCell('A1').value)).toBe('广阳区解放道街道核酸检测轮次报告（2022年1月19日至1月20日，全街道）');
    const bad = await runCli(['export', 'round-report', '--db', file, '--round', '9999', '--out', out, '--json']);
    expect(bad.result.code).not.toBe(0);
    expect(JSON.stringify(bad.result.json)).toContain('找不到该核酸轮次');
    const usage = await runCli(['export', 'round-report', '--db', file, '--out', out]);
    expect(usage.result.code).toBe(2);
  });
});
