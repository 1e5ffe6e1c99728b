// Benchmark: one page of the residents list over 1,000,000 residents. A fast residents-only fill (places,
// households, residents, episodes; batched inserts), cached under .cache/bench/ and shared with grid.bench.ts (see
// bench-db.ts), then 200 runs of listResidents for a page of 100 filtered by community and a search (surname 张 /
// pinyin zh), sorted by lastDay, with the query plan of every statement. Target: median < 20 ms.
// BENCH_RESIDENTS changes the size; BENCH_DB=<file> uses (and fills if empty) that file; BENCH_FRESH=1 rebuilds the cache.
import { CamelCasePlugin, Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { openDatabase } from '../../electron/db/open.ts';
import type { Database } from '../../electron/db/schema.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { listResidents, type ResidentQuery } from '../../electron/domain/residents-list.ts';
import { BENCH_NOW, benchDatabase, loadLine } from './bench-db.ts';

const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 1_000_000);
const RUNS = 200;
const TARGET_MS = 20;
const clock = fixedClock(BENCH_NOW);

const { file } = await benchDatabase(RESIDENTS);
{
  const handle = await openDatabase(file);
  const have = Number(handle.sqlite.prepare('SELECT COUNT(*) FROM residents').pluck().get());
  console.log(`database: ${have.toLocaleString('en')} residents; ${loadLine()}`);

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
    console.log(`  median ${median.toFixed(2)} ms (target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'ok' : 'MISSED'}, ratio ${(median / TARGET_MS).toFixed(2)}), p95 ${p95.toFixed(2)} ms over ${RUNS} runs; ${loadLine()}`);
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
  console.log(`\n${loadLine()} at end`);
}
