// What the database's own check of the audit chain costs (issue 17; db/pg/audit.ts audit_log_hash_checked): an
// import of a 5,000-row resident list on PostgreSQL 15 — read, checked and committed in one transaction, one audit
// row per person, each recomputed by the trigger — with the trigger and with it dropped, in alternate rounds, each
// on a fresh database copied from one migrated template. An import writes few audit rows (a summary per part and
// household batch, not one per person), so the trigger's own cost is measured too: 5,000 audit rows appended in one
// auditMany (the import's batch insert, 1,500 rows a statement) on the same databases.
// A throwaway server (test/helpers/pg-server.ts) on 127.0.0.1.
// Run: node test/bench/pg-audit-trigger.bench.ts [--rows N] [--runs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { openPostgres } from '../../electron/db/postgres.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { ensureCommunity, setOrgIdentity } from '../../electron/domain/places.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import { auditMany } from '../../electron/domain/audit.ts';
import { people, standardRows, STANDARD_HEADER, xlsxBuffer } from '../helpers/lists.ts';
import { startPgServer } from '../helpers/pg-server.ts';
import { arg, cpuMs } from './bench-args.ts';

const ROWS = Number(arg('rows', '5000'));
const RUNS = Number(arg('runs', '3'));
const APPEND = 5000;
const clock = fixedClock('2022-01-20T01:00:00.000Z');

const server = await startPgServer({ watchParent: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-pgaudit-bench-'));
const admin = new pg.Pool({ connectionString: server.url, max: 1 });
const urlOf = (name: string) => {
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
};

try {
  await admin.query('CREATE DATABASE bench_template');
  const t = await openPostgres(urlOf('bench_template'), { max: 1 });
  const ctx = { db: t.db, actor: CLI_ACTOR, clock };
  await setOrgIdentity(ctx, '广阳区', '解放道街道');
  await ensureCommunity(ctx, '西大街社区');
  await ensureCommunity(ctx, '华夏里社区');
  await t.close();
  const file = path.join(dir, `名单-${ROWS}.xlsx`);
  fs.writeFileSync(file, await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(people(ROWS, undefined, '2022-01-19'))] }));

  const times: Record<'with' | 'without', Array<{ wall: number; cpu: number; audit: number; append: number }>> = { with: [], without: [] };
  let n = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const variant of run % 2 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
      const name = `bench_${++n}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE bench_template`);
      const h = await openPostgres(urlOf(name), { max: 4 });
      if (variant === 'without') await sql`DROP TRIGGER audit_log_hash_checked ON audit_log`.execute(h.db);
      const c0 = cpuMs();
      const t0 = performance.now();
      const out = await runImport({ db: h.db, actor: CLI_ACTOR, clock }, { file, fileName: path.basename(file), kind: 'residents', mode: 'all-or-nothing' });
      const wall = performance.now() - t0;
      const cpu = cpuMs() - c0;
      if (out.status !== 'written' || !('imported' in out) || out.imported !== ROWS) throw new Error(`import: ${JSON.stringify(out).slice(0, 400)}`);
      const audit = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM audit_log`.execute(h.db)).rows[0].n);
      const entries = Array.from({ length: APPEND }, (_, i) => ({ action: 'resident.update' as const, entity: 'resident', entityId: i + 1, residentId: i + 1, before: { phone: '13900000000' }, after: { phone: `139${String(i).padStart(8, '0')}` } }));
      const a0 = performance.now();
      await auditMany({ db: h.db, actor: CLI_ACTOR, clock }, entries);
      const append = performance.now() - a0;
      await h.close();
      await admin.query(`DROP DATABASE ${name}`);
      times[variant].push({ wall, cpu, audit, append });
      console.log(
        `round ${run + 1} ${variant.padEnd(7)} trigger: import ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU (this process), ${audit} audit rows; ${APPEND} audit rows appended in ${(append / 1000).toFixed(2)} s`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const w = median(times.with.map((x) => x.wall));
  const wo = median(times.without.map((x) => x.wall));
  const aw = median(times.with.map((x) => x.append));
  const awo = median(times.without.map((x) => x.append));
  console.log(`${APPEND} audit rows in one auditMany: with the trigger ${(aw / 1000).toFixed(2)} s, without ${(awo / 1000).toFixed(2)} s — ${(((aw - awo) / APPEND) * 1000).toFixed(0)} µs a row`);
  const range = (xs: number[]) => `${(Math.min(...xs) / 1000).toFixed(1)}–${(Math.max(...xs) / 1000).toFixed(1)} s`;
  const auditRows = times.with[0]?.audit ?? 0;
  console.log(
    `import of ${ROWS} rows on PostgreSQL 15, median of ${RUNS}: with the chain trigger ${(w / 1000).toFixed(2)} s (${range(times.with.map((x) => x.wall))}), without ${(wo / 1000).toFixed(2)} s (${range(times.without.map((x) => x.wall))}) — ×${(w / wo).toFixed(3)}; ` +
      `the import wrote ${auditRows} audit rows, so the trigger's own share is ~${((auditRows * (aw - awo)) / APPEND).toFixed(1)} ms: a difference beyond that is the machine's noise`,
  );
} finally {
  await admin.end();
  server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
