// The Electron shell with a mocked `electron` module: secure window options, navigation/window/permission guards,
// the app:// protocol (files, CSP, traversal), and the packaging config against electron-builder's schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { FakeWebContents, Menu, protocol, session, shell } from '../helpers/electron-mock.ts';
import { createMainWindow, isOwnContents, menuTemplate, secureWebPreferences } from '../../electron/main/window.ts';
import { hardenContents, hardenSession, isAllowedExternal } from '../../electron/main/guards.ts';
import { APP_START_URL, makeAppHandler, registerAppProtocol, registerAppScheme, resolveAppFile } from '../../electron/main/protocol.ts';
import { readNonce } from '../../electron/server/csp.ts';
import type { WebContents } from 'electron';

describe('main window', () => {
  it('uses the secure webPreferences and the preload path', () => {
    const onGone = vi.fn();
    const win = createMainWindow({ preloadFile: '/app/out/preload/index.cjs', url: APP_START_URL, onContentsGone: onGone }) as any;
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
    expect(prefs.nodeIntegrationInWorker).not.toBe(true);
    expect(prefs.nodeIntegrationInSubFrames).not.toBe(true);
    expect(win.options.title).toBe('居家隔离管理台');
    expect(win.options.width).toBeGreaterThanOrEqual(1200);
    expect(win.loadedUrl).toBe('app://desk/index.html');
    expect(isOwnContents(win.webContents.id)).toBe(true);
    // When the page is gone its id is forgotten and its session ended.
    win.webContents.emit('destroyed');
    expect(isOwnContents(win.webContents.id)).toBe(false);
    expect(onGone).toHaveBeenCalledWith(win.webContents.id);
  });

  it('secureWebPreferences never turns Node on', () => {
    const p = secureWebPreferences('x');
    expect(Object.entries(p).filter(([k, v]) => /nodeIntegration/.test(k) && v !== false)).toEqual([]);
  });

  it('has a Chinese menu, developer tools only when unpackaged', () => {
    const labels = (t: any[]) => t.map((m) => m.label);
    expect(labels(menuTemplate(true, () => {}))).toEqual(['文件', '编辑', '视图', '帮助']);
    const roles = (t: any[]) => t.flatMap((m) => (m.submenu ?? []).map((s: any) => s.role));
    expect(roles(menuTemplate(true, () => {}))).not.toContain('toggleDevTools');
    expect(roles(menuTemplate(false, () => {}))).toContain('toggleDevTools');
    expect(Menu.buildFromTemplate).not.toHaveBeenCalled();
  });
});

describe('guards', () => {
  const contents = new FakeWebContents();
  beforeAll(() => hardenContents(contents as unknown as WebContents));

  it('prevents navigation and redirects away from app://desk', () => {
    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://other/index.html')).toBe(true);
    expect(contents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-frame-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.navigate('will-navigate', 'app://desk/index.html#/residents')).toBe(false);
  });

  it('denies every window.open; only allowlisted https links go to the system browser', () => {
    shell.openExternal.mockClear();
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://desk/index.html' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).not.toHaveBeenCalled();
    expect(contents.windowOpenHandler!({ url: 'https://www.nhc.gov.cn/xcs/yqfkdt/list.shtml' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://www.nhc.gov.cn/xcs/yqfkdt/list.shtml');
  });

  it('allowlist: https, exact host, no credentials or port', () => {
    expect(isAllowedExternal('https://www.gov.cn/')).toBe(true);
    for (const url of [
      'http://www.gov.cn/',
      'https://www.gov.cn.evil.example/',
      'https://evil.example/?www.gov.cn',
      'https://user@www.gov.cn/',
      'https://www.gov.cn:8443/',
      'file:///C:/Windows/system32/calc.exe',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });

  it('refuses <webview> attachment', () => {
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('denies every permission request and check', () => {
    hardenSession(session.defaultSession as any);
    const grants: boolean[] = [];
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      session.defaultSession.permissionRequestHandler!(contents, perm, (ok: boolean) => grants.push(ok), {});
      expect(session.defaultSession.permissionCheckHandler!(contents, perm, 'app://desk', {})).toBe(false);
    }
    expect(grants).toEqual([false, false, false, false, false]);
    expect(session.defaultSession.devicePermissionHandler!({})).toBe(false);
  });
});

describe('app:// protocol', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-proto-'));
  const root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<html><head><meta name="csp-nonce" content=""></head><body></body></html>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'TOP SECRET');
  const handler = makeAppHandler(root);
  const get = (url: string) => handler(new Request(url));

  it('is registered as a standard, secure scheme and handled', () => {
    registerAppScheme();
    expect(protocol.privileged).toContainEqual({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) });
    registerAppProtocol(root);
    expect(protocol.handlers.has('app')).toBe(true);
  });

  it('serves index.html with the CSP header whose style nonce matches the injected meta', async () => {
    const res = await get('app://desk/index.html');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = readNonce(await res.text());
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`'nonce-${nonce}'`);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    const again = readNonce(await (await get('app://desk/')).text());
    expect(again).not.toBe(nonce);
  });

  it('serves assets with a content type and the CSP header', async () => {
    const res = await get('app://desk/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('content-security-policy')).toMatch(/object-src 'none'/);
    expect(await res.text()).toBe('console.log(1)');
    expect((await get('app://desk/assets/missing.js')).status).toBe(404);
  });

  it('falls back to index.html for client routes without an extension', async () => {
    const res = await get('app://desk/residents/42');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('csp-nonce');
  });

  it('refuses path traversal, other hosts and encoded separators', async () => {
    for (const url of [
      'app://x/../../etc/passwd',
      'app://desk/..%2Fsecret.txt',
      'app://desk/assets/..%2F..%2Fsecret.txt',
      'app://desk/%2e%2e%2fsecret.txt',
      'app://desk/..%5Csecret.txt',
      'app://desk/index.html%00.js',
      'app://other/index.html',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(await res.text(), url).not.toContain('TOP SECRET');
    }
    expect(resolveAppFile(root, 'app://x/../../etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://desk/..%2F..%2F..%2Fetc%2Fpasswd')).toBeNull();
    // The URL parser folds plain ../ into the root, so it can only ever name a file inside it.
    expect(resolveAppFile(root, 'app://desk/../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
  });

  it('refuses methods other than GET/HEAD', async () => {
    expect((await handler(new Request('app://desk/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('electron-builder.yml', () => {
  const require = createRequire(import.meta.url);
  const yaml = require('js-yaml') as { load(s: string): any };
  const cfg = yaml.load(fs.readFileSync(path.resolve(import.meta.dirname, '../../electron-builder.yml'), 'utf8'));

  it('matches electron-builder 26 schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const quiet = { isEnabled: false, add() {} };
    await expect(validateConfiguration(cfg, quiet)).resolves.toBeUndefined();
    // The validator is real: a misspelt fuse is refused.
    await expect(validateConfiguration({ electronFuses: { runAsNodes: false } }, quiet)).rejects.toThrow();
  }, 30_000); // loading app-builder-lib takes a few seconds

  it('ships the hardened fuses, asar, no native rebuild, NSIS zh_CN and Linux x64+arm64', () => {
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(cfg).toMatchObject({ asar: true, npmRebuild: false, productName: '居家隔离管理台', files: ['out/**', 'package.json'] });
    expect(cfg.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(cfg.nsis).toMatchObject({ oneClick: false, allowToChangeInstallationDirectory: true, installerLanguages: ['zh_CN'] });
    expect(cfg.linux.category).toBe('Office');
    expect(cfg.linux.target).toEqual([
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ]);
  });
});
