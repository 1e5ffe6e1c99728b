// `npm run bench [-- name… [--option value…]]`: runs every test/bench/*.bench.ts (or those named) one after another, each in its own
// Node process, and prints their figures. Benchmarks report numbers and ratios to targets; they are not pass/fail tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'test/bench');

const all = fs.readdirSync(DIR).filter((f) => f.endsWith('.bench.ts')).sort();
// Names choose the benches; options (--name value, e.g. --engine pg) are passed on to each of them.
const wanted: string[] = [];
const passOn: string[] = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) {
    passOn.push(a);
    if (i + 1 < process.argv.length && !process.argv[i + 1].startsWith('--')) passOn.push(process.argv[++i]);
  } else wanted.push(a);
}
const stem = (f: string) => f.replace(/\.bench\.ts$/, '');
const unknown = wanted.filter((w) => !all.some((f) => f === w || stem(f) === w || stem(f) === stem(path.basename(w))));
if (unknown.length) {
  console.error(`没有这些基准测试：${unknown.join('、')}。可选：${all.map(stem).join('、')}`);
  process.exit(2);
}
const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f === w || stem(f) === w || stem(f) === stem(path.basename(w)))) : all;

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
console.log(`Node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? '?'}), load average ${load()}`);
console.log('(Figures are wall-clock; on a machine busy with other work they are slower than on an idle one — see CPU times.)');

const results: { name: string; seconds: number; code: number | null }[] = [];
for (const f of chosen) {
  console.log(`\n=== ${f}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(DIR, f), ...passOn], { cwd: ROOT, stdio: 'inherit' });
  const seconds = (performance.now() - t0) / 1000;
  results.push({ name: f, seconds, code: r.status });
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.code === 0 ? 'ok    ' : 'FAILED'} ${r.name.padEnd(32)} ${r.seconds.toFixed(1)} s`);
console.log(`load average now ${load()}`);
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
