// The renderer's Content-Security-Policy: no eval or inline script ever, styles only with the page's nonce,
// and the nonce handed to the UI through one <meta> tag.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cspHeader, injectNonce, makeNonce, readNonce } from '../../electron/server/csp.ts';

function directives(header: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('CSP', () => {
  it('makes a fresh 128-bit base64 nonce each time', () => {
    const a = makeNonce();
    const b = makeNonce();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
  });

  it('allows scripts only from self: no unsafe-eval, no unsafe-inline, no nonce for scripts', () => {
    const d = directives(cspHeader('abc123=='));
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(cspHeader('abc123==')).not.toMatch(/unsafe-(eval|inline)|wasm-unsafe|\*/);
  });

  it('carries the nonce for styles and the rest of the required policy', () => {
    const n = makeNonce();
    const d = directives(cspHeader(n));
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'", `'nonce-${n}'`]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(d.get('font-src')).toEqual(["'self'", 'data:']);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('refuses a nonce that could rewrite the policy or break out of the attribute', () => {
    expect(() => cspHeader("x'; script-src *")).toThrow();
    expect(() => injectNonce('<head></head>', '"><script>')).toThrow();
  });

  it('injects exactly one csp-nonce meta into the real renderer/index.html, replacing its placeholder', () => {
    const file = path.resolve(import.meta.dirname, '../../renderer/index.html');
    const html = fs.existsSync(file)
      ? fs.readFileSync(file, 'utf8')
      : '<!doctype html><html><head><meta name="csp-nonce" content="" /><title>t</title></head><body></body></html>';
    const n = makeNonce();
    const out = injectNonce(html, n);
    expect(out.match(/name="csp-nonce"/g)).toHaveLength(1);
    expect(readNonce(out)).toBe(n);
    // The meta sits inside <head>, before any script could read it.
    expect(out.indexOf('csp-nonce')).toBeLessThan(out.indexOf('</head>'));
  });

  it('stamps the nonce on inline <style> elements and adds a head-less page meta too', () => {
    const n = 'Zm9vYmFy';
    expect(injectNonce('<html><head><style>a{}</style></head></html>', n)).toContain(`<style nonce="${n}">`);
    expect(readNonce(injectNonce('<p>no head</p>', n))).toBe(n);
  });
});
