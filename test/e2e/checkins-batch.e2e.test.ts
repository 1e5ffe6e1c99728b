// 整栋正常，除了… end to end, on a seed-demo database in browser mode (15:00: the afternoon slot is open): a committee
// member enters two exceptions in a building from the keyboard, then 整栋正常… for that building; the dialog lists
// the others (the count the groups give), 确认 N 人正常 records them, the two exceptions keep their readings; 撤销
// removes the batch again. With the admin's 每条健康监测必须填写体温 on, the dialog says so and cannot be confirmed.
// Checked against the database file as well as the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { apiInPage, DEMO_TODAY, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(300));
});

afterAll(() => stopDemo({ app, browser, db }));

interface Unit {
  compoundId: number;
  buildingId: number;
  unitId: number;
  due: number;
  done: number;
}

/** The building's open (due, not recorded) count and its due count, from checkins.groups as the page's user. */
interface BuildingCounts {
  compoundId: number;
  buildingId: number;
  due: number;
  open: number;
  /** Where its first row sits in the whole list (the groups are in the list's order; before the cutoff: all rows). */
  start: number;
}

async function buildingCounts(page: Page, buildingId?: number): Promise<BuildingCounts[]> {
  const r = await apiInPage<{ units: Unit[] }>(page, 'checkins.groups', { date: DEMO_TODAY, slot: 'pm' });
  expect(r.ok).toBe(true);
  const by = new Map<number, BuildingCounts>();
  let at = 0;
  for (const u of r.data!.units) {
    const b = by.get(u.buildingId) ?? { compoundId: u.compoundId, buildingId: u.buildingId, due: 0, open: 0, start: at };
    at += u.due;
    b.due += u.due;
    b.open += u.due - u.done;
    by.set(u.buildingId, b);
  }
  const all = [...by.values()];
  return buildingId === undefined ? all : all.filter((b) => b.buildingId === buildingId);
}

const pmCheckin = (residentId: number) =>
  db.prepare("SELECT temperature, abnormal, batch_id AS batchId FROM checkins WHERE resident_id = ? AND date = ? AND slot = 'pm'").get(residentId, DEMO_TODAY) as { temperature: number | null; abnormal: number; batchId: number | null } | undefined;

/** Open rows of a building on the page shown (its unit groups carry data-building). */
const openRows = (page: Page, buildingId: number) => page.locator(`tbody:has(tr.ci-group[data-building="${buildingId}"]) tr[data-recorded="0"]`);
const rowIds = async (page: Page, buildingId: number, recorded: 0 | 1) =>
  (await page.locator(`tbody:has(tr.ci-group[data-building="${buildingId}"]) tr[data-recorded="${recorded}"]`).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-testid')!.slice('ci-row-'.length))))) as number[];

let building: BuildingCounts;

describe('今日监测: 整栋正常，除了…', () => {
  it('two exceptions first, then the rest of the building as normal after a confirmation listing them; 撤销 removes them again', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    // No live feed, as in Electron's own window (live.ts): what refreshes after the batch is the page's own doing.
    let feeds = 0;
    await context.routeWebSocket(/\/api\/live/, () => {
      feeds++;
    });
    await login(page, 'committee1');
    await page.getByTestId('nav-checkins').click();
    await page.getByTestId('ci-counter').waitFor();
    // At 15:00 the page opens on 下午 (open until 18:00).
    await page.waitForFunction(() => document.querySelector('[data-testid="ci-counter"] .ci-counter-slot')?.textContent === '下午');

    // A building of the committee's community with at least five people not yet recorded, all on one page of 100.
    const candidates = (await buildingCounts(page)).filter((b) => b.open >= 5 && Math.floor(b.start / 100) === Math.floor((b.start + b.due - 1) / 100));
    expect(candidates.length).toBeGreaterThan(0);
    building = candidates[0];
    const bid = building.buildingId;

    // Jump there (compound, then building); the focus lands on the building's first open person.
    await page.getByTestId(`ci-jump-compound-${building.compoundId}`).click();
    await page.getByTestId(`ci-jump-building-${bid}`).click();
    await openRows(page, bid).first().waitFor();
    const [a, b] = await rowIds(page, bid, 0);
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${id}`, a);

    // The two exceptions, from the keyboard: 38.1 ℃, then 37.6 ℃ with a cough.
    await page.keyboard.type('381');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${id}`, b);
    await page.keyboard.type('376');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="ci-row-${a}"][data-recorded="1"]`).waitFor();
    await page.locator(`[data-testid="ci-row-${b}"][data-recorded="1"]`).waitFor();
    await expect.poll(() => pmCheckin(b)?.temperature).toBe(37.6);
    const open = building.open - 2;
    expect((await buildingCounts(page, bid))[0].open).toBe(open);

    // 本单元正常… in the first unit's header: the unit's open people only (Esc closes without recording anything).
    const unitId = Number((await page.locator(`tbody:has([data-testid="ci-row-${a}"]) tr.ci-group`).getAttribute('data-testid'))!.slice('ci-group-'.length));
    const units = (await apiInPage<{ units: Unit[] }>(page, 'checkins.groups', { date: DEMO_TODAY, slot: 'pm' })).data!.units;
    const unit = units.find((u) => u.unitId === unitId)!;
    await page.getByTestId(`ci-batch-unit-${unitId}`).click();
    await page.getByTestId('ci-batch-count').waitFor();
    expect(await page.getByTestId('ci-batch-count').innerText()).toContain(`${unit.due - unit.done} 人`);
    expect(await page.getByTestId('ci-batch-confirm').innerText()).toBe(`确认 ${unit.due - unit.done} 人正常`);
    await page.keyboard.press('Escape');
    await page.getByTestId('ci-batch-dialog').waitFor({ state: 'detached' });
    await screenshot(page, 'checkins-batch-unit-header');

    // 整栋正常… beside the building in the jump list (keyboard: focus it, Enter).
    await page.getByTestId(`ci-batch-building-${bid}`).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('ci-batch-dialog');
    await dialog.getByTestId('ci-batch-count').waitFor();
    expect(await dialog.getByTestId('ci-batch-count').innerText()).toContain(`${open} 人`);
    expect(await dialog.locator('[data-testid="ci-batch-list"] li').count()).toBe(open);
    expect(await dialog.getByTestId('ci-batch-already').innerText()).toContain(`${building.due - open} 人已登记`);
    expect(await dialog.innerText()).toContain('先逐人登记异常');
    const confirm = page.getByTestId('ci-batch-confirm');
    expect(await confirm.innerText()).toBe(`确认 ${open} 人正常`);
    expect(await confirm.isEnabled()).toBe(true);
    await screenshot(page, 'checkins-batch-dialog');

    const batchesBefore = db.prepare('SELECT COUNT(*) FROM checkin_batches').pluck().get() as number;
    await confirm.click();
    await page.locator('.ant-message').getByText(`已登记 ${open} 人正常`).waitFor();
    await page.getByTestId('ci-batch-dialog').waitFor({ state: 'detached' });

    // The database: one batch of `open` check-ins without a reading; the exceptions kept theirs.
    const batch = db.prepare('SELECT id, count, place_id AS placeId FROM checkin_batches ORDER BY id DESC LIMIT 1').get() as { id: number; count: number; placeId: number };
    expect(db.prepare('SELECT COUNT(*) FROM checkin_batches').pluck().get()).toBe(batchesBefore + 1);
    expect(batch).toMatchObject({ count: open, placeId: bid });
    expect(db.prepare('SELECT COUNT(*) FROM checkins WHERE batch_id = ? AND temperature IS NULL AND abnormal = 0').pluck().get(batch.id)).toBe(open);
    expect(pmCheckin(a)).toMatchObject({ temperature: 38.1, abnormal: 1, batchId: null });
    expect(pmCheckin(b)).toMatchObject({ temperature: 37.6, abnormal: 1, batchId: null });

    // The screen: every row of the building recorded, the two exceptions still red with their readings; the building
    // is complete in the jump list (no 整栋正常… any more); the batch is listed with 撤销.
    await page.waitForFunction((id) => document.querySelectorAll(`tbody:has(tr.ci-group[data-building="${id}"]) tr[data-recorded="0"]`).length === 0, bid);
    expect((await rowIds(page, bid, 1)).length).toBe(building.due);
    expect(await page.locator(`[data-testid="ci-row-${a}"] [data-testid="ci-temp-value"]`).innerText()).toBe('38.1');
    expect(await page.locator(`[data-testid="ci-row-${b}"]`).getAttribute('data-abnormal')).toBe('1');
    await page.getByTestId(`ci-batch-building-${bid}`).waitFor({ state: 'detached' });
    const listed = page.getByTestId(`ci-batch-${batch.id}`);
    await listed.waitFor();
    expect(await listed.innerText()).toContain(`${open} 人`);
    await screenshot(page, 'checkins-batch-done');

    // 撤销 (with a confirmation): the batch's check-ins go, the exceptions stay.
    await listed.getByTestId(`ci-batch-undo-${batch.id}`).click();
    await page.getByTestId(`ci-batch-undo-ok-${batch.id}`).click();
    await page.locator('.ant-message').getByText(`已撤销 ${open} 条（0 条已更正，保留）`).waitFor();
    expect(db.prepare('SELECT COUNT(*) FROM checkins WHERE batch_id = ?').pluck().get(batch.id)).toBe(0);
    expect(db.prepare('SELECT undone_at FROM checkin_batches WHERE id = ?').pluck().get(batch.id)).not.toBeNull();
    expect(pmCheckin(a)).toMatchObject({ temperature: 38.1 });
    expect(pmCheckin(b)).toMatchObject({ temperature: 37.6 });
    await page.waitForFunction(([id, n]) => document.querySelectorAll(`tbody:has(tr.ci-group[data-building="${id}"]) tr[data-recorded="0"]`).length === n, [bid, open] as const);
    await listed.getByText('撤销').first().waitFor();
    expect(await listed.getByTestId(`ci-batch-undo-${batch.id}`).count()).toBe(0);
    await page.getByTestId(`ci-batch-building-${bid}`).waitFor();
    expect(feeds).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with 每条健康监测必须填写体温 switched on by the admin, the dialog says so and 确认 is disabled', async () => {
    const admin = await openPage(browser, app.url);
    await login(admin.page, 'admin');
    await admin.page.getByTestId('nav-settings').waitFor();
    await admin.page.goto(`${app.url}#/settings?tab=policy`);
    const sw = admin.page.getByTestId('require-temperature');
    await sw.waitFor();
    expect(await sw.getAttribute('aria-checked')).toBe('false');
    expect(await admin.page.getByTestId('settings-policy').innerText()).toContain('每条健康监测必须填写体温（开启后不能整栋登记正常）');
    await sw.click();
    await admin.page.getByTestId('settings-policy-save').click();
    await expect.poll(() => db.prepare("SELECT value FROM settings WHERE key = 'requireTemperature'").pluck().get(), { timeout: 15_000 }).toBe(JSON.stringify(true));
    await admin.context.close();

    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'committee1');
    await page.getByTestId('nav-checkins').click();
    await page.getByTestId('ci-counter').waitFor();
    await page.getByTestId(`ci-jump-compound-${building.compoundId}`).click();
    await page.getByTestId(`ci-batch-building-${building.buildingId}`).click();
    const refused = page.getByTestId('ci-batch-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('每条健康监测都须填写体温，不能整栋登记为正常');
    expect(await page.getByTestId('ci-batch-confirm').isDisabled()).toBe(true);
    await screenshot(page, 'checkins-batch-refused');
    expect(errors).toEqual([]);
    await context.close();
  });
});
