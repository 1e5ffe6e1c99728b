// 设置 → 数据清理 end to end (admin, browser mode): the app's exports older than the retention period are listed in the
// purge preview (count and names) and deleted by the run; a fresh export and the user's own files in the same folder
// stay. Browser mode's export folder is exports/ beside the database; its clock starts on 2022-01-20.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { screenshot, startOnScreen, stopOnScreen, type AppServer, type OpenedPage } from './helpers.ts';

let app: AppServer;
let browser: Browser;
let opened: OpenedPage;
let page: Page;
let exportsDir: string;

const OLD = ['隔离人员台账_解放道街道_2021-11-30.xlsx', '操作日志-20211201-090000.xlsx', '每日工作日报_解放道街道西大街社区_2021-12-02.xlsx'];
// 2022-01-19 (1 day before the server's today) and the user's own files, old or not.
const KEPT = ['物资需求清单_解放道街道_2022-01-19.xlsx', '我的统计表.xlsx', '会议记录.docx'];
const mtime: Record<string, string> = {
  '隔离人员台账_解放道街道_2021-11-30.xlsx': '2021-11-30T10:00:00+08:00',
  '操作日志-20211201-090000.xlsx': '2021-12-01T09:00:00+08:00',
  '每日工作日报_解放道街道西大街社区_2021-12-02.xlsx': '2021-12-02T18:00:00+08:00',
  '物资需求清单_解放道街道_2022-01-19.xlsx': '2022-01-19T18:00:00+08:00',
  '我的统计表.xlsx': '2021-10-01T09:00:00+08:00',
  '会议记录.docx': '2021-10-01T09:00:00+08:00',
};

beforeAll(async () => {
  ({ app, browser, opened, page } = await startOnScreen({ residents: 200, user: 'admin', nav: 'nav-settings', ready: 'nav-settings' }));
  exportsDir = path.join(app.dir, 'exports');
  fs.mkdirSync(exportsDir, { recursive: true });
  for (const name of [...OLD, ...KEPT]) {
    const file = path.join(exportsDir, name);
    fs.writeFileSync(file, 'x');
    const at = new Date(mtime[name]);
    fs.utimesSync(file, at, at);
  }
});

afterAll(() => stopOnScreen({ app, browser, opened }));

describe('数据清理 (admin)', () => {
  it('lists the old exports with their names and deletes exactly those', async () => {
    await page.goto(`${app.url}#/settings?tab=purge`);
    const list = page.getByTestId('purge-old-exports');
    await list.waitFor({ timeout: 20_000 });
    expect(await list.innerText()).toContain(`${OLD.length} 个超过 30 天的导出文件`);
    const names = await page.getByTestId('purge-old-export').allInnerTexts();
    expect([...names].sort()).toEqual([...OLD].sort());
    await screenshot(page, 'settings-purge-old-exports', { fullPage: true });

    await page.getByTestId('purge-start').click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '确认清理个人信息' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`${OLD.length} 个超过 30 天的导出文件也将被删除`);
    await dialog.locator('.ant-checkbox-input').check();
    await dialog.locator('.ant-btn-dangerous').click();
    await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
    const done = page.getByTestId('purge-exports-deleted');
    await done.waitFor({ timeout: 60_000 });
    expect(await done.innerText()).toContain(`已删除 ${OLD.length} 个过期的导出文件`);
    await screenshot(page, 'settings-purge-exports-done', { fullPage: true });

    for (const name of OLD) expect(fs.existsSync(path.join(exportsDir, name)), name).toBe(false);
    for (const name of KEPT) expect(fs.existsSync(path.join(exportsDir, name)), name).toBe(true);
  });
});
