// Benchmark: `seed-demo --residents 100000` into a temp file, run through the CLI's own entry (in this process,
// so CPU time can be measured). Target: ≤ 60 s on the 2-core build machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/run.ts';

const RESIDENTS = Number(process.env.BENCH_SEED_RESIDENTS ?? 100_000);
const TARGET_S = 60;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-bench-seed-'));
const file = path.join(dir, 'demo.db');
try {
  const load0 = os.loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { result } = await runCli(['seed-demo', '--db', file, '--residents', String(RESIDENTS), '--today', '2022-01-20', '--seed', '1', '--json']);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.code !== 0) throw new Error(`seed-demo failed: ${JSON.stringify(result.json)}`);
  const counts = (result.json as { counts: Record<string, number> }).counts;
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const mb = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) / 1048576;
  console.log(`seed-demo --residents ${RESIDENTS.toLocaleString('en')}: ${wall.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU (user ${(cpu.user / 1e6).toFixed(1)} + system ${(cpu.system / 1e6).toFixed(1)})`);
  console.log(`rows written: ${rows.toLocaleString('en')} (${Object.entries(counts).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')})`);
  console.log(`throughput: ${Math.round(rows / wall).toLocaleString('en')} rows/s wall, ${Math.round(rows / cpuS).toLocaleString('en')} rows/s CPU; file ${mb.toFixed(0)} MB`);
  console.log(`${wall.toFixed(1)} s (target < ${TARGET_S} s: ${wall < TARGET_S ? 'ok' : 'MISSED'}, wall ratio ${(wall / TARGET_S).toFixed(2)}, CPU ratio ${(cpuS / TARGET_S).toFixed(2)})`);
  console.log(`load average 1 min: ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end (${os.cpus().length} CPUs)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
