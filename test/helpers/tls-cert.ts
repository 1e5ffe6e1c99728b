// A self-signed ECDSA P-256 certificate made in the test (the office server's kind), and a small real HTTPS server on
// 127.0.0.1 with it: what the desktop client pairs with and pins.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestCert {
  /** PEM certificate and PKCS#8 private key. */
  cert: string;
  key: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
}

/**
 * Made by the system's openssl (@peculiar/x509 needs a Reflect metadata polyfill this branch does not carry): an
 * ECDSA P-256 key and a one-day self-signed certificate for 127.0.0.1, as the office server makes its own.
 */
export function makeCert(commonName = '127.0.0.1'): TestCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`, '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: 'pipe' },
    );
    const cert = fs.readFileSync(certFile, 'utf8');
    const x = new crypto.X509Certificate(cert);
    if ((x.publicKey.asymmetricKeyDetails?.namedCurve ?? '') !== 'prime256v1') throw new Error('not a P-256 key');
    return { cert, key: fs.readFileSync(keyFile, 'utf8'), fingerprint: x.fingerprint256.replaceAll(':', '').toLowerCase() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Seen {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}

export interface TestServer {
  url: string;
  /** Every request that reached the server, with its body. */
  seen: Seen[];
  /** Connections accepted (a pinned client that refuses has still connected: the refusal comes after the handshake). */
  connections: number;
  close(): Promise<void>;
}

/** Codes this server accepts once each; the credential it hands out per code. */
export async function startPairingServer(tlsCert: TestCert, codes: Record<string, string>): Promise<TestServer> {
  const seen: Seen[] = [];
  const left = new Map(Object.entries(codes));
  const state = { connections: 0 };
  const server = https.createServer({ cert: tlsCert.cert, key: tlsCert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      if (req.method !== 'POST' || req.url !== '/api/devices.pair') {
        res.statusCode = 404;
        res.end(JSON.stringify({ ok: false, error: { code: 'NOT_FOUND', key: 'common.notFound', message: '没有这个接口。' } }));
        return;
      }
      let input: { code?: unknown; name?: unknown } = {};
      try {
        input = JSON.parse(body);
      } catch {
        // answered as a wrong code below
      }
      const credential = typeof input.code === 'string' ? left.get(input.code) : undefined;
      if (!credential || typeof input.name !== 'string') {
        res.end(JSON.stringify({ ok: false, error: { code: 'INVALID', key: 'devices.badCode', message: '配对码不正确或已过期，请向管理员要一个新的配对码。' } }));
        return;
      }
      left.delete(input.code as string);
      res.setHeader('Set-Cookie', `idesk_device=${credential}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000`);
      res.end(JSON.stringify({ ok: true, data: { deviceId: 7, name: input.name } }));
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/`,
    seen,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
