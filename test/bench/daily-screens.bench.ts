// Benchmark: the reads of the daily work at a whole subdistrict (issue "A whole subdistrict at once"). On a
// seed-demo database of 100,000 residents (the same cached file as office-server.bench.ts), as the clerk through the
// API (dispatch, as every transport calls it): dashboard.get, checkins.counts, checkins.due's first page and a page at
// offset 50,000, each the fastest of RUNS, and as a ratio to a residents.list 100-row page measured the same way in
// the same run (goals: dashboard ≤ 8×, a due page ≤ 4×). Then the query plan of every statement of the hot calls.
// BENCH_RESIDENTS (100000), BENCH_RUNS (7); BENCH_SEED=1 also times `seed-demo --residents N` into a scratch file.
// --engine pg|both (`npm run bench -- daily-screens --engine both`): the same on PostgreSQL 15 — a throwaway server of
// its own (bench-pg.ts), a database filled by `seed-demo --db postgres://…` with the same options (timed and printed),
// the same calls through the same API — printed side by side with SQLite, each against its own residents page; the
// plans there are PostgreSQL's EXPLAIN ANALYZE of the same statements. BENCH_PG_URL=postgres://… uses a database
// already filled by that seed-demo instead (no server started).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import { CACHE_DIR, ROOT, loadLine } from './bench-db.ts';
import { openDatabase } from '../../electron/db/open.ts';
import type { Database } from '../../electron/db/schema.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { call, dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import type { Db } from '../../electron/db/open.ts';
import { openPostgres, preparePgStatements } from '../../electron/db/postgres.ts';
import { arg } from './bench-args.ts';
import { benchPgServer, createPgDatabase, enginesOf, type Engine } from './bench-pg.ts';

const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DAY = '2022-01-20';
const clock = fixedClock(`${DAY}T15:00:00+08:00`);

const engines = enginesOf(arg('engine', 'sqlite'));

function seed(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), 'seed-demo', '--db', file, '--residents', String(RESIDENTS), '--today', DAY, '--seed', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('seed-demo failed');
  return (performance.now() - t0) / 1000;
}

fs.mkdirSync(CACHE_DIR, { recursive: true });
const cached = path.join(CACHE_DIR, `demo-${RESIDENTS}.db`);
if (engines.includes('sqlite') && !fs.existsSync(cached)) {
  const building = `${cached}.building-${process.pid}`;
  console.log(`fill: seed-demo --residents ${RESIDENTS} (once, then reused)… ${seed(building).toFixed(1)} s`);
  fs.renameSync(building, cached);
  for (const ext of ['-wal', '-shm']) fs.rmSync(`${building}${ext}`, { force: true });
}
if (engines.includes('sqlite') && process.env.BENCH_SEED === '1') {
  const scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-seed-')), 'seed.db');
  console.log(`seed-demo --residents ${RESIDENTS}: ${seed(scratch).toFixed(1)} s as a whole process (goal met at 20 s); ${loadLine()}`);
  fs.rmSync(path.dirname(scratch), { recursive: true, force: true });
}

/** One engine's database as the bench uses it: the API's Db, a logging Kysely on the same connection(s), plans. */
interface Subject {
  engine: Engine;
  db: Db;
  logged: Kysely<Database>;
  captured: CompiledQuery[];
  plan(q: CompiledQuery): Promise<string[]>;
  close(): Promise<void>;
}

async function sqliteSubject(work: string): Promise<Subject> {
  const file = path.join(work, 'daily.db');
  fs.copyFileSync(cached, file);
  const handle = await openDatabase(file); // migrates an older cache once (the counters are filled then)
  const captured: CompiledQuery[] = [];
  const logged = new Kysely<Database>({
    dialect: new SqliteDialect({ database: handle.sqlite }),
    plugins: [new CamelCasePlugin()],
    log: (e) => {
      if (e.level === 'query') captured.push(e.query);
    },
  });
  return {
    engine: 'sqlite',
    db: handle.db,
    logged,
    captured,
    async plan(q) {
      const plan = handle.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as { id: number; parent: number; detail: string }[];
      const depth = new Map<number, number>([[0, 0]]);
      return plan.map((p) => {
        const d = (depth.get(p.parent) ?? 0) + 1;
        depth.set(p.id, d);
        return `${'  '.repeat(d)}${p.detail}`;
      });
    },
    async close() {
      await logged.destroy();
      await handle.close();
    },
  };
}

/** BENCH_PG_URL: a database already filled by the same seed-demo (kept between runs); else a new one filled here. */
async function pgSubject(serverUrl: string | null): Promise<Subject> {
  let url = process.env.BENCH_PG_URL;
  if (!url) {
    url = await createPgDatabase(serverUrl!, 'idesk_daily');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), 'seed-demo', '--db', url, '--residents', String(RESIDENTS), '--today', DAY, '--seed', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('seed-demo on PostgreSQL failed');
    console.log(`PostgreSQL: seed-demo --residents ${RESIDENTS} --db postgres://… ${((performance.now() - t0) / 1000).toFixed(1)} s as a whole process; ${loadLine()}`);
  }
  const h = await openPostgres(url);
  // As `serve` runs: statements prepared once per connection (db/postgres.ts), so PostgreSQL may settle on generic
  // plans after five runs. IDESK_PG_PREPARE=0 measures them unprepared (every statement planned for its values).
  const prepared = process.env.IDESK_PG_PREPARE !== '0';
  if (prepared) preparePgStatements(h.db);
  console.log(`PostgreSQL statements ${prepared ? 'prepared once per connection, as serve runs them' : 'not prepared (IDESK_PG_PREPARE=0)'}`);
  // Statistics and the visibility map, as autovacuum keeps them on a database in use (without the map the residents
  // page's count reads the table instead of the index: 40 ms instead of 13).
  await sql`VACUUM ANALYZE`.execute(h.db);
  const captured: CompiledQuery[] = [];
  const logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: h.pool }),
    plugins: [new CamelCasePlugin()],
    log: (e) => {
      if (e.level === 'query') captured.push(e.query);
    },
  });
  return {
    engine: 'pg',
    db: h.db,
    logged,
    captured,
    async plan(q) {
      const out = await h.pool.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q.sql}`, q.parameters as unknown[]);
      return out.rows.map((x: Record<string, string>) => `    ${x['QUERY PLAN']}`);
    },
    // The pool belongs to the handle: closing it ends both Kysely instances' connections.
    close: () => h.close(),
  };
}

interface Figures {
  base: number;
  cases: Map<string, number>;
  batch: { ms: number; people: number };
}

async function screens(subject: Subject): Promise<Figures> {
  const { db } = subject;
  const name = subject.engine === 'pg' ? 'PostgreSQL' : 'SQLite';
  const env: ApiEnv = { db, clock, sessions: new SessionStore(), dbFile: subject.engine === 'pg' ? 'postgres' : 'daily.db' };
  await call(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'bench');
  const one = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(db)).rows[0].n);
  const episodes = await one(sql<{ n: number }>`SELECT COUNT(*) AS n FROM episodes WHERE status = 'active'`);
  const checkins = await one(sql<{ n: number }>`SELECT COUNT(*) AS n FROM checkins`);
  console.log(`\n--- ${name}: ${RESIDENTS.toLocaleString('en')} residents, ${episodes.toLocaleString('en')} active episodes, ${checkins.toLocaleString('en')} check-ins; ${loadLine()}`);

  async function fastest(channel: string, input: unknown, before?: () => Promise<void>): Promise<{ ms: number; out: unknown }> {
    let best = Infinity;
    let out: unknown;
    await dispatch(env, channel, input, 'bench'); // warm
    for (let i = 0; i < RUNS; i++) {
      await before?.();
      const t0 = performance.now();
      const r = await dispatch(env, channel, input, 'bench');
      best = Math.min(best, performance.now() - t0);
      if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
      out = r.data;
    }
    return { ms: best, out };
  }

  // The building with the most people under control: the batch entry and the one-building page use it.
  const BIG_BUILDING = await one(
    sql<{ n: number }>`SELECT building_id AS n FROM coverage_counts WHERE day <= ${DAY} AND building_id <> 0 GROUP BY building_id ORDER BY SUM(covered) DESC, building_id LIMIT 1`,
  );

  /** The buildings of the due list's first page: the groups the screen asks for with it. */
  async function firstPageBuildings(): Promise<number[]> {
    const r = await dispatch(env, 'checkins.due', { date: DAY, slot: 'am', limit: 100 }, 'bench');
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return [...new Set((r.data as { rows: { buildingId: number }[] }).rows.map((x) => x.buildingId))];
  }

  const base = await fastest('residents.list', { status: 'active', limit: 100, offset: 0 });
  console.log(`baseline residents.list (100 rows, active): ${base.ms.toFixed(1)} ms (fastest of ${RUNS})`);
  const figures: Figures = { base: base.ms, cases: new Map(), batch: { ms: NaN, people: 0 } };
  const cases = await caseList(BIG_BUILDING, await firstPageBuildings());
  // The dashboard keeps its coverage sums and need counts while counter_version stays (no episode, flag or address
  // written since): "after a write" moves it before each run, so every sum is read afresh — the first dashboard after
  // any such write anywhere in the office.
  const bumpVersion = async () => void (await sql`UPDATE counter_version SET n = n + 1`.execute(db));
  for (const c of cases) {
    const r = await fastest(c.channel, c.input, c.afterWrite ? bumpVersion : undefined);
    figures.cases.set(c.label, r.ms);
    const ratio = r.ms / base.ms;
    const goals = [
      ...(c.goal ? [`≤ ${c.goal}×: ${ratio <= c.goal ? 'met' : 'MISSED'}`] : []),
      ...(c.ms ? [`< ${c.ms} ms: ${r.ms < c.ms ? 'met' : 'MISSED'}`] : []),
    ];
    console.log(`${c.label}: ${r.ms.toFixed(1)} ms = ${ratio.toFixed(1)}× the residents page${goals.length ? ` (goal ${goals.join(', ')})` : ''}`);
  }

  // Whole-building entry (整栋正常): the evening slot of the largest building, previewed then recorded, as a committee
  // PC does it; each run is undone afterwards (not timed) so the next records the same people again.
  {
    let best = Infinity;
    let people = 0;
    for (let i = 0; i < RUNS; i++) {
      const preview = await dispatch(env, 'checkins.batchPreview', { date: DAY, slot: 'pm', placeId: BIG_BUILDING }, 'bench');
      if (!preview.ok) throw new Error(JSON.stringify(preview.error));
      const ids = (preview.data as { people: { residentId: number }[] }).people.map((p) => p.residentId);
      const t0 = performance.now();
      const done = await dispatch(env, 'checkins.recordBatch', { date: DAY, slot: 'pm', placeId: BIG_BUILDING, residentIds: ids }, 'bench');
      best = Math.min(best, performance.now() - t0);
      if (!done.ok) throw new Error(JSON.stringify(done.error));
      people = ids.length;
      const undone = await dispatch(env, 'checkins.undoBatch', { batchId: (done.data as { batchId: number }).batchId }, 'bench');
      if (!undone.ok) throw new Error(JSON.stringify(undone.error));
    }
    figures.batch = { ms: best, people };
    console.log(`checkins.recordBatch of a ${people}-person building: ${best.toFixed(1)} ms = ${(best / base.ms).toFixed(1)}× the residents page (${(best / Math.max(people, 1)).toFixed(2)} ms a person)`);
  }

  // The plans of the statements the two hot calls make (through a logging Kysely on the same connection).
  const { getDashboard } = await import('../../electron/domain/dashboard.ts');
  const { dueList } = await import('../../electron/domain/checkins.ts');
  const { dueGroups } = await import('../../electron/domain/checkins-groups.ts');
  const pageBuildings = await firstPageBuildings();
  const actor = { userId: 0, username: 'clerk', displayName: 'clerk', role: 'clerk' as const, communityId: null };
  const { logged, captured } = subject;
  for (const [label, run] of [
    ['dashboard.get', () => getDashboard({ db: logged, actor, clock }, DAY)],
    ['checkins.due', () => dueList({ db: logged, actor, clock }, { date: DAY, slot: 'am', limit: 100 })],
    ['checkins.groups', () => dueGroups({ db: logged, actor, clock }, { date: DAY, slot: 'am', buildingIds: pageBuildings })],
  ] as const) {
    captured.length = 0;
    await run();
    console.log(`\n${name}: query plans of ${label}:`);
    for (const q of [...captured]) {
      console.log(`  SQL: ${q.sql.replace(/\s+/g, ' ').slice(0, 300)}${q.sql.length > 300 ? '…' : ''}`);
      for (const line of await subject.plan(q)) console.log(`  ${line}`);
    }
  }
  return figures;
}

// goal: as a ratio to the residents page (the bench's own yardstick); ms: the issue's absolute figure (dashboard.get under
// 50 ms, any due page and every other list the screens page through under 30 ms), on a quiet machine.
async function caseList(bigBuilding: number, pageBuildings: number[]) {
  return [
    { label: 'dashboard.get', channel: 'dashboard.get', input: { date: DAY }, goal: 8, ms: 50 },
    { label: 'dashboard.get after a write (nothing kept)', channel: 'dashboard.get', input: { date: DAY }, goal: 8, ms: 50, afterWrite: true },
    { label: 'checkins.counts (the slot counter)', channel: 'checkins.counts', input: { date: DAY, slot: 'am' } },
    { label: 'checkins.due first page (100)', channel: 'checkins.due', input: { date: DAY, slot: 'am', limit: 100, offset: 0 }, goal: 4, ms: 30 },
    { label: 'checkins.due page at offset 50,000', channel: 'checkins.due', input: { date: DAY, slot: 'am', limit: 100, offset: 50_000 }, goal: 4, ms: 30 },
    { label: 'checkins.due page at offset 50,000, only missing', channel: 'checkins.due', input: { date: DAY, slot: 'am', onlyMissing: true, limit: 100, offset: 50_000 }, goal: 4, ms: 30 },
    { label: 'checkins.due page of one building', channel: 'checkins.due', input: { date: DAY, slot: 'am', buildingId: bigBuilding, limit: 100 }, goal: 4, ms: 30 },
    { label: "checkins.groups (every building; the first page's units)", channel: 'checkins.groups', input: { date: DAY, slot: 'am', buildingIds: pageBuildings }, ms: 30 },
  ] as { label: string; channel: string; input: unknown; goal?: number; ms?: number; afterWrite?: boolean }[];
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-daily-bench-'));
const results = new Map<Engine, Figures>();
const pgServer = engines.includes('pg') && !process.env.BENCH_PG_URL ? await benchPgServer() : null;
try {
  for (const engine of engines) {
    const subject = engine === 'sqlite' ? await sqliteSubject(work) : await pgSubject(pgServer?.url ?? null);
    try {
      results.set(engine, await screens(subject));
    } finally {
      await subject.close();
    }
  }
} finally {
  pgServer?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

if (results.size > 1) {
  const [a, b] = [results.get('sqlite')!, results.get('pg')!];
  const cell = (ms: number, base: number) => `${ms.toFixed(1)} ms (${(ms / base).toFixed(1)}×)`.padStart(20);
  console.log(`\nside by side (fastest of ${RUNS}; × = ratio to the same engine's residents page)`);
  console.log(`  ${'call'.padEnd(58)} ${'SQLite'.padStart(20)} ${'PostgreSQL'.padStart(20)}`);
  console.log(`  ${'residents.list (100 rows)'.padEnd(58)} ${cell(a.base, a.base)} ${cell(b.base, b.base)}`);
  for (const [label, ms] of a.cases) console.log(`  ${label.padEnd(58)} ${cell(ms, a.base)} ${cell(b.cases.get(label)!, b.base)}`);
  console.log(`  ${`checkins.recordBatch (${a.batch.people} / ${b.batch.people} people)`.padEnd(58)} ${cell(a.batch.ms, a.base)} ${cell(b.batch.ms, b.base)}`);
}
console.log(`\n${loadLine()} at end`);
