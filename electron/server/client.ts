// A Node client of the office server with the certificate pinned by fingerprint (what a committee PC trusts): the
// connection is handed to a request only after the server's certificate hashed to the pinned SHA-256, so nothing —
// not even a request line — reaches any other server. Used by the tests, the benchmark and the desktop client mode.
import https from 'node:https';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ApiResult } from '../api/dispatch.ts';
import type { LiveMessage } from './live.ts';

export class PinMismatchError extends Error {
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super(`服务器证书指纹不符：应为 ${expected}，实际为 ${actual}。可能连到了别的服务器，已拒绝连接。`);
    this.name = 'PinMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}

const normal = (fp: string) => fp.replaceAll(':', '').toLowerCase();

/** An https agent that accepts exactly one certificate: the one whose SHA-256 is `fingerprint`. */
export function pinnedAgent(fingerprint: string, opts: { maxSockets?: number } = {}): https.Agent {
  const pin = normal(fingerprint);
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 8 });
  // Node's agent accepts a callback form: the socket is given to the request only once the pin matched.
  (agent as unknown as { createConnection: unknown }).createConnection = (options: tls.ConnectionOptions, done: (err: Error | null, s?: tls.TLSSocket) => void) => {
    const socket = tls.connect({ ...options, rejectUnauthorized: false });
    let settled = false;
    socket.once('secureConnect', () => {
      const actual = normal(socket.getPeerCertificate().fingerprint256 ?? '');
      settled = true;
      if (actual !== pin) {
        socket.destroy();
        return done(new PinMismatchError(pin, actual));
      }
      done(null, socket);
    });
    socket.once('error', (e) => {
      if (!settled) {
        settled = true;
        done(e);
      }
    });
    return undefined;
  };
  return agent;
}

export interface Reply<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface CallOptions {
  /** The write's idempotency key (made fresh per logical write when omitted). */
  key?: string;
  /** Retries after a network failure, with the same key. */
  retries?: number;
  timeoutMs?: number;
}

/** One office PC: its pinned connection and its cookies (device credential and session). */
export class OfficeClient {
  readonly url: URL;
  readonly agent: https.Agent;
  readonly cookies = new Map<string, string>();

  constructor(url: string, fingerprint: string, opts: { maxSockets?: number } = {}) {
    this.url = new URL(url);
    this.agent = pinnedAgent(fingerprint, opts);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(setCookie: string[] | string | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One raw POST of JSON (or of `raw` bytes with its own content type). */
  post<T = unknown>(path: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<Reply<T>> {
    const data = Buffer.from(JSON.stringify(body ?? {}));
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path,
          agent: this.agent,
          timeout: timeoutMs,
          headers: { 'Content-Type': 'application/json', 'Content-Length': String(data.length), Cookie: this.cookieHeader(), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            this.keep(res.headers['set-cookie']);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON (a plain-text refusal): kept as text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(data);
    });
  }

  async pair(code: string, name: string): Promise<ApiResult<{ deviceId: number; name: string }>> {
    return (await this.post<ApiResult<{ deviceId: number; name: string }>>('/api/devices.pair', { code, name })).body;
  }

  /** A contract call; a network failure is retried with the same idempotency key. */
  async call<T = unknown>(channel: string, input: unknown = {}, opts: CallOptions = {}): Promise<ApiResult<T>> {
    const key = opts.key ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.post<ApiResult<T>>(`/api/${channel}`, input, { 'Idempotency-Key': key }, opts.timeoutMs)).body;
      } catch (e) {
        if (attempt >= (opts.retries ?? 0)) throw e;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  async login(username: string, password: string): Promise<ApiResult<unknown>> {
    return this.call('auth.login', { username, password });
  }

  /** The live feed; `onMessage` gets each notice. */
  live(since: number | null, onMessage: (m: LiveMessage) => void): Promise<WebSocket> {
    const u = new URL(`/api/live${since === null ? '' : `?since=${since}`}`, this.url);
    u.protocol = 'wss:';
    const ws = new WebSocket(u, { agent: this.agent, headers: { Cookie: this.cookieHeader() } });
    ws.on('message', (data) => onMessage(JSON.parse(String(data)) as LiveMessage));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
