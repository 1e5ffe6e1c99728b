// The English interface is English throughout (issue 12 part 4): every main screen is walked in English and fails on
// any visible Chinese that is not data. Data is what the database holds as free text — names, places, addresses,
// supply items, notes, user and cadre names, values recorded in the audit log — read from the file and taken out of
// the page's text; what is left must hold no CJK character (stored codes such as 发热 or 蔬菜, alert reasons, 第N天,
// labels and punctuation all must come out in English). The audit viewer shows names and reasons in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { login, openPage, screenshot, startDemo, stopDemo, type DemoSuite, type OpenedPage } from './helpers.ts';

let s: DemoSuite;
beforeAll(async () => {
  s = await startDemo(300);
});
afterAll(() => stopDemo(s));

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** Every free-text value the database holds (the data a screen may show as it is), longest first. */
function dataWords(): string[] {
  const q = (sql: string) => (s.db.prepare(sql).raw().all() as unknown[][]).flat().filter((v): v is string => typeof v === 'string' && CJK.test(v));
  const words = new Set<string>([
    ...q('SELECT name FROM residents'),
    ...q('SELECT notes FROM residents'),
    ...q('SELECT name FROM places'),
    ...q('SELECT address FROM households'),
    ...q('SELECT name, home_unit, title, notes FROM cadres'),
    ...q('SELECT display_name FROM users'),
    ...q('SELECT name, quantity FROM supply_items'),
    ...q('SELECT requested_by, notes, cancel_reason, created_by FROM supply_requests'),
    ...q('SELECT action_note, closed_by FROM alerts'),
    ...q('SELECT symptom_other, recorded_by, notes FROM checkins'),
    ...q('SELECT end_reason, override_reason FROM episodes'),
    // The field work's typed text (issue 14): a need's note, a schedule's items, groups, shifts, visits, rounds.
    ...q('SELECT note FROM resident_needs'),
    ...q('SELECT items, notes FROM need_schedules'),
    ...q('SELECT name, home_unit, notes FROM cadre_groups'),
    ...q('SELECT place, notes FROM cadre_shifts'),
    ...q('SELECT note, follow_up_note FROM door_visits'),
    ...q('SELECT name FROM test_rounds'),
    ...q('SELECT note FROM round_exemptions'),
  ]);
  // Values the audit log recorded (a renamed office's old placeholder name, a file name…).
  const leaves = (v: unknown): void => {
    if (typeof v === 'string' && CJK.test(v)) words.add(v);
    else if (Array.isArray(v)) v.forEach(leaves);
    else if (v && typeof v === 'object') Object.values(v).forEach(leaves);
  };
  for (const d of q('SELECT details FROM audit_log WHERE details IS NOT NULL')) leaves(JSON.parse(d));
  return [...words].sort((a, b) => b.length - a.length);
}

let words: string[] = [];

/** Visible text on the page that is Chinese and not data; the canvas charts are checked through their options elsewhere. */
async function chineseOnScreen(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      out.push(n.textContent.trim());
    }
    // Attributes a person reads: placeholders and tooltips.
    for (const el of document.querySelectorAll<HTMLElement>('[placeholder], [title], [aria-label]')) {
      for (const a of ['placeholder', 'title', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  });
  const left: string[] = [];
  for (const t of texts) {
    if (!CJK.test(t)) continue;
    let rest = t;
    for (const d of words) if (rest.includes(d)) rest = rest.split(d).join(' ');
    // The language switch names each language in itself; the core's summary of a request joins its items with '，';
    // an address field's example shows how addresses are written (3号楼2单元).
    rest = rest.replace(/中文/g, '').replace(/，/g, '').replace(/\d+号楼(\d+单元)?\d*/g, '');
    if (CJK.test(rest)) left.push(t);
  }
  return [...new Set(left)];
}

async function english(user: string): Promise<OpenedPage> {
  const o = await openPage(s.browser, s.app.url);
  await o.page.evaluate(() => localStorage.setItem('isolation-desk.lang', 'en'));
  await o.page.reload();
  await o.page.locator('input#username').waitFor();
  await login(o.page, user);
  await o.page.getByTestId('header-role').waitFor();
  return o;
}

const found: string[] = [];
async function check(o: OpenedPage, hash: string, ready: string, name: string): Promise<void> {
  if (hash) await o.page.goto(`${s.app.url}#${hash}`);
  await o.page.locator(ready).first().waitFor();
  await o.page.waitForTimeout(300);
  await screenshot(o.page, `en-${name}`);
  for (const t of await chineseOnScreen(o.page)) found.push(`${name}: ${t}`);
}

describe('the English interface', () => {
  it('the clerk’s screens show no Chinese but data', async () => {
    words = dataWords();
    const o = await english('clerk');
    await check(o, '', '[data-testid="stat-underControl-value"]', 'dashboard');
    await check(o, '/residents', '[data-testid="residents-grid"] .ag-row[row-index] [col-id="name"]', 'residents');
    const person = s.db
      .prepare(
        `SELECT r.id FROM residents r WHERE r.status = 'isolating' AND r.category != '其他'
           AND EXISTS (SELECT 1 FROM alerts a WHERE a.resident_id = r.id)
           AND EXISTS (SELECT 1 FROM checkins c WHERE c.resident_id = r.id AND c.symptoms != '[]')
           AND EXISTS (SELECT 1 FROM supply_requests q WHERE q.household_id = r.household_id) ORDER BY r.id LIMIT 1`,
      )
      .pluck()
      .get() as number;
    expect(person).toBeTruthy();
    await check(o, `/residents?status=all&open=${person}`, '[data-testid="drawer-person"]', 'residents-drawer');
    for (const tab of await o.page.locator('.ant-drawer .ant-tabs-tab').all()) {
      await tab.click();
      await o.page.waitForTimeout(300);
      for (const t of await chineseOnScreen(o.page)) found.push(`residents-drawer tab: ${t}`);
    }
    await check(o, '/checkins?slot=am', '[data-testid="ci-table"] tr.ci-row', 'checkins');
    expect(await o.page.locator('.ci-alert-reason').first().innerText()).toMatch(/^(Morning|Evening) check-in abnormal: |test positive/);
    await check(o, '/alerts?status=all', '[data-testid="alerts-page"] .ag-row[row-index]', 'alerts');
    await check(o, '/supplies', '.su-grid .ag-row[row-index]', 'supplies-list');
    await check(o, '/supplies?view=board', '[data-testid^="supply-card-"]', 'supplies-board');
    await check(o, '/supplies?view=sheet', '[data-testid^="run-sheet-group-"]', 'supplies-sheet');
    await check(o, '/cadres', '[data-testid="cadre-table"] tbody tr.ant-table-row', 'cadres');
    await check(o, '/cadres?tab=groups', '[data-testid="groups-table"] tbody tr.ant-table-row', 'cadres-groups');
    await check(o, '/cadres?tab=shifts', '[data-testid="shifts-table"] tbody tr.ant-table-row', 'cadres-shifts');
    await check(o, '/cadres?tab=visits', '[data-testid="visits-table"] tbody tr.ant-table-row', 'cadres-visits');
    await check(o, '/rounds', '[data-testid="round-coverage"] tbody tr.ant-table-row', 'rounds');
    await check(o, '/import', '.import-page .import-steps', 'import');
    await check(o, '/reports', '[data-testid="report-form"]', 'reports');
    await o.context.close();
    expect(found.splice(0)).toEqual([]);
  }, 240_000);

  it('English words are not cut: the check-in chips, the filters, the status tags', async () => {
    const o = await english('clerk');
    /** Texts drawn wider than their box: cut by their cell (a chip) or ellipsised (a placeholder, a tag). */
    const cut = (page: Page) =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.ci-chip, .ag-cell .ant-tag, .ant-select-selection-placeholder, .ant-select-selection-item')]
          .filter((el) => el.getBoundingClientRect().width > 0)
          .filter((el) => {
            if (el.scrollWidth > el.clientWidth + 1) return true;
            const cell = el.closest('td, .ag-cell') as HTMLElement | null;
            return cell ? el.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1 : false;
          })
          .map((el) => el.textContent),
      );
    for (const [hash, ready] of [
      ['/checkins?slot=pm', '[data-testid="ci-table"] tr.ci-row .ci-chip'],
      ['/residents', '[data-testid="residents-grid"] .ag-row[row-index] [col-id="name"]'],
      ['/supplies', '.su-grid .ag-row[row-index]'],
    ]) {
      await o.page.goto(`${s.app.url}#${hash}`);
      await o.page.locator(ready).first().waitFor();
      await o.page.waitForTimeout(300);
      expect(await cut(o.page), hash).toEqual([]);
    }
    await o.context.close();
  });

  it('the admin’s screens, and the audit log names people and accounts and gives reasons in words', async () => {
    // Two failed logins for the log: a wrong password and a user name that does not exist.
    const failed = await openPage(s.browser, s.app.url);
    const failures = () => s.db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'`).pluck().get() as number;
    const before = failures();
    await login(failed.page, 'clerk', 'wrong-password-1');
    await expect.poll(failures).toBe(before + 1);
    await login(failed.page, 'nobody', 'wrong-password-1');
    await expect.poll(failures).toBe(before + 2);
    await failed.context.close();

    words = dataWords();
    const o = await english('admin');
    await check(o, '/settings', '.settings-page .ant-tabs-tab', 'settings');
    const tabs = o.page.locator('.settings-page .ant-tabs-tab');
    for (let i = 0; i < (await tabs.count()); i++) {
      await tabs.nth(i).click();
      await o.page.waitForTimeout(500);
      for (const t of await chineseOnScreen(o.page)) found.push(`settings tab ${i}: ${t}`);
    }
    await check(o, '/users', '[data-testid="users-table"] tbody tr.ant-table-row', 'users');
    await check(o, '/audit', '.audit-page .ag-row[row-index]', 'audit');
    expect(found.splice(0)).toEqual([]);

    const rowText = async (action: string) => {
      await o.page.goto(`${s.app.url}#/audit?action=${encodeURIComponent(action)}`);
      const row = o.page.locator(`[data-testid="audit-grid"][data-loaded-key*='${action}'] .ag-row[row-index="0"]`).first();
      await row.waitFor();
      return { row, text: (await row.innerText()).replace(/\s+/g, ' ') };
    };
    const wrong = await rowText('auth.login_failed');
    expect(wrong.text).toContain('no such user name');
    await o.page.locator('[data-testid="audit-grid"] .ag-row[row-index="1"]').first().waitFor();
    const second = (await o.page.locator('[data-testid="audit-grid"] .ag-row[row-index="1"]').first().innerText()).replace(/\s+/g, ' ');
    expect(second).toContain('wrong password');
    expect(second).toContain('街道王科员 (clerk)');
    expect(second).not.toMatch(/bad_password|unknown_user|#\d/);

    const seed = await rowText('demo.seed');
    expect(seed.text).toContain('Generate demo data');
    expect(seed.text).toContain('People: 300');
    expect(seed.text).not.toMatch(/\bseed: |residents: /);

    // A person viewed by the clerk above: the log names them (not 人员 #id / Person #id).
    const viewed = await rowText('resident.view');
    const name = s.db.prepare(`SELECT r.name FROM audit_log a JOIN residents r ON r.id = a.resident_id WHERE a.action = 'resident.view' ORDER BY a.id DESC LIMIT 1`).pluck().get() as string;
    expect(viewed.text).toContain(name);
    expect(viewed.text).not.toMatch(/Person #\d/);
    await viewed.row.dblclick();
    await o.page.getByTestId('audit-detail').waitFor();
    const detail = await o.page.getByTestId('audit-detail').innerText();
    expect(detail).toContain(name);
    expect(detail).toContain('View person');
    await o.page.waitForTimeout(400);
    await screenshot(o.page, 'en-audit-detail');
    await o.context.close();
  }, 180_000);
});
