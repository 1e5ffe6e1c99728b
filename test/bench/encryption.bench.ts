// Benchmark of encryption at rest: the same work on a plaintext and on an encrypted database (SQLite3 Multiple
// Ciphers, ChaCha20-Poly1305), printed as a ratio encrypted/plaintext —
//   import: a 50,000-row resident list into a fresh database, by the job runner's worker (as the clerk's import);
//   export: the 隔离人员台账 of a 100,000-person database, as the 'export.report' job in a worker.
// The encrypted export database is the plaintext one converted by db/encrypt.ts, so both hold the same pages.
// Each timing runs in its own child process; the two modes alternate within a round, so a busy neighbour skews a round
// rather than one mode. Verdicts use the median of the rounds' ratios.
// Run: node test/bench/encryption.bench.ts [--rows N] [--residents N] [--runs N]   (scripts/bench.ts runs it too)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { encryptDatabaseFile } from '../../electron/db/encrypt.ts';
import { generateKey, parseKey } from '../../electron/db/keys.ts';
import { fileKind, setDatabaseKey } from '../../electron/db/sqlite.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock, today } from '../../electron/domain/clock.ts';
import { ensureCommunity, setOrgIdentity } from '../../electron/domain/places.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { keepWorkerReady, startJob } from '../../electron/jobs/runner.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { people, standardRows, STANDARD_HEADER, xlsxBuffer } from '../helpers/lists.ts';
import { arg, cpuMs } from './bench-args.ts';

const SELF = fileURLToPath(import.meta.url);
const clock = fixedClock('2022-01-20T07:00:00.000Z');
const KEY_ENV = 'BENCH_DB_KEY';

/** Child: the key (if any) comes from BENCH_DB_KEY, as the CLI's would come from its env var. */
function useKey(): boolean {
  const k = process.env[KEY_ENV];
  setDatabaseKey(k ? parseKey(k, KEY_ENV) : null);
  return Boolean(k);
}

async function phaseImport(file: string, dbFile: string) {
  const encrypted = useKey();
  const h = await openDatabase(dbFile, { create: true, encrypt: encrypted });
  const ctx = { db: h.db, actor: CLI_ACTOR, clock };
  await setOrgIdentity(ctx, '广阳区', '解放道街道');
  await ensureCommunity(ctx, '西大街社区');
  await ensureCommunity(ctx, '华夏里社区');
  await keepWorkerReady(true);
  const c0 = cpuMs();
  const t0 = performance.now();
  const out = await startJob<ImportSummary>('import.residents', { file, fileName: path.basename(file), kind: 'residents', mode: 'all-or-nothing' }, { dbFile, actor: CLI_ACTOR, clock }).done;
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  await keepWorkerReady(false);
  if (out.state !== 'succeeded') throw new Error(`import ${out.state}: ${JSON.stringify(out)}`);
  await h.close();
  if (fileKind(dbFile) !== (encrypted ? 'encrypted' : 'plain')) throw new Error(`${dbFile} is not ${encrypted ? 'encrypted' : 'plaintext'}`);
  return { ms, cpuMs: cpu, rows: out.result.imported };
}

async function phaseExport(dbFile: string, out: string) {
  useKey();
  const c0 = cpuMs();
  const t0 = performance.now();
  const r = await startJob<{ rows: number }>('export.report', { report: 'roster', date: today(clock), outFile: out }, { dbFile, actor: CLI_ACTOR, clock }).done;
  const ms = performance.now() - t0;
  if (r.state !== 'succeeded') throw new Error(`export ${r.state}: ${JSON.stringify(r)}`);
  return { ms, cpuMs: cpuMs() - c0, rows: r.result.rows };
}

type Timing = { ms: number; cpuMs: number; rows: number };

function child(args: string[], key: string | null): Timing {
  const env = { ...process.env };
  delete env[KEY_ENV];
  if (key) env[KEY_ENV] = key;
  const r = spawnSync(process.execPath, [SELF, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`phase ${args[1]} failed (${r.status}): ${r.stderr || r.stdout}`);
  return JSON.parse(line);
}

async function main() {
  const phase = arg('phase', '');
  if (phase === 'import') return console.log(JSON.stringify(await phaseImport(arg('file', ''), arg('db', ''))));
  if (phase === 'export') return console.log(JSON.stringify(await phaseExport(arg('db', ''), arg('out', ''))));

  const rows = Number(arg('rows', '50000'));
  const residents = Number(arg('residents', '100000'));
  const runs = Number(arg('runs', process.env.BENCH_RUNS ?? '3'));
  const key = generateKey();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-bench-crypt-'));
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  try {
    const list = path.join(dir, `隔离人员名单-${rows}.xlsx`);
    // A current list (started 2022-01-18, its 7 days not over on the bench's 2022-01-20): no choice is needed to import it.
    const current = people(rows, undefined, '2022-01-18');
    fs.writeFileSync(list, await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(current)], titles: ['广阳区解放道街道居家隔离人员名单'] }));
    // The export databases: one fill, then an encrypted copy converted from it (same content).
    const plainDb = path.join(dir, 'export-plain.db');
    const encDb = path.join(dir, 'export-enc.db');
    const t0 = performance.now();
    const h = await openDatabase(plainDb, { create: true });
    await withBulkLoad(h.sqlite, (db) => seedDemo({ db, actor: CLI_ACTOR, clock }, { residents, days: 7, seed: 1, password: 'demo1234', full: false, bulk: true }));
    h.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    await h.close();
    fs.copyFileSync(plainDb, encDb);
    await encryptDatabaseFile(encDb, key);
    console.log(
      `encryption bench: ${rows} rows to import, ${residents} residents to export (filled and converted in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `${(fs.statSync(plainDb).size / 1048576).toFixed(0)} MB plaintext, ${(fs.statSync(encDb).size / 1048576).toFixed(0)} MB encrypted)`,
    );
    // Warm the file cache for both export databases.
    child(['--phase', 'export', '--db', plainDb, '--out', path.join(dir, 'warm-p.xlsx')], null);
    child(['--phase', 'export', '--db', encDb, '--out', path.join(dir, 'warm-e.xlsx')], key);
    const rounds: { imp: [Timing, Timing]; exp: [Timing, Timing] }[] = [];
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? [null, key] : [key, null];
      const imp: Record<string, Timing> = {};
      const exp: Record<string, Timing> = {};
      for (const k of order) {
        const tag = k ? 'enc' : 'plain';
        imp[tag] = child(['--phase', 'import', '--file', list, '--db', path.join(dir, `import-${tag}-${r}.db`)], k);
        if (imp[tag].rows !== rows) throw new Error(`imported ${imp[tag].rows} of ${rows}`);
        exp[tag] = child(['--phase', 'export', '--db', k ? encDb : plainDb, '--out', path.join(dir, `roster-${tag}-${r}.xlsx`)], k);
      }
      if (exp.plain.rows !== exp.enc.rows) throw new Error(`export rows differ: ${exp.plain.rows} vs ${exp.enc.rows}`);
      rounds.push({ imp: [imp.plain, imp.enc], exp: [exp.plain, exp.enc] });
      console.log(
        `  round ${r + 1} (load avg ${os.loadavg()[0].toFixed(1)}): import plain ${s(imp.plain.ms)} encrypted ${s(imp.enc.ms)} → ${(imp.enc.ms / imp.plain.ms).toFixed(2)}; ` +
          `export (${exp.plain.rows} rows) plain ${s(exp.plain.ms)} encrypted ${s(exp.enc.ms)} → ${(exp.enc.ms / exp.plain.ms).toFixed(2)}`,
      );
    }
    const ratio = (pick: (x: (typeof rounds)[number]) => [Timing, Timing], f: (t: Timing) => number) => median(rounds.map((x) => f(pick(x)[1]) / f(pick(x)[0])));
    const line = (what: string, pick: (x: (typeof rounds)[number]) => [Timing, Timing]) =>
      console.log(
        `  ${what.padEnd(28)} plain median ${s(median(rounds.map((x) => pick(x)[0].ms))).padStart(8)}   encrypted median ${s(median(rounds.map((x) => pick(x)[1].ms))).padStart(8)}   ` +
          `ratio encrypted/plain wall ${ratio(pick, (t) => t.ms).toFixed(2)}, cpu ${ratio(pick, (t) => t.cpuMs).toFixed(2)} (median of ${runs} rounds)`,
      );
    line(`import ${rows} rows (worker)`, (x) => x.imp);
    line(`export ${rounds[0].exp[0].rows} rows (worker)`, (x) => x.exp);
    console.log(
      JSON.stringify({
        bench: 'encryption',
        rows,
        residents,
        runs,
        importRatioWall: Number(ratio((x) => x.imp, (t) => t.ms).toFixed(3)),
        exportRatioWall: Number(ratio((x) => x.exp, (t) => t.ms).toFixed(3)),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
