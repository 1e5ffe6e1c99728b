// 报表导出 end to end, on a seed-demo database in browser mode. The clerk exports 每日工作日报 and 隔离人员台账 —
// masked by default, unmasked when chosen — and downloads each file; the files are read back with exceljs: the title
// names the subdistrict, the report and the date, the daily report's 合计 row sums its rows and agrees with 工作台, the
// roster's ID numbers and phones are masked (as text) unless unmasked was chosen, and the unmasked export is audited.
// The official (领导) cannot switch masking off, and a direct unmasked request is refused with nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { apiInPage, DEMO_TODAY, login, readDb, openPage, screenshot, startOnScreen, stopOnScreen, type AppServer, type OpenedPage } from './helpers.ts';

const TITLE_DATE = '2022年1月20日';

let app: AppServer;
let browser: Browser;
let clerk: OpenedPage;
let page: Page;

const q = <T>(sql: string, ...args: unknown[]): T => readDb(app.dbFile, (db) => db.prepare(sql).pluck().get(...args) as T);
const all = <T>(sql: string, ...args: unknown[]): T[] => readDb(app.dbFile, (db) => db.prepare(sql).pluck().all(...args) as T[]);
const exportAudits = () => q<number>("SELECT COUNT(*) FROM audit_log WHERE action = 'report.export'");

/** Text of a cell whatever exceljs made of it (rich text, shared string). */
function text(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '');
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

interface Sheet {
  ws: ExcelJS.Worksheet;
  title: string;
  subtitle: string;
  /** Column number of each header text (the lowest header row wins: group headers sit above). */
  col: Map<string, number>;
  headerRow: number;
  /** Data rows below the header, without the 合计 row. */
  data: ExcelJS.Row[];
  totals: ExcelJS.Row | null;
}

async function readReport(file: string, header: string): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  const texts = (row: ExcelJS.Row) => {
    const out: string[] = [];
    row.eachCell((c) => out.push(text(c.value)));
    return out;
  };
  let headerRow = 0;
  for (let r = 1; r <= 6 && !headerRow; r++) if (texts(ws.getRow(r)).includes(header)) headerRow = r;
  expect(headerRow, `no header row with ${header}`).toBeGreaterThan(0);
  // A grouped header spans two rows (the group above, the column below): read both, the lower one wins.
  const col = new Map<string, number>();
  for (const r of [headerRow + 1, headerRow]) ws.getRow(r).eachCell((c, n) => c.value && !col.has(text(c.value)) && col.set(text(c.value), n));
  const data: ExcelJS.Row[] = [];
  let totals: ExcelJS.Row | null = null;
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells = texts(row).filter((x) => x);
    if (!cells.length || cells.every((x) => col.has(x))) continue;
    if (cells.some((x) => x.startsWith('合计'))) totals = row;
    else data.push(row);
  }
  return { ws, title: text(ws.getCell('A1').value), subtitle: text(ws.getCell('A2').value), col, headerRow, data, totals };
}

/** Chooses a report, sets masking, exports, waits for the job and downloads the file; returns its path. */
async function exportAndDownload(p: Page, report: string, opts: { masked: boolean; name: string }): Promise<{ file: string; suggested: string }> {
  await p.getByTestId(`report-${report}`).click();
  const sw = p.getByTestId('report-masked');
  if ((await sw.getAttribute('aria-checked')) !== String(opts.masked)) await sw.click();
  expect(await sw.getAttribute('aria-checked')).toBe(String(opts.masked));
  const doneBefore = await p.getByTestId('report-done').count();
  const titleBefore = doneBefore ? await p.getByTestId('report-done').innerText() : '';
  await p.getByTestId('report-export').click();
  await expect.poll(async () => ((await p.getByTestId('report-done').count()) ? await p.getByTestId('report-done').innerText() : ''), { timeout: 30_000 }).not.toBe(titleBefore);
  const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('report-download').click()]);
  const file = path.join(app.dir, opts.name);
  await download.saveAs(file);
  return { file, suggested: download.suggestedFilename() };
}

beforeAll(async () => {
  ({ app, browser, opened: clerk, page } = await startOnScreen({ residents: 200, user: 'clerk', nav: 'nav-reports', ready: 'report-form' }));
});

afterAll(() => stopOnScreen({ app, browser, opened: clerk }));

describe('报表导出 (clerk)', () => {
  it('exports 每日工作日报: title with subdistrict and date, 合计 row = sum of the rows = 工作台', async () => {
    expect(await page.getByTestId('report-masked').getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'reports-form', { fullPage: true });
    const { file, suggested } = await exportAndDownload(page, 'daily-report', { masked: true, name: 'daily.xlsx' });
    expect(suggested).toContain('每日工作日报');
    expect(suggested).toContain('2022-01-20');
    await screenshot(page, 'reports-daily-done', { fullPage: true });

    const s = await readReport(file, '社区');
    expect(s.title).toContain('解放道街道');
    expect(s.title).toContain('每日工作日报');
    expect(s.title).toContain(TITLE_DATE);
    expect(s.subtitle).toContain('已脱敏');
    const communities = all<string>("SELECT name FROM places WHERE level = 'community' ORDER BY name");
    const cc = s.col.get('社区')!;
    expect(s.data.map((r) => text(r.getCell(cc).value)).sort()).toEqual([...communities].sort());
    expect(s.totals).not.toBeNull();
    const dash = await apiInPage<{ rows: { community: string; underControl: number; checkinsDue: number; checkinsDone: number }[] }>(page, 'dashboard.get', { date: DEMO_TODAY });
    expect(dash.ok).toBe(true);
    for (const [header, key] of [
      ['在管隔离人数', 'underControl'],
      ['应报', 'checkinsDue'],
      ['已报', 'checkinsDone'],
    ] as const) {
      const c = s.col.get(header)!;
      expect(c, header).toBeGreaterThan(0);
      const values = s.data.map((r) => Number(text(r.getCell(c).value)));
      expect(Number(text(s.totals!.getCell(c).value)), `合计 ${header}`).toBe(values.reduce((a, b) => a + b, 0));
      for (const r of s.data) {
        const d = dash.data!.rows.find((x) => x.community === text(r.getCell(cc).value))!;
        expect(Number(text(r.getCell(c).value)), `${d.community} ${header}`).toBe(d[key]);
      }
    }
    // No formula anywhere.
    s.ws.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('exports 隔离人员台账 masked by default: ID numbers and phones as masked text', async () => {
    const audits = exportAudits();
    const { file, suggested } = await exportAndDownload(page, 'roster', { masked: true, name: 'roster-masked.xlsx' });
    expect(suggested).toContain('隔离人员台账');
    const s = await readReport(file, '姓名');
    expect(s.title).toContain('解放道街道');
    expect(s.title).toContain('隔离人员台账');
    expect(s.title).toContain(TITLE_DATE);
    expect(s.subtitle).toContain('已脱敏');
    expect(s.data.length).toBeGreaterThan(10);
    const full = new Set(all<string>('SELECT doc_number FROM residents'));
    const idCol = s.col.get('证件号码')!;
    const phoneCol = s.col.get('联系电话')!;
    let ids = 0;
    for (const r of s.data) {
      const id = r.getCell(idCol);
      if (!id.value) continue;
      ids++;
      expect(id.type).toBe(ExcelJS.ValueType.String);
      // Resident ID numbers: first 6 + last 4; other documents (passports…) are masked too.
      if (text(id.value).length === 18) expect(text(id.value)).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
      else expect(text(id.value)).toMatch(/^[^*]{2,}\*+[^*]{2,}$/);
      expect(full.has(text(id.value))).toBe(false);
      const phone = text(r.getCell(phoneCol).value);
      if (phone) expect(phone).toMatch(/^\d{3}\*{4}\d{4}$/);
    }
    expect(ids).toBe(s.data.length);
    expect(exportAudits()).toBe(audits + 1);
  });

  it('exports 隔离人员台账 unmasked when chosen, with the warning, full numbers as text, and audits it', async () => {
    await page.getByTestId('report-roster').click();
    await page.getByTestId('report-masked').click();
    await page.getByTestId('unmasked-warning').waitFor();
    expect(await page.getByTestId('unmasked-warning').innerText()).toContain('审计');
    await screenshot(page, 'reports-unmasked-warning', { fullPage: true });
    const audits = exportAudits();
    const { file } = await exportAndDownload(page, 'roster', { masked: false, name: 'roster-full.xlsx' });
    const s = await readReport(file, '姓名');
    expect(s.subtitle).toContain('含完整身份证号和电话');
    const full = new Set(all<string>('SELECT doc_number FROM residents'));
    const idCol = s.col.get('证件号码')!;
    for (const r of s.data) {
      const id = r.getCell(idCol);
      expect(id.type).toBe(ExcelJS.ValueType.String);
      expect(full.has(text(id.value)), text(id.value)).toBe(true);
      expect(text(id.value)).not.toContain('*');
    }
    expect(exportAudits()).toBe(audits + 1);
    const last = JSON.parse(q<string>("SELECT details FROM audit_log WHERE action = 'report.export' ORDER BY id DESC LIMIT 1")) as Record<string, unknown>;
    expect(JSON.stringify(last)).toMatch(/"masked":false/);
    expect(JSON.stringify(last)).toContain('隔离人员台账');
    // This session's exports: three files, the last one marked 不脱敏.
    const session = page.locator('.reports-page .ant-table-tbody tr.ant-table-row');
    expect(await session.count()).toBe(3);
    expect(await session.first().innerText()).toContain('不脱敏');
    await screenshot(page, 'reports-session', { fullPage: true });
    expect(clerk.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it('exports the 隔离人员台账 打印版 when chosen: fewer columns, grouped by compound, no document numbers', async () => {
    await page.getByTestId('report-roster').click();
    await page.getByTestId('report-layout').locator('label', { hasText: '打印版' }).click();
    const { file, suggested } = await exportAndDownload(page, 'roster', { masked: true, name: 'roster-print.xlsx' });
    expect(suggested).toContain('隔离人员台账（打印版）');
    const s = await readReport(file, '姓名');
    expect(s.title).toContain('隔离人员台账（打印版）');
    expect(s.col.has('核查情况')).toBe(true);
    expect(s.col.has('证件号码')).toBe(false);
    expect(s.ws.columnCount).toBe(13);
    expect(text(s.totals?.getCell(2).value)).toMatch(/^共 \d+ 人$/);
    const last = JSON.parse(q<string>("SELECT details FROM audit_log WHERE action = 'report.export' ORDER BY id DESC LIMIT 1")) as Record<string, unknown>;
    expect(last).toMatchObject({ report: 'roster', layout: 'print', title: '隔离人员台账（打印版）' });
    await page.getByTestId('report-layout').locator('label', { hasText: '完整表格' }).click();
    expect(clerk.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});

describe('报表导出 (official)', () => {
  it('offers no unmasked export, and refuses one asked for directly', async () => {
    const official = await openPage(browser, app.url);
    try {
      const p = official.page;
      await login(p, 'official');
      await p.getByTestId('nav-reports').click();
      await p.getByTestId('report-form').waitFor();
      const sw = p.getByTestId('report-masked');
      expect(await sw.getAttribute('aria-checked')).toBe('true');
      expect(await sw.isDisabled()).toBe(true);
      expect(await p.getByTestId('report-form').innerText()).toContain('只能导出脱敏版本');
      await screenshot(p, 'reports-official', { fullPage: true });

      const audits = exportAudits();
      const r = await apiInPage(p, 'reports.export', { report: 'roster', date: DEMO_TODAY, unmasked: true });
      expect(r.ok).toBe(false);
      expect(r.error?.message).toMatch(/[\u4e00-\u9fa5]/);
      expect(exportAudits()).toBe(audits);

      // The masked export still works for the official.
      const { file } = await exportAndDownload(p, 'roster', { masked: true, name: 'roster-official.xlsx' });
      const s = await readReport(file, '姓名');
      expect(text(s.data[0].getCell(s.col.get('证件号码')!).value)).toContain('*');
    } finally {
      await official.context.close();
    }
  });
});
