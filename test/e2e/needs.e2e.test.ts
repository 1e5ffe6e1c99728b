// 特殊需求 end to end, on a seed-demo database in browser mode: the clerk opens a person's drawer, sets 行动不便 and 其他
// (with its note) there, sees the marks, then filters 隔离人员 by 行动不便 and sees exactly the people who carry it
// (the person just flagged among them), each row with its mark; the 今日监测 row shows the mark next to the name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(200));
});
afterAll(() => stopDemo({ app, browser, db }));

const GRID = '[data-testid="residents-grid"]';
const ROW = `${GRID} .ag-row[row-index]`;

async function pickOption(page: Page, text: string): Promise<void> {
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first();
  await option.waitFor();
  await option.click();
}

describe('特殊需求', () => {
  it('sets a flag in the drawer, then filters 隔离人员 by it', async () => {
    const p = db.prepare("SELECT id, name FROM residents WHERE status = 'isolating' ORDER BY id LIMIT 1").get() as { id: number; name: string };
    expect(p).toBeTruthy();
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('nav-residents').waitFor();
    await page.goto(`${app.url}#/residents?open=${p.id}`);
    const drawer = page.getByTestId('resident-drawer');
    await drawer.getByTestId('needs-section').waitFor();
    await drawer.getByTestId('needs-edit').click();
    await drawer.getByTestId('needs-select').click();
    await pickOption(page, '行动不便');
    await pickOption(page, '其他');
    await page.keyboard.press('Escape');
    // 其他 needs its note: saving without one is stopped at the field.
    await drawer.getByTestId('needs-save').click();
    await drawer.getByText('选择“其他”时请写明是什么需求').waitFor();
    await drawer.getByTestId('needs-other-note').fill('需要轮椅');
    await drawer.getByTestId('needs-save').click();
    await drawer.locator('[data-testid="need-marks"] [data-need="行动不便"]').waitFor();
    await drawer.getByText('其他（需要轮椅）').waitFor();
    await screenshot(page, 'needs-drawer');
    const flags = db.prepare('SELECT need, note FROM resident_needs WHERE resident_id = ? ORDER BY need').all(p.id);
    expect(flags).toEqual(expect.arrayContaining([{ need: '行动不便', note: null }, { need: '其他', note: '需要轮椅' }]));
    expect(flags).toHaveLength(2);

    // Close the drawer; filter the list by 行动不便.
    await page.keyboard.press('Escape');
    await page.getByTestId('filter-needs').click();
    await pickOption(page, '行动不便');
    await page.keyboard.press('Escape');
    const expected = db
      .prepare("SELECT r.name FROM residents r JOIN resident_needs n ON n.resident_id = r.id WHERE n.need = '行动不便' AND r.status IN ('isolating', 'monitoring') ORDER BY r.id")
      .pluck()
      .all() as string[];
    expect(expected).toContain(p.name);
    await page.waitForFunction(
      ([row, n]) => {
        const rows = [...document.querySelectorAll(row)];
        return rows.length === n && rows.every((r) => r.querySelector('[col-id="needs"] [data-need="行动不便"]'));
      },
      [ROW, expected.length] as const,
    );
    const names = await page.$$eval(ROW, (rows) => rows.map((r) => r.querySelector('[col-id="name"]')?.textContent?.trim() ?? ''));
    expect(names.sort()).toEqual([...expected].sort());
    expect(page.url()).toContain(`needs=${encodeURIComponent('行动不便')}`);
    await screenshot(page, 'needs-filter');

    // 今日监测: the mark next to the name.
    await page.goto(`${app.url}#/checkins`);
    const row = page.locator(`[data-testid="ci-row-${p.id}"]`);
    if ((await row.count()) === 0) await page.locator('[data-testid^="ci-row-"]').first().waitFor();
    if ((await row.count()) > 0) await row.locator('[data-testid="need-marks"] [data-need="行动不便"]').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
