// 核酸轮次 end to end, on a seed-demo database in browser mode: a committee member opens the page from the menu,
// creates a round (their own community), sees the coverage — 应检 equals the residents of their community counted in
// the database file — opens a building's 未检 list and exports it: the downloaded sheet has the title, the round and
// one row per untested person of that building (counted in the file), masked; then exports the round's report
// (核酸检测轮次报告): 按小区 and 按楼栋 with the page's numbers and the 合计 rows, audited.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser } from 'playwright-core';
import { apiInPage, login, openPage, screenshot, startDemo, stopDemo, type AppServer } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(200));
});

afterAll(() => stopDemo({ app, browser, db }));

describe('核酸轮次', () => {
  it('a committee member creates a round, sees its coverage, exports a building’s 未检 sheet and the round report', async () => {
    const communityId = db.prepare("SELECT community_id FROM users WHERE username = 'committee1'").pluck().get() as number;
    const due = db.prepare("SELECT COUNT(*) FROM residents WHERE community_id = ? AND status != 'transferred'").pluck().get(communityId) as number;
    expect(due).toBeGreaterThan(0);

    const { page, errors } = await openPage(browser, app.url);
    await login(page, 'committee1');
    await page.getByTestId('nav-rounds').click();
    await page.getByTestId('rounds-page').waitFor();

    await page.getByTestId('round-create').click();
    const modal = page.locator('.ant-modal').filter({ hasText: '新建核酸轮次' });
    await modal.waitFor();
    await modal.locator('.ant-picker input').first().fill('2022-01-20');
    await modal.locator('.ant-picker input').first().press('Enter');
    await page.getByTestId('round-create-ok').click();
    await modal.waitFor({ state: 'hidden' });
    const round = db.prepare('SELECT id, whole_subdistrict AS whole FROM test_rounds ORDER BY id DESC LIMIT 1').get() as { id: number; whole: number };
    expect(round.whole).toBe(0);
    expect(db.prepare('SELECT community_id FROM test_round_communities WHERE round_id = ?').pluck().all(round.id)).toEqual([communityId]);

    // 应检 / 已检 / 未检 / 阳性 as counted in the file (nobody tested yet).
    const totals = page.getByTestId('round-totals').locator('.ant-statistic-content-value');
    await expect.poll(async () => (await totals.allInnerTexts()).slice(0, 4)).toEqual([String(due), '0', String(due), '0']);
    await page.getByTestId('round-coverage').waitFor();
    await screenshot(page, 'rounds-coverage', { fullPage: true });

    // A building of the community: its 未检 list and the printed sheet.
    const building = db
      .prepare(
        `SELECT u.parent_id AS id, COUNT(*) AS n FROM residents r JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id
         WHERE r.community_id = ? AND r.status != 'transferred' GROUP BY u.parent_id ORDER BY n DESC LIMIT 1`,
      )
      .get(communityId) as { id: number; n: number };
    const cov = await apiInPage<{ communities: { compounds: { buildings: { buildingId: number; untested: number }[] }[] }[] }>(page, 'rounds.coverage', { roundId: round.id });
    expect(cov.data!.communities.flatMap((c) => c.compounds.flatMap((p) => p.buildings)).find((b) => b.buildingId === building.id)?.untested).toBe(building.n);
    await page.getByTestId(`round-untested-${building.id}`).click();
    const drawer = page.getByTestId('round-untested-drawer');
    await drawer.waitFor();
    await expect.poll(() => drawer.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(Math.min(building.n, 50));
    await screenshot(page, 'rounds-untested', { fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('round-export-untested').click()]);
    expect(download.suggestedFilename()).toMatch(/^未检人员名单_.*_2022-01-20\.xlsx$/);
    const file = path.join(app.dir, 'untested.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect(String(ws.getCell('A1').value)).toMatch(/未检人员名单（2022年1月20日全员核酸）$/);
    expect(ws.pageSetup.orientation).toBe('landscape');
    let rows = 0;
    for (let r = 4; r <= ws.rowCount; r++) if (typeof ws.getRow(r).getCell(1).value === 'number') rows++;
    expect(rows).toBe(building.n);
    const phones = db.prepare('SELECT phone FROM residents WHERE community_id = ? AND phone IS NOT NULL').pluck().all(communityId) as string[];
    const text = JSON.stringify(ws.getSheetValues());
    expect(phones.filter((p) => text.includes(p))).toEqual([]);
    fs.rmSync(file, { force: true });
    expect(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'round.export_untested' AND user_name = 'committee1'").pluck().get()).toBe(1);

    // 导出轮次报告: the round's report, 按小区 and 按楼栋, with the numbers of the page (counted in the file) and 合计 rows.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    // The pointer rests where the drawer's export button was, over the header's 修改密码: move off its tooltip.
    await page.mouse.move(20, 500);
    const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('round-export-report').click()]);
    expect(report.suggestedFilename()).toMatch(/^核酸检测轮次报告_.*社区_2022-01-20\.xlsx$/);
    const reportFile = path.join(app.dir, 'round-report.xlsx');
    await report.saveAs(reportFile);
    const rb = new ExcelJS.Workbook();
    await rb.xlsx.readFile(reportFile);
    expect(rb.worksheets.map((w) => w.name)).toEqual(['按小区', '按楼栋']);
    const community = db.prepare('SELECT name FROM places WHERE id = ?').pluck().get(communityId) as string;
    expect(String(rb.worksheets[0].getCell('A1').value)).toMatch(new RegExp(`${community}核酸检测轮次报告（2022年1月20日，${community}）$`));
    // The overall 合计 is the last row of the table, above the note (说明：…).
    const last = (ws: ExcelJS.Worksheet) => ws.getRow(ws.rowCount - 1);
    for (const ws of rb.worksheets) {
      expect(ws.pageSetup.orientation).toBe('landscape');
      // The overall 合计: 应检 = the community's residents, nobody tested yet.
      const total = last(ws);
      const labels = ws.name === '按小区' ? 2 : 3;
      expect(total.getCell(1).value).toBe('合计');
      expect([1, 2, 3, 4].map((i) => total.getCell(labels + i).value)).toEqual([due, 0, 0, due]);
    }
    // 按楼栋: that building's row has its 未检 count.
    const buildingName = db.prepare('SELECT name FROM places WHERE id = ?').pluck().get(building.id) as string;
    const byBuilding = rb.worksheets[1];
    const rowsOf = Array.from({ length: byBuilding.rowCount - 4 }, (_, i) => byBuilding.getRow(i + 4));
    const compoundName = db.prepare('SELECT p.name FROM places b JOIN places p ON p.id = b.parent_id WHERE b.id = ?').pluck().get(building.id) as string;
    const line = rowsOf.find((r) => r.getCell(2).value === compoundName && r.getCell(3).value === buildingName)!;
    expect(line.getCell(7).value).toBe(building.n);
    fs.rmSync(reportFile, { force: true });
    expect(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'report.export' AND user_name = 'committee1' AND details LIKE '%round-report%'").pluck().get()).toBe(1);
    expect(errors).toEqual([]);
  }, 240_000);
});
