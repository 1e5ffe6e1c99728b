// What a clerk saw walking through the screens at 2,000 residents (issue 15 §5), checked in Chromium at 1440×900 and
// 1280×800 against browser mode on a seed-demo database: the dashboard's 未报 says which it counts; an overdue person
// reads 超期 N 天（待解除）; the residents grid shows 最后一天 and the supply list its whole 代购金额; the supply
// board fits the window; a single click opens a resident or a request; a committee member sees no community selector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { apiInPage, login, openPage, screenshot, type AppServer, type OpenedPage, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(2000));
});

afterAll(() => stopDemo({ app, browser, db }));

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
] as const;

async function loggedIn(user: string, size: { width: number; height: number } = SIZES[0]): Promise<OpenedPage> {
  const o = await openPage(browser, app.url, size);
  await login(o.page, user);
  await o.page.getByTestId('stat-underControl-value').waitFor();
  return o;
}

/** The texts of a table's header cells and of the cells of its rows (antd Table). */
async function tableTexts(page: Page, selector: string): Promise<{ head: string[]; rows: string[][] }> {
  return page.locator(selector).evaluate((el) => ({
    head: [...el.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim()),
    rows: [...el.querySelectorAll('tbody tr.ant-table-row')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
  }));
}

describe('工作台: 未报 says what it counts', () => {
  it('the card counts people of this slot, the chart and the community table person-slots of both slots, and say so', async () => {
    const o = await loggedIn('clerk');
    const { page } = o;
    const d = (await apiInPage<{ slot: { slot: string; due: number; done: number }; rows: { community: string; checkinsDue: number; checkinsMissing: number; underControl: number }[] }>(page, 'dashboard.get')).data!;
    expect(d.slot.slot).toBe('pm'); // browser mode's clock: 15:00
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-missing-value"]')?.textContent ?? ''));
    const card = await page.getByTestId('stat-missing').innerText();
    expect(card).toContain('本时段未报（下午）');
    expect(card).toContain(`下午已报 ${d.slot.done} / 应报 ${d.slot.due} 人`);
    expect(Number(await page.getByTestId('stat-missing-value').innerText())).toBe(d.slot.due - d.slot.done);

    // The table: its 未报 column is person-slots (both slots), and the note under it says so.
    const table = await tableTexts(page, '.chart-card .ant-table');
    const col = table.head.indexOf('未报人次');
    expect(col, table.head.join('|')).toBeGreaterThan(0);
    for (const r of d.rows) {
      const row = table.rows.find((cells) => cells[0] === r.community)!;
      expect(Number(row[col])).toBe(r.checkinsMissing);
      expect(r.checkinsDue).toBe(2 * r.underControl); // both slots: two per person
    }
    expect(await page.getByTestId('dashboard-missing-note').innerText()).toMatch(/上午和下午两个时段合计.*本时段未报.*下午/);
    expect(await page.locator('.chart-card').filter({ has: page.getByTestId('chart-completion') }).locator('.ant-card-head-title').innerText()).toContain('上午+下午 人次');
    await screenshot(page, 'walk-dashboard-1440');
    expect(o.errors).toEqual([]);
    await o.context.close();
  });
});
