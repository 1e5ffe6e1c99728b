// The import wizard gives its uploaded list back (browser mode, clerk): the file the upload put in the temp folder
// (isolation-desk-imports) is deleted when the clerk chooses another file (重新选择文件), leaves the wizard for another
// page, or logs out. (Deletion after a written or cancelled import is the server's: test/unit/import-uploads.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../electron/server/build.ts';
import { login, startOnScreen, stopOnScreen, type AppServer, type OpenedPage } from './helpers.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'sample-upstream-list.xlsx');

let app: AppServer;
let browser: Browser;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  ({ app, browser, opened, page } = await startOnScreen({ residents: 100, user: 'clerk', nav: 'nav-import', ready: 'import-file-step' }));
});

afterAll(() => stopOnScreen({ app, browser, opened }));

/** Chooses the list in the wizard and waits for its preview; returns where the server keeps the upload. */
async function uploadList(): Promise<string> {
  await page.getByTestId('import-file-step').waitFor();
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/import.upload')),
    page.getByTestId('import-file-step').locator('input[type=file]').setInputFiles(FIXTURE),
  ]);
  const body = (await res.json()) as { ok: boolean; data: { fileId: string } };
  expect(body.ok).toBe(true);
  await page.getByTestId('import-preview').waitFor({ timeout: 30_000 });
  // The server is a child process of this one: same temp folder.
  const file = path.join(os.tmpdir(), 'isolation-desk-imports', `${body.data.fileId}.xlsx`);
  expect(fs.existsSync(file)).toBe(true);
  return file;
}

const gone = (file: string) => expect.poll(() => fs.existsSync(file), { timeout: 10_000 }).toBe(false);

describe('uploaded lists (clerk)', () => {
  it('重新选择文件 deletes the upload', async () => {
    const file = await uploadList();
    await page.getByRole('button', { name: '重新选择文件' }).click();
    await gone(file);
  });

  it('leaving the wizard for another page deletes the upload', async () => {
    const file = await uploadList();
    await page.getByTestId('nav-dashboard').click();
    await gone(file);
    await page.getByTestId('nav-import').click();
  });

  it('logging out deletes the upload', async () => {
    const file = await uploadList();
    await page.getByTestId('logout').click();
    await gone(file);
    await login(page, 'clerk');
  });
});
