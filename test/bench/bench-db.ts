// Shared by the benches: one big residents-only database (places, households, residents, episodes), built once by
// the real migrations and the demo seeder's bulk path, and kept under .cache/bench/ (git-ignored) so the page and
// grid benches reuse it — seeding 1,000,000 people takes minutes. It is built under a temporary name and renamed
// only when complete, so an interrupted fill never leaves a half-filled cache behind.
// BENCH_DB=<file> uses that file instead (filled if empty); BENCH_FRESH=1 rebuilds the cached file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { openDatabase } from '../../electron/db/open.ts';
import { readSchemaVersion } from '../../electron/db/migrations/index.ts';
import { latestVersion } from '../../electron/db/migrations/index.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { createUser } from '../../electron/domain/users.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CACHE_DIR = path.join(ROOT, '.cache', 'bench');
/** 15:00 in Shanghai on the demo's day: the fill, the page bench and browser mode agree on "today". */
export const BENCH_NOW = '2022-01-20T15:00:00+08:00';
export const BENCH_PASSWORD = 'demo1234';

const count = (sqlite: { prepare: (s: string) => { pluck: () => { get: () => unknown } } }, table: string) =>
  Number(sqlite.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());

async function fill(file: string, residents: number, log: (s: string) => void): Promise<void> {
  const clock = fixedClock(BENCH_NOW);
  const handle = await openDatabase(file, { create: true });
  try {
    const have = count(handle.sqlite, 'residents');
    if (have > 0) return;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let shown = 0;
    await withBulkLoad(handle.sqlite, (db) =>
      seedDemo(
        { db, actor: CLI_ACTOR, clock },
        {
          residents,
          days: 10,
          seed: 1,
          password: BENCH_PASSWORD,
          full: false,
          bulk: true,
          onProgress: (done, total) => {
            if (done - shown >= total / 10) {
              shown = done;
              log(`  fill: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
            }
          },
        },
      ),
    );
    const cpu = process.cpuUsage(cpu0);
    log(`fill: ${residents.toLocaleString('en')} residents (+ households, places, episodes) in ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
    handle.sqlite.pragma('optimize');
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await handle.close();
  }
}

/**
 * The path of a database holding `residents` residents: BENCH_DB if set, else .cache/bench/residents-<n>.db, built
 * when missing. Returns whether it was reused.
 */
export async function benchDatabase(residents: number, log: (s: string) => void = console.log): Promise<{ file: string; reused: boolean }> {
  if (process.env.BENCH_DB) {
    const file = path.resolve(process.env.BENCH_DB);
    const existed = fs.existsSync(file);
    await fill(file, residents, log);
    return { file, reused: existed };
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `residents-${residents}.db`);
  if (process.env.BENCH_FRESH) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  if (fs.existsSync(file)) {
    log(`fill: reusing ${path.relative(ROOT, file)} (${(fs.statSync(file).size / 1048576).toFixed(0)} MB; BENCH_FRESH=1 rebuilds it)`);
    await migrateCache(file, log);
    return { file, reused: true };
  }
  const building = path.join(CACHE_DIR, `residents-${residents}.building-${process.pid}.db`);
  log(`fill: building ${path.relative(ROOT, file)} (${residents.toLocaleString('en')} residents; once, then reused)`);
  try {
    await fill(building, residents, log);
    for (const ext of ['-wal', '-shm']) fs.rmSync(`${building}${ext}`, { force: true });
    fs.renameSync(building, file);
  } finally {
    for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${building}${ext}`, { force: true });
  }
  return { file, reused: false };
}

/** A cache built before a newer migration: migrate it in place (no backup first: it is a cache, rebuilt at will). */
async function migrateCache(file: string, log: (s: string) => void): Promise<void> {
  const t0 = performance.now();
  const before = (() => {
    const raw = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    try {
      return readSchemaVersion(raw);
    } finally {
      raw.close();
    }
  })();
  if (before >= latestVersion) return;
  const handle = await openDatabase(file, { beforeMigrate: false });
  handle.sqlite.pragma('optimize');
  await handle.close();
  log(`fill: migrated the cached database from schema ${before} to ${latestVersion} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The fast fill writes no accounts; browser mode needs one to log in. Adds admin and clerk (password demo1234) once. */
export async function ensureBenchAccounts(file: string): Promise<void> {
  const handle = await openDatabase(file);
  try {
    const ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(BENCH_NOW) };
    const have = new Set((handle.sqlite.prepare('SELECT username FROM users').pluck().all() as string[]));
    if (!have.has('admin')) await createUser(ctx, { username: 'admin', displayName: '系统管理员', role: 'admin', password: BENCH_PASSWORD });
    if (!have.has('clerk')) await createUser(ctx, { username: 'clerk', displayName: '街道科员', role: 'clerk', password: BENCH_PASSWORD });
  } finally {
    await handle.close();
  }
}

export const loadLine = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} (${os.cpus().length} CPUs)`;
