// Benchmark: a district on one PostgreSQL database (issue 17). Starts a throwaway PostgreSQL 15, seeds
// `--residents R` (default 100,000) over `--subdistricts N` (default 10) with seed-demo, binds a login role to the
// second subdistrict, and times as that role (row-level security on) and as the owner (off): one residents page
// (listResidents, a community + surname search, first page with its total) and the subdistrict's dashboard
// (dashboard.get, with its sums kept and right after a write), median of `--runs` (default 30). Prints the seed's time
// and the residents page's plan as the role.
//   node test/bench/district.pg.bench.ts [--residents 100000] [--subdistricts 10] [--runs 30] [--light]
//     [--url postgres://owner@host/db] [--explain] [--nth 2]
// --light seeds places, households, residents and episodes only (no field work), as residents-page.bench does.
// --url: a database seed-demo already filled (e.g. a copy of the 1,000,000-resident district): no server started, no
// seed; it is migrated to the latest version and VACUUM ANALYZEd (as autovacuum keeps a database in use), a login role
// of its own (idesk_bench_<pid>) is bound to the second subdistrict for the run and dropped afterwards.
// --explain: each statement of the dashboard right after a write, timed, with EXPLAIN (ANALYZE, BUFFERS) as the role.
// --no-vacuum: ANALYZE only (what a bulk-filled database has before (auto)vacuum sets its visibility map).
// --nth K: bind the role to the K-th subdistrict in id order (2 by default; 10 = the last of 10).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import type { Database } from '../../electron/db/schema.ts';
import { loadLine } from './bench-db.ts';
import { startPgServer } from '../helpers/pg-server.ts';
import { runCli } from '../../electron/cli/run.ts';
import { openPostgres, type PgHandle } from '../../electron/db/postgres.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { listResidents } from '../../electron/domain/residents-list.ts';
import { getDashboard } from '../../electron/domain/dashboard.ts';
import { seedDistrictDb } from '../../electron/cli/seed/file.ts';
import { arg } from './bench-args.ts';

const RESIDENTS = Number(arg('residents', '100000'));
const SUBDISTRICTS = Number(arg('subdistricts', '10'));
const RUNS = Number(arg('runs', '30'));
const LIGHT = process.argv.includes('--light');
const GIVEN_URL = arg('url', '');
/** Which subdistrict (in id order) the role is bound to: the second by default; 10 = the last of 10. */
const NTH = Number(arg('nth', '2'));
const EXPLAIN = process.argv.includes('--explain');
const VACUUM = !process.argv.includes('--no-vacuum');
// Roles are the server's, not the database's: on a given server the bench's own role gets a name no one else has.
const ROLE = GIVEN_URL ? `idesk_bench_${process.pid}` : 'idesk_bench_sub';
const TODAY = '2022-01-20';
const clock = fixedClock(`${TODAY}T07:00:00.000Z`);

const server = GIVEN_URL ? null : await startPgServer({ watchParent: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-district-bench-'));
const handles: PgHandle[] = [];
let url = GIVEN_URL;
try {
  if (server) {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE district');
    await admin.end();
    const u = new URL(server.url);
    u.pathname = '/district';
    url = u.toString();
  }

  const t0 = performance.now();
  if (GIVEN_URL) {
    console.log(`an existing database (${new URL(url).pathname.slice(1)}): no seed`);
  } else if (LIGHT) {
    await seedDistrictDb(url, clock, { residents: RESIDENTS, days: 10, seed: 1, password: 'demo1234', full: false }, SUBDISTRICTS);
  } else {
    const r = await runCli(['seed-demo', '--db', url, '--residents', String(RESIDENTS), '--subdistricts', String(SUBDISTRICTS), '--today', TODAY]);
    if (r.result.code !== 0) throw new Error(r.result.text);
  }
  const seedS = (performance.now() - t0) / 1000;
  if (!GIVEN_URL) console.log(`seed-demo${LIGHT ? ' (light)' : ''}: ${RESIDENTS.toLocaleString('en')} residents over ${SUBDISTRICTS} subdistricts in ${seedS.toFixed(1)} s`);

  const tm = performance.now();
  const owner = await openPostgres(url, { max: 2 });
  handles.push(owner);
  if (GIVEN_URL) console.log(`opened (migrated to the latest version) in ${((performance.now() - tm) / 1000).toFixed(1)} s`);
  // Statistics and the visibility map, as autovacuum keeps them on a database in use (a fresh bulk seed has no map).
  const tv = performance.now();
  await (VACUUM ? sql`VACUUM (ANALYZE)` : sql`ANALYZE`).execute(owner.db);
  console.log(`${VACUUM ? 'VACUUM (ANALYZE)' : 'ANALYZE (no VACUUM)'}: ${((performance.now() - tv) / 1000).toFixed(1)} s; ${loadLine()}`);
  const second = Number((await sql<{ id: number }>`SELECT id FROM places WHERE level = 'subdistrict' ORDER BY id OFFSET ${NTH - 1} LIMIT 1`.execute(owner.db)).rows[0]?.id ?? 0);
  const pw = path.join(tmp, 'pw.txt');
  fs.writeFileSync(pw, 'bench-pass-1');
  const added = await runCli(['district', 'add-role', '--db', url, '--subdistrict', String(second), '--role', ROLE, '--password-file', pw]);
  if (added.result.code !== 0) throw new Error(added.result.text);
  const ru = new URL(url);
  ru.username = ROLE;
  ru.password = 'bench-pass-1';
  const role = await openPostgres(ru.toString(), { max: 2, migrate: false });
  handles.push(role);
  const community = Number((await sql<{ id: number }>`SELECT id FROM places WHERE level = 'community' AND subdistrict_id = ${second} ORDER BY id LIMIT 1`.execute(owner.db)).rows[0].id);
  const inSub = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM residents r JOIN places p ON p.id = r.community_id WHERE p.subdistrict_id = ${second}`.execute(owner.db)).rows[0].n);
  const total = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM residents`.execute(owner.db)).rows[0].n);
  console.log(`subdistrict ${second}: ${inSub.toLocaleString('en')} of ${total.toLocaleString('en')} residents; community ${community}`);
  const actor: Actor = { userId: null, username: 'bench', displayName: 'bench', role: 'clerk', communityId: null };

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  async function time(label: string, fn: () => Promise<unknown>, before?: () => Promise<unknown>) {
    await fn();
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await before?.();
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    console.log(`${label.padEnd(58)} median ${median(xs).toFixed(1)} ms  fastest ${Math.min(...xs).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms; ${loadLine()}`);
  }
  for (const [who, h] of [
    ['role (RLS on)', role],
    ['owner (RLS off)', owner],
  ] as const) {
    const ctx = { db: h.db, actor, clock };
    await time(`${who}: residents page, community + '张', with total`, () => listResidents(ctx, { communityId: community, search: '张', sortField: 'lastDay', limit: 100 }));
    await time(`${who}: residents page, whole subdistrict, with total`, () => listResidents(ctx, { sortField: 'lastDay', limit: 100 }));
    if (!LIGHT) {
      await time(`${who}: dashboard.get (sums kept)`, () => getDashboard(ctx, TODAY));
      // counter_version moved before each run (as an episode, flag or move anywhere in the district does): every sum
      // read afresh.
      await time(`${who}: dashboard.get after a write`, () => getDashboard(ctx, TODAY), () => sql`UPDATE counter_version SET n = n + 1`.execute(owner.db));
    }
  }
  if (EXPLAIN) {
    // Each statement of the dashboard right after a write, as the role: its time through the API's own Kysely, then
    // its plan with EXPLAIN (ANALYZE, BUFFERS) on the role's connection.
    const captured: { q: CompiledQuery; ms: number }[] = [];
    const logged = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: role.pool }),
      plugins: [new CamelCasePlugin()],
      log: (e) => {
        if (e.level === 'query') captured.push({ q: e.query, ms: e.queryDurationMillis });
      },
    });
    await getDashboard({ db: logged, actor, clock }, TODAY);
    await sql`UPDATE counter_version SET n = n + 1`.execute(owner.db);
    captured.length = 0;
    const t = performance.now();
    await getDashboard({ db: logged, actor, clock }, TODAY);
    console.log(`\ndashboard.get after a write as the role: ${(performance.now() - t).toFixed(1)} ms, ${captured.length} statements; ${loadLine()}`);
    const statements = [...captured];
    for (const { q, ms } of statements) {
      console.log(`\n  ${ms.toFixed(1)} ms  ${q.sql.replace(/\s+/g, ' ').slice(0, 240)}`);
      const out = await role.pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q.sql}`, q.parameters as unknown[]);
      for (const r of out.rows) console.log(`    ${r['QUERY PLAN']}`);
    }
  }
  const c = new pg.Client({ connectionString: ru.toString() });
  await c.connect();
  const plan = (await c.query(`EXPLAIN ANALYZE SELECT id, name, last_day FROM residents WHERE community_id = ${community} ORDER BY last_day, id LIMIT 100`)).rows.map((r) => r['QUERY PLAN']);
  await c.end();
  console.log('plan as the role:\n  ' + plan.join('\n  '));
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  for (const h of handles) await h.close().catch(() => {});
  if (GIVEN_URL) {
    // The run's own role: its binding, its grants (DROP OWNED), the role itself (roles belong to the whole server).
    const admin = new pg.Client({ connectionString: GIVEN_URL });
    await admin.connect();
    try {
      await admin.query('DELETE FROM idesk_bindings WHERE role_name = $1', [ROLE]);
      await admin.query(`DROP OWNED BY ${ROLE}`);
      await admin.query(`DROP ROLE ${ROLE}`);
    } catch (e) {
      console.log(`the role ${ROLE} could not be dropped: ${(e as Error).message}`);
    } finally {
      await admin.end();
    }
  }
  server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
