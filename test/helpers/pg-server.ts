// A throwaway PostgreSQL 15 server for `npm run test:pg` (scripts/test-pg.ts) and the PostgreSQL benches: Debian's
// binaries, initdb into a fresh temp folder, a free port on 127.0.0.1 only, a socket folder inside the temp folder, a
// random superuser password (scram-sha-256, so another local user cannot walk in), and stop() that shuts it down and
// deletes the folder. PostgreSQL refuses to run as root: as root every server command runs as the `postgres` user
// (runuser) and the folder is handed to that user.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PG_BIN = process.env.IDESK_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgServer {
  /** postgres://postgres:…@127.0.0.1:PORT/postgres — the maintenance database, as the superuser. */
  url: string;
  port: number;
  dir: string;
  stop(): void;
}

/** A port nothing listens on right now (the kernel's pick for port 0 on 127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program, as the postgres user when this process is root. Throws with its output on failure. */
function pgRun(program: string, args: string[]): void {
  const exe = path.join(PG_BIN, program);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${program} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
}

/**
 * A detached shell that stops the server and deletes its folder once process `pid` is gone: a runner killed with
 * SIGKILL (no handler runs) still leaves no server behind. It checks once a second and ends with the server.
 */
function watchdog(pid: number, data: string, dir: string): void {
  const pgCtl = path.join(PG_BIN, 'pg_ctl');
  const stopCmd = isRoot() ? `runuser -u postgres -- ${pgCtl}` : pgCtl;
  const script = `while kill -0 ${pid} 2>/dev/null && [ -d '${data}' ]; do sleep 1; done; [ -d '${data}' ] && ${stopCmd} -D '${data}' -m immediate -w -t 30 stop >/dev/null 2>&1; rm -rf '${dir}'`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

export async function startPgServer(options: { watchParent?: boolean } = {}): Promise<PgServer> {
  if (!fs.existsSync(path.join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}/initdb missing): apt-get install postgresql`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-pg-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  fs.mkdirSync(sock);
  const password = crypto.randomBytes(18).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:', dir]);
  let started = false;
  const stop = () => {
    if (started) {
      try {
        pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      } catch {
        // Already gone; the folder goes anyway.
      }
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // C locale: text sorts by code point, as SQLite's BINARY collation does (names, addresses, ISO dates).
    pgRun('initdb', ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--locale', 'C', '--no-sync']);
    fs.rmSync(pwfile);
    const port = await freePort();
    // A throwaway cluster: no fsync. Only 127.0.0.1, the socket in our folder, not /var/run/postgresql.
    const opts = [`-c listen_addresses=127.0.0.1`, `-p ${port}`, `-k ${sock}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'];
    pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', opts.join(' '), '-w', '-t', '60', 'start']);
    started = true;
    if (options.watchParent) watchdog(process.pid, data, dir);
    return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port, dir, stop };
  } catch (e) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    stop();
    throw new Error(`${(e as Error).message}${tail ? `\nserver.log:\n${tail}` : ''}`, { cause: e });
  }
}
