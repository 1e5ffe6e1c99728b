// Benchmark of importing a 50,000-row resident list: exceljs loading the file alone vs the whole import (zip checks,
// reading, every row checked, one transaction into a fresh database, run by the job runner in a worker thread) —
// target ratio ≤ 1.5 — and the host event loop's longest delay while the worker imports (target < 50 ms).
// As in the app and browser mode, the runner keeps a spare worker that has loaded the job code, and warmed it up on a
// made-up list in memory (excel/import/rehearse.ts), before the clerk starts the import (keepWorkerReady); the time
// that spare took to get ready is printed apart.
// Each phase runs in its own child process; wall and CPU time (whole process, worker thread included) are printed.
// The target is judged on wall time, what the clerk waits for; CPU time is judged too, since on a shared machine it
// says less about the neighbours (exceljs spends ~35% more CPU than wall time on its parallel garbage collection, the
// import ~15%, so the CPU ratio comes out lower). BENCH_RUNS (or --runs) rounds of load + import + a list with an
// error on every row; the verdicts use the medians of the rounds' ratios, the worst is printed.
// The command line is timed as whole processes, `import residents FILE --db F --mode valid-only` against a Node process
// that only loads the same workbook with exceljs (exceljs-load.ts), start to exit, in the same rounds (a list starting
// yesterday: the command runs on today's clock), three ways: as a clerk runs it, the package bin
// (`node bin/isolation-desk.mjs`, which runs the pre-built dist-cli/ — built here first, as `npm run build` does — with
// Node's compile cache on: the first run of a new build fills the cache, the later ones use it); the sources
// (`node electron/cli/main.ts`); and `npm run cli --` (the package bin too), which adds npm's own start-up (a second
// Node process: its CPU time is added) that the bare side does not pay. The verdict is on the package bin.
// --engine pg|both: the same list imported into PostgreSQL 15 (a throwaway server of its own, bench-pg.ts; each round
// a fresh database copied from a migrated template with the subdistrict and the communities), through the job runner
// as the office server runs it there (in the host's thread, on its pool), against the same round's exceljs load. Its
// CPU time is Node's plus the PostgreSQL server's (all its processes), since there the server does the writing.
// Run: node test/bench/import.bench.ts [--rows N] [--runs N] [--engine sqlite|pg|both]
//   (scripts/bench.ts runs every test/bench/*.bench.ts; `npm run bench -- import --engine both`)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { openDatabase } from '../../electron/db/open.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { ensureCommunity, setOrgIdentity } from '../../electron/domain/places.ts';
import { keepWorkerReady, startJob } from '../../electron/jobs/runner.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { people, standardRows, STANDARD_HEADER, wrongCheck, xlsxBuffer } from '../helpers/lists.ts';
import { arg, cpuMs } from './bench-args.ts';
import { buildCli } from '../../scripts/build-cli.ts';
import { benchPgServer, createPgDatabase, enginesOf, pgServerCpuMs, postmasterPid } from './bench-pg.ts';
import { openPostgres } from '../../electron/db/postgres.ts';
import type { Db } from '../../electron/db/open.ts';

const SELF = fileURLToPath(import.meta.url);
const HERE = path.dirname(SELF);
const ROOT = path.resolve(HERE, '../..');
const CLI_MAIN = path.join(ROOT, 'electron/cli/main.ts');
const CLI_BIN = path.join(ROOT, 'bin/isolation-desk.mjs');
const clock = fixedClock('2022-01-20T01:00:00.000Z');
const TARGET = { ratio: 1.5, loopMs: 50 };
/** The three ways the command line is run and timed (see the top): the verdict is on the package bin. */
const CLI_WAYS = ['bin', 'source', 'npm'] as const;
type CliWay = (typeof CLI_WAYS)[number];
const CLI_WAY_NAMES: Record<CliWay, string> = { bin: 'package bin (dist-cli)', source: 'sources (node electron/cli/main.ts)', npm: 'npm run cli' };

interface Timing {
  wallMs: number;
  cpuMs: number;
  [k: string]: unknown;
}

/** Child phase: exceljs alone, the same call the import makes (Workbook.xlsx.load on the file's bytes). */
async function phaseLoad(file: string): Promise<Timing> {
  const data = fs.readFileSync(file);
  const c0 = cpuMs();
  const t0 = performance.now();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  return { wallMs: performance.now() - t0, cpuMs: cpuMs() - c0, rows: wb.worksheets[0].actualRowCount };
}

/** Child phase: the whole import into a fresh database, through the job runner's worker, watching this thread's loop. */
async function phaseImport(file: string, dbFile: string): Promise<Timing> {
  const h = await openDatabase(dbFile, { create: true });
  await prepare(h.db);
  const w0 = performance.now();
  await keepWorkerReady(true);
  const spareMs = performance.now() - w0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const c0 = cpuMs();
  const t0 = performance.now();
  const out = await startJob<ImportSummary>('import.residents', { file, fileName: path.basename(file), kind: 'residents', mode: 'all-or-nothing' }, { dbFile, actor: CLI_ACTOR, clock }).done;
  const wallMs = performance.now() - t0;
  const c = cpuMs() - c0;
  loop.disable();
  await keepWorkerReady(false);
  if (out.state !== 'succeeded') throw new Error(`import ${out.state}: ${JSON.stringify(out)}`);
  const residents = (h.sqlite.prepare('SELECT COUNT(*) FROM residents').pluck().get() as number) ?? 0;
  await h.close();
  return { wallMs, cpuMs: c, imported: out.result.imported, residents, errors: out.result.errors.length, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6, spareMs };
}

/**
 * Child phase: the whole import into a PostgreSQL database (already holding the subdistrict and the communities), as
 * the office server runs a job there: in this thread, on the pool. CPU: this process's and the server's.
 */
async function phaseImportPg(file: string, url: string): Promise<Timing> {
  const h = await openPostgres(url);
  const client = await h.pool.connect();
  const postmaster = await postmasterPid(client);
  client.release();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const s0 = pgServerCpuMs(postmaster);
  const c0 = cpuMs();
  const t0 = performance.now();
  const out = await startJob<ImportSummary>('import.residents', { file, fileName: path.basename(file), kind: 'residents', mode: 'all-or-nothing' }, { dbFile: h.url, db: h.db, actor: CLI_ACTOR, clock }).done;
  const wallMs = performance.now() - t0;
  const c = cpuMs() - c0;
  // The backends are still alive here (the pool keeps them): their CPU time is read from /proc as they are.
  const serverMs = pgServerCpuMs(postmaster) - s0;
  loop.disable();
  if (out.state !== 'succeeded') throw new Error(`import ${out.state}: ${JSON.stringify(out)}`);
  const residents = Number((await h.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  await h.close();
  return { wallMs, cpuMs: c + serverMs, nodeCpuMs: c, serverCpuMs: serverMs, imported: out.result.imported, residents, loopMaxMs: loop.max / 1e6 };
}

/** The subdistrict and the list's two communities, in a new database. */
async function prepare(db: Db): Promise<void> {
  const ctx = { db, actor: CLI_ACTOR, clock };
  await setOrgIdentity(ctx, '广阳区', '解放道街道');
  await ensureCommunity(ctx, '西大街社区');
  await ensureCommunity(ctx, '华夏里社区');
}

function child(phase: string, ...args: string[]): Timing {
  const r = spawnSync(process.execPath, [SELF, '--phase', phase, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`phase ${phase} failed: ${r.error?.message ?? ""}\n${r.stderr ?? ""}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/**
 * A whole process, start to exit: its wall time here, its CPU time (all threads) as process-cpu.ts reports it — of
 * every Node process it runs (NODE_OPTIONS: npm and the command it starts), added up.
 */
function wholeProcess(args: string[], viaNpm = false): Timing & { stdout: string } {
  const preload = `--import=${path.join(HERE, 'process-cpu.ts')}`;
  const npm = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? [process.execPath, [process.env.npm_execpath]] as const : ['npm', []] as const;
  const [exe, argv, env] = viaNpm
    ? [npm[0], [...npm[1], 'run', '--silent', 'cli', '--', ...args], { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${preload}`.trim() }]
    : [process.execPath, [preload, ...args], process.env];
  const t0 = performance.now();
  const r = spawnSync(exe, argv, { cwd: ROOT, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.error?.message ?? ''}\n${r.stderr ?? ''}\n${(r.stdout ?? '').slice(0, 2000)}`);
  const cpus = [...r.stderr.matchAll(/BENCH_CPU_MS ([\d.]+)/g)].map((m) => Number(m[1]));
  return { wallMs, cpuMs: cpus.length ? cpus.reduce((a, b) => a + b, 0) : NaN, stdout: r.stdout, processes: cpus.length };
}

/** The database the command line imports into: a fresh file with the subdistrict and the list's two communities. */
async function cliDatabase(dbFile: string): Promise<void> {
  const h = await openDatabase(dbFile, { create: true });
  await prepare(h.db);
  await h.close();
}

async function main() {
  const phase = arg('phase', '');
  if (phase === 'load') return console.log(JSON.stringify(await phaseLoad(process.argv[process.argv.indexOf('--phase') + 2])));
  if (phase === 'import' || phase === 'import-pg') {
    const i = process.argv.indexOf('--phase');
    return console.log(JSON.stringify(await (phase === 'import' ? phaseImport : phaseImportPg)(process.argv[i + 2], process.argv[i + 3])));
  }
  const engines = enginesOf(arg('engine', 'sqlite'));
  const onSqlite = engines.includes('sqlite');
  const pgServer = engines.includes('pg') ? await benchPgServer() : null;
  try {
    await rounds(onSqlite, pgServer?.url ?? null);
  } finally {
    pgServer?.stop();
  }
}

async function rounds(onSqlite: boolean, pgUrl: string | null) {
  const rows = Number(arg('rows', '50000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-import-bench-'));
  const file = path.join(dir, `隔离人员名单-${rows}.xlsx`);
  const t0 = performance.now();
  // A current list (started 2022-01-18, its 7 days not over on the bench's 2022-01-20): no choice is needed to import it.
  const list = people(rows, undefined, '2022-01-18');
  fs.writeFileSync(file, await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(list)], titles: ['广阳区解放道街道居家隔离人员名单'] }));
  console.log(`import bench: ${rows} rows, ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB .xlsx written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The same list with a wrong check digit in every ID number: nothing is written, and the job's answer carries a
  // problem for every row — what the host must take in without stalling its event loop.
  const badFile = path.join(dir, `隔离人员名单-${rows}-每行有错.xlsx`);
  const bad = list.map((p) => ({ ...p, id: wrongCheck(p.id) }));
  fs.writeFileSync(badFile, await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(bad)], titles: ['广阳区解放道街道居家隔离人员名单'] }));
  // The command line runs on today's clock: its list started yesterday (UTC), so no choice is needed either.
  const cliFile = path.join(dir, `隔离人员名单-${rows}-命令行.xlsx`);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  fs.writeFileSync(cliFile, await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(people(rows, undefined, yesterday))], titles: ['广阳区解放道街道居家隔离人员名单'] }));
  const cliTemplate = path.join(dir, 'cli-template.db');
  if (onSqlite) {
    await cliDatabase(cliTemplate);
    const b0 = performance.now();
    const m = await buildCli();
    console.log(`  command line pre-built into dist-cli/ (as npm run build does) from ${m.inputs.length} files in ${((performance.now() - b0) / 1000).toFixed(1)} s`);
  }
  const PG_TEMPLATE = 'idesk_import_template';
  if (pgUrl) {
    const h = await openPostgres(await createPgDatabase(pgUrl, PG_TEMPLATE));
    await prepare(h.db);
    await h.close();
  }
  // Several rounds, each loading and importing back to back, so a busy neighbour skews a round rather than one side.
  const runs = Number(arg('runs', process.env.BENCH_RUNS ?? '3'));
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rounds: { load: Timing; imp: Timing; rejected: Timing; bare: Timing; cli: Record<CliWay, Timing>; load1: string }[] = [];
  const pgRounds: { load: Timing; pg: Timing; load1: string }[] = [];
  for (let r = 0; r < runs; r++) {
    const load1 = os.loadavg()[0].toFixed(1);
    const load = child('load', file);
    if (pgUrl) {
      const pg = child('import-pg', file, await createPgDatabase(pgUrl, `idesk_import_${r}`, PG_TEMPLATE));
      if (pg.imported !== rows || pg.residents !== rows) throw new Error(`PostgreSQL: imported ${pg.imported} of ${rows}, ${pg.residents} residents`);
      pgRounds.push({ load, pg, load1 });
      console.log(
        `  round ${r + 1} PostgreSQL (load avg ${load1}): exceljs load wall ${s(load.wallMs)} cpu ${s(load.cpuMs)}; import wall ${s(pg.wallMs)} cpu ${s(pg.cpuMs)} ` +
          `(Node ${s(pg.nodeCpuMs as number)} + server ${s(pg.serverCpuMs as number)}) → ratio wall ${(pg.wallMs / load.wallMs).toFixed(2)} cpu ${(pg.cpuMs / load.cpuMs).toFixed(2)}; ` +
          `host loop max ${(pg.loopMaxMs as number).toFixed(0)} ms (the job runs in the host's thread there)`,
      );
      await createPgDatabase(pgUrl, `idesk_import_${r}`); // emptied: the next round's copy has the disk to itself
    }
    if (!onSqlite) continue;
    const imp = child('import', file, path.join(dir, `bench-${r}.db`));
    if (imp.imported !== rows) throw new Error(`imported ${imp.imported} of ${rows}`);
    const rejected = child('import', badFile, path.join(dir, `bench-bad-${r}.db`));
    if (rejected.imported !== 0 || rejected.errors !== rows) throw new Error(`bad list: imported ${rejected.imported}, ${rejected.errors} errors`);
    const bare = wholeProcess([path.join(HERE, 'exceljs-load.ts'), cliFile]);
    if (Number(bare.stdout.trim()) < rows) throw new Error(`exceljs read ${bare.stdout.trim()} rows`);
    const cli = {} as Record<CliWay, Timing>;
    for (const way of CLI_WAYS) {
      const cliDb = path.join(dir, `cli-${way}-${r}.db`);
      fs.copyFileSync(cliTemplate, cliDb);
      const command = ['import', 'residents', cliFile, '--db', cliDb, '--mode', 'valid-only', '--json'];
      const t = way === 'npm' ? wholeProcess(command, true) : wholeProcess([way === 'bin' ? CLI_BIN : CLI_MAIN, ...command]);
      const cliOut = JSON.parse(t.stdout) as { imported?: number };
      if (cliOut.imported !== rows) throw new Error(`command line (${way}) imported ${cliOut.imported} of ${rows}`);
      if (way === 'npm' && t.processes !== 2) throw new Error(`npm run cli: CPU time of ${t.processes} Node processes, 2 expected`);
      fs.rmSync(cliDb, { force: true });
      cli[way] = t;
    }
    rounds.push({ load, imp, rejected, bare, cli, load1 });
    console.log(
      `  round ${r + 1} (load avg ${load1}): exceljs load wall ${s(load.wallMs)} cpu ${s(load.cpuMs)}; import wall ${s(imp.wallMs)} cpu ${s(imp.cpuMs)} → ` +
        `ratio wall ${(imp.wallMs / load.wallMs).toFixed(2)} cpu ${(imp.cpuMs / load.cpuMs).toFixed(2)}; host loop max ${(imp.loopMaxMs as number).toFixed(0)} ms; ` +
        `error-on-every-row list refused in ${s(rejected.wallMs)}, host loop max ${(rejected.loopMaxMs as number).toFixed(0)} ms; ` +
        `whole processes: exceljs load ${s(bare.wallMs)} cpu ${s(bare.cpuMs)}; command-line import ` +
        CLI_WAYS.map((w) => `${w} ${s(cli[w].wallMs)} cpu ${s(cli[w].cpuMs)} → ratio wall ${(cli[w].wallMs / bare.wallMs).toFixed(2)} cpu ${(cli[w].cpuMs / bare.cpuMs).toFixed(2)}`).join('; ') +
        ` (load avg now ${os.loadavg()[0].toFixed(1)})`,
    );
  }
  if (pgRounds.length) {
    const pw = median(pgRounds.map((x) => x.pg.wallMs / x.load.wallMs));
    const pc = median(pgRounds.map((x) => x.pg.cpuMs / x.load.cpuMs));
    console.log(`  PostgreSQL import (job in the host)   median wall ${s(median(pgRounds.map((x) => x.pg.wallMs))).padStart(8)}   cpu ${s(median(pgRounds.map((x) => x.pg.cpuMs))).padStart(8)} (Node ${s(median(pgRounds.map((x) => x.pg.nodeCpuMs as number)))} + server ${s(median(pgRounds.map((x) => x.pg.serverCpuMs as number)))})`);
    console.log(`  PostgreSQL ratio (median of rounds)    wall ${pw.toFixed(2).padStart(8)}   cpu ${pc.toFixed(2).padStart(8)}   (fastest round: wall ${Math.min(...pgRounds.map((x) => x.pg.wallMs / x.load.wallMs)).toFixed(2)}, cpu ${Math.min(...pgRounds.map((x) => x.pg.cpuMs / x.load.cpuMs)).toFixed(2)}; no target of its own, the SQLite one is ≤ ${TARGET.ratio})`);
  }
  if (!onSqlite) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const ratioWall = median(rounds.map((x) => x.imp.wallMs / x.load.wallMs));
  const ratioCpu = median(rounds.map((x) => x.imp.cpuMs / x.load.cpuMs));
  const loopImp = rounds.map((x) => x.imp.loopMaxMs as number);
  const loopBad = rounds.map((x) => x.rejected.loopMaxMs as number);
  console.log(`  exceljs load alone      median wall ${s(median(rounds.map((x) => x.load.wallMs))).padStart(8)}   cpu ${s(median(rounds.map((x) => x.load.cpuMs))).padStart(8)}`);
  console.log(`  full import (worker)    median wall ${s(median(rounds.map((x) => x.imp.wallMs))).padStart(8)}   cpu ${s(median(rounds.map((x) => x.imp.cpuMs))).padStart(8)}   ${rounds[0].imp.residents} residents written`);
  console.log(`  spare worker loaded and warmed up (before the import, once per job)  median ${s(median(rounds.map((x) => x.imp.spareMs as number)))}`);
  const verdict = (r: number) => (r <= TARGET.ratio ? 'met' : 'NOT met');
  const fastest = (xs: number[]) => Math.min(...xs);
  // Median of the rounds' ratios; and the fastest of the N runs of one side against the fastest of the other's.
  const ratios = (f: (x: (typeof rounds)[number]) => [Timing, Timing]) => {
    const pairs = rounds.map(f);
    return {
      wall: median(pairs.map(([a, b]) => a.wallMs / b.wallMs)),
      cpu: median(pairs.map(([a, b]) => a.cpuMs / b.cpuMs)),
      fastWall: fastest(pairs.map(([a]) => a.wallMs)) / fastest(pairs.map(([, b]) => b.wallMs)),
      fastCpu: fastest(pairs.map(([a]) => a.cpuMs)) / fastest(pairs.map(([, b]) => b.cpuMs)),
    };
  };
  const ratioLine = (label: string, r: ReturnType<typeof ratios>, judged: boolean) =>
    console.log(
      `  ${label.padEnd(58)} median of ${rounds.length}: wall ${r.wall.toFixed(2)} cpu ${r.cpu.toFixed(2)}; fastest / fastest: wall ${r.fastWall.toFixed(2)} cpu ${r.fastCpu.toFixed(2)}` +
        (judged ? `   target ≤ ${TARGET.ratio} → wall: ${verdict(r.wall)}, cpu: ${verdict(r.cpu)} (medians)` : ''),
    );
  const timeLine = (label: string, ts: Timing[]) =>
    console.log(`  ${label.padEnd(58)} median wall ${s(median(ts.map((t) => t.wallMs)))} cpu ${s(median(ts.map((t) => t.cpuMs)))}; fastest wall ${s(fastest(ts.map((t) => t.wallMs)))} cpu ${s(fastest(ts.map((t) => t.cpuMs)))}`);
  timeLine('whole process: exceljs load', rounds.map((x) => x.bare));
  for (const w of CLI_WAYS) timeLine(`whole process: command line, ${CLI_WAY_NAMES[w]}`, rounds.map((x) => x.cli[w]));
  ratioLine('in-app ratio (job in a worker / exceljs load)', { ...ratios((x) => [x.imp, x.load]), wall: ratioWall, cpu: ratioCpu }, true);
  for (const w of CLI_WAYS) ratioLine(`command-line ratio, ${CLI_WAY_NAMES[w]}`, ratios((x) => [x.cli[w], x.bare]), w === 'bin');
  const loopLine = (what: string, xs: number[]) =>
    console.log(`  host event loop max delay ${what}: median ${median(xs).toFixed(1)} ms, worst ${Math.max(...xs).toFixed(1)} ms, target < ${TARGET.loopMs} ms → ${median(xs) < TARGET.loopMs ? 'met' : 'NOT met'} (median)`);
  loopLine('during the import', loopImp);
  loopLine('while the error-on-every-row list is refused', loopBad);
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
