// 审计日志 shows when the audit hash chain was last checked; an admin checks it now from the page (a clerk sees the
// status, not the button); after someone holding the file drops the triggers and edits a row, the check names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Browser } from 'playwright-core';
import { launchBrowser, login, openPage, readDb, screenshot, startApp, type AppServer } from './helpers.ts';
import { AUDIT_TRIGGERS } from '../../electron/db/audit-chain.ts';

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ residents: 30 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('audit chain on the audit page', () => {
  it('admin checks the chain; a clerk sees the result; a tampered row is named', async () => {
    const admin = await openPage(browser, app.url);
    const page = admin.page;
    await login(page, 'admin');
    await page.getByTestId('nav-audit').click();
    const status = page.getByTestId('audit-chain');
    await status.waitFor();
    expect(await status.getAttribute('data-state')).toBe('never');
    expect(await status.innerText()).toContain('尚未校验');
    await page.getByTestId('audit-chain-check').click();
    await page.locator('[data-testid="audit-chain"][data-state="ok"]').waitFor();
    expect(await status.innerText()).toMatch(/审计链完好（[\d,]+ 条）\s*上次校验 2022-01-20 \d\d:\d\d:\d\d（admin）/);
    const checks = readDb(app.dbFile, (db) => db.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.verify' AND user_name = 'admin'").pluck().get());
    expect(checks).toBe(1);

    const clerk = await openPage(browser, app.url);
    await login(clerk.page, 'clerk');
    await clerk.page.getByTestId('nav-audit').click();
    await clerk.page.locator('[data-testid="audit-chain"][data-state="ok"]').waitFor();
    expect(await clerk.page.getByTestId('audit-chain-check').count()).toBe(0);
    await clerk.context.close();

    // Someone holding the file: triggers dropped, one row's user changed, triggers put back.
    const raw = new SqliteDatabase(app.dbFile);
    raw.pragma('busy_timeout = 5000');
    const target = raw.prepare('SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2').pluck().get() as number;
    for (const name of Object.keys(AUDIT_TRIGGERS)) raw.exec(`DROP TRIGGER ${name}`);
    raw.prepare("UPDATE audit_log SET user_name = 'nobody' WHERE id = ?").run(target);
    for (const text of Object.values(AUDIT_TRIGGERS)) raw.exec(text);
    raw.close();

    await page.getByTestId('audit-chain-check').click();
    await page.locator('[data-testid="audit-chain"][data-state="failed"]').waitFor();
    const text = await status.innerText();
    expect(text).toContain(`第 ${target} 条起记录被改动、删除或调换`);
    expect(text).toContain('从最近一次经过校验的备份恢复');
    await screenshot(page, 'audit-chain-failed');
    expect(admin.errors).toEqual([]);
    await admin.context.close();
  });
});
