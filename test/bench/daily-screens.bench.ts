// Benchmark: the reads of the daily work at a whole subdistrict (issue "A whole subdistrict at once"). On a
// seed-demo database of 100,000 residents (the same cached file as office-server.bench.ts), as the clerk through the
// API (dispatch, as every transport calls it): dashboard.get, checkins.counts, checkins.due's first page and a page at
// offset 50,000, each the fastest of RUNS, and as a ratio to a residents.list 100-row page measured the same way in
// the same run (goals: dashboard ≤ 8×, a due page ≤ 4×). Then the query plan of every statement of the hot calls.
// BENCH_RESIDENTS (100000), BENCH_RUNS (7); BENCH_SEED=1 also times `seed-demo --residents N` into a scratch file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CamelCasePlugin, Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { CACHE_DIR, ROOT, loadLine } from './bench-db.ts';
import { openDatabase } from '../../electron/db/open.ts';
import type { Database } from '../../electron/db/schema.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { call, dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';

const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DAY = '2022-01-20';
const clock = fixedClock(`${DAY}T15:00:00+08:00`);

function seed(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), 'seed-demo', '--db', file, '--residents', String(RESIDENTS), '--today', DAY, '--seed', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('seed-demo failed');
  return (performance.now() - t0) / 1000;
}

fs.mkdirSync(CACHE_DIR, { recursive: true });
const cached = path.join(CACHE_DIR, `demo-${RESIDENTS}.db`);
if (!fs.existsSync(cached)) {
  const building = `${cached}.building-${process.pid}`;
  console.log(`fill: seed-demo --residents ${RESIDENTS} (once, then reused)… ${seed(building).toFixed(1)} s`);
  fs.renameSync(building, cached);
  for (const ext of ['-wal', '-shm']) fs.rmSync(`${building}${ext}`, { force: true });
}
if (process.env.BENCH_SEED === '1') {
  const scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-seed-')), 'seed.db');
  console.log(`seed-demo --residents ${RESIDENTS}: ${seed(scratch).toFixed(1)} s as a whole process (goal met at 20 s); ${loadLine()}`);
  fs.rmSync(path.dirname(scratch), { recursive: true, force: true });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-daily-bench-'));
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
const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: file };
await call(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'bench');
const episodes = Number(handle.sqlite.prepare("SELECT COUNT(*) FROM episodes WHERE status = 'active'").pluck().get());
const checkins = Number(handle.sqlite.prepare('SELECT COUNT(*) FROM checkins').pluck().get());
console.log(`database: ${RESIDENTS.toLocaleString('en')} residents, ${episodes.toLocaleString('en')} active episodes, ${checkins.toLocaleString('en')} check-ins; ${loadLine()}`);

async function fastest(channel: string, input: unknown, before?: () => void): Promise<{ ms: number; out: unknown }> {
  let best = Infinity;
  let out: unknown;
  await dispatch(env, channel, input, 'bench'); // warm
  for (let i = 0; i < RUNS; i++) {
    before?.();
    const t0 = performance.now();
    const r = await dispatch(env, channel, input, 'bench');
    best = Math.min(best, performance.now() - t0);
    if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
    out = r.data;
  }
  return { ms: best, out };
}

// The building with the most people under control: the batch entry and the one-building page use it.
const BIG_BUILDING = Number(
  handle.sqlite.prepare("SELECT building_id FROM coverage_counts WHERE day <= ? AND building_id <> 0 GROUP BY building_id ORDER BY SUM(covered) DESC LIMIT 1").pluck().get(DAY),
);

/** The buildings of the due list's first page: the groups the screen asks for with it. */
async function firstPageBuildings(): Promise<number[]> {
  const r = await dispatch(env, 'checkins.due', { date: DAY, slot: 'am', limit: 100 }, 'bench');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return [...new Set((r.data as { rows: { buildingId: number }[] }).rows.map((x) => x.buildingId))];
}

const base = await fastest('residents.list', { status: 'active', limit: 100, offset: 0 });
console.log(`\nbaseline residents.list (100 rows, active): ${base.ms.toFixed(1)} ms (fastest of ${RUNS})`);
// goal: as a ratio to the residents page (the bench's own yardstick); ms: the issue's absolute figure (dashboard.get under
// 50 ms, any due page and every other list the screens page through under 30 ms), on a quiet machine.
// The dashboard keeps its coverage sums and need counts while counter_version stays (no episode, flag or address
// written since): "after a write" moves it before each run, so every sum is read afresh — the first dashboard after
// any such write anywhere in the office.
const bumpVersion = () => void handle.sqlite.prepare('UPDATE counter_version SET n = n + 1').run();
const cases: { label: string; channel: string; input: unknown; goal?: number; ms?: number; before?: () => void }[] = [
  { label: 'dashboard.get', channel: 'dashboard.get', input: { date: DAY }, goal: 8, ms: 50 },
  { label: 'dashboard.get after a write (nothing kept)', channel: 'dashboard.get', input: { date: DAY }, goal: 8, ms: 50, before: bumpVersion },
  { label: 'checkins.counts (the slot counter)', channel: 'checkins.counts', input: { date: DAY, slot: 'am' } },
  { label: 'checkins.due first page (100)', channel: 'checkins.due', input: { date: DAY, slot: 'am', limit: 100, offset: 0 }, goal: 4, ms: 30 },
  { label: 'checkins.due page at offset 50,000', channel: 'checkins.due', input: { date: DAY, slot: 'am', limit: 100, offset: 50_000 }, goal: 4, ms: 30 },
  { label: 'checkins.due page at offset 50,000, only missing', channel: 'checkins.due', input: { date: DAY, slot: 'am', onlyMissing: true, limit: 100, offset: 50_000 }, goal: 4, ms: 30 },
  { label: 'checkins.due page of one building', channel: 'checkins.due', input: { date: DAY, slot: 'am', buildingId: BIG_BUILDING, limit: 100 }, goal: 4, ms: 30 },
  { label: "checkins.groups (every building; the first page's units)", channel: 'checkins.groups', input: { date: DAY, slot: 'am', buildingIds: await firstPageBuildings() }, ms: 30 },
];
for (const c of cases) {
  const r = await fastest(c.channel, c.input, c.before);
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
  console.log(`checkins.recordBatch of a ${people}-person building: ${best.toFixed(1)} ms = ${(best / base.ms).toFixed(1)}× the residents page (${(best / Math.max(people, 1)).toFixed(2)} ms a person)`);
}

// The plans of the statements the two hot calls make (through a logging Kysely on the same connection).
const { getDashboard } = await import('../../electron/domain/dashboard.ts');
const { dueList } = await import('../../electron/domain/checkins.ts');
const { dueGroups } = await import('../../electron/domain/checkins-groups.ts');
const pageBuildings = await firstPageBuildings();
const actor = { userId: 0, username: 'clerk', displayName: 'clerk', role: 'clerk' as const, communityId: null };
for (const [label, run] of [
  ['dashboard.get', () => getDashboard({ db: logged, actor, clock }, DAY)],
  ['checkins.due', () => dueList({ db: logged, actor, clock }, { date: DAY, slot: 'am', limit: 100 })],
  ['checkins.groups', () => dueGroups({ db: logged, actor, clock }, { date: DAY, slot: 'am', buildingIds: pageBuildings })],
] as const) {
  captured.length = 0;
  await run();
  console.log(`\nquery plans of ${label}:`);
  for (const q of captured) {
    const plan = handle.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as { id: number; parent: number; detail: string }[];
    const depth = new Map<number, number>([[0, 0]]);
    console.log(`  SQL: ${q.sql.replace(/\s+/g, ' ').slice(0, 300)}${q.sql.length > 300 ? '…' : ''}`);
    for (const p of plan) {
      const d = (depth.get(p.parent) ?? 0) + 1;
      depth.set(p.id, d);
      console.log(`  ${'  '.repeat(d)}${p.detail}`);
    }
  }
}
await logged.destroy();
await handle.close();
fs.rmSync(work, { recursive: true, force: true });
console.log(`\n${loadLine()} at end`);
