// The desktop app's first-start choice page (renderer/src/pages/ConnectPage.tsx) in real Chromium: the built renderer
// (served by browser mode) is given window.desk as the preload gives it, each call answered by the main process's own
// handlers (electron/main/connect.ts) running in this test against a REAL https server on 127.0.0.1 with a
// self-signed certificate. Only Electron's IPC hop is replaced (the Electron binary cannot run here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, screenshot, startApp, type AppServer } from './helpers.ts';
import { makeCert, startPairingServer, type TestCert, type TestServer } from '../helpers/tls-cert.ts';
import { connectionHandlers } from '../../electron/main/connect.ts';
import { connectionFile, readConnection, unwrapCredential, type ClientConnection } from '../../electron/main/connection-file.ts';
import type { KeyStore } from '../../electron/main/key-store.ts';
import { groupFingerprint } from '../../electron/shared/connection.ts';

/** A reversible stand-in for safeStorage (the real one needs Electron). */
const store: KeyStore = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (text: string) => Buffer.from(`wrapped:${Buffer.from(text).reverse().toString('hex')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().replace(/^wrapped:/, ''), 'hex').reverse().toString(),
};

let app: AppServer;
let browser: Browser;
let cert: TestCert;
let server: TestServer;

beforeAll(async () => {
  cert = await makeCert();
  server = await startPairingServer(cert, { '24681357': 'cred-e2e-0001' });
  app = await startApp({ empty: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await server?.close();
});

/** The page with window.desk wired to the main process's handlers over `userData`. */
async function openChoice(userData: string, chosen: { n: number }) {
  const opened = await openPage(browser, 'about:blank');
  const handlers = connectionHandlers({ userData, store, onChosen: () => chosen.n++ });
  await opened.page.exposeFunction('__deskCall', (op: 'chooseLocal' | 'probe' | 'pair', arg: unknown) =>
    op === 'chooseLocal' ? handlers.chooseLocal() : handlers[op](arg),
  );
  await opened.page.addInitScript(() => {
    const call = (window as unknown as { __deskCall: (op: string, arg?: unknown) => Promise<unknown> }).__deskCall;
    Object.defineProperty(window, 'desk', {
      value: Object.freeze({
        connection: Object.freeze({
          chooseLocal: () => call('chooseLocal'),
          probe: (url: string) => call('probe', url),
          pair: (input: unknown) => call('pair', input),
        }),
      }),
    });
  });
  await opened.page.goto(app.url);
  return opened;
}

describe('first-start choice page', () => {
  it('connects to the office server: address, fingerprint in groups of four, code and name; refusals are shown', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-e2e-connect-'));
    const chosen = { n: 0 };
    const { page, context, errors } = await openChoice(userData, chosen);
    await page.getByText('选择使用方式').waitFor();
    // The app itself (登录 / 创建管理员账号) is not shown: this PC has no mode yet.
    expect(await page.getByText('创建管理员账号').count()).toBe(0);
    await screenshot(page, 'connect-choice');

    await page.getByTestId('connect-client').click();
    await page.getByTestId('connect-url').fill('http://127.0.0.1:1/');
    await page.getByTestId('connect-probe').click();
    await page.getByTestId('connect-error').waitFor();
    expect(await page.getByTestId('connect-error').innerText()).toContain('https://');

    await page.getByTestId('connect-url').fill(server.url.replace('https://', ''));
    await page.getByTestId('connect-probe').click();
    await page.getByTestId('connect-fingerprint').waitFor();
    expect((await page.getByTestId('connect-fingerprint').innerText()).trim()).toBe(groupFingerprint(cert.fingerprint));
    expect(await page.getByTestId('connect-error').count()).toBe(0);
    await screenshot(page, 'connect-fingerprint');
    expect(server.seen).toEqual([]);

    await page.getByTestId('connect-fingerprint-same').click();
    await page.getByTestId('connect-code').fill('1111');
    await page.getByTestId('connect-name').fill('西大街社区电脑');
    await page.getByTestId('connect-pair').click();
    await page.getByText('配对码是 8 位数字').waitFor();
    expect(server.seen).toEqual([]);

    await page.getByTestId('connect-code').fill('11111111');
    await page.getByTestId('connect-pair').click();
    await page.getByTestId('connect-error').waitFor();
    expect(await page.getByTestId('connect-error').innerText()).toContain('配对码不正确或已过期');
    expect(fs.existsSync(connectionFile(userData))).toBe(false);

    await page.getByTestId('connect-code').fill('2468 1357');
    await page.getByTestId('connect-pair').click();
    await page.getByTestId('connect-done').waitFor();
    expect(await page.getByTestId('connect-done').innerText()).toContain('西大街社区电脑');
    expect(chosen.n).toBe(1);
    const stored = readConnection(userData, path.join(userData, 'none.db')) as ClientConnection;
    expect(stored).toMatchObject({ mode: 'client', url: server.url, fingerprint: cert.fingerprint, name: '西大街社区电脑' });
    expect(fs.readFileSync(connectionFile(userData), 'utf8')).not.toContain('cred-e2e-0001');
    expect(unwrapCredential(stored, store)).toBe('cred-e2e-0001');
    await screenshot(page, 'connect-done');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('本机数据库 writes the local choice', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-e2e-connect-'));
    const chosen = { n: 0 };
    const { page, context, errors } = await openChoice(userData, chosen);
    await page.getByTestId('connect-local').click();
    await page.getByTestId('connect-done').waitFor();
    expect(JSON.parse(fs.readFileSync(connectionFile(userData), 'utf8'))).toEqual({ mode: 'local' });
    expect(chosen.n).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
