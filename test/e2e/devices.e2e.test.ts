// The office server in a real browser: the real `serve` command over TLS on 127.0.0.1 (self-signed certificate, so the
// contexts ignore HTTPS errors) on a seeded copy of the demo. (a) An unpaired browser sees 配对; a wrong code is refused
// in Chinese; a code from `devices pair-code` pairs it and 登录 follows. (b) 设置 › 设备 makes a code that pairs a second
// browser; the admin revokes it; that browser's next call lands on 配对 again. (c) 设置 › 共享 shows the fingerprint
// `serve` printed, grouped, and a QR code. Screenshots (screen-office-*.png, zh and en) go to test-results/screenshots;
// the browser-mode versions of the two tabs are screen-settings-devices/-sharing (screens.e2e.test.ts).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { DEMO_TODAY, PASSWORD, launchBrowser, login, screenshot, seedDatabase } from './helpers.ts';
import { fingerprintLink } from '../../renderer/src/lib/fingerprint.ts';

const CLI = path.join(REPO_ROOT, 'electron', 'cli', 'main.ts');

let dir: string;
let dbFile: string;
let server: ChildProcess | null = null;
let out = '';
let url: string;
let fingerprint: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

function pairCode(): string {
  const line = execFileSync(process.execPath, [CLI, 'devices', 'pair-code', '--db', dbFile, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  const codes = (JSON.parse(line.trim().split('\n').pop()!) as { codes: string[] }).codes;
  expect(codes).toHaveLength(1);
  expect(codes[0]).toMatch(/^\d{8}$/);
  return codes[0];
}

/** A new PC: its own cookies and storage, a desktop-sized window, Chinese unless told. */
async function newPc(lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
  context.setDefaultTimeout(30_000);
  contexts.push(context);
  if (lang === 'en') await context.addInitScript(() => localStorage.setItem('isolation-desk.lang', 'en'));
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

async function pairWith(page: Page, code: string, name: string): Promise<void> {
  await page.getByTestId('pair-code').fill(code);
  await page.getByTestId('pair-name').fill(name);
  await page.getByTestId('pair-submit').click();
}

/** What a clerk would find wrong on the screen: raw i18n keys or placeholders, a page that scrolls sideways. */
async function problems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const text = document.body.innerText;
    const keys = text.match(/\b(?:[a-z]+:)?(?:pair|devices|sharing|tab)\.[a-z][a-zA-Z]+(?:\.[a-zA-Z]+)*\b/g);
    if (keys) found.push(`untranslated keys: ${keys.slice(0, 5).join(', ')}`);
    if (/\{\{|\}\}|undefined|NaN/.test(text)) found.push('placeholder/undefined/NaN on screen');
    if (document.documentElement.scrollWidth > window.innerWidth + 1) found.push('page scrolls sideways');
    return found;
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  // No toast of an earlier step over the picture (antd's last 3 s).
  await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 10_000 });
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
  await screenshot(page, name);
  expect(await problems(page), name).toEqual([]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-devices-'));
  dbFile = path.join(dir, 'desk.db');
  await seedDatabase(dbFile, { residents: 40, today: DEMO_TODAY });
  const child = spawn(process.execPath, [CLI, 'serve', '--db', dbFile, '--port', '0', '--json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const printed = await new Promise<{ url: string; fingerprint: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 120 s:\n${out}`)), 120_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { url: string; fingerprint: string });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  ({ url, fingerprint } = printed);
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('pairing a browser with the office server', () => {
  let admin: Page;

  it('(a) an unpaired browser sees 配对; a wrong code is refused in Chinese; a code from the CLI pairs it and 登录 follows', async () => {
    admin = await newPc();
    await admin.getByTestId('pair-page').waitFor();
    await expect(admin.locator('input#username').count()).resolves.toBe(0);
    await expect(admin.getByTestId('pair-fingerprint-hint').innerText()).resolves.toContain('证书指纹');
    // The code field has the focus and a numeric keyboard.
    await expect(admin.getByTestId('pair-code').evaluate((el) => [document.activeElement === el, el.getAttribute('inputmode')])).resolves.toEqual([true, 'numeric']);
    await shoot(admin, 'screen-office-pairing');

    await pairWith(admin, '00000000', '街道办公室电脑');
    await expect(admin.getByTestId('pair-error').innerText()).resolves.toContain('配对码不正确或已过期');
    // The name of the attempt is remembered for the next one (the page was reloaded).
    await admin.reload();
    await admin.getByTestId('pair-page').waitFor();
    await expect(admin.getByTestId('pair-name').inputValue()).resolves.toBe('街道办公室电脑');

    // Typed with the space it is read out with: the field keeps the digits.
    await admin.getByTestId('pair-code').fill(pairCode().replace(/^(\d{4})/, '$1 '));
    await admin.getByTestId('pair-submit').click();
    await admin.locator('input#username').waitFor();
    await login(admin, 'admin', PASSWORD);
    await admin.getByTestId('header-role').waitFor();
  });

  it('(b) 设置 › 设备 makes a code that pairs a second PC; revoking it sends that PC back to 配对 at its next call', async () => {
    await admin.goto(`${url}#/settings?tab=devices`);
    await admin.getByTestId('settings-devices').waitFor();
    // The admin's own PC is in the list, marked as this computer.
    await admin.locator('.devices-table tr', { hasText: '街道办公室电脑' }).getByText('本机').waitFor();
    await admin.getByTestId('pair-codes-make').click();
    const shown = admin.getByTestId('pair-code-value').first();
    await shown.waitFor();
    const code = (await shown.getAttribute('data-code'))!;
    expect(code).toMatch(/^\d{8}$/);
    await expect(shown.innerText()).resolves.toBe(`${code.slice(0, 4)} ${code.slice(4)}`);
    await expect(admin.getByTestId('pair-codes-expiry').innerText()).resolves.toMatch(/有效至 \d\d:\d\d · 还剩 (10:00|9:\d\d)/);

    const pc2 = await newPc();
    await pc2.getByTestId('pair-page').waitFor();
    await pairWith(pc2, code, '华夏里社区电脑');
    await pc2.locator('input#username').waitFor();
    await login(pc2, 'committee2', PASSWORD);
    await pc2.getByTestId('header-role').waitFor();
    // The same code does not pair a third PC.
    const pc3 = await newPc();
    await pc3.getByTestId('pair-page').waitFor();
    await pairWith(pc3, code, '第三台电脑');
    await expect(pc3.getByTestId('pair-error').innerText()).resolves.toContain('配对码不正确或已过期');

    await admin.reload();
    const row = admin.locator('.devices-table tr.ant-table-row', { hasText: '华夏里社区电脑' });
    await row.waitFor();
    const id = await row.getAttribute('data-row-key');
    await shoot(admin, 'screen-office-devices-codes');
    await admin.getByTestId(`device-revoke-${id}`).click();
    await expect(admin.locator('.ant-popconfirm').innerText()).resolves.toContain('即使用户名和密码正确');
    await admin.getByTestId(`device-revoke-ok-${id}`).click();
    await admin.getByTestId(`device-revoked-${id}`).waitFor();
    await expect(row.getAttribute('class')).resolves.toContain('device-revoked');

    // The second PC goes back to 配对, saying why, even though its session was live and its password right: at once
    // (the server closes its live socket), or at its next call.
    const nav = pc2.getByTestId('nav-residents');
    await Promise.race([pc2.getByTestId('pair-page').waitFor(), nav.click().catch(() => {})]);
    await pc2.getByTestId('pair-page').waitFor();
    await expect(pc2.getByTestId('pair-notice').innerText()).resolves.toContain('尚未与街道服务器配对');
    await expect(pc2.locator('input#username').count()).resolves.toBe(0);
    await admin.getByTestId('pair-codes-make').click(); // fresh codes for the picture, the revoked row greyed below
    await admin.getByTestId('pair-codes').waitFor();
    await shoot(admin, 'screen-office-devices');
  });

  it('(c) 设置 › 共享 shows the fingerprint serve printed, in groups of 4, and a QR code', async () => {
    await admin.goto(`${url}#/settings?tab=sharing`);
    await admin.getByTestId('sharing-running').waitFor();
    const grouped = fingerprint.match(/.{4}/g)!.join(' ');
    // Four groups a line on screen; copied as one line.
    const shownFp = await admin.getByTestId('sharing-fingerprint-text').innerText();
    expect(shownFp.split('\n').map((l) => l.trim())).toEqual(grouped.match(/(?:\S+ ?){1,4}/g)!.map((l) => l.trim()));
    await expect(admin.getByTestId('sharing-url').innerText()).resolves.toBe(url);
    await admin.locator('[data-testid="sharing-qr"] canvas, [data-testid="sharing-qr"] svg').first().waitFor();
    // Not a blank square: the QR canvas has dark modules.
    const dark = await admin.locator('[data-testid="sharing-qr"] canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 100 && d[i + 3] > 0) n++;
      return n / (d.length / 4);
    });
    expect(dark).toBeGreaterThan(0.2);
    // What the QR code holds opens 配对 on a new PC with the fingerprint to compare, grouped as on the admin's screen.
    // The link opened in a tab already showing 配对 (its hash changes, the page is not loaded again): the screen follows.
    const scanned = await newPc();
    await scanned.getByTestId('pair-code').waitFor();
    await scanned.goto(fingerprintLink(url, fingerprint));
    await expect(scanned.getByTestId('pair-fingerprint-given').innerText()).resolves.toBe(grouped);
    // serve without the desktop app: no 启动/停止, a line on how it runs; on loopback only, a warning says so.
    await expect(admin.getByTestId('sharing-start').count()).resolves.toBe(0);
    await expect(admin.getByTestId('sharing-serve-help').innerText()).resolves.toContain('isolation-desk serve --db');
    await admin.getByTestId('sharing-local-only').waitFor();
    // Turning the LAN on shows what it means and is saved with settings.update.
    await admin.getByTestId('sharing-lan').click();
    await expect(admin.getByTestId('sharing-lan-warning').innerText()).resolves.toContain('仍须先用配对码配对');
    await shoot(admin, 'screen-office-sharing');
    await admin.getByTestId('settings-sharing-save').click();
    await admin.getByText('设置已保存').waitFor();
    const saved = await admin.evaluate(async () => (await (await fetch('/api/settings.get', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()) as { data: { serverLan: boolean } });
    expect(saved.data.serverLan).toBe(true);
  });

  it('the same screens in English', async () => {
    const en = await newPc('en');
    await en.getByTestId('pair-page').waitFor();
    await en.getByText('Pair this computer').first().waitFor();
    await pairWith(en, '11111111', 'Office PC');
    await expect(en.getByTestId('pair-error').innerText()).resolves.toContain('The pairing code is wrong or has expired');
    await shoot(en, 'screen-office-pairing-en');
    await pairWith(en, pairCode(), 'Office PC');
    await en.locator('input#username').waitFor();
    await login(en, 'admin', PASSWORD);
    await en.getByTestId('header-role').waitFor();
    await en.goto(`${url}#/settings?tab=devices`);
    await en.getByTestId('pair-codes-make').click();
    await en.getByTestId('pair-codes').waitFor();
    await en.getByTestId('devices-table').getByText('Revoked').first().waitFor();
    await shoot(en, 'screen-office-devices-en');
    await en.goto(`${url}#/settings?tab=sharing`);
    await en.getByTestId('sharing-fingerprint-text').waitFor();
    await en.getByText('Allow LAN access', { exact: true }).first().waitFor();
    await shoot(en, 'screen-office-sharing-en');
  });
});
