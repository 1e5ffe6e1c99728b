// The office server's certificate, pinned by fingerprint (Syncthing's way: identity is the certificate, no CA).
// Plain Node, no Electron: the address a clerk types, reading the server's certificate to show its fingerprint,
// one HTTPS request over a connection that accepts only the pinned certificate, and the verdict Electron's
// session asks for every certificate the window meets.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { groupFingerprint, type ConnectionError, type ConnectionErrorCode } from '../shared/connection.ts';
import { fingerprintOf } from '../server/tls.ts';


export class PinError extends Error {
  readonly code: ConnectionErrorCode;
  constructor(code: ConnectionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
  toJSON(): ConnectionError {
    return { code: this.code, message: this.message };
  }
}

/**
 * What a clerk types (`192.168.1.10:5443`, `https://host:5443/`, with or without the slash) as the one address
 * stored and loaded: `https://host:port/`. Anything but plain https to a host (and port) is refused.
 */
export function normalizeServerUrl(input: string): string {
  const text = input.trim();
  if (!text) throw new PinError('BAD_URL', '请输入街道服务器的地址，例如 https://192.168.1.10:5443/');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new PinError('BAD_URL', `“${text}”不是有效的地址。请照服务器 设置 › 共享 页面上显示的地址输入，例如 https://192.168.1.10:5443/`);
  }
  if (u.protocol !== 'https:') throw new PinError('BAD_URL', '地址必须以 https:// 开头（街道服务器只接受加密连接）。');
  if (u.username || u.password) throw new PinError('BAD_URL', '地址中不能含用户名或密码。');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    throw new PinError('BAD_URL', '只需输入服务器地址和端口，例如 https://192.168.1.10:5443/，不要带其他路径。');
  }
  return `${u.origin}/`;
}

interface HostPort {
  host: string;
  port: number;
  /** SNI name; none for an IP address (TLS forbids it). */
  servername?: string;
}

function hostPortOf(url: string): HostPort {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(u.port || 443), servername: net.isIP(host) ? undefined : host };
}

function networkError(e: NodeJS.ErrnoException, url: string): PinError {
  const where = `无法连接到 ${url}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new PinError('UNREACHABLE', `${where}：连接被拒绝。请确认街道服务器已启动，地址和端口与服务器 设置 › 共享 页面上的一致。`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PinError('UNREACHABLE', `${where}：找不到这台服务器。请检查地址是否输错。`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new PinError('UNREACHABLE', `${where}：网络不通。请检查本机网络（政务外网或 VPN）是否已连接。`);
    case 'ECONNRESET':
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return new PinError('NOT_TLS', `${where}：对方没有以加密方式（https）应答。请确认地址和端口是街道服务器的。`);
    default:
      return new PinError('UNREACHABLE', `${where}：${e.message}`);
  }
}

/** A TLS connection that has finished its handshake; the caller checks the certificate before sending anything. */
function connectTls(url: string, timeoutMs: number): Promise<tls.TLSSocket> {
  const { host, port, servername } = hostPortOf(url);
  return new Promise((resolve, reject) => {
    // rejectUnauthorized: false only so that a self-signed certificate can be read; what is accepted is decided by
    // its fingerprint (pinnedConnection) before a single byte of a request is written.
    const socket = tls.connect({ host, port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new PinError('TIMEOUT', `连接 ${url} 超时。请确认街道服务器已启动、本机网络已连接。`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(networkError(e, url));
    });
  });
}

function peerFingerprint(socket: tls.TLSSocket): string | null {
  const raw = socket.getPeerCertificate(true)?.raw;
  return raw ? fingerprintOf(raw) : null;
}

/** Reads the server's certificate (nothing is sent) and returns its fingerprint, for the clerk to compare. */
export async function probeServer(url: string, timeoutMs = 10_000): Promise<string> {
  const socket = await connectTls(url, timeoutMs);
  try {
    const fp = peerFingerprint(socket);
    if (!fp) throw new PinError('NOT_TLS', `${url} 没有出示证书。请确认地址是街道服务器的。`);
    return fp;
  } finally {
    socket.destroy();
  }
}

export function certificateChangedMessage(url: string, expected: string, presented: string | null): string {
  return (
    `${url} 出示的证书与配对时核对的不一致，连接已拒绝。\n\n配对时的指纹：\n${groupFingerprint(expected)}\n\n现在出示的指纹：\n${presented ? groupFingerprint(presented) : '（无）'}\n\n` +
    '可能是服务器重新生成了证书，也可能有人冒充服务器。请向街道管理员核实；确认是服务器换了证书后，再重新配对。'
  );
}

/** A TLS connection to `url` whose certificate hashes to `fingerprint`; any other certificate: PinError CERT_CHANGED. */
export async function pinnedConnection(url: string, fingerprint: string, timeoutMs = 10_000): Promise<tls.TLSSocket> {
  const socket = await connectTls(url, timeoutMs);
  const presented = peerFingerprint(socket);
  if (presented !== fingerprint) {
    socket.destroy();
    throw new PinError('CERT_CHANGED', certificateChangedMessage(url, fingerprint, presented));
  }
  return socket;
}

export interface PinnedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_BODY = 256 * 1024;

/** One HTTPS request over a pinned connection (the request is written only after the certificate matched). */
export async function pinnedRequest(
  url: string,
  fingerprint: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string },
  timeoutMs = 15_000,
): Promise<PinnedResponse> {
  const socket = await pinnedConnection(url, fingerprint, timeoutMs);
  const { host, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: new URL(url).hostname,
        port: Number(port || 443),
        method: req.method,
        path: req.path,
        headers: { Host: host, ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
        // The verified socket is the request's connection: no agent, no second handshake.
        createConnection: () => socket,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            res.destroy();
            reject(new PinError('BAD_ANSWER', `${url} 的应答过大，不像街道服务器。`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          socket.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => reject(networkError(e, url)));
      },
    );
    r.on('timeout', () => r.destroy(new PinError('TIMEOUT', `${url} 没有在规定时间内应答。请稍后重试。`)));
    r.on('error', (e) => reject(e instanceof PinError ? e : networkError(e, url)));
    r.end(req.body);
  });
}

/** The host as Chromium names it in a certificate check (no IPv6 brackets, lower case). */
function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** Chromium's verdicts for setCertificateVerifyProc. */
export const VERIFY_OK = 0;
export const VERIFY_FAIL = -2;
export const VERIFY_DEFAULT = -3;

export interface VerifyRequest {
  hostname: string;
  certificate: { data: string };
}

/**
 * The session's certificate check in client mode: for the server's host, exactly the pinned certificate (0) and
 * nothing else (-2, after telling `onRefused` once per fingerprint); other hosts keep Chromium's own verdict (-3).
 */
export function pinnedVerifyProc(
  serverUrl: string,
  fingerprint: string,
  onRefused?: (presented: string | null) => void,
): (request: VerifyRequest, callback: (verdict: number) => void) => void {
  const host = bareHost(new URL(serverUrl).hostname);
  const told = new Set<string>();
  return (request, callback) => {
    if (bareHost(request.hostname) !== host) {
      callback(VERIFY_DEFAULT);
      return;
    }
    let presented: string | null;
    try {
      presented = fingerprintOf(request.certificate.data);
    } catch {
      presented = null;
    }
    if (presented === fingerprint) {
      callback(VERIFY_OK);
      return;
    }
    callback(VERIFY_FAIL);
    const key = presented ?? '';
    if (!told.has(key)) {
      told.add(key);
      onRefused?.(presented);
    }
  };
}
