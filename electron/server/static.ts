// The built renderer as files: index.html with a fresh CSP nonce per load, hashed assets cached for good, and no
// path that leaves the folder.
import fs from 'node:fs/promises';
import path from 'node:path';
import { cspHeader, injectNonce, makeNonce } from './csp.ts';

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

/** Headers every answer carries (pages and API alike). */
export function securityHeaders(nonce = makeNonce()): Record<string, string> {
  return {
    'Content-Security-Policy': cspHeader(nonce),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
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

export type StaticAnswer = { status: number; headers: Record<string, string>; body: Buffer | string };

/** The answer for GET urlPath from the renderer folder. */
export async function serveStatic(root: string, urlPath: string): Promise<StaticAnswer> {
  const text = (status: number, body: string): StaticAnswer => ({ status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body });
  const file = resolveStatic(root, urlPath);
  if (!file) return text(403, 'Forbidden');
  let data: Buffer;
  let served = file;
  try {
    data = await fs.readFile(file);
  } catch {
    // Client routes live after '#', so only a path without an extension falls back to the page.
    if (path.extname(file) !== '') return text(404, '找不到此文件。');
    served = path.join(root, 'index.html');
    try {
      data = await fs.readFile(served);
    } catch {
      return text(404, '界面文件缺失，请重新运行 npm run web 以构建界面。');
    }
  }
  const ext = path.extname(served).toLowerCase();
  const nonce = makeNonce();
  const headers: Record<string, string> = { ...securityHeaders(nonce), 'Content-Type': TYPES[ext] ?? 'application/octet-stream' };
  if (ext === '.html') {
    headers['Cache-Control'] = 'no-store';
    return { status: 200, headers, body: injectNonce(data.toString('utf8'), nonce) };
  }
  // Vite names assets by content hash: they never change under the same name.
  headers['Cache-Control'] = served.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  return { status: 200, headers, body: data };
}
