// The desktop app's client mode (issue 13) with a mocked `electron` over real files and a REAL https server on
// 127.0.0.1 with a self-signed ECDSA P-256 certificate made here: the mode file keeps the device credential only
// wrapped by safeStorage; pairing is pinned to the fingerprint the clerk confirmed (another certificate: refused before
// a byte of the request is sent); the session's verify proc accepts only the pinned certificate for the server's host;
// the guards trust exactly the pinned origin in client mode; the first start shows the choice and opens no database.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import * as mock from '../helpers/electron-mock.ts';
import { makeCert, startPairingServer, type TestCert, type TestServer } from '../helpers/tls-cert.ts';
import {
  ConnectionStoreError,
  connectionFile,
  readConnection,
  unwrapCredential,
  writeClientConnection,
  type ClientConnection,
} from '../../electron/main/connection-file.ts';
import { connectionHandlers, cookieValue } from '../../electron/main/connect.ts';
import { VERIFY_DEFAULT, VERIFY_FAIL, VERIFY_OK, normalizeServerUrl, pinnedVerifyProc, probeServer } from '../../electron/main/pinning.ts';
import { fingerprintOf } from '../../electron/server/tls.ts';
import { hardenContents, pinnedOriginCheck } from '../../electron/main/guards.ts';
import { BRIDGE_ARG, CONNECTION_CHANNELS } from '../../electron/shared/connection.ts';
import { tempDir } from '../helpers/env.ts';
import type { WebContents } from 'electron';
import type { KeyStore } from '../../electron/main/key-store.ts';

/** The mocked safeStorage (reversible, bound to a profile), typed as the key store the code takes. */
const store = mock.safeStorage as unknown as KeyStore;
const CREDENTIAL = 'dev_7.Zq8xN3vK1pL0sT9wY2aB5cD6eF4gH';
const CODE = '12345678';

let certA: TestCert;
let certB: TestCert;
let serverA: TestServer;
let serverB: TestServer;

beforeAll(async () => {
  [certA, certB] = [await makeCert(), await makeCert()];
  serverA = await startPairingServer(certA, { [CODE]: CREDENTIAL, '87654321': 'second-credential' });
  serverB = await startPairingServer(certB, { [CODE]: 'impostor-credential' });
});
afterAll(async () => {
  await Promise.all([serverA?.close(), serverB?.close()]);
});
beforeEach(() => mock.resetElectronMock());

const clientOf = (over: Partial<ClientConnection> = {}) => ({ url: serverA.url, fingerprint: certA.fingerprint, name: '西大街社区电脑', deviceId: 7, credential: CREDENTIAL, ...over });

describe('the mode file', () => {
  it('round trip: the credential is stored only wrapped by safeStorage, never in clear', () => {
    const dir = tempDir('idesk-conn-');
    const written = writeClientConnection(dir, store, clientOf());
    const text = fs.readFileSync(connectionFile(dir), 'utf8');
    for (const clear of [CREDENTIAL, Buffer.from(CREDENTIAL).toString('base64'), Buffer.from(CREDENTIAL).toString('hex'), 'Zq8xN3vK1pL0sT9wY2aB']) {
      expect(text).not.toContain(clear);
    }
    if (process.platform !== 'win32') expect(fs.statSync(connectionFile(dir)).mode & 0o777).toBe(0o600);
    const read = readConnection(dir, path.join(dir, 'isolation-desk.db'));
    expect(read).toEqual(written);
    expect(read).toMatchObject({ mode: 'client', url: serverA.url, fingerprint: certA.fingerprint, name: '西大街社区电脑', deviceId: 7 });
    expect(unwrapCredential(read as ClientConnection, store)).toBe(CREDENTIAL);
    expect(mock.safeStorage.encryptString).toHaveBeenCalledWith(CREDENTIAL);
    // Another Windows user or PC cannot unwrap it.
    mock.setSafeStorageProfile('someone-else');
    expect(() => unwrapCredential(read as ClientConnection, store)).toThrow();
  });

  it('without a usable key store client mode is refused in Chinese and nothing is written', () => {
    const dir = tempDir('idesk-conn-');
    mock.safeStorage.available = false;
    expect(() => writeClientConnection(dir, store, clientOf())).toThrow(ConnectionStoreError);
    expect(() => writeClientConnection(dir, store, clientOf())).toThrow(/系统密钥存储/);
    expect(fs.existsSync(connectionFile(dir))).toBe(false);
    if (process.platform === 'linux') {
      // Linux without a keyring: safeStorage "encrypts" with a fixed password; that is not storage in secret.
      mock.safeStorage.available = true;
      mock.safeStorage.getSelectedStorageBackend.mockReturnValue('basic_text');
      expect(() => writeClientConnection(dir, store, clientOf())).toThrow(ConnectionStoreError);
      expect(fs.existsSync(connectionFile(dir))).toBe(false);
      mock.safeStorage.getSelectedStorageBackend.mockReturnValue('gnome_libsecret');
    }
  });

  it('no file: an existing data file is a local install from before; otherwise the choice; a damaged file asks again', () => {
    const dir = tempDir('idesk-conn-');
    const db = path.join(dir, 'isolation-desk.db');
    expect(readConnection(dir, db)).toEqual({ mode: 'choose' });
    fs.writeFileSync(db, 'x');
    expect(readConnection(dir, db)).toEqual({ mode: 'local' });
    fs.writeFileSync(connectionFile(dir), '{"mode":"client","url":"http://evil/"');
    expect(readConnection(dir, db)).toMatchObject({ mode: 'choose', problem: expect.stringContaining('JSON') });
    fs.writeFileSync(connectionFile(dir), JSON.stringify({ mode: 'client', url: 'http://192.168.1.10/', fingerprint: certA.fingerprint, name: 'x', deviceId: 1, credential: 'AAAA' }));
    expect(readConnection(dir, db)).toMatchObject({ mode: 'choose', problem: expect.any(String) });
  });
});

describe('pinning against a real https server', () => {
  it('fingerprints: the same for PEM and DER, and what node reports for the peer', async () => {
    expect(certA.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(certA.cert)).toBe(certA.fingerprint);
    expect(fingerprintOf(certB.cert)).not.toBe(certA.fingerprint);
    expect(await probeServer(serverA.url)).toBe(certA.fingerprint);
    expect(await probeServer(serverB.url)).toBe(certB.fingerprint);
  });

  it('addresses are normalised to https://host:port/; anything else is refused with a reason', () => {
    expect(normalizeServerUrl(' 192.168.1.10:5443 ')).toBe('https://192.168.1.10:5443/');
    expect(normalizeServerUrl('https://192.168.1.10:5443')).toBe('https://192.168.1.10:5443/');
    expect(normalizeServerUrl('HTTPS://Server.Local:443/')).toBe('https://server.local/');
    for (const bad of ['', 'http://192.168.1.10:5443/', 'https://u:p@192.168.1.10/', 'https://192.168.1.10/api/x', 'ftp://x/', 'https://']) {
      expect(() => normalizeServerUrl(bad), bad).toThrow(/地址|https/);
    }
  });

  it('pairs with the confirmed fingerprint: the code reaches the server, the credential is kept wrapped', async () => {
    const dir = tempDir('idesk-pair-');
    const onChosen = vi.fn();
    const h = connectionHandlers({ userData: dir, store: store, onChosen });
    const probed = await h.probe(serverA.url.replace('https://', '').replace(/\/$/, ''));
    expect(probed).toEqual({ ok: true, data: { url: serverA.url, fingerprint: certA.fingerprint } });
    const before = serverA.seen.length;
    const paired = await h.pair({ url: serverA.url, fingerprint: certA.fingerprint, code: '1234 5678', name: ' 西大街社区电脑 ' });
    expect(paired).toEqual({ ok: true, data: { deviceId: 7, name: '西大街社区电脑' } });
    expect(serverA.seen.slice(before)).toMatchObject([{ method: 'POST', url: '/api/devices.pair', body: JSON.stringify({ code: CODE, name: '西大街社区电脑' }) }]);
    expect(onChosen).toHaveBeenCalledTimes(1);
    const stored = readConnection(dir, path.join(dir, 'none.db')) as ClientConnection;
    expect(stored).toMatchObject({ mode: 'client', url: serverA.url, fingerprint: certA.fingerprint, deviceId: 7 });
    expect(fs.readFileSync(connectionFile(dir), 'utf8')).not.toContain(CREDENTIAL);
    expect(unwrapCredential(stored, store)).toBe(CREDENTIAL);
  });

  it('REFUSES a server with another certificate: no request reaches it, nothing is stored', async () => {
    const dir = tempDir('idesk-pair-');
    const onChosen = vi.fn();
    const h = connectionHandlers({ userData: dir, store: store, onChosen });
    const connections = serverB.connections;
    // The clerk confirmed A's fingerprint; B answers at the address (DNS spoofing, a swapped PC).
    const r = await h.pair({ url: serverB.url, fingerprint: certA.fingerprint, code: CODE, name: '西大街社区电脑' });
    expect(r).toMatchObject({ ok: false, error: { code: 'CERT_CHANGED', message: expect.stringContaining('不一致') } });
    if (!r.ok) expect(r.error.message.replaceAll(' ', '')).toContain(certB.fingerprint);
    // B was reached (a connection was made and its certificate read), but not one request: B never saw the code.
    await vi.waitFor(() => expect(serverB.connections).toBeGreaterThan(connections));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(serverB.seen).toEqual([]);
    expect(fs.existsSync(connectionFile(dir))).toBe(false);
    expect(onChosen).not.toHaveBeenCalled();
  });

  it("a wrong code: the server's Chinese message is passed on, nothing is stored", async () => {
    const dir = tempDir('idesk-pair-');
    const h = connectionHandlers({ userData: dir, store: store, onChosen: vi.fn() });
    const r = await h.pair({ url: serverA.url, fingerprint: certA.fingerprint, code: '00000000', name: '西大街社区电脑' });
    expect(r).toEqual({ ok: false, error: { code: 'SERVER', message: '配对码不正确或已过期，请向管理员要一个新的配对码。' } });
    expect(fs.existsSync(connectionFile(dir))).toBe(false);
    for (const input of [{ url: serverA.url, fingerprint: certA.fingerprint, code: '1234567', name: 'x' }, { url: serverA.url, fingerprint: 'abc', code: CODE, name: 'x' }, null, 'x']) {
      expect(await h.pair(input)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
  });

  it('without a usable key store the code is not spent: refused before the server is asked', async () => {
    const dir = tempDir('idesk-pair-');
    mock.safeStorage.available = false;
    const before = serverA.seen.length;
    const h = connectionHandlers({ userData: dir, store: store, onChosen: vi.fn() });
    const r = await h.pair({ url: serverA.url, fingerprint: certA.fingerprint, code: '87654321', name: '西大街社区电脑' });
    expect(r).toMatchObject({ ok: false, error: { code: 'NO_SAFE_STORAGE', message: expect.stringContaining('系统密钥存储') } });
    expect(serverA.seen.length).toBe(before);
    expect(fs.existsSync(connectionFile(dir))).toBe(false);
  });

  it('an address where nothing listens: UNREACHABLE in Chinese; http:// is refused before connecting', async () => {
    const h = connectionHandlers({ userData: tempDir('idesk-pair-'), store: store, onChosen: vi.fn() });
    await serverB.close();
    const r = await h.probe(serverB.url);
    expect(r).toMatchObject({ ok: false, error: { code: 'UNREACHABLE', message: expect.stringContaining('无法连接') } });
    expect(await h.probe('http://127.0.0.1:1/')).toMatchObject({ ok: false, error: { code: 'BAD_URL' } });
    serverB = await startPairingServer(certB, { [CODE]: 'impostor-credential' });
  });

  it('reads the device cookie among Set-Cookie headers', () => {
    expect(cookieValue(['a=1; Path=/', 'idesk_device=abc.def; Path=/; HttpOnly'], 'idesk_device')).toBe('abc.def');
    expect(cookieValue(['idesk_device_x=1', 'idesk_device=; Path=/'], 'idesk_device')).toBeNull();
    expect(cookieValue(undefined, 'idesk_device')).toBeNull();
  });
});

describe('the session certificate check and the guards', () => {
  it('verify proc: 0 for the pinned certificate on the server host, -2 for another, -3 for other hosts', () => {
    const refused = vi.fn();
    const proc = pinnedVerifyProc(serverA.url, certA.fingerprint, refused);
    const verdict = (hostname: string, data: string) => {
      let v: number | undefined;
      proc({ hostname, certificate: { data } }, (r) => (v = r));
      return v;
    };
    expect(verdict('127.0.0.1', certA.cert)).toBe(VERIFY_OK);
    expect(verdict('127.0.0.1', certB.cert)).toBe(VERIFY_FAIL);
    expect(verdict('127.0.0.1', certB.cert)).toBe(VERIFY_FAIL);
    expect(verdict('127.0.0.1', 'not a certificate')).toBe(VERIFY_FAIL);
    expect(refused.mock.calls).toEqual([[certB.fingerprint], [null]]);
    expect(verdict('www.gov.cn', certB.cert)).toBe(VERIFY_DEFAULT);
    expect([VERIFY_OK, VERIFY_FAIL, VERIFY_DEFAULT]).toEqual([0, -2, -3]);
  });

  it('client mode trusts exactly the pinned origin; local mode does not trust it', () => {
    const trusted = pinnedOriginCheck('https://192.168.1.10:5443/');
    expect(trusted('https://192.168.1.10:5443/')).toBe(true);
    expect(trusted('https://192.168.1.10:5443/index.html#/residents')).toBe(true);
    for (const url of ['https://192.168.1.10:5444/', 'http://192.168.1.10:5443/', 'https://192.168.1.11:5443/', 'https://u:p@192.168.1.10:5443/', 'app://desk/index.html', 'https://192.168.1.10/', 'nonsense']) {
      expect(trusted(url), url).toBe(false);
    }
    const client = new mock.FakeWebContents();
    hardenContents(client as unknown as WebContents, trusted);
    expect(client.navigate('will-navigate', 'https://192.168.1.10:5443/#/checkins')).toBe(false);
    expect(client.navigate('will-navigate', 'app://desk/index.html')).toBe(true);
    expect(client.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    const local = new mock.FakeWebContents();
    hardenContents(local as unknown as WebContents);
    expect(local.navigate('will-navigate', 'https://192.168.1.10:5443/')).toBe(true);
    expect(local.navigate('will-navigate', 'app://desk/index.html')).toBe(false);
  });
});

/** A fresh main process over the current userData (see shell-startup.test.ts). */
async function startMain(): Promise<void> {
  vi.resetModules();
  const { ready } = await import('../../electron/main/index.ts');
  await ready;
}

describe('startup in each mode', () => {
  it('client mode: pinned session, device cookie, the server in a window without preload, no database, no IPC', async () => {
    writeClientConnection(mock.userDataDir(), store, clientOf());
    await startMain();
    const ses = mock.session.defaultSession;
    expect(ses.cookies.set).toHaveBeenCalledWith({ url: serverA.url, name: 'idesk_device', value: CREDENTIAL, path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
    const verdict = (data: string) => new Promise((resolve) => ses.certificateVerifyProc!({ hostname: '127.0.0.1', certificate: { data } }, resolve));
    await expect(verdict(certA.cert)).resolves.toBe(0);
    expect(mock.FakeBrowserWindow.all).toHaveLength(1);
    const win = mock.FakeBrowserWindow.all[0];
    expect(win.loadedUrl).toBe(serverA.url);
    expect(win.options.webPreferences.preload).toBeUndefined();
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(fs.existsSync(path.join(mock.userDataDir(), 'isolation-desk.db'))).toBe(false);
    expect(mock.ipcMain.handlers.size).toBe(0);
    // Every web contents gets the client guards: the server's origin, nothing else.
    const [onCreated] = mock.app.listeners.get('web-contents-created')!;
    const other = new mock.FakeWebContents();
    onCreated({}, other);
    expect(other.navigate('will-navigate', `${serverA.url}#/residents`)).toBe(false);
    expect(other.navigate('will-navigate', 'app://desk/index.html')).toBe(true);
    const file = (mock.Menu.template as any[])[0];
    expect(file.submenu.map((i: any) => i.label)).toContain('断开街道服务器…');

    // Another certificate at the server's address: refused, explained, and 重新配对 forgets the server and restarts.
    mock.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false });
    await expect(verdict(certB.cert)).resolves.toBe(-2);
    await vi.waitFor(() => expect(mock.app.relaunch).toHaveBeenCalled());
    const shown = mock.dialog.showMessageBox.mock.calls[0][0];
    expect(shown.message).toContain('证书与配对时不一致');
    expect(shown.buttons[0]).toContain('重新配对');
    expect(shown.detail.replaceAll(' ', '')).toContain(certB.fingerprint);
    expect(mock.app.exit).toHaveBeenCalledWith(0);
    expect(fs.existsSync(connectionFile(mock.userDataDir()))).toBe(false);
    expect(ses.cookies.remove).toHaveBeenCalledWith(serverA.url, 'idesk_device');
  });

  it('client mode: an unreachable server is explained (重试 loads again); 文件 › 断开街道服务器… forgets it and restarts', async () => {
    writeClientConnection(mock.userDataDir(), store, clientOf());
    await startMain();
    const win = mock.FakeBrowserWindow.all[0];
    const loads = vi.spyOn(win, 'loadURL');
    // A subframe's failure or an aborted navigation is nobody's business; the page itself failing is.
    win.webContents.emit('did-fail-load', {}, -3, 'ERR_ABORTED', serverA.url, true);
    win.webContents.emit('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', serverA.url, false);
    expect(mock.dialog.showMessageBox).not.toHaveBeenCalled();
    mock.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false });
    win.webContents.emit('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', serverA.url, true);
    await vi.waitFor(() => expect(loads).toHaveBeenCalledWith(serverA.url));
    const told = mock.dialog.showMessageBox.mock.calls[0][0];
    expect(told.message).toBe('无法连接到街道服务器。');
    expect(told.detail).toContain('ERR_CONNECTION_REFUSED');
    expect(told.buttons).toEqual(['重试', '断开并重新配对', '退出']);
    expect(fs.existsSync(connectionFile(mock.userDataDir()))).toBe(true);

    const file = (mock.Menu.template as any[])[0];
    const forget = file.submenu.find((i: any) => i.label === '断开街道服务器…');
    mock.dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false }); // 取消
    forget.click();
    await vi.waitFor(() => expect(mock.dialog.showMessageBox).toHaveBeenCalledTimes(2));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the answer is acted on after the dialog resolves
    expect(fs.existsSync(connectionFile(mock.userDataDir()))).toBe(true);
    expect(mock.app.relaunch).not.toHaveBeenCalled();
    mock.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false }); // 断开并重新选择
    forget.click();
    await vi.waitFor(() => expect(mock.app.relaunch).toHaveBeenCalled());
    expect(fs.existsSync(connectionFile(mock.userDataDir()))).toBe(false);
    expect(mock.session.defaultSession.cookies.remove).toHaveBeenCalledWith(serverA.url, 'idesk_device');
  });

  it('client mode on another profile: the credential cannot be unwrapped, 退出 leaves everything as it was', async () => {
    writeClientConnection(mock.userDataDir(), store, clientOf());
    const before = fs.readFileSync(connectionFile(mock.userDataDir()), 'utf8');
    mock.setSafeStorageProfile('another-user');
    mock.dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false });
    await startMain();
    expect(mock.dialog.showMessageBox.mock.calls[0][0].message).toContain('无法取出本机保存的设备凭据');
    expect(mock.app.quit).toHaveBeenCalled();
    expect(mock.FakeBrowserWindow.all).toHaveLength(0);
    expect(mock.session.defaultSession.cookies.set).not.toHaveBeenCalled();
    expect(fs.readFileSync(connectionFile(mock.userDataDir()), 'utf8')).toBe(before);
  });

  it('first start: the choice page over window.desk, no database; pairing writes the client mode and restarts', async () => {
    fs.rmSync(connectionFile(mock.userDataDir()));
    await startMain();
    expect(mock.FakeBrowserWindow.all).toHaveLength(1);
    const win = mock.FakeBrowserWindow.all[0];
    expect(win.loadedUrl).toMatch(/^(app:\/\/desk\/index\.html|http:\/\/(localhost|127\.0\.0\.1))/);
    expect(win.options.webPreferences.additionalArguments).toEqual([`${BRIDGE_ARG}connect`]);
    expect(win.options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/);
    expect(fs.existsSync(path.join(mock.userDataDir(), 'isolation-desk.db'))).toBe(false);
    expect([...mock.ipcMain.handlers.keys()].sort()).toEqual(Object.values(CONNECTION_CHANNELS).sort());

    const probe = mock.ipcMain.handlers.get(CONNECTION_CHANNELS.probe)!;
    const pair = mock.ipcMain.handlers.get(CONNECTION_CHANNELS.pair)!;
    const own = mock.invokeEvent(win.webContents, 'app://desk/index.html');
    // A foreign page (or a foreign window) gets nothing.
    await expect(probe(mock.invokeEvent(win.webContents, 'https://evil.example/'), serverA.url)).resolves.toMatchObject({ ok: false });
    await expect(probe(mock.invokeEvent(new mock.FakeWebContents(), 'app://desk/index.html'), serverA.url)).resolves.toMatchObject({ ok: false });
    await expect(probe(own, serverA.url)).resolves.toEqual({ ok: true, data: { url: serverA.url, fingerprint: certA.fingerprint } });
    await expect(pair(own, { url: serverA.url, fingerprint: certA.fingerprint, code: '87654321', name: '东关社区电脑' })).resolves.toMatchObject({ ok: true });
    expect(readConnection(mock.userDataDir(), '')).toMatchObject({ mode: 'client', url: serverA.url, name: '东关社区电脑' });
    await vi.waitFor(() => expect(mock.app.relaunch).toHaveBeenCalled(), { timeout: 3000 });
    expect(mock.app.exit).toHaveBeenCalledWith(0);
  });

  it('first start, 本机数据库: writes the local choice and restarts into today’s app', async () => {
    fs.rmSync(connectionFile(mock.userDataDir()));
    await startMain();
    const win = mock.FakeBrowserWindow.all[0];
    const choose = mock.ipcMain.handlers.get(CONNECTION_CHANNELS.choose)!;
    await expect(choose(mock.invokeEvent(win.webContents, 'app://desk/index.html'))).resolves.toEqual({ ok: true, data: null });
    expect(JSON.parse(fs.readFileSync(connectionFile(mock.userDataDir()), 'utf8'))).toEqual({ mode: 'local' });
    await vi.waitFor(() => expect(mock.app.relaunch).toHaveBeenCalled(), { timeout: 3000 });
    // The next start is the local app: its database, every API channel, window.api.
    mock.FakeBrowserWindow.all.length = 0;
    mock.ipcMain.handlers.clear();
    await startMain();
    expect(fs.existsSync(path.join(mock.userDataDir(), 'isolation-desk.db'))).toBe(true);
    expect(mock.ipcMain.handlers.has('auth.setupStatus')).toBe(true);
    expect(mock.FakeBrowserWindow.all[0].options.webPreferences.additionalArguments).toEqual([`${BRIDGE_ARG}local`]);
    // Quit as the app does: the quit backup first (it waits for the startup backup), then the data file is closed.
    mock.app.quit.mockClear();
    mock.app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(mock.app.quit).toHaveBeenCalled(), { timeout: 10_000 });
    mock.app.emit('will-quit');
  });
});
