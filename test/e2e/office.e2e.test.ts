// Two PCs on the office server (issue 13), end to end: the real `serve` command over TLS on 127.0.0.1, two browser
// contexts (own cookies = two PCs) paired with codes from `devices pair-code`, a committee member and the clerk.
// (a) the committee member records check-ins and the clerk's 工作台 and 今日监测 follow without a reload (live feed);
// (b) both edit one person, the committee member saves first, the clerk's save shows the conflict dialog with the
// committee member's name, and 重新应用我的修改 saves the clerk's value on the current version (and 编辑下沉干部 too);
// (c) a check-in whose reply is lost is sent again with the same Idempotency-Key and applied once;
// (d) the server stops (SIGTERM): the offline banner shows, a save keeps what was typed and says why; the server comes
// back on the same port and the banner goes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { dateIn } from '../../electron/shared/time.ts';
import { apiInPage, launchBrowser, login, readDb, screenshot, seedDatabase } from './helpers.ts';

const CLI = path.join(REPO_ROOT, 'electron', 'cli', 'main.ts');
const WAIT = 8_000; // "within a second" on a loaded 2-core test machine: a few seconds of slack

interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `serve --db F --port P --json`; resolves with the URL of its JSON line. */
async function serve(dbFile: string, port: number): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', dbFile, '--port', String(port), '--json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 120 s:\n${out}`)), 120_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"url"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  return { url, child, output: () => out };
}

async function stop(s: Served | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
}

let dir = '';
let dbFile = '';
let port = 0;
let server: Served | undefined;
let browser: Browser | undefined;
const pcs: { context: BrowserContext; page: Page; errors: string[] }[] = [];
let committeeName = '';
let committeeCommunity = 0;

/** A new PC: its own context (cookies), paired with a code, its window logged in as `user`. */
async function pc(code: string, name: string, user: string) {
  const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(30_000);
  const paired = await context.request.post(`${server!.url}api/devices.pair`, { data: { code, name } });
  expect(await paired.json()).toMatchObject({ ok: true, data: { name } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(server!.url);
  await login(page, user);
  await page.getByTestId('header-user').waitFor();
  const one = { context, page, errors };
  pcs.push(one);
  return one;
}

const num = async (page: Page, testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/[^\d]/g, ''));
const waitNum = (page: Page, testId: string, n: number) =>
  page.waitForFunction(([id, v]) => (document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '').replace(/[^\d]/g, '') === String(v), [testId, n] as const, { timeout: WAIT });

/** Waits until the 今日监测 list has stopped changing (a cached list shown at once, then its fresh answer). */
async function listSettled(page: Page): Promise<void> {
  const shape = () => page.locator('[data-testid="ci-table"] tr[data-testid^="ci-row-"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-testid')}:${r.getAttribute('data-recorded')}`).join());
  let last = '';
  for (let i = 0; i < 20; i++) {
    const now = await shape();
    if (now && now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** On 今日监测, the first person not yet recorded gets 36.5 from the keyboard; returns their resident id. */
async function recordFirst(page: Page): Promise<number> {
  await page.locator('[data-testid="ci-table"] tr[data-recorded="0"]').first().waitFor();
  await listSettled(page);
  const ids = await page.locator('[data-testid="ci-table"] tr[data-testid^="ci-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
  // Each person once: rows left behind by a refetch (duplicate group keys) showed one person twice.
  expect(new Set(ids).size).toBe(ids.length);
  const row = page.locator('[data-testid="ci-table"] tr[data-recorded="0"]').first();
  const id = Number((await row.getAttribute('data-testid'))!.slice('ci-row-'.length));
  await page.getByTestId(`ci-temp-${id}`).click();
  await page.keyboard.type('365');
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="ci-row-${id}"][data-recorded="1"]`).waitFor({ timeout: 15_000 });
  return id;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-office-'));
  dbFile = path.join(dir, 'desk.db');
  // serve runs on the real clock: the demo's "today" is today in the office's zone.
  await seedDatabase(dbFile, { residents: 200, today: dateIn(new Date(), 'Asia/Shanghai') });
  ({ committeeName, committeeCommunity } = readDb(dbFile, (db) => {
    const u = db.prepare("SELECT display_name AS n, community_id AS c FROM users WHERE username = 'committee1'").get() as { n: string; c: number };
    return { committeeName: u.n, committeeCommunity: u.c };
  }));
  port = await freePort();
  server = await serve(dbFile, port);
  expect(server.url).toBe(`https://127.0.0.1:${port}/`);
  const codes = (JSON.parse(execFileSync(process.execPath, [CLI, 'devices', 'pair-code', '--db', dbFile, '--count', '2', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 })) as { codes: string[] }).codes;
  expect(codes).toHaveLength(2);
  browser = await launchBrowser();
  await pc(codes[0], '西大街社区办公室', 'committee1');
  await pc(codes[1], '街道办公室', 'clerk');
});

afterAll(async () => {
  for (const p of pcs) await p.context.close().catch(() => undefined);
  await browser?.close();
  await stop(server);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the office server with two PCs', () => {
  it('a. a committee member records check-ins; the clerk’s 工作台 and 今日监测 follow without a reload', async () => {
    const [committee, clerk] = pcs;
    // The clerk watches 工作台: the current slot's 未报 count.
    await clerk.page.getByTestId('nav-dashboard').click();
    await clerk.page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="stat-missing-value"]')?.textContent ?? ''));
    const missing0 = await num(clerk.page, 'stat-missing-value');
    // A mark on the window: still there at the end means the page was never reloaded.
    await clerk.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));

    await committee.page.getByTestId('nav-checkins').click();
    await committee.page.getByTestId('ci-counter').waitFor();
    await recordFirst(committee.page);
    await waitNum(clerk.page, 'stat-missing-value', missing0 - 1);

    // The clerk opens 今日监测 on the same slot; the committee member records another person.
    await clerk.page.getByTestId('nav-checkins').click();
    await clerk.page.getByTestId('ci-counter').waitFor();
    await clerk.page.locator('[data-testid="ci-table"] tr').first().waitFor();
    const done0 = await num(clerk.page, 'ci-done');
    const id = await recordFirst(committee.page);
    await waitNum(clerk.page, 'ci-done', done0 + 1);
    // The row itself shows recorded when it is on the clerk's page.
    if (await clerk.page.getByTestId(`ci-row-${id}`).count()) await clerk.page.locator(`[data-testid="ci-row-${id}"][data-recorded="1"]`).waitFor({ timeout: WAIT });
    expect(await clerk.page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    expect(clerk.errors).toEqual([]);
  });

  it('b. a stale edit shows the conflict dialog with who and when; 重新应用我的修改 saves on the current version', async () => {
    const [committee, clerk] = pcs;
    const p = readDb(dbFile, (db) => db.prepare('SELECT id, name, version FROM residents WHERE community_id = ? ORDER BY id LIMIT 1').get(committeeCommunity) as { id: number; name: string; version: number });
    for (const { page } of [committee, clerk]) {
      await page.goto(`${server!.url}#/residents?status=all&open=${p.id}`);
      await page.getByTestId('drawer-title').filter({ hasText: p.name }).waitFor();
      await page.getByTestId('drawer-actions').getByRole('button', { name: '编辑' }).click();
      await page.locator('#resident-form textarea').waitFor();
    }
    await committee.page.locator('#resident-form textarea').fill('社区：已联系家属');
    await clerk.page.locator('#resident-form textarea').fill('街道：需复核住址');
    await committee.page.getByTestId('resident-form-submit').click();
    await committee.page.locator('#resident-form').waitFor({ state: 'detached' });

    await clerk.page.getByTestId('resident-form-submit').click();
    const dialog = clerk.page.getByTestId('conflict-dialog');
    await dialog.waitFor({ timeout: WAIT });
    const headline = await clerk.page.getByTestId('conflict-headline').innerText();
    expect(headline).toMatch(new RegExp(`^已被 ${committeeName} 于 \\d{2}:\\d{2} 修改$`));
    const rows = await clerk.page.getByTestId('conflict-rows').locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('备注');
    expect(rows[0]).toContain('街道：需复核住址');
    expect(rows[0]).toContain('社区：已联系家属');
    // The clerk's text is still in the form behind the dialog.
    expect(await clerk.page.locator('#resident-form textarea').inputValue()).toBe('街道：需复核住址');
    await screenshot(clerk.page, 'office-conflict-dialog');

    await clerk.page.getByTestId('conflict-reapply').click();
    await clerk.page.locator('#resident-form').waitFor({ state: 'detached' });
    const after = readDb(dbFile, (db) => db.prepare('SELECT notes, version FROM residents WHERE id = ?').get(p.id) as { notes: string; version: number });
    expect(after).toEqual({ notes: '街道：需复核住址', version: p.version + 2 });
    const updates = readDb(dbFile, (db) => db.prepare("SELECT user_name AS u FROM audit_log WHERE action = 'resident.update' AND entity_id = ? ORDER BY id").all(p.id) as { u: string }[]);
    expect(updates.map((r) => r.u)).toEqual(['committee1', 'clerk']);
    // The committee member's open drawer follows the clerk's save (live feed) — its 备注 shows the clerk's text.
    await committee.page.getByTestId('drawer-title').waitFor();
    await committee.page.waitForFunction(() => document.querySelector('[data-testid="drawer-title"]')?.closest('.ant-drawer')?.textContent?.includes('街道：需复核住址') ?? false, undefined, { timeout: WAIT });
  });

  it('b2. 编辑下沉干部 goes through the same dialog: the roster changed meanwhile, the clerk’s notes are reapplied', async () => {
    const [, clerk] = pcs;
    const page = clerk.page;
    const c = readDb(dbFile, (db) => db.prepare('SELECT id, version FROM cadres ORDER BY id LIMIT 1').get() as { id: number; version: number });
    await page.goto(`${server!.url}#/cadres`);
    await page.getByTestId(`cadre-edit-${c.id}`).click();
    const form = page.getByRole('dialog').filter({ has: page.locator('textarea') });
    const notes = form.locator('textarea');
    await notes.fill('街道：周末值班');
    // Meanwhile the record changes elsewhere (here through the API, as another window would).
    expect((await apiInPage(page, 'cadres.update', { id: c.id, version: c.version, notes: '另一窗口：已调岗' })).ok).toBe(true);
    await form.getByRole('button', { name: '保存' }).click();
    await page.getByTestId('conflict-dialog').waitFor({ timeout: WAIT });
    const rows = await page.getByTestId('conflict-rows').locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('街道：周末值班');
    expect(rows[0]).toContain('另一窗口：已调岗');
    await page.getByTestId('conflict-reapply').click();
    await notes.waitFor({ state: 'detached' });
    expect(readDb(dbFile, (db) => db.prepare('SELECT notes, version FROM cadres WHERE id = ?').get(c.id))).toEqual({ notes: '街道：周末值班', version: c.version + 2 });
  });

  it('c. a check-in whose reply is lost is sent again with the same Idempotency-Key and applied once', async () => {
    const [committee] = pcs;
    const page = committee.page;
    await page.goto(`${server!.url}#/checkins`);
    await page.getByTestId('ci-counter').waitFor();
    const keys: string[] = [];
    let dropped = false;
    await page.route('**/api/checkins.record', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (dropped) return route.continue();
      dropped = true;
      await route.fetch(); // the server applies it…
      await route.abort('connectionreset'); // …and the reply is lost on the way back
    });
    const total = () => readDb(dbFile, (db) => db.prepare('SELECT COUNT(*) FROM checkins').pluck().get() as number);
    const before = total();
    const id = await recordFirst(page);
    await page.unroute('**/api/checkins.record');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{8,100}$/);
    expect(keys[1]).toBe(keys[0]);
    // One new row in all (the person may already have the other slot's check-in from the demo data).
    expect(total() - before).toBe(1);
    expect(id).toBeGreaterThan(0);
    expect(await page.locator('.ant-message-error').count()).toBe(0);
  });

  it('d. the server stops: a banner, a save that keeps what was typed; the server returns on the same port: the banner goes', async () => {
    const [, clerk] = pcs;
    const page = clerk.page;
    const p = readDb(dbFile, (db) => db.prepare('SELECT id, name FROM residents WHERE community_id != ? ORDER BY id LIMIT 1').get(committeeCommunity) as { id: number; name: string });
    await page.goto(`${server!.url}#/residents?status=all&open=${p.id}`);
    await page.getByTestId('drawer-title').filter({ hasText: p.name }).waitFor();
    await page.getByTestId('drawer-actions').getByRole('button', { name: '编辑' }).click();
    await page.locator('#resident-form textarea').fill('断网时输入的内容');
    expect(await page.getByTestId('offline-banner').count()).toBe(0);

    await stop(server);
    await page.getByTestId('offline-banner').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('offline-banner').innerText()).toContain('与街道服务器的连接已断开，正在重试');
    await page.getByTestId('resident-form-submit').click();
    await page.getByTestId('resident-form-error').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('resident-form-error').innerText()).toContain('连接已断开');
    expect(await page.locator('#resident-form textarea').inputValue()).toBe('断网时输入的内容');
    await screenshot(page, 'office-offline-banner');

    server = await serve(dbFile, port);
    // Polled every 3 s, backing off to 10 s: back within one or two polls.
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 30_000 });
    // Gone because the server answered: the app is still there, or (sessions live in the server's memory) the server
    // said the session ended and 登录 shows why.
    await page.locator('[data-testid="header-user"], input#username').first().waitFor();
    expect(readDb(dbFile, (db) => db.prepare('SELECT notes FROM residents WHERE id = ?').pluck().get(p.id))).not.toBe('断网时输入的内容');
  });
});
