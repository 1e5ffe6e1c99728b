// Browser mode's HTTP server, on 127.0.0.1 only: serves the built renderer (index.html with a fresh CSP nonce) and
// POST /api/<channel> → the same dispatcher as the desktop app, with the session held in an HttpOnly cookie.
// Not a LAN server: it refuses other hosts/origins (DNS rebinding, cross-site requests).
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../api/dispatch.ts';
import type { ApiEnv } from '../api/env.ts';
import { fail, type AppErrorData } from '../shared/errors.ts';
import { cspHeader, injectNonce, makeNonce } from '../security/csp.ts';

export const HOST = '127.0.0.1';
export const SESSION_COOKIE = 'idesk_session';
/** Large enough for an upstream Excel list sent as base64 JSON. */
export const DEFAULT_MAX_BODY_BYTES = 60 * 1024 * 1024;

export interface WebServerOptions {
  env: ApiEnv;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 0 = any free port. */
  port?: number;
  maxBodyBytes?: number;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const SESSION_RE = /^[A-Za-z0-9_-]{43}$/;
const CHANNEL_RE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/;

function securityHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Security-Policy': cspHeader(nonce),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Maps a URL path to a file inside root, or null for anything that tries to leave it. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((s) => s === '..')) return null;
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(root, '.' + rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const root = path.resolve(opts.staticDir);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let port = opts.port ?? 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (process.env.ISOLATION_DESK_DEBUG) console.error(e);
      if (!res.headersSent) sendText(res, 500, '服务内部错误，请重试。');
      else res.destroy();
    });
  });

  function sendText(res: http.ServerResponse, status: number, text: string): void {
    res.writeHead(status, { ...securityHeaders(makeNonce()), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      ...securityHeaders(makeNonce()),
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': String(Buffer.byteLength(json)),
      ...extra,
    });
    res.end(json);
  }

  const apiError = (res: http.ServerResponse, status: number, error: AppErrorData, extra?: Record<string, string>) =>
    sendJson(res, status, { ok: false, error }, extra);

  async function readBody(req: http.IncomingMessage): Promise<Buffer | 'too_large'> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) return 'too_large';
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBody) return 'too_large';
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const self = `${HOST}:${port}`;
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    if (req.headers.host !== self) return sendText(res, 421, '只接受本机地址 http://' + self + '/ 的访问。');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${self}`) return sendText(res, 403, '拒绝来自其他网站的请求。');
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return sendText(res, 403, '拒绝来自其他网站的请求。');

    // One random session key per browser profile, set on its first response (page or API).
    let sessionKey = readCookie(req.headers.cookie, SESSION_COOKIE);
    const cookieHeaders: Record<string, string> = {};
    if (!sessionKey || !SESSION_RE.test(sessionKey)) {
      sessionKey = randomBytes(32).toString('base64url');
      cookieHeaders['Set-Cookie'] = `${SESSION_COOKIE}=${sessionKey}; Path=/; HttpOnly; SameSite=Strict`;
    }

    const url = new URL(req.url ?? '/', `http://${self}`);
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return apiError(res, 405, fail('VALIDATION', 'web.postOnly').toJSON(), { Allow: 'POST', ...cookieHeaders });
      const channel = url.pathname.slice('/api/'.length);
      if (!CHANNEL_RE.test(channel)) return apiError(res, 404, fail('NOT_FOUND', 'common.unknownChannel', { channel: channel.slice(0, 60) }).toJSON(), cookieHeaders);
      const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') return apiError(res, 415, fail('VALIDATION', 'web.jsonOnly').toJSON(), cookieHeaders);
      const body = await readBody(req);
      if (body === 'too_large') {
        res.setHeader('Connection', 'close');
        return apiError(res, 413, fail('VALIDATION', 'web.tooLarge', { mb: Math.round(maxBody / 1024 / 1024) }).toJSON(), cookieHeaders);
      }
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return apiError(res, 400, fail('VALIDATION', 'web.badJson').toJSON(), cookieHeaders);
      }
      const result = await dispatch(opts.env, channel, input, sessionKey);
      return sendJson(res, 200, result, cookieHeaders);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method Not Allowed');
    }
    const file = resolveStatic(root, url.pathname);
    if (!file) return sendText(res, 403, 'Forbidden');
    let data: Buffer;
    let served = file;
    try {
      data = await fs.readFile(file);
    } catch {
      // Client routes live after '#', so only a path without an extension falls back to the page.
      if (path.extname(file) !== '') return sendText(res, 404, '找不到此文件。');
      served = path.join(root, 'index.html');
      try {
        data = await fs.readFile(served);
      } catch {
        return sendText(res, 404, '界面文件缺失，请重新运行 npm run web 以构建界面。');
      }
    }
    const ext = path.extname(served).toLowerCase();
    const nonce = makeNonce();
    const headers: Record<string, string> = { ...securityHeaders(nonce), 'Content-Type': TYPES[ext] ?? 'application/octet-stream', ...cookieHeaders };
    let out: Buffer | string = data;
    if (ext === '.html') {
      headers['Cache-Control'] = 'no-store';
      out = injectNonce(data.toString('utf8'), nonce);
    } else {
      // Vite names assets by content hash: they never change under the same name.
      headers['Cache-Control'] = served.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    }
    headers['Content-Length'] = String(Buffer.byteLength(out));
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : out);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  server.keepAliveTimeout = 5_000;

  return {
    url: `http://${HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
