// 导入 end to end, on a seed-demo database in browser mode, as the clerk: an .xls file is refused with the advice to
// save it as .xlsx, a password-protected one with the advice to remove the password; a hidden sheet in front of the list
// is passed over and marked （隐藏） in the sheet picker; the sample upstream list (test/fixtures, a copy of
// shared/fixtures/sample-upstream-list.xlsx) is uploaded through the wizard: it asks first (导入前请确认: the title
// naming 新开路街道, the new 南大街社区 with the nearest name, the people whose period is over) and 导入 waits for the
// choices; the header row and the column mapping are shown, a changed mapping is applied (and undone), the counts and
// both problem rows with their Chinese reasons are listed, the error report downloads as a real .xlsx; 全部或不导入
// refuses and writes nothing; 仅导入无误的行 imports 22 people (as already ended) with a progress bar; the batch is
// listed under 导入记录 and 撤销 removes the people again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { readDb, screenshot, startOnScreen, stopOnScreen, type AppServer, type OpenedPage } from './helpers.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-upstream-list.xlsx');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'sample-upstream-list.expected.json'), 'utf8')) as {
  confirm: { otherSubdistrict: string; staleRows: number; newCommunities: { name: string; validRows: number; nearest: string[] }[] };
  dataRows: number;
  imported: number;
  errorRows: number;
  errors: { row: number; reason: string }[];
  households: number;
};
const FILE_NAME = '新开路街道隔离名单.xlsx';

let app: AppServer;
let browser: Browser;
let opened: OpenedPage;
let page: Page;

/** A fresh read-only look at the database (the server writes through its own connection). */
const q = <T>(sql: string, ...args: unknown[]): T => readDb(app.dbFile, (db) => db.prepare(sql).pluck().get(...args) as T);
const residents = () => q<number>('SELECT COUNT(*) FROM residents');
const batches = () => q<number>("SELECT COUNT(*) FROM import_batches WHERE kind = 'residents'");
/** How many of the fixture's ID numbers are in the database (the fixture's valid rows are all new people). */
function fixturePeople(ids: string[]): number {
  return readDb(app.dbFile, (db) => ids.filter((id) => db.prepare('SELECT 1 FROM residents WHERE doc_number = ?').get(id)).length);
}

/** ID numbers (column C) of the fixture's valid rows: data from row 3, the rejected rows left out. */
async function fixtureIds(): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(FIXTURE);
  const ws = wb.worksheets[0];
  const rejected = new Set(EXPECTED.errors.map((e) => e.row));
  const ids: string[] = [];
  ws.eachRow((row, n) => {
    if (n > 2 && !rejected.has(n)) ids.push(String(row.getCell(3).value));
  });
  expect(ids).toHaveLength(EXPECTED.imported);
  return ids;
}

const count = async (key: string) => Number((await page.getByTestId(`count-${key}`).locator('.ant-statistic-content-value').innerText()).replace(/[^\d]/g, ''));

async function chooseFile(name: string, buffer: Buffer): Promise<void> {
  await page.getByTestId('import-file-step').locator('input[type=file]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

async function openMapping(): Promise<void> {
  const mapping = page.getByTestId('import-mapping');
  if (!(await mapping.isVisible())) await page.locator('.ant-collapse-header', { hasText: '列对应' }).click();
  await mapping.waitFor();
}

/** Picks an option of an antd Select by its visible label. */
/**
 * Chooses `label` in an antd Select, and makes sure it took: a click that lands while the dropdown is still sliding
 * in (a busy machine) can be swallowed, so the dropdown is opened and the option clicked again until the Select
 * shows the label.
 */
async function pick(testId: string, label: string): Promise<void> {
  const select = page.getByTestId(testId);
  const option = page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="${label}"]`);
  await vi.waitFor(
    async () => {
      if ((await select.innerText()).includes(label)) return;
      if (!(await option.isVisible())) await select.click();
      await option.click({ timeout: 3000 });
      expect(await select.innerText()).toContain(label);
    },
    { timeout: 15_000, interval: 250 },
  );
}

beforeAll(async () => {
  ({ app, browser, opened: opened, page } = await startOnScreen({ residents: 200, user: 'clerk', nav: 'nav-import', ready: 'import-file-step' }));
});

afterAll(() => stopOnScreen({ app, browser, opened: opened }));

describe('导入 wizard (clerk)', () => {
  it('refuses an .xls file with the advice to save it as .xlsx', async () => {
    await chooseFile('名单.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex'));
    const err = page.getByTestId('import-file-error');
    await expect.poll(() => err.innerText()).toContain('另存为');
    expect(await err.innerText()).toContain('.xlsx');
    expect(await page.getByTestId('import-preview').count()).toBe(0);
  });

  it('refuses a password-protected list with its own advice; passes over a hidden sheet and marks it in the picker', async () => {
    await chooseFile('加密名单.xlsx', fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'password-protected.xlsx')));
    const err = page.getByTestId('import-file-error');
    await expect.poll(() => err.innerText(), { timeout: 120_000 }).toContain('此文件设有打开密码');

    const wb = new ExcelJS.Workbook();
    const choices = wb.addWorksheet('下拉选项', { state: 'hidden' });
    for (const v of ['男', '女']) choices.addRow([v]);
    const ws = wb.addWorksheet('名单');
    ws.addRow(['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期']);
    ws.addRow(['张三', '11010519491231002X', '13900000001', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12']);
    await chooseFile('带下拉选项的名单.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    // Each preview is a job in a worker thread: on a busy machine a fresh worker takes a while to start.
    await page.getByTestId('import-preview').waitFor({ timeout: 120_000 });
    const sheet = page.getByTestId('import-sheet');
    expect(await sheet.innerText()).toContain('名单');
    await sheet.click();
    const options = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
    await expect.poll(() => options.allInnerTexts()).toEqual(['下拉选项（隐藏）', '名单']);
    await screenshot(page, 'import-hidden-sheet');
    await page.keyboard.press('Escape');
    await page.getByTestId('import-restart').click();
    await page.getByTestId('import-file-step').waitFor();
  }, 300_000);

  it('asks first: the foreign title, the new community with the nearest name, the people whose period is over; 导入 waits', async () => {
    const before = residents();
    await chooseFile(FILE_NAME, fs.readFileSync(FIXTURE));
    await page.getByTestId('import-preview').waitFor();
    const card = page.getByTestId('import-confirm');
    await card.waitFor();
    expect(await page.getByTestId('confirm-other').innerText()).toContain(`名单标题写的是“${EXPECTED.confirm.otherSubdistrict}”，本街道是“解放道街道”`);
    const [community] = EXPECTED.confirm.newCommunities;
    const communities = await page.getByTestId('confirm-communities').innerText();
    expect(communities).toContain(`新建社区“${community.name}”`);
    expect(communities).toContain(`相近的已有社区：${community.nearest.join('、')}`);
    // Not confirmed yet: its rows are rejected, the rest is still a stale list.
    expect(await count('valid')).toBe(EXPECTED.imported - community.validRows);
    expect(await page.getByTestId('confirm-stale').innerText()).toContain(`${EXPECTED.imported - community.validRows} 人的隔离期已经结束`);
    expect(await page.getByTestId('confirm-stale').innerText()).toContain('计入在管、待解除和应报人数');
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    expect(await page.getByTestId('import-confirm-pending').isVisible()).toBe(true);
    await page.getByTestId('confirm-stale').scrollIntoViewIfNeeded();
    await screenshot(page, 'import-confirm', { fullPage: true });

    // Ticking the community reads the list again: its rows are valid, every importable person's period is over.
    await page.getByTestId(`confirm-community-${community.name}`).click();
    await expect.poll(() => count('valid'), { timeout: 15_000 }).toBe(EXPECTED.imported);
    await expect.poll(() => page.getByTestId('confirm-stale').innerText()).toContain(`${EXPECTED.confirm.staleRows} 人的隔离期已经结束`);
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    expect(residents()).toBe(before);
  });

  it('shows the header row, the mapping, the counts and both problem rows with Chinese reasons', async () => {
    const before = residents();
    expect(await page.getByTestId('header-row').innerText()).toMatch(/第\s*2\s*行/);
    expect(await count('dataRows')).toBe(EXPECTED.dataRows);
    expect(await count('valid')).toBe(EXPECTED.imported);
    expect(await count('rejected')).toBe(EXPECTED.errorRows);
    expect(await count('warnings')).toBeGreaterThanOrEqual(1);
    expect(await count('households')).toBe(EXPECTED.households);

    // Both problem rows, with the row number Excel shows and a Chinese reason each.
    const errors = page.getByTestId('issues-error');
    const rows = errors.locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(EXPECTED.errors.length);
    const texts = await rows.allInnerTexts();
    for (const [i, e] of EXPECTED.errors.entries()) {
      expect(texts[i]).toContain(`第 ${e.row} 行`);
      expect(texts[i]).toMatch(/[\u4e00-\u9fa5]{4,}/);
    }
    // The ID number in a number cell: its last digits are lost, the reason says so instead of guessing.
    expect(texts[0]).toMatch(/数字|科学计数|精度|位/);
    expect(texts[1]).toMatch(/校验/);
    await screenshot(page, 'import-preview', { fullPage: true });
    // Looking changes nothing.
    expect(residents()).toBe(before);
    expect(batches()).toBe(0);
  });

  it('shows the column mapping and reads the list again with a changed one', async () => {
    await openMapping();
    const header = async (col: string) => (await page.getByTestId('import-mapping').locator('tr', { has: page.getByTestId(`mapping-${col}`) }).innerText()).trim();
    expect(await header('B')).toContain('姓名');
    expect(await page.getByTestId('mapping-B').innerText()).toContain('姓名');
    expect(await page.getByTestId('mapping-C').innerText()).toContain('身份证号');
    expect(await page.getByTestId('mapping-J').innerText()).toContain('隔离开始日期');

    // 联系电话 not read: every row then has a phone warning, still 22 importable.
    const warningsBefore = await count('warnings');
    await pick('mapping-D', '不导入');
    await page.getByTestId('mapping-apply').click();
    await expect.poll(() => count('warnings'), { timeout: 15_000 }).toBeGreaterThan(warningsBefore);
    expect(await count('valid')).toBe(EXPECTED.imported);
    await openMapping();
    expect(await page.getByTestId('mapping-D').innerText()).toContain('不导入');
    await screenshot(page, 'import-mapping-changed', { fullPage: true });

    // Back to 联系电话: the warnings are as before.
    await pick('mapping-D', '联系电话');
    await page.getByTestId('mapping-apply').click();
    await expect.poll(() => count('warnings'), { timeout: 15_000 }).toBe(warningsBefore);
    expect(await count('valid')).toBe(EXPECTED.imported);
    expect(await count('rejected')).toBe(EXPECTED.errorRows);
  });

  it('downloads the problem rows as an .xlsx error report with the original cells and a reason column', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-error-report').click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = path.join(app.dir, 'errors.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    const head = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    expect(head).toContain('姓名');
    expect(head).toContain('身份证号');
    const reasonCol = head.indexOf('原因');
    const rowCol = head.indexOf('原行号');
    expect(reasonCol).toBeGreaterThan(0);
    expect(rowCol).toBeGreaterThan(0);
    const dataRows = [];
    for (let r = 2; r <= ws.rowCount; r++) if (ws.getRow(r).hasValues) dataRows.push(ws.getRow(r));
    expect(dataRows.map((r) => Number(r.getCell(rowCol).value))).toEqual(EXPECTED.errors.map((e) => e.row));
    for (const r of dataRows) {
      expect(String(r.getCell(head.indexOf('姓名')).value ?? '')).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      expect(String(r.getCell(reasonCol).value ?? '')).toMatch(/[\u4e00-\u9fa5]{4,}/);
    }
  });

  it('全部或不导入 refuses the list and writes nothing', async () => {
    const before = residents();
    // The choices made: the title checked, the people whose period is over imported as ended; 导入 is offered.
    await page.getByTestId('confirm-other-check').click();
    await expect.poll(() => page.getByTestId('import-confirm-pending').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('confirm-stale-ended').click();
    await expect.poll(() => page.getByTestId('import-confirm-pending').count(), { timeout: 15_000 }).toBe(0);
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(false);
    await page.getByTestId('confirm-stale').scrollIntoViewIfNeeded();
    await screenshot(page, 'import-confirmed', { fullPage: true });
    expect(await page.getByTestId('mode-all').isChecked()).toBe(true);
    await page.getByTestId('import-commit').click();
    const title = page.getByTestId('import-result-title');
    await expect.poll(() => title.innerText(), { timeout: 20_000 }).toContain('未导入');
    expect(await page.getByTestId('import-result').innerText()).toContain('没有写入任何数据');
    await screenshot(page, 'import-refused');
    expect(residents()).toBe(before);
    expect(batches()).toBe(0);
  });

  it('仅导入无误的行 imports 22 people (as already ended) with a progress bar; the batch is listed and can be undone', async () => {
    const ids = await fixtureIds();
    const before = residents();
    expect(fixturePeople(ids)).toBe(0);
    await page.getByTestId('import-back').click();
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('mode-valid').click();
    expect(await page.getByTestId('import-commit').innerText()).toContain(String(EXPECTED.imported));

    // Hold the job's status answers back for a moment, so the progress bar is surely seen while the job runs.
    let held = 0;
    await page.route('**/api/jobs.status', async (route) => {
      if (held++ < 2) await new Promise((r) => setTimeout(r, 700));
      await route.continue();
    });
    await page.getByTestId('import-commit').click();
    const running = page.getByTestId('import-running');
    await running.waitFor();
    expect(await running.locator('.ant-progress').count()).toBe(1);
    expect(await running.getByTestId('import-cancel').isVisible()).toBe(true);
    await screenshot(page, 'import-running');

    await page.getByTestId('import-result-title').waitFor({ timeout: 30_000 });
    await page.unroute('**/api/jobs.status');
    expect(await page.getByTestId('import-result-title').innerText()).toContain(`已导入 ${EXPECTED.imported} 人`);
    expect(await page.getByTestId('result-imported').innerText()).toBe(String(EXPECTED.imported));
    expect(await page.getByTestId('result-ended').innerText()).toBe(String(EXPECTED.imported));
    expect(residents()).toBe(before + EXPECTED.imported);
    // Imported as ended: released on their release date, none of them running.
    expect(q<number>(`SELECT COUNT(*) FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE r.doc_number IN (${ids.map(() => '?').join(',')}) AND e.status = 'released' AND e.ended_on = e.release_date`, ...ids)).toBe(EXPECTED.imported);
    expect(q<number>("SELECT COUNT(*) FROM places WHERE level = 'community' AND name = ?", EXPECTED.confirm.newCommunities[0].name)).toBe(1);
    expect(fixturePeople(ids)).toBe(EXPECTED.imported);
    expect(batches()).toBe(1);

    // 导入记录 lists the batch: file name, clerk, counts.
    const batchId = q<number>("SELECT id FROM import_batches WHERE kind = 'residents'");
    const card = page.getByTestId('import-batches');
    const row = card.locator(`tr[data-row-key="${batchId}"]`);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    const rowText = await row.innerText();
    expect(rowText).toContain(FILE_NAME);
    expect(rowText).toContain('clerk');
    expect(rowText).toContain(`新增 ${EXPECTED.imported} 人`);
    await screenshot(page, 'import-done', { fullPage: true });

    // 撤销 (with confirmation) removes the 22 people again and marks the batch.
    await card.getByTestId(`batch-undo-${batchId}`).click();
    await page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toContain('已于');
    // The wizard's result no longer offers a batch that is gone.
    await expect.poll(() => page.getByTestId('import-result-title').innerText()).toContain(`导入批次 #${batchId} 已撤销`);
    expect(residents()).toBe(before);
    expect(fixturePeople(ids)).toBe(0);
    expect(q<string | null>('SELECT undone_at FROM import_batches WHERE id = ?', batchId)).not.toBeNull();
    expect(q<number>("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'import%undo%'")).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'import-undone', { fullPage: true });
    expect(opened.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
