// 物资需求 and 下沉干部 end to end, on a seed-demo database in browser mode: the clerk registers a request with two
// item lines for a household, assigns it to a cadre, marks it 配送中 then 已送达, and the dashboard's 物资待处理
// goes up by one and back; another request is cancelled with a reason (refused without one); overdue requests stand
// out in the list and on the board; the per-compound run sheet renders for printing; a new cadre with an assignment
// appears in the roster. Checked against the database file as well as the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { clickUntilShown, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(300));
});

afterAll(() => stopDemo({ app, browser, db }));

const OPEN = "status IN ('new', 'assigned', 'delivering')";

async function dashboardPending(page: Page): Promise<number> {
  await page.getByTestId('header-role').waitFor();
  await page.keyboard.press('Alt+1');
  await page.getByTestId('stat-supplies-value').waitFor();
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-supplies-value"]')?.textContent ?? ''));
  return Number(await page.getByTestId('stat-supplies-value').innerText());
}

/** Picks an option of the antd Select whose dropdown is open (the last one opened). */
async function pickOption(page: Page, text: string | RegExp): Promise<void> {
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first();
  await option.waitFor();
  await option.click();
}

const statusOf = (id: number) => db.prepare('SELECT status FROM supply_requests WHERE id = ?').pluck().get(id);

describe('物资需求', () => {
  it('3. registers a request with two item lines, assigns, delivers it; 物资待处理 goes up by one and back', async () => {
    // A household with people under control, in a community that has a cadre on duty.
    const hh = db
      .prepare(
        `SELECT h.id, h.address, h.community_id AS communityId FROM households h
         WHERE EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.status IN ('isolating', 'monitoring'))
           AND EXISTS (SELECT 1 FROM cadres c WHERE c.community_id = h.community_id AND c.status = 'on_duty')
           AND (SELECT COUNT(*) FROM households x WHERE x.address LIKE h.address || '%') = 1
         ORDER BY h.id LIMIT 1`,
      )
      .get() as { id: number; address: string; communityId: number };
    expect(hh).toBeTruthy();

    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    const pending0 = await dashboardPending(page);
    expect(pending0).toBe(db.prepare(`SELECT COUNT(*) FROM supply_requests WHERE ${OPEN}`).pluck().get());
    const maxId = db.prepare('SELECT COALESCE(MAX(id), 0) FROM supply_requests').pluck().get() as number;

    await page.keyboard.press('Alt+4');
    await page.getByTestId('supplies-page').waitFor();
    await page.getByTestId('supply-add').click();
    const form = page.locator('.ant-modal').filter({ hasText: '新增物资需求' });
    await form.waitFor();

    // Nothing filled: Chinese errors by the fields, nothing written.
    await form.getByRole('button', { name: /^登\s*记$/ }).click();
    await form.locator('.ant-form-item-explain-error').filter({ hasText: '请选择住户' }).waitFor();
    expect(await form.locator('.ant-form-item-explain-error').allInnerTexts()).toEqual(expect.arrayContaining(['请选择住户', '请选择需求类别']));
    expect(db.prepare('SELECT COALESCE(MAX(id), 0) FROM supply_requests').pluck().get()).toBe(maxId);

    // The household by its address.
    await form.getByTestId('supply-household').locator('input').fill(hh.address);
    await pickOption(page, hh.address);
    await form.getByTestId('supply-category').click();
    await pickOption(page, '粮油');
    // Two lines: Enter in the quantity box adds the next line and moves there.
    await form.getByTestId('supply-item-name-0').fill('大米');
    await form.getByTestId('supply-item-qty-0').fill('1袋');
    await form.getByTestId('supply-item-qty-0').press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'supply-item-name-1');
    await page.keyboard.type('食用油');
    await form.getByTestId('supply-item-qty-1').fill('1桶');
    await screenshot(page, 'supplies-new-form');
    await form.getByRole('button', { name: /^登\s*记$/ }).click();

    // The new request opens in the drawer, 待处理.
    const drawer = page.getByTestId('supply-drawer');
    await drawer.getByTestId('supply-drawer-status').waitFor();
    expect(await drawer.getByTestId('supply-drawer-status').innerText()).toBe('待处理');
    const req = db.prepare('SELECT id, household_id AS householdId, category, status FROM supply_requests WHERE id > ? ORDER BY id').all(maxId) as { id: number; householdId: number; category: string; status: string }[];
    expect(req).toHaveLength(1);
    const id = req[0].id;
    expect(req[0]).toMatchObject({ householdId: hh.id, category: '粮油', status: 'new' });
    expect(db.prepare('SELECT name, quantity FROM supply_items WHERE request_id = ? ORDER BY id').all(id)).toEqual([
      { name: '大米', quantity: '1袋' },
      { name: '食用油', quantity: '1桶' },
    ]);
    expect(await drawer.getByTestId('supply-drawer-items').locator('li').allInnerTexts()).toEqual([expect.stringContaining('大米'), expect.stringContaining('食用油')]);

    // 分派 to a cadre on duty in the community.
    await drawer.getByTestId(`supply-assign-${id}`).click();
    const assign = page.locator('.ant-modal').filter({ hasText: '分派给下沉干部' });
    await assign.getByTestId('assign-cadre').click();
    const firstCadre = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) [data-testid^="cadre-option-"]').first();
    await firstCadre.waitFor();
    const cadreId = Number((await firstCadre.getAttribute('data-testid'))!.slice('cadre-option-'.length));
    await firstCadre.click();
    await assign.getByRole('button', { name: /^分\s*派$/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="supply-drawer-status"]')?.textContent === '已分派');
    expect(db.prepare('SELECT status, cadre_id AS cadreId FROM supply_requests WHERE id = ?').get(id)).toEqual({ status: 'assigned', cadreId });
    expect(db.prepare('SELECT community_id FROM cadres WHERE id = ?').pluck().get(cadreId)).toBe(hh.communityId);

    // 开始配送, then 已送达.
    await drawer.getByTestId(`supply-start-${id}`).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="supply-drawer-status"]')?.textContent === '配送中');
    expect(statusOf(id)).toBe('delivering');
    await drawer.getByTestId(`supply-deliver-${id}`).click();
    const deliver = page.locator('.ant-modal').filter({ hasText: '确认已送达' });
    await deliver.waitFor();
    await deliver.getByRole('button', { name: '确认送达' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="supply-drawer-status"]')?.textContent === '已送达');
    expect(statusOf(id)).toBe('delivered');
    expect(db.prepare('SELECT from_status AS f, to_status AS t FROM supply_transitions WHERE request_id = ? ORDER BY id').all(id)).toEqual([
      { f: null, t: 'new' },
      { f: 'new', t: 'assigned' },
      { f: 'assigned', t: 'delivering' },
      { f: 'delivering', t: 'delivered' },
    ]);
    await page.waitForTimeout(300);
    await screenshot(page, 'supplies-delivered-drawer');
    await page.locator('.ant-drawer .ant-drawer-close').click();
    await drawer.waitFor({ state: 'hidden' });

    // Registered and delivered: 物资待处理 is back where it was (and it counted the request while open).
    expect(await dashboardPending(page)).toBe(pending0);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('cancels a request only with a reason; overdue ones stand out; the run sheet renders for printing', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    const pending0 = await dashboardPending(page);

    // Board: overdue cards are marked and red-bordered.
    await page.goto(`${app.url}#/supplies?view=board`);
    await page.getByTestId('supply-board').waitFor();
    await page.locator('[data-testid^="supply-card-"]').first().waitFor();
    const openIds = db
      .prepare(`SELECT id FROM supply_requests WHERE ${OPEN}`)
      .pluck()
      .all() as number[];
    const overdueCards = page.locator('.su-card.su-card-overdue');
    expect(await overdueCards.count()).toBeGreaterThan(0);
    expect(await page.getByTestId('supply-stat-overdue').innerText()).toMatch(/^[1-9]\d*$/);
    const overdueStyle = await overdueCards.first().evaluate((el) => getComputedStyle(el).borderLeftColor);
    const plain = page.locator('.su-card:not(.su-card-overdue)').first();
    expect(overdueStyle).not.toBe(await plain.evaluate((el) => getComputedStyle(el).borderLeftColor));
    expect(await overdueCards.first().innerText()).toContain('已超时');
    for (const cardId of await overdueCards.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('supply-card-'.length))))) expect(openIds).toContain(cardId);
    await page.waitForTimeout(300);
    await screenshot(page, 'supplies-board');

    // Cancel a 待处理 one from its card: refused without a reason, then cancelled with one.
    const card = page.getByTestId('board-new').locator('[data-testid^="supply-card-"]').first();
    const id = Number((await card.getAttribute('data-testid'))!.slice('supply-card-'.length));
    expect(statusOf(id)).toBe('new');
    await card.click();
    const drawer = page.getByTestId('supply-drawer');
    await drawer.getByTestId(`supply-cancel-${id}`).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '取消原因' });
    await dialog.getByRole('button', { name: '确认取消' }).click();
    await dialog.locator('.ant-form-item-explain-error').filter({ hasText: '请填写取消原因' }).waitFor();
    expect(statusOf(id)).toBe('new');
    await dialog.locator('textarea').fill('居民已自行解决');
    await dialog.getByRole('button', { name: '确认取消' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="supply-drawer-status"]')?.textContent === '已取消');
    expect(db.prepare('SELECT status, cancel_reason AS reason FROM supply_requests WHERE id = ?').get(id)).toEqual({ status: 'cancelled', reason: '居民已自行解决' });
    expect(await drawer.innerText()).toContain('居民已自行解决');
    await page.locator('.ant-drawer .ant-drawer-close').click();
    await drawer.waitFor({ state: 'hidden' });
    expect(await dashboardPending(page)).toBe(pending0 - 1);

    // List: overdue rows carry their class and the 已超时 text.
    // Each list is waited for by the query its rows were loaded for (the grid's data-loaded-key): the previous list's
    // rows stay drawn until the new ones arrive, and a bare row selector would match them.
    await page.goto(`${app.url}#/supplies?overdue=1`);
    await page.locator(`[data-testid="supply-grid"][data-loaded-key*='"overdue":true'] .ag-row.su-row-overdue`).first().waitFor();
    expect(await page.locator('.ag-row.su-row-overdue').first().innerText()).toContain('已超时');
    await page.waitForTimeout(300);
    await screenshot(page, 'supplies-list-overdue');
    await page.goto(`${app.url}#/supplies`);
    await page.locator(`[data-testid="supply-grid"][data-loaded-key]:not([data-loaded-key=""]):not([data-loaded-key*='"overdue"']) .ag-row[row-index]`).first().waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'supplies-list');

    // Run sheet: open requests grouped by compound, each group with its rows; printing hides the screen chrome.
    await page.goto(`${app.url}#/supplies?view=sheet`);
    await page.getByTestId('run-sheet').waitFor();
    const groups = page.locator('[data-testid^="run-sheet-group-"]');
    await groups.first().waitFor();
    const compoundsWithOpen = db.prepare(`SELECT COUNT(DISTINCT compound_id) FROM supply_requests WHERE ${OPEN}`).pluck().get() as number;
    expect(await groups.count()).toBe(compoundsWithOpen);
    expect(await groups.first().locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('run-sheet').innerText()).not.toContain('居民已自行解决');
    await page.waitForTimeout(300);
    await screenshot(page, 'supplies-run-sheet');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-sider').isVisible()).toBe(false);
    expect(await page.getByTestId('run-sheet-print').isVisible()).toBe(false);
    expect(await groups.first().isVisible()).toBe(true);
    await screenshot(page, 'supplies-run-sheet-print', { fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});

describe('下沉干部', () => {
  it('adds a cadre assigned to a community and compound; the roster shows them', async () => {
    const place = db
      .prepare("SELECT c.id AS communityId, c.name AS community, p.id AS compoundId, p.name AS compound FROM places p JOIN places c ON c.id = p.parent_id WHERE p.level = 'compound' ORDER BY p.id LIMIT 1")
      .get() as { communityId: number; community: string; compoundId: number; compound: string };
    expect(place).toBeTruthy();
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('stat-supplies-value').waitFor();
    await page.keyboard.press('Alt+5');
    await page.getByTestId('cadre-table').waitFor();
    const rows0 = db.prepare('SELECT COUNT(*) FROM cadres').pluck().get() as number;
    await page.getByTestId('cadre-add').click();
    const form = page.locator('.ant-modal').filter({ hasText: '新增下沉干部' });
    await form.getByTestId('cadre-name').waitFor();
    // Required fields refused in Chinese.
    await clickUntilShown(form.getByRole('button', { name: /^保\s*存$/ }), form.locator('.ant-form-item-explain-error').filter({ hasText: '请填写姓名' }));
    expect(db.prepare('SELECT COUNT(*) FROM cadres').pluck().get()).toBe(rows0);

    await form.getByTestId('cadre-name').fill('赵立新');
    await form.getByTestId('cadre-unit').locator('input').fill('市住建局');
    await form.getByLabel('职务').fill('科员');
    await form.getByLabel('联系电话').fill('13833331234');
    await form.getByTestId('cadre-community').click();
    await pickOption(page, place.community);
    await form.getByLabel('负责小区').click();
    await pickOption(page, place.compound);
    await page.keyboard.press('Escape');
    await screenshot(page, 'cadres-form');
    await form.getByRole('button', { name: /^保\s*存$/ }).click();
    await form.waitFor({ state: 'detached' });

    const c = db.prepare("SELECT id, community_id AS communityId, status, home_unit AS homeUnit FROM cadres WHERE name = '赵立新'").get() as { id: number; communityId: number; status: string; homeUnit: string };
    expect(c).toMatchObject({ communityId: place.communityId, status: 'on_duty', homeUnit: '市住建局' });
    expect(db.prepare('SELECT compound_id FROM cadre_compounds WHERE cadre_id = ?').pluck().all(c.id)).toEqual([place.compoundId]);

    const row = page.getByTestId('cadre-table').locator('tr').filter({ hasText: '赵立新' });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('市住建局');
    expect(text).toContain(place.community);
    expect(text).toContain(place.compound);
    expect(text).toContain('在岗');
    // The phone is masked in the roster.
    expect(text).not.toContain('13833331234');
    await page.waitForTimeout(300);
    await screenshot(page, 'cadres');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
