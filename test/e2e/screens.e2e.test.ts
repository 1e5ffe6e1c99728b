// Screenshots of every screen, in Chinese at 1440x900, written to test-results/screenshots/screen-*.png on each run,
// each logged in with the role that uses it. Every screen is also checked for what a clerk would notice: no console
// errors, no untranslated i18n keys or {{placeholders}}, no page-wide sideways scroll, and Chinese on the screen.
// With SCREENSHOTS_UPDATE=1 a small set is copied to resources/screenshots/ (shown in the README).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { SCREENSHOT_DIR, login, openPage, screenshot, startApp, type AppServer, type OpenedPage, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(300));
});

afterAll(() => stopDemo({ app, browser, db }));

/** The committed set (resources/screenshots/<name>.png ← screen-<name>.png). */
const COMMITTED = ['dashboard', 'residents', 'residents-drawer', 'checkins', 'supplies-board', 'import', 'reports', 'audit', 'rounds', 'cadres-shifts', 'my-tasks'];
const MAX_BYTES = 300 * 1024;

/** What a clerk would find wrong on the screen as it is now. */
async function problems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const text = document.body.innerText;
    const keys = text.match(/\b(?:[a-z]+:)?[a-z][a-zA-Z]+\.[a-z][a-zA-Z]+(?:\.[a-zA-Z]+)*\b/g)?.filter((k) => !/\.(db|xlsx|csv|png|bak|json)$/.test(k) && !/^\d/.test(k)) ?? [];
    if (keys.length) out.push(`untranslated keys: ${[...new Set(keys)].slice(0, 5).join(', ')}`);
    if (/\{\{|\}\}/.test(text)) out.push('raw {{placeholder}}');
    if (/undefined|NaN|\[object Object\]/.test(text)) out.push('undefined/NaN/[object Object] on screen');
    if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`page scrolls sideways (${document.documentElement.scrollWidth}px)`);
    if (!/[\u4e00-\u9fa5]/.test(text)) out.push('no Chinese on screen');
    return out;
  });
}

async function shoot(o: OpenedPage, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  // Let charts, grids and fonts settle.
  await o.page.evaluate(() => document.fonts.ready);
  await o.page.waitForTimeout(400);
  await screenshot(o.page, `screen-${name}`, opts);
  // Collected, not thrown: every screen still gets its picture; each test asserts the list is empty at its end.
  for (const p of await problems(o.page)) found.push(`${name}: ${p}`);
  for (const e of o.errors.splice(0)) found.push(`${name}: console: ${e}`);
}

const found: string[] = [];

async function go(o: OpenedPage, hash: string, ready: string): Promise<void> {
  await o.page.goto(`${app.url}#${hash}`);
  await o.page.locator(ready).first().waitFor();
}

async function loggedIn(username: string): Promise<OpenedPage> {
  const o = await openPage(browser, app.url, { width: 1440, height: 900 });
  await login(o.page, username);
  await o.page.getByTestId('header-role').waitFor();
  await o.page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-underControl-value"]')?.textContent ?? ''));
  return o;
}

describe('screenshots of every screen', () => {
  it('登录 and 首次运行', async () => {
    const o = await openPage(browser, app.url);
    await o.page.getByLabel('用户名').waitFor();
    await shoot(o, 'login');
    await o.context.close();

    const empty = await startApp({ empty: true });
    try {
      const f = await openPage(browser, empty.url);
      await f.page.getByText('创建管理员账号').first().waitFor();
      await shoot(f, 'first-run');
      await f.context.close();
    } finally {
      await empty.stop();
    }
    expect(found.splice(0)).toEqual([]);
  }, 180_000);

  it('the clerk’s screens: 工作台, 隔离人员 + drawer, 今日监测, 告警, 物资需求 (list, board, run sheet), 下沉干部, 导入, 报表导出', async () => {
    const o = await loggedIn('clerk');
    await o.page.locator('[data-testid="chart-completion"] canvas').first().waitFor();
    await shoot(o, 'dashboard');

    await go(o, '/residents', '[data-testid="residents-grid"] .ag-row[row-index] [col-id="name"]');
    await o.page.waitForFunction(() => !document.querySelector('[data-testid="residents-total"]')?.textContent?.includes('正在统计'));
    await shoot(o, 'residents');
    // The drawer of a person with a household, check-ins and a supply request.
    const person = db
      .prepare(
        `SELECT r.id FROM residents r WHERE r.status = 'isolating'
           AND EXISTS (SELECT 1 FROM checkins c WHERE c.resident_id = r.id)
           AND EXISTS (SELECT 1 FROM supply_requests s WHERE s.household_id = r.household_id)
           AND (SELECT COUNT(*) FROM residents x WHERE x.household_id = r.household_id) > 1
         ORDER BY r.id LIMIT 1`,
      )
      .pluck()
      .get() as number;
    expect(person).toBeTruthy();
    await go(o, `/residents?open=${person}`, '[data-testid="drawer-episodes"]');
    await shoot(o, 'residents-drawer');

    await go(o, '/checkins?slot=am', '[data-testid="ci-table"] tr.ci-row');
    await o.page.locator('.ci-alert').first().waitFor();
    await shoot(o, 'checkins');
    await go(o, '/alerts?status=open', '[data-testid="alerts-page"] .ag-row[row-index]');
    await shoot(o, 'alerts');

    await go(o, '/supplies', '.su-grid .ag-row[row-index]');
    await shoot(o, 'supplies-list');
    await go(o, '/supplies?view=board', '[data-testid^="supply-card-"]');
    await shoot(o, 'supplies-board');
    await go(o, '/supplies?view=sheet', '[data-testid^="run-sheet-group-"]');
    await shoot(o, 'supplies-run-sheet');

    await go(o, '/cadres', '[data-testid="cadre-table"] tbody tr.ant-table-row');
    await shoot(o, 'cadres');
    // The field work the demo seeds (issue 14): 包联组, the day's roster, door visits, a 全员核酸 round's coverage.
    await go(o, '/cadres?tab=groups', '[data-testid="groups-table"] tbody tr.ant-table-row');
    await shoot(o, 'cadres-groups');
    await go(o, '/cadres?tab=shifts', '[data-testid="shifts-table"] tbody tr.ant-table-row');
    await shoot(o, 'cadres-shifts');
    await go(o, '/cadres?tab=visits', '[data-testid="visits-table"] tbody tr.ant-table-row');
    await shoot(o, 'cadres-visits');
    await go(o, '/rounds', '[data-testid="round-coverage"] tbody tr.ant-table-row');
    await shoot(o, 'rounds');

    await go(o, '/import', '.import-page .import-steps');
    await shoot(o, 'import');
    await go(o, '/reports', '[data-testid="report-form"]');
    await shoot(o, 'reports');
    await o.context.close();
    expect(found.splice(0)).toEqual([]);
  }, 240_000);

  it('the admin’s screens: 设置 (every tab), 用户, 审计日志', async () => {
    const o = await loggedIn('admin');
    await go(o, '/settings', '.settings-page .ant-tabs-tab');
    const tabs = await o.page.locator('.settings-page .ant-tabs-tab').count();
    expect(tabs).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < tabs; i++) {
      const tab = o.page.locator('.settings-page .ant-tabs-tab').nth(i);
      const key = (await tab.getAttribute('data-node-key')) ?? String(i);
      await tab.click();
      await o.page.waitForFunction((k) => document.querySelector(`.settings-page .ant-tabs-tab[data-node-key="${k}"]`)?.classList.contains('ant-tabs-tab-active'), key);
      await o.page.waitForTimeout(500);
      await shoot(o, `settings-${key}`);
    }
    await go(o, '/users', '[data-testid="users-table"] tbody tr.ant-table-row');
    await shoot(o, 'users');
    await go(o, '/audit', '.audit-page .ag-row[row-index]');
    await o.page.waitForFunction(() => !document.querySelector('[data-testid="audit-total"]')?.textContent?.includes('正在'));
    await shoot(o, 'audit');
    await o.context.close();
    expect(found.splice(0)).toEqual([]);
  }, 180_000);

  it('a cadre’s 我的任务 at phone width (390×844)', async () => {
    const o = await openPage(browser, app.url, { width: 390, height: 844 });
    await login(o.page, 'cadre');
    await o.page.getByTestId('my-tasks').waitFor();
    await shoot(o, 'my-tasks', { fullPage: true });
    await o.context.close();
    expect(found.splice(0)).toEqual([]);
  }, 120_000);

  it('keeps the committed set small (and refreshes it with SCREENSHOTS_UPDATE=1)', () => {
    const dest = path.join(REPO_ROOT, 'resources', 'screenshots');
    for (const name of COMMITTED) {
      const src = path.join(SCREENSHOT_DIR, `screen-${name}.png`);
      expect(fs.existsSync(src), src).toBe(true);
      expect(fs.statSync(src).size, `${name}.png`).toBeLessThan(MAX_BYTES);
    }
    if (process.env.SCREENSHOTS_UPDATE !== '1') return;
    fs.mkdirSync(dest, { recursive: true });
    for (const name of COMMITTED) fs.copyFileSync(path.join(SCREENSHOT_DIR, `screen-${name}.png`), path.join(dest, `${name}.png`));
    expect(fs.readdirSync(dest).filter((f) => f.endsWith('.png')).sort()).toEqual(COMMITTED.map((n) => `${n}.png`).sort());
  });
});
