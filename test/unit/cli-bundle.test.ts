// The pre-built command line (scripts/build-cli.ts → dist-cli/): built into a temporary directory, it imports the
// same list into the same database as the sources do, with the same answer; its job worker loads every job; and the
// package bin runs the bundle only while it is newer than every file it was built from.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.ts';
import { makeEnv, tempDir } from '../helpers/env.ts';
import { listFile, people, standardRows, STANDARD_HEADER, wrongCheck } from '../helpers/lists.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let out: string;
beforeAll(async () => {
  dir = tempDir('idesk-cli-bundle-');
  // Inside the checkout, as dist-cli/ is: the bundle finds the packages it leaves out in node_modules/ above it.
  out = path.join(ROOT, '.cache', `dist-cli-test-${process.pid}`);
  await buildCli(out);
}, 120_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

function run(entry: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Row counts of every table, and the residents without their time stamps. */
function content(file: string) {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    const counts = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get()]));
    const residents = (db.prepare('SELECT * FROM residents ORDER BY id').all() as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith('_at'))));
    return { counts, residents };
  } finally {
    db.close();
  }
}

describe('the pre-built command line', () => {
  it('lists its files in the manifest, and imports a list as the sources do (same answer, same rows)', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.inputs).toEqual(expect.arrayContaining(['electron/cli/main.ts', 'electron/cli/commands/import.ts', 'electron/excel/import/commit.ts', 'electron/jobs/worker.ts', 'package-lock.json']));
    expect(manifest.inputs.some((f: string) => f.includes('node_modules/kysely'))).toBe(false);
    expect(manifest.builtAt).toBeLessThanOrEqual(Date.now());
    // kysely and zod are inside the bundle; the SQLite driver is not.
    const code = fs.readdirSync(out).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/^import\b[^\n]*["'](kysely|zod)["'];?$/m);
    expect(code).toMatch(/^import\b[^\n]*["']better-sqlite3-multiple-ciphers["'];?$/m);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const list = people(40, undefined, yesterday);
    list[7] = { ...list[7], id: wrongCheck(list[7].id) };
    const file = await listFile(dir, '名单.xlsx', { rows: [STANDARD_HEADER, ...standardRows(list)], titles: ['广阳区解放道街道居家隔离人员名单'] });
    const template = path.join(dir, 'template.db');
    const e = await makeEnv({ file: template });
    await e.close();
    const answers = [];
    const dbs = [];
    for (const entry of [path.join(ROOT, 'electron/cli/main.ts'), path.join(out, 'main.js')]) {
      const db = path.join(dir, `${path.basename(entry)}.db`);
      fs.copyFileSync(template, db);
      const r = run(entry, ['import', 'residents', file, '--db', db, '--mode', 'valid-only', '--json']);
      expect(r.code, r.stderr).toBe(0);
      answers.push(JSON.parse(r.stdout));
      dbs.push(db);
    }
    expect(answers[0]).toMatchObject({ ok: true, status: 'written', imported: 39 });
    expect(answers[0].errors.map((x: { row: number; column: string }) => x.column)).toEqual(['身份证号']);
    expect(answers[1]).toEqual(answers[0]);
    const [a, b] = dbs.map(content);
    expect(a.residents).toHaveLength(39);
    expect(b).toEqual(a);
  }, 120_000);

  it('exit codes and usage as from the sources', () => {
    const main = path.join(out, 'main.js');
    const bad = run(main, ['frobnicate', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('USAGE');
    const help = run(main, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(run(path.join(ROOT, 'electron/cli/main.ts'), ['--help']).stdout);
    const missing = run(main, ['stats', '--db', path.join(dir, 'nothing-here.db'), '--json']);
    expect(missing.code).toBe(2);
  }, 60_000);

  it("its job worker (worker.js beside the chunks) loads every job's code and says it is ready", async () => {
    const w = new Worker(path.join(out, 'worker.js'), { workerData: { spare: true } });
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
      });
      expect(first).toEqual({ type: 'ready' });
    } finally {
      await w.terminate();
    }
  }, 60_000);
});

describe('package bin: the bundle while it is current, the sources otherwise', () => {
  // A stand-in checkout: the real bin, a "bundle" and a "source" entry that say which one ran, one input file.
  let root: string;
  let bin: string;
  beforeAll(() => {
    root = path.join(dir, 'checkout');
    for (const d of ['bin', 'dist-cli', 'electron/cli']) fs.mkdirSync(path.join(root, d), { recursive: true });
    bin = path.join(root, 'bin/isolation-desk.mjs');
    fs.copyFileSync(path.join(ROOT, 'bin/isolation-desk.mjs'), bin);
    fs.writeFileSync(path.join(root, 'dist-cli/main.js'), "console.log('bundle', process.argv.slice(2).join(' '));\n");
    fs.writeFileSync(path.join(root, 'electron/cli/main.ts'), "console.log('source', process.argv.slice(2).join(' '));\n");
    fs.writeFileSync(path.join(root, 'electron/cli/input.ts'), '');
  });
  const manifest = (builtAt: number, inputs = ['electron/cli/input.ts']) => fs.writeFileSync(path.join(root, 'dist-cli/manifest.json'), JSON.stringify({ builtAt, inputs }));
  const which = (env: Record<string, string> = {}) => run(bin, ['stats', '--json'], env).stdout.trim();

  it('runs dist-cli/main.js built after its inputs changed, with the arguments', () => {
    manifest(Date.now() + 60_000);
    expect(which()).toBe('bundle stats --json');
    expect(which({ ISOLATION_DESK_CLI_SOURCE: '1' })).toBe('source stats --json');
  });

  it('runs the sources when an input is newer than the bundle, is gone, or there is no manifest', () => {
    manifest(Date.now() + 60_000);
    const later = new Date(Date.now() + 120_000);
    fs.utimesSync(path.join(root, 'electron/cli/input.ts'), later, later);
    expect(which()).toBe('source stats --json');
    manifest(Date.now() + 180_000, ['electron/cli/input.ts', 'electron/cli/gone.ts']);
    expect(which()).toBe('source stats --json');
    fs.rmSync(path.join(root, 'dist-cli/manifest.json'));
    expect(which()).toBe('source stats --json');
  });
});
