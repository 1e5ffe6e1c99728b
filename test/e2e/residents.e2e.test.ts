// 隔离人员 end to end, on a seed-demo database in browser mode: the clerk finds a person by pinyin initials and opens
// the drawer; adds a person (as-you-type ID check, server field error by its field); releases a person whose days
// are over and tests negative, sees a person with a missing test blocked with the reason, and batch-releases;
// committee1 sees only their own community and a direct call for another community's person is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TODAY, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

interface Person {
  id: number;
  name: string;
  initials: string;
  communityId: number;
  episodeId: number;
  docNumber: string;
}

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(400));
});

afterAll(() => stopDemo({ app, browser, db }));

const GRID = '[data-testid="residents-grid"]';
const ROW = `${GRID} .ag-row[row-index]`;
const gridRows = (page: Page) => page.locator(ROW);
/** Names of the rendered rows in row order (AG Grid may append rows to the DOM out of order). */
const gridNames = (page: Page) =>
  page.$$eval(ROW, (rows) =>
    rows
      .map((r) => [Number(r.getAttribute('row-index')), r.querySelector('[col-id="name"]')?.textContent?.trim() ?? ''] as const)
      .filter(([, n]) => n)
      .sort((a, b) => a[0] - b[0])
      .map(([, n]) => n),
  );

async function waitForGrid(page: Page): Promise<void> {
  await page.locator(`${ROW} [col-id="name"]`).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="residents-total"]')?.textContent?.includes('正在统计'));
}

async function total(page: Page): Promise<number> {
  const text = await page.getByTestId('residents-total').innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

/** Due test days (up to today and the last day) of an episode, and whether each has a negative 核酸 result. */
function releaseState(episodeId: number): 'ready' | 'missing' | 'other' {
  const e = db.prepare('SELECT start_date AS startDate, last_day AS lastDay, test_days AS testDays FROM episodes WHERE id = ?').get(episodeId) as { startDate: string; lastDay: string; testDays: string };
  const day = (n: number) => new Date(Date.parse(`${e.startDate}T00:00:00Z`) + (n - 1) * 86_400_000).toISOString().slice(0, 10);
  const due = (JSON.parse(e.testDays) as number[]).map(day).filter((d) => d <= DEMO_TODAY && d <= e.lastDay);
  const results = (d: string) => db.prepare("SELECT result FROM tests WHERE episode_id = ? AND sample_date = ? AND test_type = '核酸'").pluck().all(episodeId, d) as string[];
  const states = due.map((d) => results(d));
  if (states.every((r) => r.includes('阴性') && !r.includes('阳性'))) return 'ready';
  if (states.some((r) => r.length === 0) && states.every((r) => !r.includes('阳性'))) return 'missing';
  return 'other';
}

function duePeople(): Person[] {
  return db
    .prepare(
      `SELECT r.id, r.name, r.name_initials AS initials, r.community_id AS communityId, r.current_episode_id AS episodeId, r.doc_number AS docNumber
       FROM residents r WHERE r.status IN ('isolating', 'monitoring') AND r.last_day < ? ORDER BY r.id`,
    )
    .all(DEMO_TODAY) as Person[];
}

/** A name no one else has, so a search shows exactly this person. */
const uniqueName = (p: Person) => (db.prepare('SELECT COUNT(*) FROM residents WHERE name = ?').pluck().get(p.name) as number) === 1;

async function openResidents(page: Page, query = ''): Promise<void> {
  await page.goto(`${app.url}#/residents${query}`);
  await waitForGrid(page);
}

/** Focus on the page itself (not a field), so single-key shortcuts apply. */
async function focusPage(page: Page): Promise<void> {
  await page.locator('.res-page .page-head h3').click();
}

/**
 * Searches from the keyboard ('/', the text, Enter: the search runs and the focus stays in the box), then waits until
 * the grid shows this search's rows: the grid's loaded query (data-loaded-key, set when its first block arrives) has
 * this search text, its count is shown, and every row drawn has its data. The old rows stay on screen until then, so
 * reading names or pressing keys any earlier works on the previous list (on a slow machine, that is what happened).
 */
/**
 * Opens the drawer of the grid's first row by a double click. A double click whose two clicks straddle a refresh of
 * the row (a live notice re-renders it on a busy machine) reaches no row: the clerk clicks again, and so does this —
 * only while no drawer is open; once one is, whatever the test expects in it must be there.
 */
async function openFirstRow(page: Page): Promise<void> {
  const drawer = page.getByTestId('drawer-person');
  // A drawer closed just before (Escape) may still be on its way out.
  await drawer.waitFor({ state: 'hidden', timeout: 5000 });
  for (let i = 0; i < 5; i++) {
    if (await drawer.isVisible()) return;
    await gridRows(page).first().locator('[col-id="name"]').dblclick();
    if (await drawer.waitFor({ timeout: 4000 }).then(() => true, () => false)) return;
  }
  throw new Error('the first row’s drawer did not open after five double clicks');
}

async function search(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Escape');
  await focusPage(page);
  await page.keyboard.press('/');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([grid, row, t]) => {
      const g = document.querySelector<HTMLElement>(grid);
      if (!g || g.getAttribute('aria-busy') !== 'false' || (JSON.parse(g.dataset.loadedKey || '{}') as { search?: string }).search !== t) return false;
      if (document.querySelector('[data-testid="residents-total"]')?.textContent?.includes('正在统计')) return false;
      const rows = [...document.querySelectorAll(row)];
      return rows.length > 0 && rows.every((r) => !!r.querySelector('[col-id="name"]')?.textContent?.trim());
    },
    [GRID, ROW, text] as const,
  );
}

/** The row index of the grid's focused cell (AG Grid's own mark), and of the element holding the browser focus. */
const focusedRow = (page: Page) => page.$eval(`${GRID} .ag-cell-focus`, (c) => Number(c.closest('.ag-row')?.getAttribute('row-index')));
const activeRow = (page: Page) => page.evaluate(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-index') ?? document.activeElement?.tagName);

describe('residents screen', () => {
  it('1. the clerk finds a person by pinyin initials and opens the drawer from the keyboard', async () => {
    // A running person whose initials are shared by a few others still in the list (so the search shows several rows
    // and the number of ↓ presses decides whose drawer opens).
    const p = db
      .prepare(
        `SELECT r.id, r.name, r.name_initials AS initials FROM residents r
         WHERE r.status = 'isolating' AND length(r.name_initials) >= 2
           AND (SELECT COUNT(*) FROM residents x WHERE x.name_initials LIKE r.name_initials || '%' AND x.status IN ('isolating', 'monitoring')) BETWEEN 2 AND 6
         ORDER BY r.id LIMIT 1`,
      )
      .get() as { id: number; name: string; initials: string };
    expect(p).toBeTruthy();

    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('nav-residents').click();
    await waitForGrid(page);
    const all = await total(page);
    expect(all).toBeGreaterThan(50);
    // Due and abnormal rows carry colour and a tag.
    expect(await page.locator(`${GRID} .ag-row.res-row-due`).count()).toBeGreaterThan(0);
    expect(await page.locator(`${GRID} [data-testid="tag-due"]`).count()).toBeGreaterThan(0);
    await screenshot(page, 'residents-grid');

    // Ctrl+End from a cell: the last row is drawn with its data and takes the focus; Ctrl+Home goes back and the
    // last row leaves the DOM (the grid keeps a focused row drawn, so the focus must have moved with the jump).
    // The keyboard in the first row's cell (a click would open that person).
    await page.locator(`${ROW}[row-index="0"] [col-id="name"]`).focus();
    await expect.poll(() => activeRow(page)).toBe('0');
    await page.keyboard.press('Control+End');
    await page.waitForFunction((sel) => !!document.querySelector(sel)?.textContent?.trim(), `${ROW}[row-index="${all - 1}"] [col-id="name"]`);
    expect(await focusedRow(page)).toBe(all - 1);
    expect(await activeRow(page)).toBe(String(all - 1));
    await page.keyboard.press('Control+Home');
    await page.locator(`${ROW}[row-index="0"] [col-id="name"]`).waitFor();
    expect(await focusedRow(page)).toBe(0);
    await expect.poll(() => page.locator(`${ROW}[row-index="${all - 1}"]`).count()).toBe(0);
    // The clerk was on the third row when they start a new search. (Down a row at a time until there: once in CI, on a
    // loaded machine, two presses right after Ctrl+Home left the focus on the first row.)
    await expect
      .poll(
        async () => {
          if ((await focusedRow(page)) < 2) await page.keyboard.press('ArrowDown');
          return focusedRow(page);
        },
        { timeout: 10_000 },
      )
      .toBe(2);

    await search(page, p.initials);
    expect(await total(page)).toBeLessThan(all);
    const names = await gridNames(page);
    expect(names).toContain(p.name);
    expect(names.length).toBeGreaterThan(1);
    expect(names).toHaveLength(await total(page));
    await screenshot(page, 'residents-search-initials');

    // Enter ran the search and left the focus in the box; ↓ moves to the list, on its first row (not on the row
    // focused before the search); go down to the person's row, Enter opens the drawer.
    expect(await activeRow(page)).toBe('INPUT');
    await page.keyboard.press('ArrowDown');
    expect(await focusedRow(page)).toBe(0);
    const index = names.indexOf(p.name);
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedRow(page)).toBe(index);
    expect(await activeRow(page)).toBe(String(index));
    await page.keyboard.press('Enter');
    await page.getByTestId('drawer-title').waitFor();
    expect(await page.getByTestId('drawer-title').innerText()).toContain(p.name);
    await page.getByTestId('drawer-episodes').waitFor();
    expect(page.url()).toContain(`open=${p.id}`);
    // Phone masked; reveal shows the full number (and is audited).
    expect(await page.getByTestId('phone-masked').innerText()).toMatch(/^\d{3}\*{4}\d{4}$/);
    await page.waitForTimeout(300);
    await screenshot(page, 'residents-drawer');
    const before = db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.reveal_phone' AND resident_id = ?").pluck().get(p.id) as number;
    await page.getByTestId('phone-reveal').click();
    await page.getByTestId('phone-full').waitFor();
    expect(await page.getByTestId('phone-full').innerText()).toMatch(/^1\d{10}$/);
    expect(db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.reveal_phone' AND resident_id = ?").pluck().get(p.id)).toBe(before + 1);

    // Esc closes the drawer and, once it has slid away, the focus is back on the person's row (↓ Enter opens the next).
    await page.keyboard.press('Escape');
    await page.locator('.ant-drawer-content-wrapper').waitFor({ state: 'detached' });
    await expect.poll(() => activeRow(page)).toBe(String(index));
    // Esc and at once '/' and a new search: the drawer sliding away must not take the focus from the search box
    // back to that row once it is gone (it did, ~0.3 s later, and the Enter then reopened the person just closed).
    await page.keyboard.press('Enter');
    await page.getByTestId('drawer-title').filter({ hasText: p.name }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await page.keyboard.type(p.name);
    await page.locator('.ant-drawer-content-wrapper').waitFor({ state: 'detached' });
    expect(await activeRow(page)).toBe('INPUT');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain(`q=${p.name}`);
    expect(page.url()).not.toContain('open=');
    expect(await page.locator('.ant-drawer-open').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a person: the ID number is checked as typed, a server field error shows by its field, then it saves', async () => {
    const existing = db.prepare("SELECT doc_number FROM residents WHERE doc_type = '居民身份证' LIMIT 1").pluck().get() as string;
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await openResidents(page);
    await focusPage(page);
    await page.keyboard.press('n');
    const form = page.locator('#resident-form');
    await form.waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'residents-add-form');
    await page.getByTestId('field-name').fill('测试新增');
    // A subdistrict clerk sees every community: 社区 is required, and is picked before the compound (picking clears it).
    const community = db.prepare("SELECT name FROM places WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get() as string;
    await page.getByTestId('field-community').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: community }).click();
    // A wrong check character: the reason appears as soon as the 18th character is typed.
    const wrong = existing.slice(0, 17) + (existing[17] === '1' ? '2' : '1');
    await page.getByTestId('field-docNumber').fill(wrong);
    await form.getByText('身份证号校验位不正确，请核对号码').waitFor();
    await page.getByTestId('field-compound').locator('input').fill('测试小区');
    await page.waitForTimeout(200);
    await screenshot(page, 'residents-add-id-error');

    // The number of someone already registered: valid as typed (sex and birth date filled), refused by the server.
    await page.getByTestId('field-docNumber').fill(existing);
    await page.getByTestId('id-ok').waitFor();
    await page.getByTestId('resident-form-submit').click();
    await page.getByTestId('resident-form-error').waitFor();
    expect(await page.getByTestId('resident-form-error').innerText()).toContain('同一人不能重复登记');
    await form.getByText('证件号已存在').waitFor();
    await screenshot(page, 'residents-add-field-error');

    // A fresh valid number saves; the new person's drawer opens.
    const fresh = '11010519491231002X';
    await page.getByTestId('field-docNumber').fill(fresh);
    await page.getByTestId('id-ok').waitFor();
    expect(await page.getByTestId('id-ok').innerText()).toContain('1949-12-31');
    await page.getByTestId('resident-form-submit').click();
    await page.getByTestId('drawer-title').waitFor();
    expect(await page.getByTestId('drawer-title').innerText()).toContain('测试新增');
    expect(db.prepare('SELECT sex FROM residents WHERE doc_number = ?').pluck().get(fresh)).toBe('F');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('4. releases a person whose days are over with negative tests; a missing test blocks with its reason; batch release', async () => {
    const due = duePeople();
    const ready = due.find((p) => releaseState(p.episodeId) === 'ready' && uniqueName(p));
    const missing = due.find((p) => releaseState(p.episodeId) === 'missing' && uniqueName(p));
    expect(ready, 'seed-demo should leave someone due with negative tests').toBeTruthy();
    expect(missing, 'seed-demo should leave someone due with a missing test').toBeTruthy();

    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await openResidents(page, '?status=due');
    const dueTotal = await total(page);
    expect(dueTotal).toBe(due.length);

    // The ready one: the dialog says the tests are complete; release; the person leaves 待解除.
    await search(page, ready!.name);
    expect(await gridNames(page)).toEqual([ready!.name]);
    await openFirstRow(page);
    await page.getByTestId('action-release').click();
    await page.getByTestId('release-ready').waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'residents-release-ready');
    await page.getByTestId('release-submit').click();
    await page.getByText(`已解除：${ready!.name}`).first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="drawer-person"]')?.textContent?.includes('已解除'));
    expect(db.prepare('SELECT status FROM residents WHERE id = ?').pluck().get(ready!.id)).toBe('released');
    await page.keyboard.press('Escape');

    // The blocked one: the reason is listed and 解除 becomes 强制解除 with a reason field.
    await search(page, missing!.name);
    await openFirstRow(page);
    await page.getByTestId('action-release').click();
    const blockers = page.getByTestId('release-blockers');
    await blockers.waitFor();
    expect(await blockers.innerText()).toMatch(/缺少核酸阴性结果|核酸结果未出/);
    await page.getByTestId('field-overrideReason').waitFor();
    await screenshot(page, 'residents-release-blocked');
    await page.getByRole('button', { name: '取消' }).click();
    expect(db.prepare('SELECT status FROM residents WHERE id = ?').pluck().get(missing!.id)).toBe('isolating');
    await page.keyboard.press('Escape');

    // Batch mode: the checkbox column only appears once 批量解除 is switched on; a tick shows on the action; Esc leaves.
    await openResidents(page, '?status=due');
    const selectionCol = `${GRID} [col-id="ag-Grid-SelectionColumn"]`;
    expect(await page.locator(selectionCol).count()).toBe(0);
    await page.getByTestId('batch-release').click();
    await page.getByTestId('batch-hint').waitFor();
    const firstBox = page.locator(`${ROW}[row-index="0"] [col-id="ag-Grid-SelectionColumn"] input[type="checkbox"]`);
    await firstBox.click();
    await expect.poll(() => page.getByTestId('batch-start').innerText()).toMatch(/解除所选（1\s*人）/);
    await screenshot(page, 'residents-batch-mode');
    await page.keyboard.press('Escape');
    await page.getByTestId('batch-release').waitFor();
    await expect.poll(() => page.locator(selectionCol).count()).toBe(0);
    expect(await page.getByTestId('batch-start').count()).toBe(0);

    // Batch: everyone due, ticked by default; the blocked ones stay with their reasons.
    await page.getByTestId('batch-release').click();
    await page.locator(`${ROW}[row-index="0"] [col-id="ag-Grid-SelectionColumn"]`).waitFor();
    await page.getByTestId('batch-start').click();
    const table = page.getByTestId('batch-table');
    await table.locator('.ant-table-row').first().waitFor();
    expect(await table.locator('.ant-table-row').count()).toBe(due.length - 1);
    await page.waitForTimeout(300);
    await screenshot(page, 'residents-batch-dialog');
    await page.getByTestId('batch-submit').click();
    const result = page.getByTestId('batch-result');
    await result.waitFor();
    const blockedRows = page.getByTestId('batch-blocked').locator('.ant-table-row');
    const blockedCount = await blockedRows.count();
    expect(blockedCount).toBeGreaterThan(0);
    expect(await page.getByTestId('batch-blocked').innerText()).toContain(missing!.name);
    expect(await page.getByTestId('batch-blocked').innerText()).toMatch(/暂不能解除/);
    await screenshot(page, 'residents-batch-result');
    await page.getByTestId('batch-close').click();
    await page.waitForTimeout(500);
    await waitForGrid(page);
    expect(await total(page)).toBe(blockedCount);
    // The batch ran: back to the plain list, no checkbox column.
    await page.getByTestId('batch-release').waitFor();
    expect(await page.locator(selectionCol).count()).toBe(0);
    const stillDue = db.prepare("SELECT COUNT(*) FROM residents WHERE status IN ('isolating', 'monitoring') AND last_day < ?").pluck().get(DEMO_TODAY);
    expect(stillDue).toBe(blockedCount);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('5. committee1 sees only their community, and a direct call for another community is refused', async () => {
    const mine = db.prepare("SELECT community_id FROM users WHERE username = 'committee1'").pluck().get() as number;
    const myName = db.prepare('SELECT name FROM places WHERE id = ?').pluck().get(mine) as string;
    const other = db.prepare('SELECT id, name, community_id AS c FROM residents WHERE community_id != ? ORDER BY id LIMIT 1').get(mine) as { id: number; name: string; c: number };
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'committee1');
    await openResidents(page, '?status=all');
    expect(await total(page)).toBe(db.prepare('SELECT COUNT(*) FROM residents WHERE community_id = ?').pluck().get(mine));
    // Every row is of their community (the grid has no 社区 column for them: ask the API the page came from).
    const rows = await page.evaluate(async () => {
      const r = await fetch('/api/residents.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'all', limit: 200 }), credentials: 'same-origin' });
      return ((await r.json()) as { data: { rows: { community: string }[] } }).data.rows.map((x) => x.community);
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows)).toEqual(new Set([myName]));
    // No community picker or column, no batch release for this role.
    expect(await page.locator(`${GRID} .ag-header-cell[col-id="community"]`).count()).toBe(0);
    expect(await page.getByTestId('filter-community').count()).toBe(0);
    expect(await page.getByTestId('batch-release').count()).toBe(0);
    await screenshot(page, 'residents-committee1');

    // Another community in the URL: nothing, and the empty state says what to do.
    await page.goto(`${app.url}#/residents?status=all&communityId=${other.c}`);
    await page.getByTestId('residents-grid-empty').waitFor();
    await screenshot(page, 'residents-committee1-empty');
    expect(await total(page)).toBe(0);

    // A person of another community, asked for directly: FORBIDDEN, and the drawer shows the message.
    const answer = await page.evaluate(async (id) => {
      const r = await fetch('/api/residents.get', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
      return r.json();
    }, other.id);
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await page.goto(`${app.url}#/residents?status=all&open=${other.id}`);
    await page.getByTestId('drawer-error').waitFor();
    expect(await page.getByTestId('drawer-error').innerText()).toContain('其他社区');
    // The server refused it: nothing about the person reached the drawer.
    expect(await page.getByTestId('resident-drawer').innerText()).not.toContain(other.name);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });
});
