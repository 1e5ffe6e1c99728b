// Serving the built renderer for app://desk/: the host check, then the office server's static serving (file inside the
// folder, content type, CSP header with a fresh nonce injected into index.html). Pure Node (no Electron import), so it is tested and reusable directly.
import path from 'node:path';
import { cspHeader, makeNonce } from '../server/csp.ts';
import { resolveStatic, serveStatic } from '../server/static.ts';

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
  return resolveStatic(path.resolve(rootDir), u.pathname);
}

/** The request handler for protocol.handle (exported so tests call it without Electron): the office server's own way of
 * serving the renderer (server/static.ts), behind the app:// host check. */
export function makeAppHandler(rootDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method Not Allowed');
    if (!resolveAppFile(root, request.url)) return refuse(403, 'Forbidden');
    const answer = await serveStatic(root, new URL(request.url).pathname);
    return new Response(typeof answer.body === 'string' ? answer.body : new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
  };
}
