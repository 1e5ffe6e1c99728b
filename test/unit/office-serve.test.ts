// `isolation-desk serve` as its own process, the way the subdistrict PC runs it: one JSON line once listening,
// pairing codes from another process while it runs, a clean stop on SIGTERM, and kill -9 in the middle of the
// committees' check-ins: the restarted server opens the file (WAL recovery), the file is sound, every write a PC was
// told had succeeded is there, and the PCs' live feeds catch up by seq. Loopback only, bounded in time and count.
// Engine-neutral: under `npm run test:pg` the server serves a PostgreSQL database of its own (--db postgres://…,
// --data-dir for its certificate), and "sound" is PostgreSQL's: the rows are read back and verify passes.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import pg from 'pg';
import { tempDir } from '../helpers/env.ts';
import { createTestPgDatabase, testPgUrl } from '../helpers/pg-db.ts';
import { runCli } from '../../electron/cli/run.ts';
import { OfficeClient } from '../../electron/server/client.ts';
import { serveHost } from '../../electron/server/process.ts';
import type { LiveMessage } from '../../electron/server/live.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';

const CLI = path.resolve(import.meta.dirname, '../../electron/cli/main.ts');
let dir: string;
/** The database served: a file, or under test:pg a PostgreSQL URL. */
let file: string;
let dropPg: (() => Promise<void>) | null = null;
let staticDir: string;
const children: ChildProcess[] = [];

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts serve and resolves with its first line, parsed. */
function serve(port: number): Promise<{ child: ChildProcess; url: string; fingerprint: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', file, '--port', String(port), '--json', ...(dropPg ? ['--data-dir', path.join(dir, 'server')] : [])], {
    env: { ...process.env, ISOLATION_DESK_STATIC_DIR: staticDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve({ child, ...(JSON.parse(out.slice(0, nl)) as { url: string; fingerprint: string }) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

function pairCodes(n: number): string[] {
  const r = cli('devices', 'pair-code', '--db', file, '--count', String(n), '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { codes: string[] }).codes;
}

beforeAll(async () => {
  dir = tempDir('idesk-serve-');
  file = path.join(dir, 'office.db');
  if (testPgUrl()) {
    const made = await createTestPgDatabase();
    file = made.url;
    dropPg = made.drop;
  }
  staticDir = path.join(dir, 'ui');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""></head><body>ui</body></html>');
  // "Today" for the demo data is the real today, as the server's clock is.
  const r = await runCli(['seed-demo', '--db', file, '--residents', '300', '--seed', '3']);
  expect(r.result.code).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await dropPg?.();
});

/** Each resident's notes as the database has them now (read by a connection of its own). */
async function notesNow(ids: number[]): Promise<Map<number, string | null>> {
  if (dropPg) {
    const c = new pg.Client(file);
    await c.connect();
    try {
      const rows = (await c.query<{ id: string; notes: string | null }>('SELECT id, notes FROM residents WHERE id = ANY($1)', [ids])).rows;
      return new Map(rows.map((r) => [Number(r.id), r.notes]));
    } finally {
      await c.end();
    }
  }
  const raw = new Database(file, { readonly: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const notesOf = raw.prepare('SELECT notes FROM residents WHERE id = ?').pluck();
    return new Map(ids.map((id) => [id, notesOf.get(id) as string | null]));
  } finally {
    raw.close();
  }
}

describe('serve', () => {
  it('listens on 127.0.0.1 unless the LAN was enabled in 设置 › 共享 or --host names an address', () => {
    expect(serveHost({ serverLan: false, serverHost: '192.168.1.10' })).toBe('127.0.0.1');
    expect(serveHost({ serverLan: true, serverHost: '192.168.1.10' })).toBe('192.168.1.10');
    expect(serveHost({ serverLan: true, serverHost: '' })).toBe('0.0.0.0');
    expect(serveHost({ serverLan: false, serverHost: '' }, '127.0.0.1')).toBe('127.0.0.1');
  });

  it('prints one JSON line, hands out pairing codes while it runs, and stops cleanly on SIGTERM', async () => {
    const s = await serve(0);
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const [code] = pairCodes(1);
    expect(code).toMatch(/^\d{8}$/);
    const c = new OfficeClient(s.url, s.fingerprint);
    try {
      expect((await c.pair(code, '测试电脑')).ok).toBe(true);
      expect((await c.login('clerk', 'demo1234')).ok).toBe(true);
      expect((await c.call('checkins.counts')).ok).toBe(true);
    } finally {
      c.close();
    }
    s.child.kill('SIGTERM');
    expect(await exited(s.child)).toBe(0);
    // The same certificate on the next start: paired PCs keep trusting it.
    const again = await serve(0);
    expect(again.fingerprint).toBe(s.fingerprint);
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);
  }, 90_000);

  it('after kill -9 during the PCs\' saves: restarts, the file is sound, every acknowledged save is there, feeds catch up by seq', async () => {
    const first = await serve(0);
    const port = Number(new URL(first.url).port);
    const codes = pairCodes(5);
    const pcs = await Promise.all(
      codes.map(async (code, i) => {
        const c = new OfficeClient(first.url, first.fingerprint);
        expect((await c.pair(code, `社区电脑${i}`)).ok).toBe(true);
        expect((await c.login('clerk', 'demo1234')).ok).toBe(true);
        return c;
      }),
    );
    const due = (await pcs[0].call<{ rows: { residentId: number }[] }>('checkins.due', { slot: 'am', limit: 200 })) as ApiResult<{ rows: { residentId: number }[] }>;
    if (!due.ok) throw new Error(due.error.message);
    const queue = due.data.rows.map((r) => r.residentId);
    expect(queue.length).toBeGreaterThan(50);
    let lastSeq = 0;
    const feed = await pcs[0].live(null, (m: LiveMessage) => (lastSeq = Math.max(lastSeq, m.seq)));
    feed.on('error', () => {});

    // Five PCs save notes on people as fast as they can; the server is killed while they do.
    const acknowledged: { residentId: number; notes: string }[] = [];
    let killed = false;
    const workers = pcs.map(async (c, pcNo) => {
      while (!killed && queue.length) {
        const residentId = queue.shift()!;
        try {
          const got = await c.call<{ resident: { version: number } }>('residents.get', { id: residentId }, { timeoutMs: 5_000 });
          if (!got.ok) continue;
          const notes = `电脑${pcNo} 记录 ${residentId}`;
          const r = await c.call('residents.update', { id: residentId, version: got.data.resident.version, notes }, { timeoutMs: 5_000 });
          if (r.ok) acknowledged.push({ residentId, notes });
        } catch {
          // The server died under this call: not acknowledged.
        }
      }
    });
    for (let i = 0; i < 600 && acknowledged.length < 20; i++) await new Promise((r) => setTimeout(r, 25));
    first.child.kill('SIGKILL');
    killed = true;
    await exited(first.child);
    await Promise.all(workers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);
    const seqBefore = lastSeq;

    const second = await serve(port);
    expect(second.fingerprint).toBe(first.fingerprint);
    try {
      const now = await notesNow(acknowledged.map((a) => a.residentId));
      expect(acknowledged.filter((a) => now.get(a.residentId) !== a.notes)).toEqual([]);
      // A PC's session outlives the killed process (kept in the database): it goes on without logging in again, keeps
      // its device, and catches up from its seq.
      const c = pcs[1];
      expect(await c.call('auth.me')).toMatchObject({ ok: true, data: { actor: { username: 'clerk' } } });
      const heard: LiveMessage[] = [];
      const ws = await c.live(seqBefore, (m) => heard.push(m));
      for (let i = 0; i < 80 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      ws.close();
      expect(heard[0]).toMatchObject({ type: 'hello' });
      expect(heard[0].seq).toBeGreaterThanOrEqual(seqBefore);
      // Whatever was written after the seq the PC last saw comes as notices (or, if too much, as one resync).
      if (heard[0].seq > seqBefore) expect(heard.slice(1).some((m) => m.type === 'changes' || m.type === 'resync')).toBe(true);
      const verify = cli('verify', '--db', file, '--json');
      expect(JSON.parse(verify.out)).toMatchObject({ ok: true });
    } finally {
      for (const c of pcs) c.close();
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 120_000);
});
