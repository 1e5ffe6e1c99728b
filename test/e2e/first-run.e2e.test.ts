// First run: a database with no account shows 创建管理员账号; the password rules come back in Chinese; creating the
// admin logs in to the app shell with every page in the navigation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, navLabels, openPage, screenshot, startApp, type AppServer } from './helpers.ts';

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ empty: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('first run', () => {
  it('creates the administrator account and logs in', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await page.getByText('创建管理员账号').first().waitFor();
    expect(await page.getByTestId('auth-org').innerText()).toContain('解放道街道');
    await page.locator('input#username').fill('admin');
    await page.locator('input#displayName').fill('系统管理员甲');
    await page.locator('input#password').fill('short');
    await page.locator('input#confirm').fill('short');
    await page.getByRole('button', { name: '创建并登录' }).click();
    await page.getByTestId('setup-error').waitFor();
    expect(await page.getByTestId('setup-error').innerText()).toContain('密码至少 8 位');
    await screenshot(page, 'first-run');

    await page.locator('input#password').fill('admin2022x');
    await page.locator('input#confirm').fill('admin2022x');
    await page.getByRole('button', { name: '创建并登录' }).click();
    await page.getByTestId('header-role').waitFor();
    expect(await page.getByTestId('header-role').innerText()).toBe('系统管理员');
    expect(await navLabels(page)).toEqual(['工作台', '隔离人员', '今日监测', '物资需求', '下沉干部', '核酸轮次', '导入', '报表导出', '设置', '用户', '审计日志']);
    // An empty office: the numbers are zero, not missing (read once the day's numbers have arrived: '—' while loading).
    await page.getByTestId('dashboard-date').waitFor();
    expect(await page.getByTestId('stat-underControl-value').innerText()).toBe('0');
    // No coloured slices for zero requests, and the empty charts say what to do next.
    expect(await page.getByTestId('chart-supplies').count()).toBe(0);
    expect(await page.getByTestId('chart-supplies-empty').innerText()).toContain('物资需求');
    expect(await page.getByTestId('chart-completion-empty').innerText()).toContain('添加社区');
    await screenshot(page, 'first-run-dashboard');

    // The setup screen is gone for good: a reload shows 登录 again only after logging out.
    await page.getByTestId('logout').click();
    await page.locator('input#username').waitFor();
    expect(await page.getByText('创建管理员账号').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
