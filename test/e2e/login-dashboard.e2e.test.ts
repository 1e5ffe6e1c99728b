// The clerk logs in and sees today's numbers and charts; each role sees only its navigation; a wrong password
// shows the server's Chinese message, and a retry too soon after failures the wait. Screenshots: test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { apiInPage, launchBrowser, login, navLabels, openPage, screenshot, startApp, type AppServer } from './helpers.ts';

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ residents: 300 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** Submits the login form again at once until the server answers THROTTLED (the waits double: a few tries at most). */
async function submitUntilThrottled(page: Page): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await page.locator('[data-testid="login-submit"]:not(.ant-btn-loading)').waitFor();
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/auth.login')), page.getByTestId('login-submit').click()]);
    if (((await res.json()) as { error?: { code?: string } }).error?.code === 'THROTTLED') return;
  }
  throw new Error('never throttled');
}

describe('login and dashboard', () => {
  it('shows the login screen in Chinese, and a wrong password gives the Chinese error', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await page.getByLabel('用户名').waitFor();
    await screenshot(page, 'login');
    await login(page, 'clerk', 'wrong-password-1');
    const alert = page.getByTestId('login-error');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/用户名或密码不正确/);
    await screenshot(page, 'login-wrong-password');
    // An unknown name gets the same words; trying again at once is refused with the wait in seconds.
    await login(page, 'no-such-user', 'wrong-password-1');
    await submitUntilThrottled(page);
    await alert.filter({ hasText: '尝试过于频繁' }).waitFor();
    expect(await alert.innerText()).toMatch(/^尝试过于频繁，请 \d+ 秒后再试。$/);
    await screenshot(page, 'login-throttled');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('logs the clerk in to the dashboard with numbers and charts', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('header-org').waitFor();
    expect(await page.getByTestId('header-org').innerText()).toContain('解放道街道');
    expect(await page.getByTestId('header-role').innerText()).toBe('街道工作人员');
    await page.getByTestId('dashboard-date').waitFor();
    expect(await page.getByTestId('dashboard-date').innerText()).toContain('2022年1月20日');
    const under = Number(await page.getByTestId('stat-underControl-value').innerText());
    expect(under).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('stat-newToday-value').innerText())).toBeGreaterThanOrEqual(0);
    // Three charts draw on canvases.
    for (const id of ['chart-trend', 'chart-completion', 'chart-supplies']) {
      await page.locator(`[data-testid="${id}"] canvas`).first().waitFor();
    }
    await page.waitForTimeout(300);
    await screenshot(page, 'dashboard-clerk');
    await screenshot(page, 'dashboard-clerk-full', { fullPage: true });

    expect(await navLabels(page)).toEqual(['工作台', '隔离人员', '今日监测', '物资需求', '下沉干部', '核酸轮次', '导入', '报表导出', '设置', '审计日志']);

    // A card opens its filtered list; Alt+1 comes back to 工作台.
    await page.getByTestId('stat-due').click();
    await page.waitForURL(/#\/residents\?status=due/);
    await page.keyboard.press('Alt+1');
    await page.waitForURL((u) => u.hash === '#/' || u.hash === '');
    await page.getByTestId('stat-underControl').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('drills down from a community to its compounds and a compound to its buildings; the numbers add up', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('drill-open').first().waitFor();
    const communityRow = page.locator('.ant-table-row', { has: page.getByTestId('drill-open').first() });
    const communityUnder = Number(await communityRow.locator('td').nth(1).innerText());
    await page.getByTestId('drill-open').first().click();
    const drill = page.getByTestId('place-drill');
    await drill.getByTestId('drill-row').first().waitFor();
    const compounds = drill.locator('.ant-table-tbody .ant-table-row');
    const unders = await compounds.evaluateAll((rows) => rows.map((r) => Number((r.querySelectorAll('td')[1] as HTMLElement).innerText)));
    expect(unders.reduce((a, b) => a + b, 0)).toBe(communityUnder);
    const firstCompound = await drill.getByTestId('drill-row').first().innerText();
    const compoundUnder = unders[0];
    await drill.getByTestId('drill-row').first().click();
    await drill.getByTestId('drill-compound').getByText(firstCompound).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="place-drill"] [data-testid="drill-row"]'));
    const buildings = await drill.locator('.ant-table-tbody .ant-table-row').evaluateAll((rows) => rows.map((r) => [(r.querySelectorAll('td')[0] as HTMLElement).innerText, Number((r.querySelectorAll('td')[1] as HTMLElement).innerText)] as const));
    expect(buildings.reduce((a, b) => a + b[1], 0)).toBe(compoundUnder);
    // Buildings in number order (2号楼 before 10号楼).
    const numbers = buildings.map((b) => Number(/\d+/.exec(b[0])?.[0] ?? NaN)).filter((n) => !Number.isNaN(n));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    await screenshot(page, 'dashboard-drill', { fullPage: true });
    await drill.getByTestId('drill-community').click();
    await drill.getByTestId('drill-row').first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the official and a committee member only what their role may use', async () => {
    const official = await openPage(browser, app.url);
    await login(official.page, 'official');
    expect(await navLabels(official.page)).toEqual(['工作台', '隔离人员', '今日监测', '物资需求', '下沉干部', '核酸轮次', '报表导出', '审计日志']);
    expect(await official.page.getByTestId('header-role').innerText()).toBe('领导');
    await official.page.locator('[data-testid="chart-trend"] canvas').first().waitFor();
    await screenshot(official.page, 'dashboard-official');
    // A page outside the role is refused even when typed into the address bar.
    await official.page.goto(`${app.url}#/users`);
    await official.page.getByText('没有权限').waitFor();
    await official.context.close();

    const committee = await openPage(browser, app.url);
    await login(committee.page, 'committee1');
    expect(await navLabels(committee.page)).toEqual(['工作台', '隔离人员', '今日监测', '物资需求', '下沉干部', '核酸轮次', '报表导出']);
    expect(await committee.page.getByTestId('header-role').innerText()).toBe('社区工作人员');
    await committee.page.getByTestId('stat-underControl-value').waitFor();
    await committee.page.locator('[data-testid="chart-completion"] canvas').first().waitFor();
    await screenshot(committee.page, 'dashboard-committee1');
    expect(committee.errors).toEqual([]);
    await committee.context.close();
  });

  it('logs out back to the login screen', async () => {
    const { page, context } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('logout').click();
    await page.getByLabel('用户名').waitFor();
    // The session is gone on the server too: reloading stays on 登录.
    await page.reload();
    await page.getByLabel('用户名').waitFor();
    await context.close();
  });

  it('sends the clerk back to 登录 with the reason when the session ends (password reset by the admin)', async () => {
    const clerk = await openPage(browser, app.url);
    await login(clerk.page, 'clerk');
    await clerk.page.getByTestId('stat-underControl-value').waitFor();

    const admin = await openPage(browser, app.url);
    await login(admin.page, 'admin');
    await admin.page.getByTestId('header-role').waitFor();
    const users = await apiInPage<{ id: number; username: string }[]>(admin.page, 'users.list');
    const clerkId = users.data!.find((u) => u.username === 'clerk')!.id;
    expect((await apiInPage(admin.page, 'users.resetPassword', { id: clerkId, newPassword: 'demo1234' })).ok).toBe(true);
    await admin.context.close();

    // The live feed closes with 4401 when the session ends and sends the clerk to 登录 by itself; failing that, the
    // next call (刷新) does. Either way the reason shows.
    await clerk.page
      .getByRole('button', { name: '刷新' })
      .click({ timeout: 3_000 })
      .catch(() => undefined);
    await clerk.page.getByTestId('login-notice').waitFor();
    expect(await clerk.page.getByTestId('login-notice').innerText()).toContain('登录已失效');
    await screenshot(clerk.page, 'session-ended');
    await clerk.context.close();
  });

  it('switches the interface to English and back', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await login(page, 'clerk');
    await page.getByTestId('stat-underControl-value').waitFor();
    await page.getByTestId('lang-switch').getByText('English').click();
    expect((await navLabels(page))[0]).toBe('Dashboard');
    expect(await page.getByTestId('header-role').innerText()).toBe('Subdistrict clerk');
    await page.locator('[data-testid="chart-trend"] canvas').first().waitFor();
    await screenshot(page, 'dashboard-clerk-en');
    await page.getByTestId('lang-switch').getByText('中文').click();
    expect((await navLabels(page))[0]).toBe('工作台');
    expect(errors).toEqual([]);
    await context.close();
  });
});
