// A cadre in the field, end to end on a seed-demo database in browser mode: the admin makes a 下沉干部 account linked
// to a cadre of the roster (用户管理); the clerk puts the cadre on a shift and plans a door visit; the cadre logs in on
// a phone-sized window (390×844), lands on 我的任务 (cards, no wide grid, nothing wider than the screen, residents'
// names masked), records 发现异常 with what to follow up, the database has the visit as the cadre recorded it, and
// the clerk finds it under 待跟进.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TODAY, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(200));
});

afterAll(() => stopDemo({ app, browser, db }));

/** Picks an option of the antd Select whose dropdown is open (the last one opened). */
async function pickOption(page: Page, text: string | RegExp): Promise<void> {
  // The newest dropdown is the last in the page (a closed dialog's may linger).
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).last();
  await option.waitFor();
  await option.click();
}

describe('a cadre in the field (phone width)', () => {
  it('the admin links an account to a cadre; the cadre sees 我的任务 and records a visit', async () => {
    // The demo's roster has shifts already: a cadre free today (no shift, no night running into it) and without an account.
    const cadre = db
      .prepare(
        `SELECT k.id, k.name, k.community_id AS communityId FROM cadres k WHERE k.status = 'on_duty' AND k.community_id IS NOT NULL AND (k.duty_to IS NULL OR k.duty_to >= ?) AND (k.duty_from IS NULL OR k.duty_from <= ?)
           AND NOT EXISTS (SELECT 1 FROM cadre_shifts s WHERE s.cadre_id = k.id AND (s.date = ? OR (s.date = date(?, '-1 day') AND s.end_time <= s.start_time)))
           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.cadre_id = k.id) ORDER BY k.id LIMIT 1`,
      )
      .get(DEMO_TODAY, DEMO_TODAY, DEMO_TODAY, DEMO_TODAY) as { id: number; name: string; communityId: number };
    const household = db
      .prepare('SELECT h.id, h.address FROM households h WHERE h.community_id = ? AND (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) > 0 AND NOT EXISTS (SELECT 1 FROM door_visits v WHERE v.household_id = h.id) ORDER BY h.id LIMIT 1')
      .get(cadre.communityId) as { id: number; address: string };
    const residentName = db.prepare('SELECT name FROM residents WHERE household_id = ? ORDER BY id LIMIT 1').pluck().get(household.id) as string;

    // 用户管理: a 下沉干部 account for this cadre.
    const office = await openPage(browser, app.url);
    await login(office.page, 'admin');
    await office.page.getByTestId('nav-users').click();
    await office.page.getByTestId('user-create').click();
    await office.page.getByTestId('user-username').fill('cadre1');
    await office.page.getByTestId('user-displayname').fill(cadre.name);
    await office.page.getByTestId('user-role').click();
    await pickOption(office.page, '下沉干部');
    await office.page.getByTestId('user-cadre').click();
    await office.page.keyboard.type(cadre.name);
    await pickOption(office.page, cadre.name);
    await office.page.getByTestId('user-password').fill('field2022');
    await office.page.getByTestId('user-confirm').fill('field2022');
    await office.page.getByTestId('user-save').click();
    await office.page.getByTestId('user-row-cadre1').waitFor();
    expect(db.prepare("SELECT role, cadre_id AS cadreId FROM users WHERE username = 'cadre1'").get()).toEqual({ role: 'cadre', cadreId: cadre.id });
    await office.page.getByTestId('logout').click();

    // The clerk's roster and visit plan for the day, on the cadres page's 排班 and 入户走访 tabs.
    await login(office.page, 'clerk');
    await office.page.getByTestId('nav-cadres').click();
    await office.page.getByTestId('cadres-tab-shifts').click();
    await office.page.getByTestId('shift-add').click();
    await office.page.getByTestId('shift-start').fill('14:00');
    await office.page.getByTestId('shift-end').fill('18:00');
    await office.page.getByTestId('shift-place').fill('北门值守点');
    await office.page.getByTestId('shift-cadres').click();
    await office.page.keyboard.type(cadre.name);
    await pickOption(office.page, cadre.name);
    await office.page.locator('.ant-modal-title').click();
    await office.page.getByTestId('shift-save').click();
    await office.page.getByTestId('shifts-table').getByText('北门值守点').waitFor();
    expect(db.prepare("SELECT cadre_id AS c, date, start_time AS a, end_time AS b, post FROM cadre_shifts WHERE place = '北门值守点'").all()).toEqual([{ c: cadre.id, date: DEMO_TODAY, a: '14:00', b: '18:00', post: 'gate' }]);

    await office.page.getByTestId('cadres-tab-visits').click();
    await office.page.getByTestId('visit-plan').click();
    await office.page.getByTestId('visit-plan-cadre').click();
    await office.page.keyboard.type(cadre.name);
    await pickOption(office.page, cadre.name);
    await office.page.getByTestId('visit-plan-households').click();
    await office.page.keyboard.type(household.address);
    await pickOption(office.page, household.address);
    await office.page.locator('.ant-modal-title').click();
    await office.page.getByTestId('visit-plan-save').click();
    await office.page.getByTestId('visits-table').getByText(household.address).waitFor();
    const visitId = db.prepare('SELECT id FROM door_visits WHERE cadre_id = ? AND household_id = ? AND planned_date = ?').pluck().get(cadre.id, household.id, DEMO_TODAY) as number;
    expect(visitId).toBeGreaterThan(0);
    await screenshot(office.page, 'cadres-visits-tab');

    // The cadre on a phone.
    const phone = await openPage(browser, app.url, { width: 390, height: 844 });
    const { page } = phone;
    await login(page, 'cadre1', 'field2022');
    await page.getByTestId('my-tasks').waitFor();
    await page.getByTestId('my-shifts').getByText('北门值守点').waitFor();
    const card = page.getByTestId(`visit-${visitId}`);
    await card.waitFor();
    expect(await card.innerText()).toContain(household.address);
    // Masked: the surname stays, the rest of the name does not.
    const text = await page.getByTestId('my-tasks').innerText();
    expect(text).not.toContain(residentName);
    expect(text).toContain(residentName.slice(0, 1) + '*');
    // Phone width: no navigation sider, no grid, nothing wider than the screen; the result buttons are big.
    expect(await page.locator('.app-sider').count()).toBe(0);
    expect(await page.locator('.ant-table, .ag-root').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await page.getByTestId(`visit-${visitId}-abnormal`).boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, 'cadre-my-tasks-phone', { fullPage: true });

    await page.getByTestId(`visit-${visitId}-abnormal`).click();
    // Without saying what was found: refused, nothing written.
    await page.getByTestId(`visit-${visitId}-save`).click();
    await card.getByText('请写明发现的情况').waitFor();
    expect(db.prepare('SELECT result FROM door_visits WHERE id = ?').pluck().get(visitId)).toBeNull();
    await page.getByTestId(`visit-${visitId}-note`).fill('老人咳嗽两天');
    await page.getByTestId(`visit-${visitId}-followup`).fill('请社区医生上门看看');
    await page.getByTestId(`visit-${visitId}-save`).click();
    await page.getByText('已登记走访结果').first().waitFor();
    expect(db.prepare('SELECT result, note, follow_up_note AS f, recorded_by AS by FROM door_visits WHERE id = ?').get(visitId)).toEqual({
      result: 'abnormal',
      note: '老人咳嗽两天',
      f: '请社区医生上门看看',
      by: 'cadre1',
    });
    await card.getByText('发现异常').first().waitFor();
    await screenshot(page, 'cadre-visit-recorded-phone', { fullPage: true });
    expect(phone.errors).toEqual([]);
    await phone.context.close();

    // The office sees the follow-up to do.
    await office.page.getByTestId('visits-status').getByText('待跟进').click();
    await office.page.getByTestId('visits-table').getByText('请社区医生上门看看').waitFor();
    expect(office.errors).toEqual([]);
    await office.context.close();
  }, 240_000);
});
