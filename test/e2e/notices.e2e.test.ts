// 打印告知书 end to end, on a seed-demo database in browser mode: a committee member picks a compound and a building
// of their community on 报表导出 and prints its 居家隔离告知书 — the download arrives, is a Word document (opened with
// pizzip) with a page per household naming every person isolated there — and its 入户排查登记表 (an xlsx, one row per
// household). Both are audited as the committee member; the official sees no print button.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import PizZip from 'pizzip';
import type { Browser, Page } from 'playwright-core';
import { defaultTemplate } from '../../electron/excel/docx/default-templates.ts';
import { apiInPage, login, openPage, readDb, screenshot, startOnScreen, stopOnScreen, type AppServer, type OpenedPage } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let committee: OpenedPage;
let page: Page;

const all = <T>(sql: string, ...args: unknown[]): T[] => readDb(app.dbFile, (db) => db.prepare(sql).all(...args) as T[]);

async function pick(p: Page, testId: string, text: string): Promise<void> {
  await p.getByTestId(testId).click();
  const option = p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first();
  await option.waitFor();
  await option.click();
}

beforeAll(async () => {
  ({ app, browser, opened: committee, page } = await startOnScreen({ residents: 200, user: 'committee1', nav: 'nav-reports', ready: 'notices-card' }));
});

afterAll(() => stopOnScreen({ app, browser, opened: committee }));

describe('告知书 (committee member)', () => {
  it('prints a building’s 居家隔离告知书: a docx with a page per household naming everyone isolated there', async () => {
    // A building of the committee member's community (西大街社区) with people in home isolation.
    const [b] = all<{ id: number; building: string; compound: string }>(
      `SELECT b.id, b.name AS building, p.name AS compound FROM residents r JOIN households h ON h.id = r.household_id
       JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id JOIN places b ON b.id = u.parent_id
       JOIN places p ON p.id = b.parent_id JOIN places c ON c.id = p.parent_id
       WHERE c.name = '西大街社区' AND r.status = 'isolating' GROUP BY b.id ORDER BY COUNT(DISTINCT h.id) LIMIT 1`,
    );
    const people = all<{ name: string; household: number; address: string }>(
      `SELECT r.name, h.id AS household, h.address FROM residents r JOIN episodes e ON e.resident_id = r.id AND e.status = 'active' AND e.kind = 'home_isolation'
       JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id WHERE u.parent_id = ?`,
      b.id,
    );
    const households = new Set(people.map((x) => x.household)).size;
    expect(households).toBeGreaterThan(1);

    await pick(page, 'notices-compound', b.compound);
    await pick(page, 'notices-building', b.building);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('notices-print').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^居家隔离告知书_西大街社区${b.compound}${b.building}_2022-01-20\\.docx$`));
    const file = path.join(app.dir, 'notices.docx');
    await download.saveAs(file);
    const xml = new PizZip(fs.readFileSync(file)).file('word/document.xml')!.asText();
    const text = xml.replace(/<w:br w:type="page"\/>/g, '[分页]').replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, '');
    const pages = text.split('[分页]');
    expect(pages).toHaveLength(households);
    for (const x of people) expect(text, x.name).toContain(`${x.name}：`);
    for (const x of people) expect(text).toContain(`西大街社区${x.address}`);
    await expect.poll(() => page.getByTestId('notices-done').count()).toBe(1);
    await screenshot(page, 'notices-printed', { fullPage: true });

    const audit = all<{ user_name: string; details: string }>("SELECT user_name, details FROM audit_log WHERE action = 'report.notices'");
    expect(audit).toHaveLength(1);
    expect(audit[0].user_name).toBe('committee1');
    expect((JSON.parse(audit[0].details) as { residentIds: number[] }).residentIds).toHaveLength(people.length);

    // The same building's 入户排查登记表: one row per household, names masked.
    const all_households = all<{ n: number }>('SELECT COUNT(*) AS n FROM households h JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id WHERE u.parent_id = ?', b.id)[0].n;
    const [sheet] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('notices-door-sheet').click()]);
    expect(sheet.suggestedFilename()).toMatch(/^入户排查登记表_.*\.xlsx$/);
    const xlsx = path.join(app.dir, 'door.xlsx');
    await sheet.saveAs(xlsx);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.worksheets[0];
    expect(String(ws.getCell('A1').value)).toContain(`${b.compound}${b.building}入户排查登记表`);
    expect(ws.getRow(3).values).toContain('走访时间');
    expect(ws.rowCount).toBe(3 + all_households + 1);
  });

  it('the official has no print button and the core refuses the notice', async () => {
    const opened = await openPage(browser, app.url);
    try {
      await login(opened.page, 'official');
      await opened.page.getByTestId('nav-reports').click();
      await opened.page.getByTestId('notices-card').waitFor();
      expect(await opened.page.getByTestId('notices-print').count()).toBe(0);
      const [someone] = all<{ id: number }>("SELECT id FROM residents WHERE status = 'isolating' LIMIT 1");
      const r = await apiInPage(opened.page, 'notices.export', { kind: 'isolation', residentId: someone.id });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('FORBIDDEN');
    } finally {
      await opened.context.close();
    }
  });

  it('prints one person’s notice from the drawer', async () => {
    const [p] = all<{ id: number; name: string; address: string }>(
      "SELECT r.id, r.name, h.address FROM residents r JOIN households h ON h.id = r.household_id WHERE r.status = 'isolating' AND r.community_id = (SELECT id FROM places WHERE name = '西大街社区') ORDER BY r.id LIMIT 1",
    );
    await page.getByTestId('nav-residents').click();
    await page.evaluate((id) => (location.hash = `#/residents?open=${id}`), p.id);
    await page.getByTestId('drawer-title').filter({ hasText: p.name }).waitFor();
    await page.getByTestId('action-print-notice').click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('print-notice-isolation').click()]);
    // named by the address (a name in a file name would outlive a purge in the download's audit entry)
    expect(download.suggestedFilename()).toBe(`居家隔离告知书_西大街社区${p.address}_2022-01-20.docx`);
    const file = path.join(app.dir, 'one.docx');
    await download.saveAs(file);
    const xml = new PizZip(fs.readFileSync(file)).file('word/document.xml')!.asText();
    expect(xml).toContain(p.name);
    expect(xml).not.toContain('w:type="page"');
    await screenshot(page, 'notices-drawer');
  });
});

describe('设置 › 文书模板 (admin)', () => {
  it('refuses a template with an unknown placeholder by name, takes a good one, and resets it', async () => {
    const opened = await openPage(browser, app.url);
    const p = opened.page;
    try {
      await login(p, 'admin');
      await p.getByTestId('nav-settings').click();
      await p.getByRole('tab', { name: '文书模板' }).click();
      await p.getByTestId('settings-templates').waitFor();
      const withBody = (body: string) => {
        const zip = new PizZip(defaultTemplate('isolation'));
        zip.file('word/document.xml', zip.file('word/document.xml')!.asText().replace('{name}：', body));
        return zip.generate({ type: 'nodebuffer' });
      };
      const upload = async (name: string, bytes: Buffer) => {
        const [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.getByTestId('template-upload-isolation').click()]);
        await chooser.setFiles({ name, mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: bytes });
      };
      await upload('坏模板.docx', withBody('{name}（{身份证号}）：'));
      await p.getByTestId('templates-error').waitFor();
      expect(await p.getByTestId('templates-error').innerText()).toContain('不认识的占位符：{身份证号}');
      expect(all('SELECT kind FROM notice_templates')).toEqual([]);
      await upload('本街道告知书.docx', withBody('{name}同志：'));
      await p.getByText('本街道告知书.docx').waitFor();
      expect(all<{ kind: string }>('SELECT kind FROM notice_templates')).toEqual([{ kind: 'isolation' }]);
      await screenshot(p, 'notices-templates', { fullPage: true });
      await p.getByTestId('template-reset-isolation').click();
      await p.locator('.ant-popconfirm .ant-btn-primary').click();
      await expect.poll(() => all('SELECT kind FROM notice_templates').length).toBe(0);
    } finally {
      await opened.context.close();
    }
  });
});
