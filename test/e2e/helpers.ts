// End-to-end harness: a temp database seeded with demo data, browser mode serving it (child process), and
// Chromium via playwright-core. Screenshots go to test-results/screenshots/<name>.png on every run.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { seedFallback } from './seed-fallback.ts';

export const PASSWORD = 'demo1234';
/** The demo's "today" (the Langfang round of January 2022). */
export const DEMO_TODAY = '2022-01-20';
/** seed-demo writes the data as of 15:00 that day; browser mode's clock starts there too. */
export const DEMO_TIME = '15:00:00+08:00';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CLI = path.join(REPO_ROOT, 'electron', 'cli', 'main.ts');
const WEB = path.join(REPO_ROOT, 'electron', 'web', 'main.ts');

export interface AppServer {
  url: string;
  dbFile: string;
  dir: string;
  output: () => string;
  stop: () => Promise<void>;
}

function runCli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
}

/** Creates and seeds a database: the CLI's seed-demo (it creates the file) when present, else the domain functions directly. */
export async function seedDatabase(dbFile: string, opts: { residents: number; today: string }): Promise<'cli' | 'fallback'> {
  if (fs.existsSync(path.join(REPO_ROOT, 'electron', 'cli', 'commands', 'seed-demo.ts')) && !process.env.E2E_FALLBACK_SEED) {
    runCli(['seed-demo', '--db', dbFile, '--residents', String(opts.residents), '--today', opts.today]);
    return 'cli';
  }
  await seedFallback(dbFile, opts);
  return 'fallback';
}

/**
 * Seeds a temp database and starts `node electron/web/main.ts --port 0` on it; resolves with the printed URL.
 * `empty: true` only runs `init` (no accounts: the first-run screen).
 */
export async function startApp(opts: { residents?: number; today?: string; empty?: boolean } = {}): Promise<AppServer> {
  const today = opts.today ?? DEMO_TODAY;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-e2e-'));
  const dbFile = path.join(dir, 'desk.db');
  if (opts.empty) runCli(['init', '--db', dbFile, '--district', '广阳区', '--subdistrict', '解放道街道']);
  else await seedDatabase(dbFile, { residents: opts.residents ?? 300, today });
  const child: ChildProcess = spawn(process.execPath, [WEB, '--db', dbFile, '--port', '0', '--now', `${today}T${DEMO_TIME}`], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start within 120 s:\n${out}`)), 120_000);
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    dbFile,
    dir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs fn on a fresh read-only handle to the database file (the server writes through its own connection). */
export function readDb<T>(dbFile: string, fn: (db: SqliteDatabase.Database) => T): T {
  const db = new SqliteDatabase(dbFile, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** One suite's world: browser mode on a seeded database, Chromium, and a read-only handle to check the file. */
export interface DemoSuite {
  app: AppServer;
  browser: Browser;
  db: SqliteDatabase.Database;
}

export async function startDemo(residents: number): Promise<DemoSuite> {
  const app = await startApp({ residents });
  const browser = await launchBrowser();
  const db = new SqliteDatabase(app.dbFile, { readonly: true, fileMustExist: true });
  return { app, browser, db };
}

export async function stopDemo(s: Partial<DemoSuite>): Promise<void> {
  s.db?.close();
  await s.browser?.close();
  await s.app?.stop();
}

/** A suite on one screen: browser mode on a seeded database, Chromium, and a page logged in on that screen. */
export interface ScreenSuite {
  app: AppServer;
  browser: Browser;
  opened: OpenedPage;
  page: Page;
}

/** Starts a demo, logs `user` in, clicks the navigation item `nav` and waits for `ready`; cleans up if any step fails. */
export async function startOnScreen(o: { residents: number; user: string; nav: string; ready: string }): Promise<ScreenSuite> {
  const s: Partial<ScreenSuite> = {};
  try {
    s.app = await startApp({ residents: o.residents });
    s.browser = await launchBrowser();
    s.opened = await openPage(s.browser, s.app.url);
    s.page = s.opened.page;
    await login(s.page, o.user);
    await s.page.getByTestId(o.nav).click();
    await s.page.getByTestId(o.ready).waitFor();
    return s as ScreenSuite;
  } catch (e) {
    await stopOnScreen(s);
    throw e;
  }
}

export async function stopOnScreen(s: Partial<ScreenSuite>): Promise<void> {
  await s.opened?.context.close();
  await s.browser?.close();
  await s.app?.stop();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    timeout: 60_000,
  });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far (CSP violations show up here). */
  errors: string[];
}

/** A fresh context (own cookies = own session) with a desktop-sized window, in Chinese, on Shanghai time. */
export async function openPage(browser: Browser, url: string, opts: { width?: number; height?: number } = {}): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(30_000);
  await slowDown(context);
  const page = await context.newPage();
  await throttleCpu(context, page);
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { context, page, errors };
}

/**
 * A slow machine on demand, to make races between the tests and the renderer show (README): with
 * E2E_API_DELAY_MS=n every API call whose channel matches E2E_API_DELAY_MATCH (a regular expression, default `\.list$`)
 * is answered n ms late; with E2E_CPU_THROTTLE=k (e.g. 4) each page's CPU runs k times slower (Chromium's DevTools);
 * with E2E_API_ANSWER_DELAY_MS=n the matching calls are done at once but their answers reach the page n ms late (a
 * write's live notice then comes before its answer); with E2E_KEY_DELAY_MS=n each keyboard.press waits n ms first (a loaded machine where the test runner gets the CPU late).
 */
async function slowDown(context: BrowserContext): Promise<void> {
  const delay = Number(process.env.E2E_API_DELAY_MS ?? 0);
  const answerDelay = Number(process.env.E2E_API_ANSWER_DELAY_MS ?? 0);
  if (answerDelay > 0) {
    // The server has done the call (its live notices are out); its answer reaches the page n ms later.
    const match = new RegExp(process.env.E2E_API_DELAY_MATCH ?? '\\.list$');
    await context.route(
      (u) => u.pathname.startsWith('/api/') && match.test(u.pathname.slice(5)),
      async (route) => {
        const response = await route.fetch();
        await new Promise((r) => setTimeout(r, answerDelay));
        await route.fulfill({ response });
      },
    );
  }
  if (delay > 0) {
    const match = new RegExp(process.env.E2E_API_DELAY_MATCH ?? '\\.list$');
    await context.route(
      (u) => u.pathname.startsWith('/api/') && match.test(u.pathname.slice(5)),
      async (route) => {
        await new Promise((r) => setTimeout(r, delay));
        await route.continue();
      },
    );
  }
}

async function throttleCpu(context: BrowserContext, page: Page): Promise<void> {
  const rate = Number(process.env.E2E_CPU_THROTTLE ?? 0);
  if (rate > 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate });
  // A test runner that gets the CPU late: each key press reaches the page that much after the previous step.
  const keyDelay = Number(process.env.E2E_KEY_DELAY_MS ?? 0);
  if (keyDelay > 0) {
    const press = page.keyboard.press.bind(page.keyboard);
    page.keyboard.press = async (...args) => {
      await new Promise((r) => setTimeout(r, keyDelay));
      return press(...args);
    };
  }
}

/** Fills 登录 and submits (by field id, so it works in either language). */
export async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.locator('input#username').fill(username);
  await page.locator('input#password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * Clicks `button` until `shown` appears (each click waits `each` ms for it), within Playwright's default timeout. For a
 * dialog's first click: on a loaded machine a click that lands while the dialog is still opening was once lost in CI
 * (the validation message it should bring never came; alone and under a CPU load the same test always passed).
 */
export async function clickUntilShown(button: Locator, shown: Locator, each = 3_000): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    await button.click();
    try {
      await shown.waitFor({ timeout: each });
      return;
    } catch (e) {
      if (Date.now() + each > until) throw e;
    }
  }
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
  return file;
}

/** Labels of the left navigation, in order. */
export async function navLabels(page: Page): Promise<string[]> {
  const items = page.locator('.app-sider .ant-menu-item [data-testid^="nav-"] > span:first-child');
  await items.first().waitFor();
  return (await items.allInnerTexts()).map((s) => s.trim());
}

/** Calls the API from inside the page (same cookie, same origin), as the renderer does in browser mode. */
export async function apiInPage<T = unknown>(page: Page, channel: string, input: unknown = {}): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
  return page.evaluate(
    async ([c, i]) => {
      const r = await fetch(`/api/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(i), credentials: 'same-origin' });
      return r.json();
    },
    [channel, input] as const,
  );
}
