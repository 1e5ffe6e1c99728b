// A self-signed ECDSA P-256 certificate made in the test (the office server's kind), and a small real HTTPS server on
// 127.0.0.1 with it: what the desktop client pairs with and pins.
import https from 'node:https';
import { fingerprintOf, makeSelfSigned } from '../../electron/server/tls.ts';
import type { AddressInfo } from 'node:net';

export interface TestCert {
  /** PEM certificate and PKCS#8 private key. */
  cert: string;
  key: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
}

/** Made as the office server makes its own (electron/server/tls.ts): an ECDSA P-256 key, self-signed for 127.0.0.1. */
export async function makeCert(): Promise<TestCert> {
  const made = await makeSelfSigned(['127.0.0.1']);
  return { ...made, fingerprint: fingerprintOf(made.cert) };
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
