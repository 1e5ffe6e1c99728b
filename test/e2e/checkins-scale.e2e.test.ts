// 今日监测 at a subdistrict's size (seed-demo --residents 30000), in browser mode, as the clerk: the screen shows its first
// rows within a second and never more than a page of rows in the DOM; rows and the jump list follow the buildings in
// number order; Enter saves and moves on across a unit's boundary and onto the next page; the search box finds a
// person by pinyin initials and by room; the focused person keeps the focus (and what was typed) when another PC's
// entry refreshes the list. Checked against the database file as well as the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TODAY, apiInPage, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

const RESIDENTS = Number(process.env.E2E_SCALE_RESIDENTS ?? 30_000);
let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(RESIDENTS));
}, 300_000);
afterAll(() => stopDemo({ app, browser, db }));

const focusedRow = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid')?.match(/^ci-temp-(\d+)$/)?.[1] ?? null);
const waitFocus = (page: Page, id: number) => page.waitForFunction((i) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${i}`, id, { timeout: 15_000 });
const recorded = (id: number, slot: 'am' | 'pm') => db.prepare('SELECT COUNT(*) FROM checkins WHERE resident_id = ? AND date = ? AND slot = ?').pluck().get(id, DEMO_TODAY, slot) as number;
/** The open rows on screen, in order, with the unit each sits in. */
const openRows = (page: Page) =>
  page.locator('[data-testid="ci-table"] tbody').evaluateAll((bodies) =>
    bodies.flatMap((b, group) => [...b.querySelectorAll('tr.ci-row[data-recorded="0"]')].map((r) => ({ id: Number(r.getAttribute('data-testid')!.slice('ci-row-'.length)), group }))),
  );

async function openCheckins(page: Page): Promise<number> {
  await page.getByTestId('stat-alerts-value').waitFor();
  const t0 = Date.now();
  await page.keyboard.press('Alt+3');
  await page.locator('[data-testid="ci-table"] tr.ci-row').first().waitFor();
  return Date.now() - t0;
}

describe(`今日监测 at ${RESIDENTS} residents`, () => {
  it('opens within a second with at most a page of rows, in building number order; Enter crosses a unit and a page', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    // The same machine's yardstick, measured the same way in the same run: 隔离人员 (a virtualised grid over one
    // indexed 100-row query). On a quiet machine 今日监测 shows its first rows within a second; on a loaded one (this
    // test runs beside others) within that second or 2.5 × the yardstick, whichever is longer.
    await page.getByTestId('stat-alerts-value').waitFor();
    const t0 = Date.now();
    await page.keyboard.press('Alt+2');
    await page.locator('[data-testid="residents-grid"] .ag-row').first().waitFor();
    const yardstick = Date.now() - t0;
    await page.keyboard.press('Alt+1');
    // At 15:00 the screen opens on 下午, whose cutoff has not passed: the list is in place order.
    const ms = await openCheckins(page);
    console.log(`今日监测: first rows after ${ms} ms (隔离人员: ${yardstick} ms)`);
    expect(ms).toBeLessThan(Math.max(1000, 2.5 * yardstick));
    const due = Number((await page.getByTestId('ci-due').innerText()).replace(/\D/g, ''));
    expect(due).toBeGreaterThan(RESIDENTS / 10);
    const dom = await page.evaluate(() => ({ rows: document.querySelectorAll('tr').length, nodes: document.querySelectorAll('*').length }));
    console.log(`今日监测: ${dom.rows} table rows, ${dom.nodes} DOM nodes for ${due} people due`);
    expect(dom.rows).toBeLessThanOrEqual(200);
    expect(await page.getByTestId('ci-page-info').innerText()).toContain('第 1–100 人');

    // Group headers and the jump list: buildings by number (…9号楼, 10号楼…), never as text (10号楼 before 2号楼).
    const heads = await page.locator('[data-testid="ci-table"] tr.ci-group .ci-group-name').allInnerTexts();
    expect(heads.length).toBeGreaterThan(1);
    const jumpBuildings = await page.locator('[data-testid="ci-jump"] .ci-jump-building .ci-jump-name').allInnerTexts();
    const numbers = jumpBuildings.map((b) => Number(/^(\d+)/.exec(b)?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
    expect(numbers.length).toBeGreaterThan(1);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    await screenshot(page, 'checkins-scale');

    // Enter on a unit's last open person moves to the next unit's first open person.
    const open = await openRows(page);
    const i = open.findIndex((r, k) => k + 1 < open.length && open[k + 1].group !== r.group);
    expect(i).toBeGreaterThanOrEqual(0);
    const [last, next] = [open[i], open[i + 1]];
    await page.getByTestId(`ci-temp-${last.id}`).click();
    await page.keyboard.type('365');
    await page.keyboard.press('Enter');
    await waitFocus(page, next.id);
    await page.locator(`[data-testid="ci-row-${last.id}"][data-recorded="1"]`).waitFor();
    expect(recorded(last.id, 'pm')).toBe(1);

    // Enter on the page's last open person: the next page, focus in its first open person.
    const onPage = await openRows(page);
    const end = onPage[onPage.length - 1].id;
    await page.getByTestId(`ci-temp-${end}`).click();
    await page.keyboard.type('366');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="ci-page-info"]')?.textContent?.includes('第 101–200 人'));
    const page2 = await openRows(page);
    await waitFocus(page, page2[0].id);
    expect(recorded(end, 'pm')).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('finds a person by pinyin initials and by room; jumps to a building', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await openCheckins(page);
    // Someone due this evening, with initials few others share.
    const who = db
      .prepare(
        `SELECT r.id, r.name, r.name_initials AS initials, rm.name AS room FROM residents r JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id
         WHERE r.status IN ('isolating', 'monitoring') AND length(r.name_initials) = 3
         ORDER BY (SELECT COUNT(*) FROM residents x WHERE x.name_initials = r.name_initials), r.id LIMIT 1`,
      )
      .get() as { id: number; name: string; initials: string; room: string };
    await page.getByTestId('ci-search').locator('input').fill(who.initials);
    await page.locator(`[data-testid="ci-row-${who.id}"]`).waitFor();
    const names = await page.locator('[data-testid="ci-table"] tr.ci-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
    expect(names).toContain(who.name);
    expect(names.length).toBeLessThan(50);
    await screenshot(page, 'checkins-search');
    // The jump list is for the whole list: hidden while searching.
    expect(await page.getByTestId('ci-jump').count()).toBe(0);
    // By room: every row shown is in a room starting with those digits.
    await page.getByTestId('ci-search').locator('input').fill(who.room);
    await page.locator(`[data-testid="ci-row-${who.id}"]`).waitFor();
    const rooms = await page.locator('[data-testid="ci-table"] tr.ci-row td.ci-room').evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent ?? ''));
    expect(rooms.every((r) => r.startsWith(who.room))).toBe(true);

    // Clear the search; jump to the last building of the first compound.
    await page.getByTestId('ci-search').locator('input').fill('');
    await page.getByTestId('ci-jump').waitFor();
    const last = page.locator('[data-testid="ci-jump"] .ci-jump-building').last();
    const building = (await last.locator('.ci-jump-name').innerText()).trim();
    await last.click();
    await page.waitForFunction((b) => [...document.querySelectorAll('[data-testid="ci-table"] tr.ci-group .ci-group-name')].some((h) => h.textContent?.includes(` › ${b} › `)), building);
    const id = await focusedRow(page);
    expect(id).not.toBeNull();
    const row = page.locator(`[data-testid="ci-row-${id}"]`);
    const groupHead = await row.evaluate((r) => r.closest('tbody')?.querySelector('.ci-group-name')?.textContent ?? '');
    expect(groupHead).toContain(` › ${building} › `);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('keeps the focus and what was typed when another PC records someone on the same page', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await openCheckins(page);
    const open = await openRows(page);
    expect(open.length).toBeGreaterThan(3);
    const mine = open[2].id;
    const theirs = open[0].id;
    await page.getByTestId(`ci-temp-${mine}`).click();
    await page.keyboard.type('36');
    // Another PC (its own session) records someone above.
    const other = await openPage(browser, app.url);
    await login(other.page, 'clerk');
    await other.page.getByTestId('stat-alerts-value').waitFor();
    const r = await apiInPage(other.page, 'checkins.record', { residentId: theirs, date: DEMO_TODAY, slot: 'pm', temperature: 36.4 });
    expect(r.ok).toBe(true);
    // The live feed refreshes this screen: their row turns recorded…
    await page.locator(`[data-testid="ci-row-${theirs}"][data-recorded="1"]`).waitFor({ timeout: 15_000 });
    // …and the clerk is still in their own row, with what they typed.
    expect(await focusedRow(page)).toBe(String(mine));
    expect(await page.getByTestId(`ci-temp-${mine}`).inputValue()).toBe('36');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="ci-row-${mine}"][data-recorded="1"]`).waitFor();
    expect(db.prepare('SELECT temperature FROM checkins WHERE resident_id = ? AND date = ? AND slot = ?').pluck().get(mine, DEMO_TODAY, 'pm')).toBe(36.5);

    // Two PCs on one building: the other records the very person this clerk is on. Their box turns into the
    // recorded value, and the focus moves on to the next open person instead of getting lost.
    const now = await openRows(page);
    const current = Number(await focusedRow(page));
    const at = now.findIndex((x) => x.id === current);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at + 1).toBeLessThan(now.length);
    const [taken, after] = [now[at].id, now[at + 1].id];
    const r2 = await apiInPage(other.page, 'checkins.record', { residentId: taken, date: DEMO_TODAY, slot: 'pm', temperature: 36.7 });
    expect(r2.ok).toBe(true);
    await page.locator(`[data-testid="ci-row-${taken}"][data-recorded="1"]`).waitFor({ timeout: 15_000 });
    await waitFocus(page, after);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await other.context.close();
    await context.close();
  }, 240_000);
});
