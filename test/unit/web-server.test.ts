// Browser mode: the office server (electron/server) on 127.0.0.1 without TLS or pairing. Serves the renderer with a
// fresh CSP nonce, never a file outside it, answers only to its own 127.0.0.1 host and origin, keeps the session the
// server made at login in an HttpOnly SameSite=Strict cookie, and runs the same dispatcher (login, permissions) as
// the desktop app.
import fs from 'node:fs';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { resolveStatic } from '../../electron/server/static.ts';
import { startOfficeServer, type OfficeServer } from '../../electron/server/index.ts';
import { readNonce } from '../../electron/server/csp.ts';

let t: TestEnv;
let server: OfficeServer;
let root: string;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: opts.method ?? 'GET', path: opts.path, headers: { Host: `127.0.0.1:${server.port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function post(channel: string, input: unknown, cookie?: string, headers: Record<string, string> = {}) {
  return request({
    method: 'POST',
    path: `/api/${channel}`,
    headers: { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${server.port}`, ...(cookie ? { Cookie: cookie } : {}), ...headers },
    body: JSON.stringify(input),
  });
}

const cookieOf = (r: Reply) => String(r.headers['set-cookie']?.[0] ?? '').split(';')[0];

beforeAll(async () => {
  t = await makeEnv();
  const dir = tempDir('idesk-web-');
  root = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""><title>t</title></head><body></body></html>');
  fs.writeFileSync(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET');
  server = await startOfficeServer({ env: t.env, staticDir: root, port: 0, maxBodyBytes: 4096, tls: false });
});

afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe('browser mode server', () => {
  it('listens on 127.0.0.1 with the real port of --port 0', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('serves index.html with a fresh nonce that matches the CSP header, and no session before a login', async () => {
    const a = await request({ path: '/' });
    const b = await request({ path: '/' });
    expect(a.status).toBe(200);
    const nonce = readNonce(a.body);
    expect(nonce).toBeTruthy();
    expect(a.headers['content-security-policy']).toContain(`'nonce-${nonce}'`);
    expect(a.headers['content-security-policy']).toContain("script-src 'self'");
    expect(readNonce(b.body)).not.toBe(nonce);
    expect(a.headers['set-cookie']).toBeUndefined();
  });

  it('makes the session id at login and a new one at every login; an id the client makes up is no session', async () => {
    const first = await post('auth.login', { username: 'clerk', password: 'demo1234' });
    const cookie = String(first.headers['set-cookie']?.[0]);
    expect(cookie).toMatch(/^idesk_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const again = await post('auth.login', { username: 'clerk', password: 'demo1234' }, cookieOf(first));
    expect(cookieOf(again)).not.toBe(cookieOf(first));
    // The old id ended with the new login.
    expect(JSON.parse((await post('auth.me', {}, cookieOf(first))).body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(JSON.parse((await post('auth.me', {}, cookieOf(again))).body)).toMatchObject({ ok: true });
    // Fixation: an id chosen by someone else before the login is never the session's id.
    const planted = 'idesk_session=' + 'p'.repeat(43);
    const login = await post('auth.login', { username: 'clerk', password: 'demo1234' }, planted);
    expect(cookieOf(login)).not.toBe(planted);
    expect(JSON.parse((await post('auth.me', {}, planted)).body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('serves assets with their type and never a file outside the renderer folder', async () => {
    const js = await request({ path: '/assets/app-1234.js' });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%5c..%5csecret.txt', '/..%00/secret.txt']) {
      const r = await request({ path: p });
      expect(r.body, p).not.toContain('TOP-SECRET');
      expect(r.status, p).toBeGreaterThanOrEqual(400);
    }
    expect(resolveStatic(root, '/../secret.txt')).toBeNull();
    expect(resolveStatic(root, '/assets/%2e%2e/%2e%2e/secret.txt')).toBeNull();
    expect((await request({ path: '/missing.js' })).status).toBe(404);
  });

  it('refuses other hosts (DNS rebinding) and other origins', async () => {
    const rebinding = await request({ path: '/', headers: { Host: `evil.example:${server.port}` } });
    expect(rebinding.status).toBe(421);
    const crossSite = await post('auth.login', { username: 'clerk', password: 'demo1234' }, undefined, { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const fetchSite = await post('auth.login', { username: 'clerk', password: 'demo1234' }, undefined, { 'Sec-Fetch-Site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
  });

  it('logs in through the dispatcher and keeps the session per cookie', async () => {
    const bad = await post('auth.login', { username: 'clerk', password: 'wrong-1' });
    expect(bad.status).toBe(200);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(JSON.parse(bad.body).error.message).toContain('用户名或密码不正确');
    t.clock.set(new Date(t.clock.now().getTime() + 200).toISOString()); // the wait after one failure (login throttling)

    const login = await post('auth.login', { username: 'clerk', password: 'demo1234' });
    const cookie = cookieOf(login);
    const ok = JSON.parse(login.body);
    expect(ok.ok).toBe(true);
    expect(ok.data.actor.role).toBe('clerk');
    const me = JSON.parse((await post('auth.me', {}, cookie)).body);
    expect(me).toMatchObject({ ok: true, data: { actor: { username: 'clerk' } } });

    // Another browser (another cookie) is not logged in.
    const other = JSON.parse((await post('auth.me', {}, 'idesk_session=' + 'x'.repeat(43))).body);
    expect(other).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('enforces permissions like the desktop app', async () => {
    const cookie = cookieOf(await post('auth.login', { username: 'official', password: 'demo1234' }));
    const r = JSON.parse((await post('users.list', {}, cookie)).body);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('accepts only JSON POSTs of bounded size to known channel names', async () => {
    const cookie = cookieOf(await post('auth.login', { username: 'clerk', password: 'demo1234' }));
    const text = await request({ method: 'POST', path: '/api/auth.me', headers: { 'Content-Type': 'text/plain', Cookie: cookie }, body: '{}' });
    expect(text.status).toBe(415);
    const broken = await request({ method: 'POST', path: '/api/auth.login', headers: { 'Content-Type': 'application/json', Cookie: cookie }, body: '{"username":' });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error.message).toContain('JSON');
    const big = await post('auth.login', { username: 'clerk', password: 'x'.repeat(5000) }, cookie);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const unknown = await post('no.such', {}, cookie);
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const weird = await post('../etc', {}, cookie);
    expect(weird.status).toBeGreaterThanOrEqual(400);
    const get = await request({ path: '/api/auth.me' });
    expect(get.status).toBe(405);
  });
});

describe('npm run web', () => {
  it('refuses a missing database with a Chinese hint to run init, before building anything', () => {
    const missing = path.join(tempDir('idesk-web-missing-'), 'nope.db');
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../electron/web/main.ts'), '--db', missing, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('数据库文件不存在');
    expect(r.stderr).toContain('npm run cli -- init --db');
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('rejects a bad port', () => {
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../electron/web/main.ts'), '--port', 'abc'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('端口不正确');
  });
});
