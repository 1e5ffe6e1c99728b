// Serving the built renderer for app://desk/: URL → file inside the folder (no traversal), content type, CSP header
// with a fresh nonce injected into index.html. Pure Node (no Electron import), so it is tested and reusable directly.
import fs from 'node:fs/promises';
import path from 'node:path';
import { cspHeader, injectNonce, makeNonce } from '../server/csp.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** True for URLs of our own renderer (app://desk/…). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': cspHeader(makeNonce()) },
  });
}

/**
 * Maps an app:// URL to a file inside `rootDir`, or null when it points elsewhere (other host, traversal,
 * encoded separators, NUL). Paths without an extension fall back to index.html (client-side routes).
 */
export function resolveAppFile(rootDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  // Decoding may reveal "..", "\" or NUL that the URL parser did not treat as path syntax.
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((seg) => seg === '..')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, '.' + rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

/** The request handler for protocol.handle (exported so tests call it without Electron). */
export function makeAppHandler(rootDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method Not Allowed');
    let file = resolveAppFile(root, request.url);
    if (!file) return refuse(403, 'Forbidden');
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      if (path.extname(file) !== '') return refuse(404, 'Not Found');
      file = path.join(root, 'index.html');
      try {
        body = await fs.readFile(file);
      } catch {
        return refuse(404, 'Not Found');
      }
    }
    const ext = path.extname(file).toLowerCase();
    const nonce = makeNonce();
    const headers: Record<string, string> = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Security-Policy': cspHeader(nonce),
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
    };
    if (ext === '.html') {
      headers['Cache-Control'] = 'no-store';
      return new Response(injectNonce(body.toString('utf8'), nonce), { status: 200, headers });
    }
    return new Response(new Uint8Array(body), { status: 200, headers });
  };
}
