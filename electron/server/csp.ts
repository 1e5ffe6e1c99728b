// Content-Security-Policy for the renderer, shared by the Electron app:// protocol and the browser-mode server.
// Pure (no Electron import): a fresh nonce per page load, the header, and the <meta> that hands the nonce to the UI.
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64 (the CSP nonce grammar allows + / =). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

const NONCE_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

function assertNonce(nonce: string): void {
  // A nonce with a quote or semicolon would let a caller rewrite the policy or break out of the attribute.
  if (!NONCE_RE.test(nonce)) throw new Error('CSP nonce must be base64');
}

/**
 * The policy. Scripts only from our own origin (no eval, no inline); styles from our origin plus <style> tags
 * carrying the page's nonce (antd's CSS-in-JS and AG Grid insert those and are given the nonce).
 */
export function cspHeader(nonce: string): string {
  assertNonce(nonce);
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

const META_RE = /<meta\s+name=["']csp-nonce["'][^>]*>/gi;

/**
 * Puts `<meta name="csp-nonce" content="N">` first in <head> (replacing any placeholder) so the renderer can read
 * the nonce, and stamps the nonce on any <style> element already in the page.
 */
export function injectNonce(html: string, nonce: string): string {
  assertNonce(nonce);
  const meta = `<meta name="csp-nonce" content="${nonce}">`;
  let out = html.replace(META_RE, '');
  out = out.replace(/<style(?![^>]*\snonce=)([^>]*)>/gi, `<style nonce="${nonce}"$1>`);
  if (/<head(\s[^>]*)?>/i.test(out)) return out.replace(/<head(\s[^>]*)?>/i, (m) => `${m}\n    ${meta}`);
  return `${meta}\n${out}`;
}

/** Reads the nonce back from a page (used by tests and by the renderer's bootstrap). */
export function readNonce(html: string): string | null {
  const m = /<meta\s+name=["']csp-nonce["']\s+content=["']([^"']+)["']/i.exec(html);
  return m ? m[1] : null;
}
