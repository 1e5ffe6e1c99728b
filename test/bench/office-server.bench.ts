// Benchmark: the office server under a subdistrict's committees. On a seed-demo database of 100,000 residents,
// 20 paired PCs each do what 今日监测 does per entry — record a check-in, then the refresh the screen makes (the
// slot's counts; the row itself is patched from the answer) — for 60 s, over HTTPS to a server in its own process.
// Prints saves/s and the save's p50/p99 (goal: p99 < 100 ms, ≥ 200 saves/s), then the same saves through in-process
// dispatch (no network, no TLS, one caller) on a copy of the same database, and the ratio between the two.
// --engine sqlite (default) | pg | both: pg starts its own throwaway PostgreSQL 15 on 127.0.0.1
// (test/helpers/pg-server.ts), fills it with seed-demo --db postgres://… and serves that (serve's LISTEN feed, pool of
// 10, statements prepared as serve has them; IDESK_PG_PREPARE=0: unprepared); both prints the two side by side.
// BENCH_PG_SERVER=postgres://… uses a running server's bench_fill instead of a fresh fill.
// BENCH_SECONDS (default 60), BENCH_CLIENTS (20), BENCH_RESIDENTS (100000), BENCH_LOCAL_ENTRIES (200, the in-process
// run) change the run; the SQLite database is built once under .cache/bench/ (seed-demo, --today 2022-01-20) and
// copied for each run; the PostgreSQL one is filled at each run (the fill time is printed) and copied by TEMPLATE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { sql } from 'kysely';
import { CACHE_DIR, ROOT, loadLine } from './bench-db.ts';
import { arg } from './bench-args.ts';
import { OfficeClient } from '../../electron/server/client.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { openPostgres, pgAsDbHandle, preparePgStatements } from '../../electron/db/postgres.ts';
import { makePairingCodes } from '../../electron/domain/devices.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { call, dispatch } from '../../electron/api/dispatch.ts';
import { startPgServer, type PgServer } from '../helpers/pg-server.ts';
import { pgServerCpuMs, postmasterPid, procCpu } from './bench-pg.ts';

const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const DAY = '2022-01-20';
const clock = fixedClock(`${DAY}T15:00:00+08:00`);
const ENGINE = arg('engine', 'sqlite');
if (!['sqlite', 'pg', 'both'].includes(ENGINE)) {
  console.error(`--engine 应为 sqlite、pg 或 both：${ENGINE}`);
  process.exit(2);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

interface Figures {
  engine: string;
  saves: number;
  wall: number;
  rate: number;
  p50: number;
  p99: number;
  entryP50: number;
  entryP99: number;
  localRate: number;
  localP50: number;
  localP99: number;
  /** CPU time per save (ms): the server's process, PostgreSQL's server (pg only), the 20 PCs (this process). */
  cpuServer: number;
  cpuPg: number;
  cpuClients: number;
}

/** The database twice (served, in-process): SQLite copies of the cached file, or two PostgreSQL databases. */
interface Target {
  served: string;
  local: string;
  open(target: string): Promise<DbHandle>;
  cleanup(): Promise<void>;
  /** PostgreSQL: its server's CPU time so far (ms), read from /proc; SQLite: 0 (its work is in the server's process). */
  dbCpuMs(): number;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-office-bench-'));
const staticDir = path.join(work, 'ui');
fs.mkdirSync(staticDir);
fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""></head><body></body></html>');

function seed(target: string): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), 'seed-demo', '--db', target, '--residents', String(RESIDENTS), '--today', DAY, '--seed', '1'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('seed-demo failed');
}

async function sqliteTarget(): Promise<Target> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const cached = path.join(CACHE_DIR, `demo-${RESIDENTS}.db`);
  if (!fs.existsSync(cached)) {
    const building = `${cached}.building-${process.pid}`;
    console.log(`fill: seed-demo --residents ${RESIDENTS} (once, then reused)…`);
    const t0 = performance.now();
    seed(building);
    fs.renameSync(building, cached);
    for (const ext of ['-wal', '-shm']) fs.rmSync(`${building}${ext}`, { force: true });
    console.log(`fill: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const served = path.join(work, 'office.db');
  const local = path.join(work, 'inproc.db');
  fs.copyFileSync(cached, served);
  fs.copyFileSync(cached, local);
  return { served, local, open: (f) => openDatabase(f), cleanup: async () => {}, dbCpuMs: () => 0 };
}

async function pgTarget(): Promise<Target> {
  // BENCH_PG_SERVER: a server already holding bench_fill (seed-demo of BENCH_RESIDENTS, --today 2022-01-20, --seed 1,
  // VACUUM ANALYZEd), e.g. kept between runs while profiling; its two copies are dropped afterwards.
  const kept = process.env.BENCH_PG_SERVER;
  const server: PgServer = kept ? { url: kept, port: Number(new URL(kept).port), dir: '', stop: () => {} } : await startPgServer({ watchParent: true });
  const url = (name: string) => {
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = new pg.Client(server.url);
  await admin.connect();
  if (!kept) {
    await admin.query('CREATE DATABASE bench_fill');
    console.log(`fill (PostgreSQL 15 on 127.0.0.1:${server.port}): seed-demo --residents ${RESIDENTS}…`);
    const t0 = performance.now();
    seed(url('bench_fill'));
    console.log(`fill: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    await admin.query('VACUUM ANALYZE');
  }
  for (const name of ['bench_served', 'bench_local']) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query('CREATE DATABASE bench_served TEMPLATE bench_fill');
  await admin.query('CREATE DATABASE bench_local TEMPLATE bench_fill');
  const postmaster = await postmasterPid(admin);
  await admin.end();
  return {
    served: url('bench_served'),
    local: url('bench_local'),
    dbCpuMs: () => pgServerCpuMs(postmaster),
    open: async (u) => {
      const h = await openPostgres(u, { max: 4 });
      if (process.env.IDESK_PG_PREPARE !== '0') preparePgStatements(h.db);
      return pgAsDbHandle(h);
    },
    cleanup: async () => {
      if (!kept) return server.stop();
      const c = new pg.Client(server.url);
      await c.connect();
      for (const name of ['bench_served', 'bench_local']) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function run(engine: 'sqlite' | 'pg'): Promise<Figures> {
  const target = engine === 'pg' ? await pgTarget() : await sqliteTarget();
  try {
    // Who is due today: the queue the PCs work through (morning slot first, then the afternoon's).
    const setup = await target.open(target.served);
    const due = (await sql<{ id: number }>`SELECT r.id FROM residents r JOIN episodes e ON e.id = r.current_episode_id WHERE e.status = 'active' ORDER BY r.id`.execute(setup.db)).rows.map((r) => Number(r.id));
    const codes: string[] = [];
    while (codes.length < CLIENTS) codes.push(...(await makePairingCodes({ db: setup.db, actor: CLI_ACTOR, clock }, Math.min(CLIENTS - codes.length, 20))).codes);
    const done = new Set((await sql<{ k: string }>`SELECT resident_id || ':' || slot AS k FROM checkins WHERE date = ${DAY}`.execute(setup.db)).rows.map((r) => r.k));
    await setup.close();
    const queue = ['am', 'pm'].flatMap((slot) => due.filter((id) => !done.has(`${id}:${slot}`)).map((id) => ({ id, slot })));
    console.log(`[${engine}] database: ${RESIDENTS.toLocaleString('en')} residents, ${due.length.toLocaleString('en')} in isolation, ${queue.length.toLocaleString('en')} check-ins still to record; ${loadLine()}`);

    // The server in its own process.
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'office-server-child.ts'), target.served, staticDir, path.join(work, engine)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { url, fingerprint } = await new Promise<{ url: string; fingerprint: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    });

    const pcs = await Promise.all(
      codes.map(async (code, i) => {
        const c = new OfficeClient(url, fingerprint, { maxSockets: 1 });
        if (!(await c.pair(code, `社区电脑${i}`)).ok) throw new Error('pairing failed');
        if (!(await c.login('clerk', 'demo1234')).ok) throw new Error('login failed');
        return c;
      }),
    );

    let next = 0;
    const saveMs: number[] = [];
    const entryMs: number[] = [];
    let refused = 0;
    const cpu0 = process.cpuUsage();
    const serverCpu0 = procCpu(child.pid!)?.self ?? NaN;
    const dbCpu0 = target.dbCpuMs();
    const t0 = performance.now();
    const until = t0 + SECONDS * 1000;
    await Promise.all(
      pcs.map(async (c) => {
        while (performance.now() < until && next < queue.length) {
          const { id, slot } = queue[next++];
          const a = performance.now();
          const r = await c.call('checkins.record', { residentId: id, date: DAY, slot, temperature: 36.5 }, { retries: 2 });
          const b = performance.now();
          if (!r.ok) {
            refused++;
            continue;
          }
          await c.call('checkins.counts', { slot, date: DAY }, { retries: 2 });
          saveMs.push(b - a);
          entryMs.push(performance.now() - a);
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const serverCpu = (procCpu(child.pid!)?.self ?? NaN) - serverCpu0;
    const dbCpu = target.dbCpuMs() - dbCpu0;
    for (const c of pcs) c.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    saveMs.sort((x, y) => x - y);
    entryMs.sort((x, y) => x - y);
    const netRate = saveMs.length / wall;
    console.log(`\n[${engine}] over the network: ${CLIENTS} PCs × ${SECONDS} s, HTTPS to the server's own process`);
    console.log(`  saves: ${saveMs.length.toLocaleString('en')} in ${wall.toFixed(1)} s = ${netRate.toFixed(0)} saves/s (goal ≥ 200: ${(netRate / 200).toFixed(2)}×)${refused ? `; ${refused} refused` : ''}`);
    console.log(`  save:  p50 ${fmt(pct(saveMs, 50))}, p99 ${fmt(pct(saveMs, 99))} (goal p99 < 100 ms: ${(100 / pct(saveMs, 99)).toFixed(2)}×), max ${fmt(saveMs[saveMs.length - 1])}`);
    console.log(`  entry (save + refresh): p50 ${fmt(pct(entryMs, 50))}, p99 ${fmt(pct(entryMs, 99))}`);
    console.log(`  clients' CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; ${loadLine()}`);
    // What one entry (save + refresh) costs the machine, whatever else runs on it: 2 cores ÷ the sum is the rate the
    // machine could reach were this bench alone on it.
    const per = (ms: number) => ms / saveMs.length;
    const cpuClients = (cpu.user + cpu.system) / 1000;
    const sum = per(serverCpu) + per(dbCpu) + per(cpuClients);
    console.log(
      `  CPU per entry: server process ${per(serverCpu).toFixed(2)} ms${engine === 'pg' ? `, PostgreSQL ${per(dbCpu).toFixed(2)} ms` : ''}, the PCs ${per(cpuClients).toFixed(2)} ms = ${sum.toFixed(2)} ms (2 cores ÷ that = ${(2000 / sum).toFixed(0)} saves/s; the server's process alone on one core: ${(1000 / per(serverCpu)).toFixed(0)}/s)`,
    );

    // The same saves through in-process dispatch, on a fresh copy of the same database.
    const h = await target.open(target.local);
    const env = { db: h.db, clock, sessions: new SessionStore(), dbFile: engine === 'pg' ? ':memory:' : target.local };
    await call(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'bench');
    // Bounded: each entry recounts the slot (hundreds of ms at 100,000 people without the server's shared counters).
    const n = Math.min(saveMs.length, Number(process.env.BENCH_LOCAL_ENTRIES ?? 200));
    const local: number[] = [];
    const l0 = performance.now();
    for (let i = 0; i < n; i++) {
      const { id, slot } = queue[i];
      const a = performance.now();
      const r = await dispatch(env, 'checkins.record', { residentId: id, date: DAY, slot, temperature: 36.5 }, 'bench');
      local.push(performance.now() - a);
      if (r.ok) await dispatch(env, 'checkins.counts', { slot, date: DAY }, 'bench');
    }
    const localWall = (performance.now() - l0) / 1000;
    await h.close();
    local.sort((x, y) => x - y);
    const localRate = n / localWall;
    console.log(`\n[${engine}] in-process dispatch (one caller, same saves and refreshes): ${n.toLocaleString('en')} in ${localWall.toFixed(1)} s = ${localRate.toFixed(0)} entries/s; save p50 ${fmt(pct(local, 50))}, p99 ${fmt(pct(local, 99))}`);
    console.log(`[${engine}] ratio: network saves/s ÷ in-process entries/s = ${(netRate / localRate).toFixed(2)}; network p50 save ÷ in-process p50 save = ${(pct(saveMs, 50) / pct(local, 50)).toFixed(1)}×`);
    return {
      engine,
      saves: saveMs.length,
      wall,
      rate: netRate,
      p50: pct(saveMs, 50),
      p99: pct(saveMs, 99),
      entryP50: pct(entryMs, 50),
      entryP99: pct(entryMs, 99),
      localRate,
      localP50: pct(local, 50),
      localP99: pct(local, 99),
      cpuServer: serverCpu / saveMs.length,
      cpuPg: dbCpu / saveMs.length,
      cpuClients: (cpu.user + cpu.system) / 1000 / saveMs.length,
    };
  } finally {
    await target.cleanup();
  }
}

const results: Figures[] = [];
try {
  for (const e of ENGINE === 'both' ? (['sqlite', 'pg'] as const) : [ENGINE as 'sqlite' | 'pg']) results.push(await run(e));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
if (results.length > 1) {
  console.log(`\nside by side (${CLIENTS} PCs × ${SECONDS} s, ${RESIDENTS.toLocaleString('en')} residents):`);
  console.log(`  ${'engine'.padEnd(8)} ${'saves/s'.padStart(8)} ${'save p50'.padStart(10)} ${'save p99'.padStart(10)} ${'entry p99'.padStart(10)} ${'in-proc/s'.padStart(10)} ${'CPU/entry: server'.padStart(18)} ${'db'.padStart(8)} ${'PCs'.padStart(8)}`);
  for (const r of results) {
    console.log(
      `  ${r.engine.padEnd(8)} ${r.rate.toFixed(0).padStart(8)} ${fmt(r.p50).padStart(10)} ${fmt(r.p99).padStart(10)} ${fmt(r.entryP99).padStart(10)} ${r.localRate.toFixed(0).padStart(10)} ${fmt(r.cpuServer).padStart(18)} ${fmt(r.cpuPg).padStart(8)} ${fmt(r.cpuClients).padStart(8)}`,
    );
  }
}
