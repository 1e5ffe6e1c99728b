// The office server: the same API as the desktop window (dispatch: contract, permissions, domain), over HTTPS for
// every committee PC and browser of the office, plus the built renderer and a WebSocket of change notices. Browser
// mode is this server on 127.0.0.1 without TLS and without pairing (a single-user tool on one computer).
//
// Who may call: a paired device (its credential in the HttpOnly idesk_device cookie, pairing.ts) with a session the
// server made at login (idesk_session, renewed at every login; a key the client makes up is never a session).
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import rateLimit from '@fastify/rate-limit';
import helmet from '@fastify/helmet';
import { contract } from '../api/contract.ts';
import { isWrite } from '../api/define.ts';
import { dispatch, isChannel, type ApiResult } from '../api/dispatch.ts';
import type { ApiEnv } from '../api/env.ts';
import { AppError, fail, type AppErrorData } from '../shared/errors.ts';
import { PAIRING } from '../shared/limits.ts';
import { auditRefusedDevice, deviceActor, deviceByToken, pairDevice, touchDevice, type DeviceRow } from '../domain/devices.ts';
import { serveStatic, securityHeaders } from './static.ts';
import { GROUPED, IdempotencyStore, IDEMPOTENCY_KEY_RE } from './idempotency.ts';
import type { Db } from '../db/open.ts';
import { LiveFeed } from './live.ts';
import { readCookie, sessionCookie, deviceCookie, clearCookie, SESSION_COOKIE, DEVICE_COOKIE } from './cookies.ts';

/** Large enough for an upstream Excel list sent as base64 JSON. */
export const DEFAULT_MAX_BODY_BYTES = 60 * 1024 * 1024;
/** A call that takes longer is answered "try again" (its work goes on, and a retry with its key gets its answer). */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

const CHANNEL_RE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/;
const SESSION_RE = /^[A-Za-z0-9_-]{43}$/;
/** How many device tokens, devices and addresses the server remembers at most (caches and audit pacing). */
const MAX_REMEMBERED = 10_000;
/** Calls that start a session: the server makes a new session id for them (the old one, if any, ends). */
const STARTS_SESSION = new Set(['auth.login', 'auth.setupAdmin']);

export interface AppOptions {
  env: ApiEnv;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** TLS certificate and key (PEM); null only for browser mode on loopback. */
  tls: { cert: string; key: string } | null;
  /** Calls need a paired device (the office server); browser mode on one computer does not. */
  requirePairing: boolean;
  /** The address it will listen on: a loopback server accepts only its own Host names (DNS rebinding). */
  host: string;
  maxBodyBytes?: number;
  callTimeoutMs?: number;
  /** Log destination (fastify's logger); none = no log. */
  log?: { write(line: string): void };
  /** Per-address limits (per minute); tests lower them. */
  limits?: { api?: number; login?: number; pair?: number; pairAll?: number };
  liveIntervalMs?: number;
}

export interface OfficeApp {
  app: FastifyInstance;
  live: LiveFeed;
  idempotency: IdempotencyStore;
  /** Ends a revoked device's sessions and live sockets at once. */
  deviceRevoked(deviceId: number): void;
}

type Caller = { device: DeviceRow | null; sessionValue: string | null; sessionKey: string };

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

export async function buildOfficeApp(opts: AppOptions): Promise<OfficeApp> {
  const { env } = opts;
  const secure = opts.tls !== null;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const callTimeout = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const limits = { api: 1200, login: 20, pair: 10, pairAll: 60, ...opts.limits };

  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
    logger: opts.log ? { level: 'info', stream: opts.log } : false,
    bodyLimit: maxBody,
    requestTimeout: 120_000,
    connectionTimeout: 130_000,
    // Longer than a PC's idle pause between entries, so a kept-alive connection is not closed under its next request.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    trustProxy: false,
  });
  const idempotency = new IdempotencyStore(
    () => env.db,
    () => env.clock.now(),
  );
  const live = new LiveFeed(() => env.db, env.sessions, opts.liveIntervalMs);

  await app.register(helmet, { contentSecurityPolicy: false, hsts: secure ? { maxAge: 15552000 } : false });
  await app.register(rateLimit, { global: false });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  // The body as bytes: JSON is parsed here so a broken body gets our own message.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBody }, (_req, body, done) => done(null, body));

  const reply = (res: FastifyReply, status: number, body: ApiResult<unknown>, cookies: string[] = []) => {
    void res.code(status).headers({ ...securityHeaders(), 'Cache-Control': 'no-store' });
    if (cookies.length) void res.header('Set-Cookie', cookies);
    return res.type('application/json; charset=utf-8').send(JSON.stringify(body));
  };
  const refuse = (res: FastifyReply, status: number, e: AppError | AppErrorData, cookies: string[] = []) =>
    reply(res, status, { ok: false, error: e instanceof AppError ? e.toJSON() : e }, cookies);

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, res) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      void res.header('Connection', 'close');
      return refuse(res, 413, fail('VALIDATION', 'web.tooLarge', { mb: Math.round(maxBody / 1024 / 1024) }));
    }
    if (err.statusCode === 429) return refuse(res, 429, fail('LOCKED', 'device.tooMany', { seconds: 60 }));
    if (process.env.ISOLATION_DESK_DEBUG) console.error(err);
    return refuse(res, err.statusCode && err.statusCode < 500 ? err.statusCode : 500, fail('INTERNAL', 'common.failed'));
  });

  /** Same-site checks: a page of another site (or a DNS-rebound name on loopback) is refused before anything runs. */
  function siteProblem(req: FastifyRequest): string | null {
    const host = req.headers.host ?? '';
    if (isLoopback(opts.host)) {
      const port = (req.socket.localPort ?? 0).toString();
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return `只接受本机地址 ${secure ? 'https' : 'http'}://127.0.0.1:${port}/ 的访问。`;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `${secure ? 'https' : 'http'}://${host}`) return '拒绝来自其他网站的请求。';
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return '拒绝来自其他网站的请求。';
    return null;
  }

  const address = (req: FastifyRequest) => req.socket.remoteAddress ?? null;
  /** Per-token and per-address memories stay small: past MAX_REMEMBERED the oldest entries go (insertion order). */
  const remember = <K, V>(map: Map<K, V>, key: K, value: V) => {
    map.delete(key);
    map.set(key, value);
    while (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as K);
  };
  const seen = new Map<number, number>();
  const deviceCache = new Map<string, { device: DeviceRow; at: number }>();

  /** The paired device of this request, or null (unknown, revoked, or none). Revocation takes effect at once. */
  async function deviceOf(req: FastifyRequest): Promise<DeviceRow | null> {
    const token = readCookie(req.headers.cookie, DEVICE_COOKIE);
    if (!token || token.length > 100) return null;
    const hit = deviceCache.get(token);
    const now = Date.now();
    let device = hit && now - hit.at < 5_000 ? hit.device : null;
    if (!device) {
      device = await deviceByToken(env, token);
      if (!device) return null;
      remember(deviceCache, token, { device, at: now });
    }
    if (now - (seen.get(device.id) ?? 0) > 60_000) {
      remember(seen, device.id, now);
      await touchDevice(env, device.id, address(req));
    }
    return device;
  }

  const refusedAudit = new Map<string, number>();
  async function auditRefusal(req: FastifyRequest, reason: 'unknown' | 'none'): Promise<void> {
    // At most one audit row per address per minute: a flood of refused calls must not flood the trail.
    const key = `${address(req)}`;
    const now = Date.now();
    if (now - (refusedAudit.get(key) ?? 0) < 60_000) return;
    remember(refusedAudit, key, now);
    await auditRefusedDevice({ db: env.db, clock: env.clock, actor: deviceActor(key) }, address(req), reason);
  }

  /** Device and session of a call; null when refused (the answer is sent). */
  async function callerOf(req: FastifyRequest, res: FastifyReply): Promise<Caller | null> {
    let device: DeviceRow | null = null;
    if (opts.requirePairing) {
      device = await deviceOf(req);
      if (!device) {
        await auditRefusal(req, readCookie(req.headers.cookie, DEVICE_COOKIE) ? 'unknown' : 'none');
        void refuse(res, 403, fail('DEVICE_UNPAIRED', 'device.unpaired'), [clearCookie(DEVICE_COOKIE, secure)]);
        return null;
      }
    }
    const value = readCookie(req.headers.cookie, SESSION_COOKIE);
    const sessionValue = value && SESSION_RE.test(value) ? value : null;
    return { device, sessionValue, sessionKey: sessionKeyOf(device, sessionValue ?? 'none') };
  }

  const sessionKeyOf = (device: DeviceRow | null, value: string) => (device ? `dev:${device.id}:${value}` : `web:${value}`);

  // ---- pairing -------------------------------------------------------------------------------------------------
  let pairWindow = { start: 0, count: 0 };
  app.post(
    '/api/devices.pair',
    { config: { rateLimit: { max: limits.pair, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `pair:${address(req)}` } } },
    async (req, res) => {
      const problem = siteProblem(req);
      if (problem) return res.code(403).type('text/plain; charset=utf-8').send(problem);
      if (!opts.requirePairing) return refuse(res, 404, fail('NOT_FOUND', 'device.notServer'));
      // All addresses together: guessing one of the open codes within their 10 minutes stays hopeless.
      const now = Date.now();
      if (now - pairWindow.start > 60_000) pairWindow = { start: now, count: 0 };
      if (++pairWindow.count > limits.pairAll) return refuse(res, 429, fail('LOCKED', 'device.tooMany', { seconds: Math.ceil((pairWindow.start + 60_000 - now) / 1000) }));
      const input = parseBody(req);
      if (input instanceof AppError) return refuse(res, 400, input);
      const { code, name } = (input ?? {}) as { code?: unknown; name?: unknown };
      if (typeof code !== 'string' || !new RegExp(`^\\d{${PAIRING.digits}}$`).test(code)) return refuse(res, 200, fail('VALIDATION', 'device.codeFormat'));
      const deviceName = typeof name === 'string' ? name.trim() : '';
      if (!deviceName || deviceName.length > PAIRING.nameMax) return refuse(res, 200, fail('VALIDATION', 'device.nameRequired'));
      try {
        const paired = await pairDevice({ db: env.db, clock: env.clock, actor: deviceActor(deviceName) }, code, deviceName, address(req));
        return reply(res, 200, { ok: true, data: { deviceId: paired.device.id, name: paired.device.name } }, [deviceCookie(paired.token, secure)]);
      } catch (e) {
        if (e instanceof AppError) return refuse(res, 200, e);
        throw e;
      }
    },
  );

  // ---- the API -------------------------------------------------------------------------------------------------
  app.post(
    '/api/:channel',
    {
      config: {
        rateLimit: {
          max: (_req: FastifyRequest, key: string) => (key.endsWith('|login') ? limits.login : limits.api),
          timeWindow: 60_000,
          keyGenerator: (req: FastifyRequest) => {
            const channel = (req.params as { channel?: string }).channel;
            return `${address(req)}|${channel && STARTS_SESSION.has(channel) ? 'login' : 'api'}`;
          },
        },
      },
    },
    async (req, res) => {
      const problem = siteProblem(req);
      if (problem) return res.code(403).type('text/plain; charset=utf-8').send(problem);
      const channel = (req.params as { channel: string }).channel;
      if (!CHANNEL_RE.test(channel)) return refuse(res, 404, fail('NOT_FOUND', 'common.unknownChannel', { channel: channel.slice(0, 60) }));
      // A grouped write (idempotency.ts) says it is on its way, so a group about to be written may wait for it.
      const arrived = GROUPED.has(channel) && req.headers['idempotency-key'] !== undefined ? idempotency.expect() : () => undefined;
      try {
        return await handleCall(req, res, channel, arrived);
      } finally {
        arrived();
      }
    },
  );

  async function handleCall(req: FastifyRequest, res: FastifyReply, channel: string, arrived: () => void) {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return refuse(res, 415, fail('VALIDATION', 'web.jsonOnly'));
    const caller = await callerOf(req, res);
    if (!caller) return res;
    const input = parseBody(req);
    if (input instanceof AppError) return refuse(res, 400, input);

    const cookies: string[] = [];
    let sessionKey = caller.sessionKey;
    if (STARTS_SESSION.has(channel)) {
      // A new id at every login: one fixed by someone else (session fixation) never becomes a session.
      const fresh = randomBytes(32).toString('base64url');
      sessionKey = sessionKeyOf(caller.device, fresh);
      const answer = await dispatch(env, channel, input, sessionKey, { deviceId: caller.device?.id });
      if (answer.ok) {
        if (caller.sessionValue) env.sessions.delete(caller.sessionKey);
        cookies.push(sessionCookie(fresh, secure));
      }
      return reply(res, 200, answer, cookies);
    }
    if (channel === 'auth.logout') cookies.push(clearCookie(SESSION_COOKIE, secure));

    const key = req.headers['idempotency-key'];
    // A grouped write runs on the group's transaction (idempotency.ts); every other call on the file's connection.
    const call = (db?: Db, onUnexpected?: (e: unknown) => void) => dispatch(db ? { ...env, db } : env, channel, input, sessionKey, { deviceId: caller.device?.id, onUnexpected });
    let answer: Promise<ApiResult<unknown>>;
    if (key !== undefined && isChannel(channel) && isWrite(contract[channel])) {
      if (typeof key !== 'string' || !IDEMPOTENCY_KEY_RE.test(key)) return refuse(res, 400, fail('VALIDATION', 'server.idempotencyKey'));
      answer = idempotency.run(caller.device?.id ?? 0, key, channel, call, arrived);
    } else {
      answer = call();
    }
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([answer, new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), callTimeout)))]);
    clearTimeout(timer);
    if (result === timedOut) return refuse(res, 503, fail('INTERNAL', 'server.timeout'), cookies);
    return reply(res, 200, result, cookies);
  }

  app.all('/api/*', async (req, res) => {
    if (req.method !== 'POST') void res.header('Allow', 'POST');
    return refuse(res, 405, fail('VALIDATION', 'web.postOnly'));
  });

  // ---- live change notices -------------------------------------------------------------------------------------
  // The upgrade goes through the same checks as a call: same site, paired device, a live session.
  const liveSession = new WeakMap<FastifyRequest, string>();
  app.get(
    '/api/live',
    {
      websocket: true,
      preValidation: async (req, res) => {
        const problem = siteProblem(req);
        if (problem) return res.code(403).type('text/plain; charset=utf-8').send(problem);
        const caller = await callerOf(req, res);
        if (!caller) return res;
        if (!caller.sessionValue || !env.sessions.get(caller.sessionKey)) return refuse(res, 401, fail('UNAUTHENTICATED', 'session.required'));
        liveSession.set(req, caller.sessionKey);
      },
    },
    async (socket, req) => {
      const since = Number((req.query as { since?: string }).since);
      const key = liveSession.get(req);
      if (!key) return socket.close(4401, 'no session');
      await live.add(socket, key, Number.isSafeInteger(since) && since >= 0 ? since : null);
    },
  );

  // ---- the renderer --------------------------------------------------------------------------------------------
  app.get('/*', async (req, res) => {
    const problem = siteProblem(req);
    if (problem) return res.code(421).type('text/plain; charset=utf-8').send(problem);
    const answer = await serveStatic(opts.staticDir, new URL(req.url, 'http://x').pathname);
    return res.code(answer.status).headers(answer.headers).send(answer.body);
  });

  return {
    app,
    live,
    idempotency,
    deviceRevoked(deviceId) {
      for (const [token, hit] of deviceCache) if (hit.device.id === deviceId) deviceCache.delete(token);
      env.sessions.deleteWhere((key) => key.startsWith(`dev:${deviceId}:`));
      live.closeWhere((key) => key.startsWith(`dev:${deviceId}:`));
    },
  };
}

function parseBody(req: FastifyRequest): unknown {
  const body = req.body as Buffer | undefined;
  if (!body || body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return fail('VALIDATION', 'web.badJson');
  }
}
