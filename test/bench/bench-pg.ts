// PostgreSQL for the benches printed side by side with SQLite (`--engine pg|both`): a throwaway PostgreSQL 15 server
// of its own (test/helpers/pg-server.ts: Debian's binaries, 127.0.0.1, deleted afterwards), databases made from a
// prepared template, and the server's CPU time — on PostgreSQL much of the work is in the server's processes, not in
// Node's, so a bench adds the two to compare with SQLite's in-process CPU time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { startPgServer, type PgServer } from '../helpers/pg-server.ts';

export type { PgServer };
export type Engine = 'sqlite' | 'pg';

/** The engines `--engine sqlite|pg|both` asks for (default: sqlite). */
export function enginesOf(value: string): Engine[] {
  if (value === 'sqlite') return ['sqlite'];
  if (value === 'pg' || value === 'postgres') return ['pg'];
  if (value === 'both') return ['sqlite', 'pg'];
  throw new Error(`--engine sqlite|pg|both, not ${value}`);
}

export async function benchPgServer(): Promise<PgServer> {
  return startPgServer({ watchParent: true });
}

/** The URL of database `name` on the server of `url`. */
export function pgUrlOf(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates database `name` (dropping one of that name), empty or as a copy of `template`. */
export async function createPgDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await c.end();
  }
  return pgUrlOf(serverUrl, name);
}

let tick = 0;
const clockTick = (): number => (tick ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

/** user + system CPU of a process and of its ended, waited-for children, in ms (from /proc). */
export function procCpu(pid: number): { self: number; children: number; ppid: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command may contain spaces and parentheses: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(f[i]) * 1000) / clockTick();
  // Fields from 3 (state) on: ppid is field 4, utime 14, stime 15, cutime 16, cstime 17 (1-based).
  return { ppid: Number(f[1]), self: ms(11) + ms(12), children: ms(13) + ms(14) };
}

/** The server's main process (postmaster), the parent of the backend serving `client`. */
export async function postmasterPid(client: { query: (s: string) => Promise<{ rows: { pid: number }[] }> }): Promise<number> {
  const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
  const p = procCpu(Number(rows[0].pid));
  if (!p) throw new Error('cannot read the PostgreSQL backend in /proc (is the server on this machine?)');
  return p.ppid;
}

/**
 * CPU time in ms of the whole PostgreSQL server: its main process, every live process it started (backends,
 * checkpointer, WAL writer …) and the ended ones it has waited for. Read before and after; the difference is the
 * server's work in between (backends that end in between are counted once they have been waited for).
 */
export function pgServerCpuMs(postmaster: number): number {
  const main = procCpu(postmaster);
  if (!main) return NaN;
  let total = main.self + main.children;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procCpu(Number(d));
    if (p && p.ppid === postmaster) total += p.self;
  }
  return total;
}
