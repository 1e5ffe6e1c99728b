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

/**
 * Cells (or header cells) of a grid whose text is not wholly on screen: cut by the grid's right edge, by the vertical
 * scrollbar lying over the rows, or shortened with an ellipsis. Empty when everything shown can be read.
 */
async function cutCells(page: Page, selector: string): Promise<string[]> {
  return page.locator('.infinite-grid').first().evaluate((grid, sel) => {
    const gridRight = grid.getBoundingClientRect().right;
    const vs = grid.querySelector('.ag-body-vertical-scroll')?.getBoundingClientRect();
    const out: string[] = [];
    for (const el of grid.querySelectorAll<HTMLElement>(sel)) {
      const text = el.querySelector<HTMLElement>('.ag-header-cell-text') ?? el;
      if (!text.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(text);
      const r = range.getBoundingClientRect();
      const inRows = !!el.closest('.ag-row');
      const right = inRows && vs && vs.width > 0 && r.bottom > vs.top ? Math.min(gridRight, vs.left) : gridRight;
      if (r.right > right + 0.5 || text.scrollWidth > text.clientWidth + 1) out.push(`${el.getAttribute('col-id')}: ${text.textContent.trim()} (right ${Math.round(r.right)} > ${Math.round(right)})`);
    }
    return out;
  }, selector);
}

describe('隔离人员 and 物资需求 lists fit the window', () => {
  for (const size of SIZES) {
    it(`${size.width}×${size.height}: every column the residents grid shows is whole, 最后一天 included; an overdue person reads 超期 N 天`, async () => {
      const o = await loggedIn('clerk', size);
      const { page } = o;
      await page.goto(`${app.url}#/residents?status=due`);
      await page.locator('[data-testid="residents-grid"] .ag-row[row-index="0"] [col-id="name"]').waitFor();
      await page.waitForTimeout(300);
      const heads = await page.locator('[data-testid="residents-grid"] .ag-header-cell').evaluateAll((hs) => hs.map((h) => h.getAttribute('col-id')));
      expect(heads).toContain('lastDay');
      expect(await cutCells(page, '.ag-header-cell')).toEqual([]);
      expect(await cutCells(page, '.ag-row .ag-cell[col-id="lastDay"], .ag-row .ag-cell[col-id="day"], .ag-row .ag-cell[col-id="name"]')).toEqual([]);
      // The first due person: 超期 N 天 with N = day − total days, the whole label (…（待解除）) as its tooltip.
      const first = page.locator('[data-testid="residents-grid"] .ag-row[row-index="0"]');
      const name = (await first.locator('[col-id="name"]').innerText()).trim();
      const day = first.locator('[col-id="day"]');
      const page0 = (await apiInPage<{ rows: { name: string; dayN: number; totalDays: number }[] }>(page, 'residents.list', { status: 'due', sortField: 'lastDay', sortDir: 'asc', limit: 5 })).data!;
      const row = page0.rows.find((r) => r.name === name)!;
      expect(row.dayN).toBeGreaterThan(row.totalDays);
      expect((await day.innerText()).trim()).toBe(`超期 ${row.dayN - row.totalDays} 天`);
      expect(await day.getAttribute('title')).toBe(`超期 ${row.dayN - row.totalDays} 天（待解除）`);
      await screenshot(page, `walk-residents-${size.width}`);
      expect(o.errors).toEqual([]);
      await o.context.close();
    });

    it(`${size.width}×${size.height}: the supply list shows 代购金额 whole (¥232.26, not ¥232.2)`, async () => {
      const o = await loggedIn('clerk', size);
      const { page } = o;
      await page.goto(`${app.url}#/supplies`);
      await page.locator('[data-testid="supply-grid"] .ag-row[row-index="0"] [col-id="createdAt"]').waitFor();
      await page.waitForTimeout(300);
      expect(await cutCells(page, '.ag-header-cell')).toEqual([]);
      const amounts = await page.locator('[data-testid="supply-grid"] .ag-row .ag-cell[col-id="amount"]').allInnerTexts();
      const shown = amounts.map((a) => a.trim()).filter(Boolean);
      expect(shown.length).toBeGreaterThan(0);
      for (const a of shown) expect(a).toMatch(/^¥\d+\.\d{2}( ✓)?$/);
      expect(await cutCells(page, '.ag-row .ag-cell[col-id="amount"], .ag-row .ag-cell[col-id="category"]')).toEqual([]);
      await screenshot(page, `walk-supplies-${size.width}`);
      expect(o.errors).toEqual([]);
      await o.context.close();
    });

    it(`${size.width}×${size.height}: the supply board fits the window — lanes of a page of cards with their count and paging`, async () => {
      const o = await loggedIn('clerk', size);
      const { page } = o;
      await page.goto(`${app.url}#/supplies?view=board`);
      await page.locator('[data-testid="board-new"] [data-testid^="supply-card-"]').first().waitFor();
      await page.waitForTimeout(300);
      const lanes = await page.locator('.su-col-body').evaluateAll((bs) => bs.map((b) => ({ scroll: b.scrollHeight, cards: b.querySelectorAll('.su-card').length })));
      expect(lanes).toHaveLength(4);
      for (const l of lanes) {
        expect(l.scroll).toBeLessThan(1100); // was 6,100 px at 2,000 residents
        expect(l.cards).toBeLessThanOrEqual(6);
      }
      expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1)).toBe(true);
      // 待处理 pages through every new request, in SQL: the count is the database's, the second page other cards.
      const news = db.prepare("SELECT count(*) FROM supply_requests WHERE status = 'new'").pluck().get() as number;
      expect(news).toBeGreaterThan(6);
      expect(await page.getByTestId('board-new-count').innerText()).toBe(String(news));
      expect(await page.getByTestId('board-new-page').innerText()).toBe(`1–6 / 共 ${news} 件`);
      const firstIds = await page.locator('[data-testid="board-new"] [data-testid^="supply-card-"]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-testid')));
      await page.getByTestId('board-new-next').click();
      await page.getByTestId('board-new-page').filter({ hasText: `7–${Math.min(12, news)} / 共 ${news} 件` }).waitFor();
      await page.waitForFunction((ids) => {
        const now = [...document.querySelectorAll('[data-testid="board-new"] [data-testid^="supply-card-"]')].map((c) => c.getAttribute('data-testid'));
        return now.length > 0 && now.every((id) => !ids.includes(id));
      }, firstIds);
      await screenshot(page, `walk-board-${size.width}`);
      expect(o.errors).toEqual([]);
      await o.context.close();
    });
  }
});

describe('a single click opens a person or a request; every list says so', () => {
  it('隔离人员, 物资需求 and 审计日志 open on one click, and Enter still opens from the keyboard', async () => {
    const o = await loggedIn('clerk');
    const { page } = o;
    // 隔离人员: one click on the third row opens that person; from the keyboard, Enter on the row opens it too.
    await page.goto(`${app.url}#/residents`);
    const cell = page.locator('[data-testid="residents-grid"] .ag-row[row-index="2"] [col-id="name"]');
    await cell.waitFor();
    await page.waitForFunction(() => !!document.querySelector('[data-testid="residents-grid"] .ag-row[row-index="2"] [col-id="name"]')?.textContent?.trim());
    const name = (await cell.innerText()).trim();
    expect(await page.locator('.res-shortcuts').innerText()).toContain('单击或 Enter 打开详情');
    await cell.click();
    await page.getByTestId('drawer-title').filter({ hasText: name }).waitFor();
    expect(page.url()).toMatch(/[?&]open=\d+/);
    await page.keyboard.press('Escape');
    await page.getByTestId('drawer-title').waitFor({ state: 'detached' });
    await cell.focus();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-index'))).toBe('2');
    await page.keyboard.press('Enter');
    await page.getByTestId('drawer-title').filter({ hasText: name }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('drawer-title').waitFor({ state: 'detached' });

    // 物资需求 list: one click opens the request's detail (its address in the title).
    await page.goto(`${app.url}#/supplies`);
    const row = page.locator('[data-testid="supply-grid"] .ag-row[row-index="0"]');
    await row.locator('[col-id="address"]').waitFor();
    await page.waitForFunction(() => !!document.querySelector('[data-testid="supply-grid"] .ag-row[row-index="0"] [col-id="address"]')?.textContent?.trim());
    const address = (await row.locator('[col-id="address"]').innerText()).trim();
    expect(await page.getByTestId('supply-open-hint').innerText()).toContain('单击一行或卡片');
    await row.locator('[col-id="address"]').click();
    await page.locator('.ant-drawer-title').filter({ hasText: address }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.ant-drawer-title').waitFor({ state: 'detached' });

    // 审计日志: one click opens the entry's detail.
    await page.goto(`${app.url}#/audit`);
    const entry = page.locator('[data-testid="audit-grid"] .ag-row[row-index="0"] .ag-cell').first();
    await entry.waitFor();
    expect(await page.locator('.audit-hint').innerText()).toContain('单击一行');
    await entry.click();
    await page.getByTestId('audit-detail').waitFor();
    await screenshot(page, 'walk-audit-click');
    expect(o.errors).toEqual([]);
    await o.context.close();
  });
});

describe('a committee member sees no community selector', () => {
  /** Visible selects or placeholders offering 全部社区, and 社区 column headers, on the screen now. */
  const communityChoices = (page: Page) =>
    page.evaluate(() => {
      const visible = (el: Element) => (el as HTMLElement).offsetParent !== null;
      const placeholders = [...document.querySelectorAll('.ant-select-placeholder, .ant-select-selection-placeholder')].filter((e) => visible(e) && e.textContent?.trim() === '全部社区').length;
      const columns = [...document.querySelectorAll('.ag-header-cell[col-id="community"]')].filter(visible).length;
      return { placeholders, columns };
    });

  const SCREENS: [string, string][] = [
    ['/residents', '[data-testid="residents-grid"] .ag-row[row-index="0"] [col-id="name"]'],
    ['/supplies', '[data-testid="supply-grid"] .ag-row[row-index="0"] [col-id="address"]'],
    ['/supplies?view=board', '[data-testid="board-new"] [data-testid^="supply-card-"]'],
    ['/cadres', '[data-testid="cadre-status-filter"]'],
    ['/alerts', '[data-testid="alerts-status"]'],
  ];

  it('隔离人员, 物资需求 (list and board), 下沉干部 and 异常告警 offer committee1 no 全部社区 and no 社区 column; the clerk has them', async () => {
    const committee = await loggedIn('committee1');
    const clerk = await loggedIn('clerk');
    for (const [hash, ready] of SCREENS) {
      for (const o of [committee, clerk]) {
        await o.page.goto(`${app.url}#${hash}`);
        await o.page.locator(ready).first().waitFor();
        await o.page.waitForTimeout(300);
      }
      const mine = await communityChoices(committee.page);
      const all = await communityChoices(clerk.page);
      expect(mine, hash).toEqual({ placeholders: 0, columns: 0 });
      // The clerk's screen has them (a 全部社区 selector everywhere; the 社区 column on the lists that carry one).
      expect(all.placeholders, hash).toBe(1);
      if (hash === '/residents' || hash === '/supplies') expect(all.columns, hash).toBe(1);
      await screenshot(committee.page, `walk-committee${hash.replace(/[/?=]/g, '-')}`);
    }
    expect(committee.errors).toEqual([]);
    expect(clerk.errors).toEqual([]);
    await committee.context.close();
    await clerk.context.close();
  });
});
