// Errors in the English interface are English: the server sends a message key and its parameters, the window puts
// them into the interface language — no Chinese, and none of zod's own words ("Too big: expected string…").
// Screenshots: test-results/screenshots/errors-en-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, login, openPage, screenshot, startApp, type AppServer } from './helpers.ts';

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ residents: 50 });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const CJK = /[\u3400-\u9fff]/;

async function toEnglish(page: Page) {
  await page.getByTestId('lang-switch').getByText('English', { exact: true }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}

/** The error text antd shows under a form field (its explain line). */
async function fieldError(page: Page, id: string): Promise<string> {
  const explain = page.locator('.ant-form-item').filter({ has: page.locator(`input#${id}`) }).locator('.ant-form-item-explain-error');
  await explain.first().waitFor();
  return (await explain.allInnerTexts()).join(' ');
}

/** Submits the login form again at once until the server answers THROTTLED (the waits double: a few tries at most). */
async function submitUntilThrottled(page: Page): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await page.locator('[data-testid="login-submit"]:not(.ant-btn-loading)').waitFor();
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/api/auth.login')), page.getByTestId('login-submit').click()]);
    if (((await res.json()) as { error?: { code?: string } }).error?.code === 'THROTTLED') return;
  }
  throw new Error('never throttled');
}

describe('errors in the English interface', () => {
  it('a 201-character password gives an English error on the screen and under the password field', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await page.locator('input#username').waitFor();
    await toEnglish(page);
    await login(page, 'clerk', 'a1'.repeat(100) + 'b');
    const alert = page.getByTestId('login-error');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('Invalid input: password: At most 200 characters');
    expect(text).not.toMatch(CJK);
    expect(text).not.toMatch(/Too big|expected string/);
    expect(await fieldError(page, 'password')).toBe('At most 200 characters');
    await screenshot(page, 'errors-en-login-long-password');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a wrong login and a too-early retry read in English', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await page.locator('input#username').waitFor();
    await toEnglish(page);
    await login(page, 'no-such-user', 'wrong-password-1');
    const alert = page.getByTestId('login-error');
    await alert.filter({ hasText: 'Wrong user name or password.' }).waitFor();
    await submitUntilThrottled(page);
    await alert.filter({ hasText: 'Too many attempts' }).waitFor();
    const text = await alert.innerText();
    expect(text).toMatch(/^Too many attempts\. Try again in \d+ s\.$/);
    expect(text).not.toMatch(CJK);
    await screenshot(page, 'errors-en-login-throttled');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a wrong current password in the change-password form is English, under its field', async () => {
    const { page, context, errors } = await openPage(browser, app.url);
    await page.locator('input#username').waitFor();
    await toEnglish(page);
    await login(page, 'clerk');
    await page.getByTestId('change-password').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('input#oldPassword').fill('not-my-password1');
    await dialog.locator('input#newPassword').fill('newpass123');
    await dialog.locator('input#confirm').fill('newpass123');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByTestId('password-error');
    await alert.waitFor();
    expect(await alert.innerText()).toBe('The current password is wrong');
    expect(await fieldError(page, 'oldPassword')).toBe('The current password is wrong');
    await screenshot(page, 'errors-en-change-password');
    expect(errors).toEqual([]);
    await context.close();
  });
});
