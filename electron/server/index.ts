// Starting and stopping the office server around an open database: the certificate, the fastify app (app.ts), the
// live feed, hourly housekeeping (idempotency answers older than a day, the change log's old entries) and, for the
// serve command, the scheduled verified backups. Used by `isolation-desk serve`, browser mode and the desktop app.
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ApiEnv, OfficeControl } from '../api/env.ts';
import { pruneChangeLog } from '../db/change-log.ts';
import { buildOfficeApp, type AppOptions } from './app.ts';
import { loadOrCreateCertificate } from './tls.ts';
import { startAutoBackup, type AutoBackup } from './auto-backup.ts';
import { RotatingLog } from './log.ts';

export { fingerprintOf } from './tls.ts';
export const LOOPBACK = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 5443;

export interface OfficeServerOptions {
  env: ApiEnv;
  staticDir: string;
  /** Default 127.0.0.1: the LAN is reached only when the admin chose an interface (or 0.0.0.0). */
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** TLS: the office's certificate files, or (default) one made and kept in `certDir`; false only for browser mode. */
  tls?: false | { certDir: string; certFile?: string; keyFile?: string };
  /** Default: pairing required whenever TLS is on. */
  requirePairing?: boolean;
  /** A log file (rotated); none = no log. */
  logFile?: string;
  /** Verified daily backups (and one at shutdown when anything changed), as the desktop app makes. */
  backups?: boolean;
  limits?: AppOptions['limits'];
  callTimeoutMs?: number;
  maxBodyBytes?: number;
  liveIntervalMs?: number;
  /** Lines written to the log at start (what serve on PostgreSQL does differently). */
  notes?: string[];
}

export interface OfficeServer {
  url: string;
  host: string;
  port: number;
  fingerprint: string | null;
  certFile: string | null;
  /** The status the API reports (ApiEnv.office). */
  control: OfficeControl;
  deviceRevoked(deviceId: number): void;
  /** Grouped writes so far: transactions committed and the writes they carried (server/idempotency.ts). */
  readonly groups: { commits: number; writes: number };
  /** Graceful: refuses new connections, lets running calls finish, closes sockets, makes the shutdown backup. */
  close(): Promise<void>;
}

const HOUR = 3600_000;

export async function startOfficeServer(opts: OfficeServerOptions): Promise<OfficeServer> {
  const { env } = opts;
  const host = opts.host ?? LOOPBACK;
  const cert = opts.tls === false ? null : await loadOrCreateCertificate({ dir: opts.tls?.certDir ?? path.join(path.dirname(env.dbFile), 'office-server'), certFile: opts.tls?.certFile, keyFile: opts.tls?.keyFile, hosts: host === '0.0.0.0' ? [] : [host] });
  const log = opts.logFile ? new RotatingLog(opts.logFile) : undefined;
  const built = await buildOfficeApp({
    env,
    staticDir: opts.staticDir,
    tls: cert ? { cert: cert.cert, key: cert.key } : null,
    requirePairing: opts.requirePairing ?? cert !== null,
    host,
    log,
    limits: opts.limits,
    callTimeoutMs: opts.callTimeoutMs,
    maxBodyBytes: opts.maxBodyBytes,
    liveIntervalMs: opts.liveIntervalMs,
  });
  for (const note of opts.notes ?? []) built.app.log.info(note);
  await built.live.start();
  await built.app.listen({ host, port: opts.port ?? DEFAULT_SERVER_PORT });
  const port = (built.app.server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' ? LOOPBACK : host;
  const url = `${cert ? 'https' : 'http'}://${shownHost}:${port}/`;

  const housekeeping = async () => {
    try {
      await built.idempotency.prune();
      await pruneChangeLog(env.db, env.clock.now().getTime());
    } catch (e) {
      built.app.log.warn({ err: (e as Error).message }, 'housekeeping failed');
    }
  };
  void housekeeping();
  const timer = setInterval(() => void housekeeping(), HOUR);
  timer.unref();
  const backups: AutoBackup | null = opts.backups ? startAutoBackup(env, { log: (m) => built.app.log.warn(m) }) : null;

  let running = true;
  const control: OfficeControl = {
    status: () => ({ running, url: running ? url : null, fingerprint: cert?.fingerprint ?? null, host: running ? host : null, port: running ? port : null }),
    canControl: false,
    deviceRevoked: (id) => built.deviceRevoked(id),
  };
  let closing: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    fingerprint: cert?.fingerprint ?? null,
    certFile: cert?.certFile ?? null,
    control,
    deviceRevoked: (id) => built.deviceRevoked(id),
    groups: built.idempotency.groups,
    close() {
      closing ??= (async () => {
        running = false;
        clearInterval(timer);
        built.live.stop();
        await built.app.close();
        if (backups) await backups.onQuit();
        log?.close();
      })();
      return closing;
    },
  };
}
