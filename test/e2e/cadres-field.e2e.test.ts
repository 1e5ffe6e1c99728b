// A cadre in the field, end to end on a seed-demo database in browser mode: the admin makes a 下沉干部 account linked
// to a cadre of the roster (用户管理); the clerk puts the cadre on a shift and plans a door visit; the cadre logs in on
// a phone-sized window (390×844), lands on 我的任务 (cards, no wide grid, nothing wider than the screen, residents'
// names masked), records 发现异常 with what to follow up, and the database has the visit as the cadre recorded it.
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
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: text }).first();
  await option.waitFor();
  await option.click();
}

/** Calls the API as the page's session (the clerk's setup steps that are not under test here). */
async function apiCall<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const r = await page.evaluate(
    async ([c, i]) => {
      const res = await fetch(`/api/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() }, body: JSON.stringify(i) });
      return res.json();
    },
    [channel, input] as const,
  );
  const answer = r as { ok: boolean; data: T; error?: { message: string } };
  if (!answer.ok) throw new Error(`${channel}: ${answer.error?.message}`);
  return answer.data;
}

describe('a cadre in the field (phone width)', () => {
  it('the admin links an account to a cadre; the cadre sees 我的任务 and records a visit', async () => {
    const cadre = db
      .prepare("SELECT k.id, k.name, k.community_id AS communityId FROM cadres k WHERE k.status = 'on_duty' AND k.community_id IS NOT NULL AND (k.duty_to IS NULL OR k.duty_to >= ?) AND (k.duty_from IS NULL OR k.duty_from <= ?) ORDER BY k.id LIMIT 1")
      .get(DEMO_TODAY, DEMO_TODAY) as { id: number; name: string; communityId: number };
    const household = db
      .prepare('SELECT h.id, h.address FROM households h WHERE h.community_id = ? AND (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) > 0 ORDER BY h.id LIMIT 1')
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

    // The clerk's roster and visit plan for the day.
    await login(office.page, 'clerk');
    await office.page.getByTestId('header-role').waitFor();
    await apiCall(office.page, 'shifts.create', { cadreIds: [cadre.id], date: DEMO_TODAY, startTime: '14:00', endTime: '18:00', post: 'gate', place: '北门值守点' });
    const planned = await apiCall<{ ids: number[] }>(office.page, 'visits.plan', { cadreId: cadre.id, householdIds: [household.id], date: DEMO_TODAY });
    const visitId = planned.ids[0];
    await office.context.close();

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
  }, 240_000);
});
