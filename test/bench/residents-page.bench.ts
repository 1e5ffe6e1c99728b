// Benchmark: one page of the residents list over 1,000,000 residents. A fast residents-only fill (places,
// households, residents, episodes; batched inserts) into a temp file, then 200 runs of listResidents for a page
// of 100 filtered by community and a search (surname 张 / pinyin zh), sorted by lastDay. Target: median ≤ 20 ms.
// BENCH_RESIDENTS changes the size; BENCH_DB=<file> keeps (or reuses) the filled file between runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CamelCasePlugin, Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { openDatabase } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import type { Database } from '../../electron/db/schema.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { listResidents, type ResidentQuery } from '../../electron/domain/residents.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';

const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 1_000_000);
const RUNS = 200;
const TARGET_MS = 20;
const clock = fixedClock('2022-01-20T15:00:00+08:00');

const keep = process.env.BENCH_DB;
const dir = keep ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-bench-page-'));
const file = keep ?? path.join(dir!, 'residents.db');

try {
  const handle = await openDatabase(file, { create: true });
  const have = Number((await handle.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  if (have === 0) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await withBulkLoad(handle.sqlite, (db) =>
      seedDemo({ db, actor: CLI_ACTOR, clock }, { residents: RESIDENTS, days: 10, seed: 1, password: 'demo1234', full: false, bulk: true }),
    );
    const cpu = process.cpuUsage(cpu0);
    console.log(`fill: ${RESIDENTS.toLocaleString('en')} residents (+ households, places, episodes) in ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
    handle.sqlite.pragma('optimize');
  } else {
    console.log(`fill: reusing ${file} with ${have.toLocaleString('en')} residents`);
  }

  // The SQL Kysely generates for listResidents, captured through a logging instance on the same connection.
  const captured: CompiledQuery[] = [];
  const logged = new Kysely<Database>({
    dialect: new SqliteDialect({ database: handle.sqlite }),
    plugins: [new CamelCasePlugin()],
    log: (e) => {
      if (e.level === 'query') captured.push(e.query);
    },
  });
  const ctx: Ctx = { db: handle.db, actor: CLI_ACTOR, clock };
  const community = (await handle.db.selectFrom('places').select('id').where('level', '=', 'community').orderBy('id').executeTakeFirstOrThrow()).id;

  const scenarios: { label: string; q: ResidentQuery }[] = [
    { label: "community + '张', first page with total", q: { communityId: community, search: '张', sortField: 'lastDay', limit: 100 } },
    { label: "community + 'zh', first page with total", q: { communityId: community, search: 'zh', sortField: 'lastDay', limit: 100 } },
    { label: "community + '张', next page (no total)", q: { communityId: community, search: '张', sortField: 'lastDay', limit: 100, offset: 100, withTotal: false } },
  ];
  for (const s of scenarios) {
    await listResidents(ctx, s.q); // warm the page cache
    const times: number[] = [];
    let total: number | null = null;
    let rows = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const page = await listResidents(ctx, s.q);
      times.push(performance.now() - t0);
      total = page.total ?? total;
      rows = page.rows.length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)];
    const p95 = times[Math.floor(RUNS * 0.95)];
    console.log(`\n${s.label}: ${rows} rows${total !== null ? ` of ${total.toLocaleString('en')}` : ''}`);
    console.log(`  median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms over ${RUNS} runs; target ≤ ${TARGET_MS} ms: ratio ${(median / TARGET_MS).toFixed(2)} ${median <= TARGET_MS ? '(met)' : '(missed)'}`);
    captured.length = 0;
    await listResidents({ ...ctx, db: logged }, s.q);
    for (const q of captured) {
      const plan = handle.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as { id: number; parent: number; detail: string }[];
      const depth = new Map<number, number>([[0, 0]]);
      console.log(`  SQL: ${q.sql.replace(/\s+/g, ' ').slice(0, 400)}${q.sql.length > 400 ? '…' : ''}`);
      for (const p of plan) {
        const d = (depth.get(p.parent) ?? 0) + 1;
        depth.set(p.id, d);
        console.log(`  ${'  '.repeat(d)}${p.detail}`);
      }
    }
  }
  await logged.destroy();
  await handle.close();
} finally {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
