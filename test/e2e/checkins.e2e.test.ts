// 今日监测 end to end, on a seed-demo database in browser mode: the clerk records the morning slot for three people
// from the keyboard only (digits, single keys, Enter moves on); the one at 38.1 °C turns red at once and opens an
// alert; the dashboard's 异常告警 goes up by exactly one, the slot's 已报 counter by three; the alert is closed with a
// note in the alerts panel and 异常告警 goes back. Checked against the database file as well as the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser, Page } from 'playwright-core';
import { DEMO_TODAY, login, openPage, screenshot, type AppServer, startDemo, stopDemo } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let db: SqliteDatabase.Database;

beforeAll(async () => {
  ({ app, browser, db } = await startDemo(300));
});

afterAll(() => stopDemo({ app, browser, db }));

const num = async (page: Page, testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/[^\d]/g, ''));

async function dashboardAlerts(page: Page, expected?: number): Promise<number> {
  await page.keyboard.press('Alt+1');
  await page.getByTestId('stat-alerts-value').waitFor();
  // The card shows '—' until the numbers arrive; after a write elsewhere it shows the cached numbers while the stale
  // answer is fetched again (the write marked it stale), so wait for the expected value when there is one.
  await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-alerts-value"]')?.textContent ?? ''));
  if (expected !== undefined) {
    await page.waitForFunction((n) => document.querySelector('[data-testid="stat-alerts-value"]')?.textContent === String(n), expected, { timeout: 10_000 }).catch(() => undefined);
  }
  return num(page, 'stat-alerts-value');
}

/** The id of the focused element's row (ci-temp-<id>), or null. */
const focusedRow = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid')?.match(/^ci-temp-(\d+)$/)?.[1] ?? null);

const openAlerts = (residentId: number) =>
  db.prepare("SELECT id, reason, checkin_id AS checkinId FROM alerts WHERE resident_id = ? AND status = 'open' AND date = ?").all(residentId, DEMO_TODAY) as { id: number; reason: string; checkinId: number }[];

describe('今日监测', () => {
  it('2. records the morning slot for three people by keyboard; 38.1 °C turns red, opens one alert, which is closed with a note', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    const alertsBefore = await dashboardAlerts(page);
    expect(alertsBefore).toBe(db.prepare("SELECT COUNT(*) FROM alerts WHERE status = 'open'").pluck().get());

    // 今日监测 from the keyboard (Alt+3); at 15:00 it opens on 下午, the clerk switches to 上午.
    await page.keyboard.press('Alt+3');
    await page.getByTestId('ci-counter').waitFor();
    await page.getByTestId('ci-slot').getByText('上午').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="ci-counter"] .ci-counter-slot')?.textContent === '上午');
    await page.locator('[data-testid="ci-table"] tr[data-recorded="0"]').first().waitFor();
    const done0 = await num(page, 'ci-done');
    const due0 = await num(page, 'ci-due');
    expect(due0).toBeGreaterThan(done0 + 2);
    expect(done0).toBe(db.prepare("SELECT COUNT(*) FROM checkins WHERE date = ? AND slot = 'am'").pluck().get(DEMO_TODAY));

    // The first three people not yet recorded, in screen order; focus is already in the first one's box.
    const ids = (await page.locator('[data-testid="ci-table"] tr[data-recorded="0"]').evaluateAll((rows) => rows.slice(0, 3).map((r) => Number(r.getAttribute('data-testid')!.slice('ci-row-'.length))))) as number[];
    expect(ids).toHaveLength(3);
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${id}`, ids[0]);
    for (const id of ids) expect(db.prepare("SELECT COUNT(*) FROM checkins WHERE resident_id = ? AND date = ? AND slot = 'am'").pluck().get(id, DEMO_TODAY)).toBe(0);
    const [a, b, c] = ids;
    await screenshot(page, 'checkins-before');

    // Every call the page makes from here: a save must refresh its row and the slot's counts, nothing heavier.
    const asked: string[] = [];
    page.on('request', (r) => {
      const m = new URL(r.url()).pathname.match(/^\/api\/(.+)$/);
      if (m) asked.push(decodeURIComponent(m[1]));
    });

    // Person 1: "365" → 36.5, Enter saves and moves on.
    await page.keyboard.type('365');
    expect(await page.getByTestId(`ci-temp-${a}`).inputValue()).toBe('36.5');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${id}`, b);
    await page.locator(`[data-testid="ci-row-${a}"][data-recorded="1"]`).waitFor();
    expect(await page.locator(`[data-testid="ci-row-${a}"]`).getAttribute('data-abnormal')).toBe('0');

    // Person 2: 38.1 and F (发热) — the row warns while typing, turns red once saved.
    await page.keyboard.type('381');
    await page.keyboard.press('f');
    expect(await page.getByTestId(`ci-temp-${b}`).inputValue()).toBe('38.1');
    expect(await page.locator(`[data-testid="ci-row-${b}"]`).getAttribute('class')).toContain('ci-row-warn');
    await page.keyboard.press('Enter');
    const red = page.locator(`[data-testid="ci-row-${b}"].ci-row-abnormal[data-abnormal="1"]`);
    await red.waitFor();
    expect(await red.getByTestId('ci-temp-value').innerText()).toBe('38.1');
    expect(await red.getByTestId('ci-abnormal').innerText()).toContain('异常');
    expect(await red.evaluate((el) => getComputedStyle(el.querySelector('td')!).backgroundColor)).not.toBe(await page.locator(`[data-testid="ci-row-${a}"] td`).first().evaluate((el) => getComputedStyle(el).backgroundColor));
    expect(await focusedRow(page)).toBe(String(c));

    // Person 3: 36.6, N (核酸阴性), Enter.
    await page.keyboard.type('366');
    await page.keyboard.press('n');
    expect(await page.getByTestId(`ci-test-${c}`).innerText()).toContain('阴性');
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="ci-row-${c}"][data-recorded="1"]`).waitFor();

    // The counter moved by exactly three.
    await page.waitForFunction((n) => document.querySelector('[data-testid="ci-done"]')?.textContent === String(n), done0 + 3);
    expect(await num(page, 'ci-due')).toBe(due0);
    // …through the light counts channel: no dashboard.get (a second per save at 100,000 people), no reload of the list
    // (each row was updated from its save's answer); the open alerts once, for the save that opened one.
    expect(asked.filter((c) => c === 'checkins.record')).toHaveLength(3);
    expect(asked.filter((c) => c === 'checkins.counts').length).toBeGreaterThanOrEqual(1);
    expect(asked).not.toContain('dashboard.get');
    expect(asked).not.toContain('checkins.due');
    expect(asked.filter((c) => c === 'alerts.list').length).toBeGreaterThanOrEqual(1);

    // What the database holds.
    const row = (id: number) =>
      db.prepare("SELECT temperature, symptoms, test_type AS testType, test_result AS testResult, abnormal, recorded_by AS recordedBy FROM checkins WHERE resident_id = ? AND date = ? AND slot = 'am'").get(id, DEMO_TODAY) as {
        temperature: number; symptoms: string; testType: string | null; testResult: string | null; abnormal: number; recordedBy: string;
      };
    expect(row(a)).toMatchObject({ temperature: 36.5, symptoms: '[]', abnormal: 0, testResult: null });
    expect(row(b)).toMatchObject({ temperature: 38.1, abnormal: 1 });
    expect(JSON.parse(row(b).symptoms)).toEqual(['发热']);
    expect(row(c)).toMatchObject({ temperature: 36.6, abnormal: 0, testType: '核酸', testResult: '阴性' });
    expect(db.prepare("SELECT result FROM tests WHERE resident_id = ? AND sample_date = ? AND test_type = '核酸'").pluck().all(c, DEMO_TODAY)).toContain('阴性');
    expect(openAlerts(a)).toHaveLength(0);
    expect(openAlerts(c)).toHaveLength(0);
    const alerts = openAlerts(b);
    expect(alerts).toHaveLength(1);
    const alertId = alerts[0].id;
    expect(alerts[0].reason).toContain('38.1');

    // The alert opened in the panel beside the table, marked 新.
    const item = page.getByTestId(`alert-${alertId}`);
    await item.waitFor();
    expect(await item.innerText()).toContain('新');
    expect(await item.innerText()).toContain('38.1');
    await page.waitForTimeout(300);
    await screenshot(page, 'checkins-after-fever');

    // 工作台: 异常告警 up by exactly one.
    expect(await dashboardAlerts(page, alertsBefore + 1)).toBe(alertsBefore + 1);

    // Back in 今日监测 (上午 again), the three rows stay recorded after a reload and the red row stays red.
    await page.goto(`${app.url}#/checkins?slot=am`);
    await page.locator(`[data-testid="ci-row-${b}"][data-abnormal="1"]`).waitFor();
    expect(await num(page, 'ci-done')).toBe(done0 + 3);

    // Close the alert from the panel: without an action the dialog refuses (Chinese, next to the field); then 送医 + note.
    await page.getByTestId(`alert-handle-${alertId}`).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '处理告警' });
    await dialog.getByTestId('close-alert-note').waitFor();
    await dialog.getByRole('button', { name: '确认处理' }).click();
    await dialog.locator('.ant-form-item-explain-error').first().waitFor();
    expect(await dialog.locator('.ant-form-item-explain-error').first().innerText()).toMatch(/[\u4e00-\u9fa5]/);
    expect(openAlerts(b)).toHaveLength(1);
    await dialog.getByTestId('close-alert-action').getByText('送医').click();
    await dialog.getByTestId('close-alert-note').fill('已联系120送市人民医院发热门诊');
    await screenshot(page, 'checkins-close-alert');
    await dialog.getByRole('button', { name: '确认处理' }).click();
    await item.waitFor({ state: 'detached' });
    const closed = db.prepare('SELECT status, action, action_note AS note, closed_by AS closedBy FROM alerts WHERE id = ?').get(alertId);
    expect(closed).toEqual({ status: 'closed', action: '送医', note: '已联系120送市人民医院发热门诊', closedBy: '街道王科员' });

    // 工作台: back to where it was.
    expect(await dashboardAlerts(page, alertsBefore)).toBe(alertsBefore);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('refuses an impossible temperature, and a reading below 35 ℃ (re-measure), next to the field and saves nothing', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('stat-alerts-value').waitFor();
    await page.goto(`${app.url}#/checkins?slot=am`);
    const first = page.locator('[data-testid="ci-table"] tr[data-recorded="0"]').first();
    await first.waitFor();
    const id = Number((await first.getAttribute('data-testid'))!.slice('ci-row-'.length));
    await page.waitForFunction((i) => document.activeElement?.getAttribute('data-testid') === `ci-temp-${i}`, id);
    const before = db.prepare('SELECT COUNT(*) FROM checkins').pluck().get();
    await page.keyboard.type('451');
    await page.keyboard.press('Enter');
    const err = first.locator('.ci-field-error');
    await err.waitFor();
    expect(await err.innerText()).toContain('不在 34–43℃ 之间');
    expect(await focusedRow(page)).toBe(String(id));
    expect(db.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(before);
    // Esc clears the row.
    await page.keyboard.press('Escape');
    expect(await page.getByTestId(`ci-temp-${id}`).inputValue()).toBe('');
    // An implausibly low reading is not saved as a normal day: the clerk is asked for a re-measurement.
    await page.keyboard.type('340');
    await page.keyboard.press('Enter');
    await page.waitForFunction((i) => document.querySelector(`[data-testid="ci-row-${i}"] .ci-field-error`)?.textContent?.includes('复测'), id);
    expect(await focusedRow(page)).toBe(String(id));
    expect(db.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(before);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId(`ci-temp-${id}`).inputValue()).toBe('');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
