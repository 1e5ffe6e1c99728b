// The 小区 › 楼栋 pickers (issue 15 §4) in a real browser, on a seed-demo database large enough for compounds of several
// buildings: committee1 (no community selector) picks a compound and then one of its buildings on 隔离人员 and sees
// exactly that building's people, and exports that building's 台账; the clerk narrows 异常告警 the same way.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(2500));
});

afterAll(() => stopDemo({ app, browser, db }));

/** Residents with their compound and building, walked room → unit → building → compound. */
const PLACED = `SELECT r.id, r.community_id AS community, p.id AS compound, p.name AS compoundName, b.id AS building, b.name AS buildingName
  FROM residents r JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id
  JOIN places u ON u.id = rm.parent_id JOIN places b ON b.id = u.parent_id JOIN places p ON p.id = b.parent_id`;

interface Pick {
  compound: number;
  compoundName: string;
  building: number;
  buildingName: string;
  inBuilding: number;
  inCompound: number;
}

/** The inhabited building with the most people of a compound that has at least two inhabited buildings. */
function pickBuilding(where: string, count: string): Pick {
  const p = db
    .prepare(
      `WITH placed AS (${PLACED}), x AS (${count})
       SELECT compound, compoundName, building, buildingName, n AS inBuilding, (SELECT SUM(n) FROM x y WHERE y.compound = x.compound) AS inCompound
       FROM x WHERE ${where} AND (SELECT COUNT(*) FROM x y WHERE y.compound = x.compound) >= 2 ORDER BY n DESC LIMIT 1`,
    )
    .get() as Pick | undefined;
  if (!p) throw new Error('the demo has no compound with two inhabited buildings here');
  return p;
}

/** Chooses `label` in an antd Select, again until it took (a click while the dropdown slides in can be swallowed). */
async function pick(page: Page, testId: string, label: string): Promise<void> {
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

/** Waits until the count beside a list reads `n` (the grid has asked the server with the new filter). */
async function totalIs(page: Page, testId: string, n: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const text = await page.getByTestId(testId).innerText();
      expect(Number(text.replace(/[^\d]/g, ''))).toBe(n);
    },
    { timeout: 20_000, interval: 200 },
  );
}

describe('小区 › 楼栋 pickers', () => {
  it('committee1 picks a building on 隔离人员 and sees only its people', async () => {
    const mine = db.prepare("SELECT community_id FROM users WHERE username = 'committee1'").pluck().get() as number;
    const p = pickBuilding(`community = ${mine}`, 'SELECT community, compound, compoundName, building, buildingName, COUNT(*) AS n FROM placed GROUP BY building');
    expect(p.inBuilding).toBeLessThan(p.inCompound);
    const { page, context, errors } = await openPage(browser, app.url, { width: 1280 });
    await login(page, 'committee1');
    await page.getByTestId('nav-residents').click();
    await page.goto(`${app.url}#/residents?status=all`);
    await page.getByTestId('residents-total').waitFor();
    // No community selector for a committee member, but the compound and building pickers.
    expect(await page.getByTestId('filter-community').count()).toBe(0);
    await pick(page, 'filter-compound', p.compoundName);
    await totalIs(page, 'residents-total', p.inCompound);
    await pick(page, 'filter-building', p.buildingName);
    await totalIs(page, 'residents-total', p.inBuilding);
    expect(page.url()).toContain(`buildingId=${p.building}`);
    // Every row drawn lies in that building.
    const addresses = await page.$$eval('[data-testid="residents-grid"] .ag-row[row-index] [col-id="address"]', (cells) => cells.map((c) => c.textContent ?? ''));
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) expect(a.startsWith(p.compoundName + p.buildingName)).toBe(true);
    await screenshot(page, 'residents-building-filter');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });

  it('committee1 exports 隔离人员台账 of one building from 报表导出', async () => {
    const mine = db.prepare("SELECT community_id FROM users WHERE username = 'committee1'").pluck().get() as number;
    const p = pickBuilding(`community = ${mine}`, 'SELECT community, compound, compoundName, building, buildingName, COUNT(*) AS n FROM placed GROUP BY building');
    const { page, context, errors } = await openPage(browser, app.url, { width: 1280 });
    await login(page, 'committee1');
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-form').waitFor();
    await page.getByTestId('report-roster').click();
    await pick(page, 'report-compound', p.compoundName);
    await pick(page, 'report-building', p.buildingName);
    await page.getByTestId('report-export').click();
    // The finished export is named after the building.
    await vi.waitFor(async () => expect(await page.getByTestId('report-done').first().innerText()).toContain(p.compoundName + p.buildingName), { timeout: 30_000, interval: 250 });
    await screenshot(page, 'report-building');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });

  it('the clerk narrows 异常告警 to a building', async () => {
    const p = pickBuilding(
      '1 = 1',
      'SELECT placed.compound, placed.compoundName, placed.building, placed.buildingName, COUNT(*) AS n FROM alerts a JOIN placed ON placed.id = a.resident_id GROUP BY placed.building',
    );
    const { page, context, errors } = await openPage(browser, app.url, { width: 1280 });
    await login(page, 'clerk');
    await page.getByTestId('nav-residents').waitFor();
    await page.goto(`${app.url}#/alerts?status=all`);
    await page.getByTestId('alerts-total').waitFor();
    await pick(page, 'alerts-compound-filter', p.compoundName);
    await totalIs(page, 'alerts-total', p.inCompound);
    await pick(page, 'alerts-building-filter', p.buildingName);
    await totalIs(page, 'alerts-total', p.inBuilding);
    await screenshot(page, 'alerts-building-filter');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });
});
