// The five reports on a small scenario built with the domain functions: layout, content, masking, hostile text,
// totals, widths, scope, and the daily report agreeing exactly with the dashboard's communityDailyStats.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { exportReport, REPORT_NAMES, type ReportName } from '../../electron/excel/export/index.ts';
import { communityDailyStats, sumDailyRows } from '../../electron/domain/dashboard.ts';
import { displayWidth } from '../../electron/excel/export/sheet.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { buildScenario, everything, HOSTILE_NAME, LONG_COMPOUND, readBack, rowWith, type Scenario } from './export-fixture.ts';

let t: TestEnv;
let s: Scenario;
let out: string;
// One scenario for the file (building it hashes five passwords); exports only add files and audit entries.
beforeAll(async () => {
  t = await makeEnv();
  s = await buildScenario(t);
});
afterAll(() => t.close());
beforeEach(() => {
  out = tempDir('idesk-export-');
});

async function exportAudits(): Promise<Record<string, unknown>[]> {
  const rows = await t.handle.db.selectFrom('auditLog').select('details').where('action', '=', 'report.export').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.details!) as Record<string, unknown>);
}

const DATE = '2022-01-20';
const exp = (report: ReportName, extra: Record<string, unknown> = {}, actor?: Actor) =>
  exportReport(t.ctx(actor), { report, date: DATE, from: '2022-01-19', to: DATE, outDir: out, ...extra });

/** Data rows: after the header (ending at headerEnd) and before the 合计 row; group rows (merged) excluded. */
function dataRows(rows: unknown[][], headerEnd: number): unknown[][] {
  return rows.slice(headerEnd, -1).filter((r) => typeof r[0] === 'number' || (r[0] !== r[1] && r[0] !== '合计'));
}

const committee1 = (): Actor => ({ userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a });

describe('every report', () => {
  it.each(REPORT_NAMES)('%s: title with subdistrict and date, frozen header, print set-up, totals row, no formulas, masked', async (report) => {
    const r = await exp(report);
    expect(r.masked).toBe(true);
    expect(r.fileName).toMatch(new RegExp(`^${r.title}_解放道街道_2022-01-(19至2022-01-)?20\\.xlsx$`));
    const rb = await readBack(r.path);
    expect(rb.merges[0]).toMatch(/^A1:[A-Z]+1$/);
    const title = String(rb.rows[0][0]);
    expect(title).toContain('解放道街道');
    expect(title).toContain(report === 'checkins' ? '2022年1月19日至2022年1月20日' : '2022年1月20日');
    expect(title).toContain(r.title);
    const headerEnd = (rb.ws.views[0] as { ySplit?: number }).ySplit!;
    expect(headerEnd).toBe(4); // every report has a merged header group
    expect(rb.ws.views[0]).toMatchObject({ state: 'frozen' });
    expect(rb.ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, printTitlesRow: '3:4' });
    expect(rb.rows[rb.rows.length - 1][0]).toBe('合计');
    const all = everything(rb);
    expect(rb.parts.get('xl/worksheets/sheet1.xml')).not.toMatch(/<f[ >]/);
    for (const id of s.ids) expect(all).not.toContain(id);
    for (const p of s.phones) expect(all).not.toContain(p);
    // Numeric totals are the sums of their columns.
    const totals = rb.rows[rb.rows.length - 1];
    const data = dataRows(rb.rows, headerEnd);
    totals.forEach((v, c) => {
      if (typeof v === 'number' && data.some((row) => typeof row[c] === 'number')) {
        expect(v, `column ${c + 1}`).toBe(data.reduce((sum, row) => sum + (typeof row[c] === 'number' ? (row[c] as number) : 0), 0));
      }
    });
    // Widths fit the header and every value of columns that are not capped (capped ones wrap).
    for (let c = 1; c <= rb.ws.columnCount; c++) {
      const width = rb.ws.getColumn(c).width ?? 9;
      const header = String(rb.rows[headerEnd - 1][c - 1] ?? '');
      expect(width, `header of column ${c}`).toBeGreaterThanOrEqual(displayWidth(header));
      const widest = Math.max(0, ...data.map((row) => displayWidth(String(row[c - 1] ?? ''))));
      if (width < 30) expect(width, `values of column ${c}`).toBeGreaterThanOrEqual(widest);
    }
    const audit = (await exportAudits()).filter((a) => a.path === r.path);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ report, masked: true, rows: r.rows, date: DATE, fileName: r.fileName });
  });
});

describe('隔离人员台账 (roster)', () => {
  it('lists everyone covered on the date with day N, status, latest temperature, and hostile text as plain strings', async () => {
    const r = await exp('roster');
    expect(r.rows).toBe(4);
    const rb = await readBack(r.path);
    expect(rb.rows[3]).toEqual(['序号', '姓名', '性别', '年龄', '证件类型', '证件号码', '联系电话', '住址', '人员类别', '类型', '开始日期', '最后一天', '解除日期', '第N天', '状态', '最新体温(℃)', '备注']);
    const zhang = rowWith(rb, '张三')!;
    expect(zhang).toEqual([expect.any(Number), '张三', '男', 31, '居民身份证', '131002********1239', '138****5678', '西大街社区金桥小区12号楼3单元501', '密接', '居家隔离', '2022-01-14', '2022-01-20', '2022-01-21', '第7天/共7天', '隔离中', 36.5, '+1']);
    const hostile = rowWith(rb, HOSTILE_NAME)!;
    expect(hostile[16]).toBe('@SUM(A1)');
    expect(String(hostile[7])).toContain(LONG_COMPOUND);
    expect(rowWith(rb, '王五')!.slice(13, 15)).toEqual([null, '已解除']);
    expect(rowWith(rb, '李四')![15]).toBe(37.8);
    expect(rb.rows[rb.rows.length - 1].slice(0, 2)).toEqual(['合计', 4]);
    // 住址 is as wide as the longest address up to its cap of 44; beyond that the text wraps.
    expect(rb.ws.getColumn(8).width).toBe(Math.min(44, displayWidth(String(hostile[7])) + 2));
    expect(rb.ws.getCell('H5').alignment).toMatchObject({ wrapText: true });
  });

  it('reads a past date as it was: nobody had started on 2022-01-11', async () => {
    const r = await exportReport(t.ctx(), { report: 'roster', date: '2022-01-11', outDir: out });
    expect(r.rows).toBe(0);
    const r2 = await exportReport(t.ctx(), { report: 'roster', date: '2022-01-15', outDir: out });
    expect(r2.rows).toBe(2); // 王五 (from 01-12) and 张三 (from 01-14)
    const rb = await readBack(r2.path);
    expect(rowWith(rb, '王五')!.slice(13, 15)).toEqual(['第4天/共7天', '隔离中']);
  });

  it('gives full numbers only to an unmasked export, and records that in the audit log', async () => {
    const r = await exp('roster', { unmasked: true });
    expect(r.masked).toBe(false);
    const all = everything(await readBack(r.path));
    for (const id of s.ids) expect(all).toContain(id);
    for (const p of s.phones) expect(all).toContain(p);
    expect((await exportAudits()).find((a) => a.path === r.path)).toMatchObject({ masked: false, rows: 4, report: 'roster' });
  });
});

describe('community scope', () => {
  it.each(['roster', 'checkins', 'supplies', 'cadres', 'daily-report'] as const)('%s of a committee member holds only their community', async (report) => {
    const r = await exp(report, {}, committee1());
    expect(r.fileName).toContain('解放道街道西大街社区');
    const rb = await readBack(r.path);
    const all = everything(rb);
    expect(String(rb.rows[0][0])).toContain('西大街社区');
    for (const other of ['华夏里社区', '李四', '王五', '钱干部', '华夏小区']) expect(all).not.toContain(other);
  });

  it('refuses a committee member asking for another community', async () => {
    await expect(exp('roster', { communityId: t.communities.b }, committee1())).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets the clerk narrow to one community', async () => {
    const r = await exp('roster', { communityId: t.communities.b });
    const rb = await readBack(r.path);
    expect(r.rows).toBe(2);
    expect(everything(rb)).not.toContain('张三');
  });
});

describe('每日工作日报 (daily report)', () => {
  it('has exactly the numbers of communityDailyStats, one row per community, and their sums as 合计', async () => {
    const stats = await communityDailyStats(t.ctx(), DATE);
    const r = await exp('daily-report');
    const rb = await readBack(r.path);
    const keys = ['underControl', 'newToday', 'releasedToday', 'dueForRelease', 'checkinsDue', 'checkinsDone', 'checkinsMissing', 'abnormalCheckins', 'alertsOpen', 'supplyNew', 'supplyDelivered', 'supplyPending', 'supplyOverdue', 'cadresOnDuty'] as const;
    expect(rb.rows.slice(4, -1)).toEqual(stats.map((row) => [row.community, ...keys.map((k) => row[k])]));
    const totals = sumDailyRows(stats);
    expect(rb.rows[rb.rows.length - 1]).toEqual(['合计', ...keys.map((k) => totals[k])]);
    // the scenario is not all zeros, so the comparison above means something
    expect(totals.underControl).toBe(3);
    expect(totals.releasedToday).toBe(1);
    expect(totals.abnormalCheckins).toBe(1);
    expect(totals.supplyDelivered).toBe(1);
  });

  it('has a second sheet 按小区: one row per compound with its community, adding up to the communities, and 合计', async () => {
    const stats = await communityDailyStats(t.ctx(), DATE);
    const r = await exp('daily-report');
    const rb = await readBack(r.path, 1);
    expect(rb.ws.name).toBe('按小区');
    expect(String(rb.rows[0][0])).toContain('（按小区）');
    const body = rb.rows.slice(4, -1);
    expect(body.map((row) => `${row[0]} ${row[1]}`).sort()).toEqual(['华夏里社区 华夏小区', '西大街社区 金桥小区', `西大街社区 ${LONG_COMPOUND}`].sort());
    const col = (header: string) => rb.rows[3].indexOf(header);
    const total = rb.rows[rb.rows.length - 1];
    expect(total[0]).toBe('合计');
    expect(total[col('在管隔离人数')]).toBe(sumDailyRows(stats).underControl);
    expect(total[col('已报')]).toBe(sumDailyRows(stats).checkinsDone);
    expect(total[col('体温或症状异常')]).toBe(sumDailyRows(stats).abnormalCheckins);
    for (const c of stats) {
      const mine = body.filter((row) => row[0] === c.community);
      expect(mine.reduce((a, row) => a + Number(row[col('在管隔离人数')]), 0), c.community).toBe(c.underControl);
    }
  });
});

describe('健康监测记录, 物资需求清单, 下沉干部名册', () => {
  it('健康监测记录 covers --from..--to and counts abnormal ones', async () => {
    const r = await exp('checkins');
    expect(r.rows).toBe(4);
    const rb = await readBack(r.path);
    expect(rowWith(rb, '=1+1')).toBeDefined(); // a note that looks like a formula, kept as text
    const li = rowWith(rb, '李四')!;
    expect(li).toEqual(expect.arrayContaining(['2022-01-20', '上午', '华夏里社区', 37.8, '咳嗽', '是']));
    expect(rb.rows[rb.rows.length - 1]).toEqual(expect.arrayContaining(['合计', 4, 1]));
    const one = await exportReport(t.ctx(), { report: 'checkins', date: DATE, outDir: out });
    expect(one.rows).toBe(3);
  });

  it('物资需求清单 groups by compound with urgent first, and can list one status', async () => {
    const r = await exp('supplies');
    expect(r.rows).toBe(3);
    const rb = await readBack(r.path);
    const groups = rb.rows.slice(4).filter((row) => typeof row[0] === 'string' && row[0] === row[1] && String(row[0]).includes('共'));
    expect(groups.map((g) => g[0])).toEqual(['华夏里社区 华夏小区　共 1 单', '西大街社区 金桥小区　共 1 单', `西大街社区 ${LONG_COMPOUND}　共 1 单（紧急 1 单）`]);
    expect(rowWith(rb, '白菜 2斤，鸡蛋 1盒')).toEqual(expect.arrayContaining(['张三', '138****5678', '蔬菜', '已送达', '赵干部', 23.5, '否']));
    expect(rowWith(rb, '+86 call first')).toEqual(expect.arrayContaining([HOSTILE_NAME, '药品', '紧急', '待处理']));
    const open = await exp('supplies', { status: 'open' });
    expect(open.rows).toBe(2);
    const delivered = await exp('supplies', { status: 'delivered' });
    expect(delivered.rows).toBe(1);
  });

  it('下沉干部名册 shows assignments, duty and the day’s deliveries', async () => {
    const r = await exp('cadres');
    const rb = await readBack(r.path);
    expect(rowWith(rb, '赵干部')).toEqual(expect.arrayContaining(['市住建局', '二级调研员', '137****1111', '西大街社区', '金桥小区', '2022-01-10起', '在岗', '是', 1, 0]));
    expect(rowWith(rb, '钱干部')).toEqual(expect.arrayContaining(['轮休', 0]));
    expect(rb.rows[rb.rows.length - 1]).toEqual(expect.arrayContaining(['合计', 1, 1, 0]));
  });
});

describe('refusals', () => {
  it('refuses bad dates and ranges, and writes nothing', async () => {
    const before = (await exportAudits()).length;
    await expect(exp('roster', { date: '2022-01-21' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(exp('roster', { date: '2022-02-30' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(exp('checkins', { from: '2022-01-20', to: '2022-01-19' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(exp('checkins', { from: '2020-01-01', to: '2022-01-19' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const fs = await import('node:fs');
    expect(fs.readdirSync(out)).toEqual([]);
    expect((await exportAudits()).length).toBe(before);
  });

  it('never overwrites an earlier export of the same name, and leaves no partial file when cancelled', async () => {
    const a = await exp('roster');
    const b = await exp('roster');
    expect(b.fileName).toBe(a.fileName.replace('.xlsx', '(2).xlsx'));
    await expect(
      exportReport(t.ctx(), { report: 'roster', date: DATE, outDir: out }, { checkCancelled: () => { throw new Error('cancelled'); } }),
    ).rejects.toThrow('cancelled');
    const fs = await import('node:fs');
    expect(fs.readdirSync(out).sort()).toEqual([a.fileName, b.fileName].sort());
  });
});
