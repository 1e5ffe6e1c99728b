// Masking on every screen, end to end: the clerk (who sees masked data unless they reveal one value) opens each
// screen — 工作台, 隔离人员 and the person drawer (every tab), 今日监测, 告警, 物资需求 (list, board, run sheet),
// 下沉干部, 审计日志 and an entry's detail — and exports every report (downloaded and read back with exceljs) and the
// audit log; the page text and the files' cells are searched for the 8 hidden birth-date digits of every ID number
// in the file (and every birth date, and every full phone). Then the audited reveals: 显示 beside the masked ID
// number shows the number and the birth date together; a cadre's phone in the roster; each writes an audit row.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { apiInPage, login, openPage, readDb, screenshot, startApp, launchBrowser, type AppServer, type OpenedPage } from './helpers.ts';
import { everything, readBack } from '../unit/export-fixture.ts';

let app: AppServer;
let browser: Browser;
let clerk: OpenedPage;
let page: Page;

const OLD_ID = makeIdNumber('131002', '1979-06-23', 517);
const NEW_ID = makeIdNumber('131002', '1979-07-24', 517);
let person: number;
/** What must not be seen: the string → what it gives away. */
const secrets = new Map<string, string>();

const q = <T>(sql: string, ...args: unknown[]): T => readDb(app.dbFile, (db) => db.prepare(sql).pluck().get(...args) as T);
const all = <T>(sql: string, ...args: unknown[]): T[] => readDb(app.dbFile, (db) => db.prepare(sql).pluck().all(...args) as T[]);

function leaks(where: string, text: string): string[] {
  const out: string[] = [];
  for (const [s, label] of secrets) if (text.includes(s)) out.push(`${where}: ${label} (${s})`);
  return out;
}

/** Everything a person could read off the page: the text, tooltips' titles and form values. */
async function pageText(p: Page): Promise<string> {
  return p.evaluate(() => {
    const parts = [document.body.innerText];
    for (const el of document.querySelectorAll('[title], [aria-label]')) parts.push(el.getAttribute('title') ?? '', el.getAttribute('aria-label') ?? '');
    for (const el of document.querySelectorAll('input, textarea')) parts.push((el as HTMLInputElement).value);
    return parts.join('\n');
  });
}

const found: string[] = [];
async function check(where: string): Promise<void> {
  await page.waitForTimeout(300);
  found.push(...leaks(where, await pageText(page)));
}

async function go(hash: string, ready: string): Promise<void> {
  await page.goto(`${app.url}#${hash}`);
  await page.locator(ready).first().waitFor();
}

/** Cell values as exceljs reads them (dates also as 19850312) plus the package's raw XML. */
async function fileText(file: string): Promise<string> {
  const rb = await readBack(file);
  const dates = rb.rows.flat().filter((v): v is Date => v instanceof Date).map((d) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(0, 10).replace(/-/g, '')}`);
  return everything(rb) + dates.join('\n');
}

beforeAll(async () => {
  app = await startApp({ residents: 200 });
  browser = await launchBrowser();
  clerk = await openPage(browser, app.url);
  page = clerk.page;
  await login(page, 'clerk');
  await page.getByTestId('header-role').waitFor();
  // One person registered and corrected through the app: the audit log keeps both numbers and birth dates as typed.
  const community = q<number>("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1");
  const created = await apiInPage<{ id: number }>(page, 'residents.create', {
    name: '周测试',
    docType: '居民身份证',
    docNumber: OLD_ID,
    phone: '13811112222',
    category: '密接',
    address: { communityId: community, compound: '金桥小区', building: '1', unit: '1', room: '101' },
    startEpisode: '2022-01-15',
  });
  expect(created.ok, JSON.stringify(created.error)).toBe(true);
  person = created.data!.id;
  const fixed = await apiInPage(page, 'residents.update', { id: person, version: q<number>('SELECT version FROM residents WHERE id = ?', person), docNumber: NEW_ID });
  expect(fixed.ok, JSON.stringify(fixed.error)).toBe(true);

  for (const d of [...all<string>("SELECT doc_number FROM residents WHERE doc_type = '居民身份证'"), OLD_ID]) secrets.set(d.slice(6, 14), `hidden digits of ${d.slice(0, 6)}…${d.slice(-4)}`);
  for (const b of [...all<string>('SELECT birth_date FROM residents WHERE birth_date IS NOT NULL'), '1979-06-23']) {
    secrets.set(b.replace(/-/g, ''), `birth date ${b}`);
    // Newborns' dates fall among the data's own event dates: those are searched as digits only.
    if (b < '2021-12-01') secrets.set(b, `birth date ${b}`);
  }
  for (const p of [...all<string>('SELECT phone FROM residents WHERE phone IS NOT NULL UNION SELECT phone FROM cadres WHERE phone IS NOT NULL'), '13811112222']) {
    if (p.length >= 11) secrets.set(p, `full phone ${p.slice(0, 3)}…`);
  }
  expect(secrets.size).toBeGreaterThan(400);
}, 240_000);

afterAll(async () => {
  await clerk?.context.close();
  await browser?.close();
  await app?.stop();
});

describe('a masked user sees no hidden digit anywhere', () => {
  it('on every screen: 工作台, 隔离人员 + drawer (every tab), 今日监测, 告警, 物资需求, 下沉干部, 审计日志', async () => {
    await go('/', '[data-testid="stat-underControl-value"]');
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-underControl-value"]')?.textContent ?? ''));
    await check('工作台');

    await go('/residents?status=all', '[data-testid="residents-grid"] .ag-row[row-index] [col-id="name"]');
    await check('隔离人员');
    // Ready when the grid's rows are those of the search (data-loaded-key): the unsearched list's rows stay drawn until then.
    await go(`/residents?status=all&q=${encodeURIComponent('周测试')}`, `[data-testid="residents-grid"][data-loaded-key*='"search":"周测试"'] .ag-row[row-index] [col-id="name"]`);
    await check('隔离人员 (search)');

    // The drawer of the corrected person and of a seeded person with a household and supply requests: every tab.
    const seeded = q<number>(
      `SELECT r.id FROM residents r WHERE r.status = 'isolating' AND r.doc_type = '居民身份证'
         AND EXISTS (SELECT 1 FROM supply_requests s WHERE s.household_id = r.household_id)
         AND (SELECT COUNT(*) FROM residents x WHERE x.household_id = r.household_id) > 1 ORDER BY r.id LIMIT 1`,
    );
    for (const id of [person, seeded]) {
      await go(`/residents?status=all&open=${id}`, '[data-testid="drawer-episodes"]');
      await check(`drawer ${id}`);
      const tabs = page.locator('[data-testid="resident-drawer"] .ant-tabs-tab');
      for (let i = 1; i < (await tabs.count()); i++) {
        await tabs.nth(i).click();
        await check(`drawer ${id} tab ${i}`);
      }
      if (id === person) await screenshot(page, 'masking-drawer-history');
    }
    await page.goto(`${app.url}#/residents?status=all&open=${person}`);
    await page.getByTestId('drawer-person').waitFor();
    await screenshot(page, 'masking-drawer-masked');
    // The edit form of the person (values it shows as placeholders and hints).
    await page.getByTestId('drawer-actions').getByRole('button').first().click();
    await page.getByTestId('field-docNumber').waitFor();
    await check('edit form');
    await page.keyboard.press('Escape');

    await go('/checkins?slot=am', '[data-testid="ci-table"] tr.ci-row');
    await check('今日监测 上午');
    await go('/checkins?slot=pm', '[data-testid="ci-table"] tr.ci-row');
    await check('今日监测 下午');
    await go('/alerts?status=open', '[data-testid="alerts-page"] .ag-row[row-index]');
    await check('告警');
    await go('/supplies', '.su-grid .ag-row[row-index]');
    await check('物资需求 list');
    await go('/supplies?view=board', '[data-testid^="supply-card-"]');
    await check('物资需求 board');
    await go('/supplies?view=sheet', '[data-testid^="run-sheet-group-"]');
    await check('物资需求 run sheet');
    await go('/cadres', '[data-testid="cadre-table"] tbody tr.ant-table-row');
    await check('下沉干部');

    await go('/audit', '.audit-page .ag-row[row-index]');
    await check('审计日志');
    // The unfiltered list's rows stay drawn until the person's arrive: wait for the grid loaded for this filter, or the
    // double-clicks below land on rows that are about to be replaced.
    await go(`/audit?resident=${person}`, `[data-testid="audit-grid"][data-loaded-key*='"residentId":${person}'] .ag-row[row-index]`);
    await check('审计日志 (person)');
    // Each entry's detail drawer (the registration keeps the values as typed, the correction both before and after).
    const entries = q<number>('SELECT COUNT(*) FROM audit_log WHERE resident_id = ?', person);
    expect(entries).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < entries; i++) {
      await page.locator(`.audit-page .ag-row[row-index="${i}"]`).first().dblclick();
      await page.getByTestId('audit-detail').waitFor();
      await check(`审计日志 detail ${i}`);
      if ((await page.getByTestId('audit-detail').innerText()).includes('resident.update')) await screenshot(page, 'masking-audit-detail');
      await page.keyboard.press('Escape');
      await page.getByTestId('audit-detail').waitFor({ state: 'detached' });
    }
    expect(found.splice(0)).toEqual([]);
  }, 240_000);

  it('in every report exported from 报表导出 (masked by default) and in the audit-log export', async () => {
    await go('/reports', '[data-testid="report-form"]');
    for (const report of ['daily-report', 'roster', 'checkins', 'supplies', 'cadres']) {
      await page.getByTestId(`report-${report}`).click();
      expect(await page.getByTestId('report-masked').getAttribute('aria-checked')).toBe('true');
      const before = (await page.getByTestId('report-done').count()) ? await page.getByTestId('report-done').innerText() : '';
      await page.getByTestId('report-export').click();
      await expect.poll(async () => ((await page.getByTestId('report-done').count()) ? await page.getByTestId('report-done').innerText() : ''), { timeout: 60_000 }).not.toBe(before);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-download').click()]);
      const file = path.join(app.dir, `${report}.xlsx`);
      await download.saveAs(file);
      expect(fs.statSync(file).size).toBeGreaterThan(1000);
      found.push(...leaks(`报表 ${report}`, await fileText(file)));
    }
    // The audit log's export as the server wrote it (a clerk may not download the file in browser mode).
    const exported = await apiInPage<{ file: string; rows: number }>(page, 'audit.export', {});
    expect(exported.ok).toBe(true);
    expect(exported.data!.rows).toBeGreaterThan(3);
    found.push(...leaks('操作日志导出', await fileText(exported.data!.file)));
    expect(found.splice(0)).toEqual([]);
  }, 240_000);
});

describe('the audited reveals', () => {
  const audits = (action: string) => q<number>('SELECT COUNT(*) FROM audit_log WHERE action = ?', action);

  it('显示 beside the masked ID number shows the number and the birth date together, and is audited', async () => {
    await page.goto(`${app.url}#/residents?status=all&open=${person}`);
    await page.getByTestId('drawer-person').waitFor();
    expect(await page.getByTestId('doc-masked').innerText()).toBe(`131002********${NEW_ID.slice(-4)}`);
    expect(await page.getByTestId('birth-masked').innerText()).toBe('1979-**-**');
    const before = audits('resident.reveal_document');
    await page.getByTestId('doc-reveal').click();
    await page.getByTestId('doc-full').waitFor();
    expect(await page.getByTestId('doc-full').innerText()).toBe(NEW_ID);
    expect(await page.getByTestId('birth-full').innerText()).toBe('1979-07-24');
    expect(await page.getByTestId('doc-reveal').count()).toBe(0);
    expect(audits('resident.reveal_document')).toBe(before + 1);
    expect(q<string>("SELECT user_name FROM audit_log WHERE action = 'resident.reveal_document' AND resident_id = ? ORDER BY id DESC LIMIT 1", person)).toBe('clerk');
    await screenshot(page, 'masking-drawer-revealed');
  });

  it("a cadre's phone in 下沉干部 is masked until 显示, which is audited", async () => {
    await go('/cadres', '[data-testid="cadre-table"] tbody tr.ant-table-row');
    const cadre = q<number>("SELECT id FROM cadres WHERE phone IS NOT NULL AND status = 'on_duty' ORDER BY id LIMIT 1");
    const phone = q<string>('SELECT phone FROM cadres WHERE id = ?', cadre);
    expect(await page.getByTestId(`cadre-phone-${cadre}-masked`).innerText()).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
    const before = audits('cadre.reveal_phone');
    await page.getByTestId(`cadre-phone-${cadre}-reveal`).click();
    await page.getByTestId(`cadre-phone-${cadre}-full`).waitFor();
    expect(await page.getByTestId(`cadre-phone-${cadre}-full`).innerText()).toBe(phone);
    expect(audits('cadre.reveal_phone')).toBe(before + 1);
    await screenshot(page, 'masking-cadres-revealed');
  });

  it('editing a passport holder without touching the masked birth date keeps it (the masked value is never sent back)', async () => {
    const community = q<number>("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1");
    const r = await apiInPage<{ id: number }>(page, 'residents.create', {
      name: 'SMITH JOHN',
      docType: '护照',
      docNumber: 'E12345678',
      birthDate: '1966-04-09',
      sex: 'M',
      category: '入境',
      address: { communityId: community, compound: '金桥小区', building: '1', unit: '1', room: '102' },
    });
    expect(r.ok).toBe(true);
    await page.goto(`${app.url}#/residents?status=all&open=${r.data!.id}`);
    await page.getByTestId('drawer-person').waitFor();
    expect(await page.getByTestId('birth-masked').innerText()).toBe('1966-**-**');
    await page.getByTestId('drawer-actions').getByRole('button').first().click();
    await page.getByTestId('field-name').waitFor();
    await page.locator('textarea#notes, #resident-form textarea').first().fill('改了备注');
    await page.getByTestId('resident-form-submit').click();
    await expect.poll(() => q<string | null>('SELECT notes FROM residents WHERE id = ?', r.data!.id), { timeout: 15_000 }).toBe('改了备注');
    expect(q<string>('SELECT birth_date FROM residents WHERE id = ?', r.data!.id)).toBe('1966-04-09');
  });

  it('the official (领导) has no 显示 and the server refuses the reveal', async () => {
    const o = await openPage(browser, app.url);
    try {
      await login(o.page, 'official');
      await o.page.getByTestId('header-role').waitFor();
      await o.page.goto(`${app.url}#/residents?status=all&open=${person}`);
      await o.page.getByTestId('drawer-person').waitFor();
      expect(await o.page.getByTestId('doc-masked').innerText()).toContain('********');
      expect(await o.page.getByTestId('doc-reveal').count()).toBe(0);
      const r = await apiInPage(o.page, 'residents.reveal', { id: person, field: 'docNumber' });
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      await o.context.close();
    }
  });
});
