// The command line: exit codes and --json output as a child process sees them, init/stats/verify on real files,
// and the rules that a rejected or unusable call writes nothing (no file created, no rows added).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { DEFAULT_SETTINGS } from '../../electron/domain/settings.ts';
import { tempDir } from '../helpers/env.ts';
import { latestVersion } from '../../electron/db/migrations/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** --json must print exactly one JSON object on stdout. */
function oneJson(stdout: string): Record<string, any> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const v = JSON.parse(lines[0]);
  expect(typeof v).toBe('object');
  expect(Array.isArray(v)).toBe(false);
  return v;
}

function rows(file: string, sql: string): any[] {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('command line: usage and exit codes (child process)', () => {
  it('--help lists every command and exits 0; no command at all is a usage error', () => {
    const help = cli('--help');
    expect(help.code).toBe(0);
    for (const c of ['init', 'seed-demo', 'stats', 'verify']) expect(help.stdout).toContain(c);
    expect(cli().code).toBe(2);
  });

  it('an unknown command exits 2 with the usage, and with --json prints one error object', () => {
    const plain = cli('frobnicate');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('未知的命令：frobnicate');
    expect(plain.stderr).toContain('seed-demo');
    const json = cli('frobnicate', '--json');
    expect(json.code).toBe(2);
    const out = oneJson(json.stdout);
    expect(out.ok).toBe(false);
    expect(out.error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('frobnicate') });
  });

  it('a command --help shows its usage; an unknown option or a missing value is a usage error', () => {
    const h = cli('seed-demo', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--residents');
    const dir = tempDir();
    const bad = cli('stats', '--db', path.join(dir, 'x.db'), '--bogus', '--json');
    expect(bad.code).toBe(2);
    expect(oneJson(bad.stdout).error.message).toContain('--bogus');
    expect(cli('stats').code).toBe(2);
    expect(cli('seed-demo', '--db', path.join(dir, 'y.db'), '--residents', 'many').code).toBe(2);
    expect(cli('seed-demo', '--db', path.join(dir, 'y.db'), '--residents', '10', '--today', '2022-02-30').code).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('stats and verify on a missing file exit 2 and create no file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'none.db');
    for (const cmd of ['stats', 'verify']) {
      const r = cli(cmd, '--db', file, '--json');
      expect(r.code).toBe(2);
      expect(oneJson(r.stdout).error.code).toBe('DB_MISSING');
      const t = cli(cmd, '--db', file);
      expect(t.code).toBe(2);
      expect(t.stderr).toContain('不存在');
    }
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a file that is not a database exits 2 and is left byte for byte as it was', () => {
    const file = path.join(tempDir(), 'junk.db');
    const junk = Buffer.alloc(8192, 7);
    fs.writeFileSync(file, junk);
    for (const args of [['stats'], ['verify'], ['init'], ['seed-demo', '--residents', '5']]) {
      const r = cli(...args, '--db', file, '--json');
      expect(r.code).toBe(2);
      expect(oneJson(r.stdout).error.code).toBe('DB_DAMAGED');
    }
    expect(fs.readFileSync(file).equals(junk)).toBe(true);
  });

  it('init creates a sound database with the names, as the audited cli actor; verify and stats agree', () => {
    const file = path.join(tempDir(), 'office.db');
    const r = cli('init', '--db', file, '--district', '广阳区', '--subdistrict', '解放道街道', '--json');
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ ok: true, created: true, district: '广阳区', subdistrict: '解放道街道', placeholder: false });
    const places = rows(file, 'SELECT level, name, parent_id FROM places ORDER BY id');
    expect(places).toEqual([
      { level: 'district', name: '广阳区', parent_id: null },
      { level: 'subdistrict', name: '解放道街道', parent_id: expect.any(Number) },
    ]);
    const settings = Object.fromEntries(rows(file, 'SELECT key, value FROM settings').map((s) => [s.key, JSON.parse(s.value)]));
    expect(settings).toMatchObject({ district: '广阳区', subdistrict: '解放道街道' });
    const audit = rows(file, 'SELECT user_name, action FROM audit_log ORDER BY id');
    expect(audit.map((a) => a.action)).toEqual(['org.create', 'settings.update']);
    expect(new Set(audit.map((a) => a.user_name))).toEqual(new Set(['cli']));

    const v = cli('verify', '--db', file, '--json');
    expect(v.code).toBe(0);
    expect(oneJson(v.stdout)).toMatchObject({ ok: true, sound: true, integrity: [], foreignKeyViolations: [], schemaVersion: latestVersion });
    const s = cli('stats', '--db', file, '--json');
    expect(s.code).toBe(0);
    expect(oneJson(s.stdout)).toEqual({ ok: true, file, residents: 0, households: 0, activeEpisodes: 0, checkins: 0, openAlerts: 0, supplyRequests: 0, cadres: 0 });
    expect(cli('stats', '--db', file).stdout).toContain('居民 0 人');
  });
});

describe('command line: init (in process)', () => {
  it('is idempotent: a second init changes nothing and writes no audit record', async () => {
    const file = path.join(tempDir(), 'twice.db');
    const first = await runCli(['init', '--db', file, '--district', '广阳区', '--subdistrict', '解放道街道']);
    expect(first.result.code).toBe(0);
    const before = { places: rows(file, 'SELECT * FROM places'), settings: rows(file, 'SELECT * FROM settings'), audit: rows(file, 'SELECT * FROM audit_log') };
    const second = await runCli(['init', '--db', file, '--json']);
    expect(second.result.code).toBe(0);
    expect(second.result.json).toMatchObject({ created: false, migratedFrom: null, district: '广阳区', subdistrict: '解放道街道' });
    const third = await runCli(['init', '--db', file, '--district', '广阳区', '--subdistrict', '解放道街道']);
    expect(third.result.code).toBe(0);
    expect({ places: rows(file, 'SELECT * FROM places'), settings: rows(file, 'SELECT * FROM settings'), audit: rows(file, 'SELECT * FROM audit_log') }).toEqual(before);
  });

  it('without names uses the placeholders an admin renames later; given names then rename, audited', async () => {
    const file = path.join(tempDir(), 'blank.db');
    const r = await runCli(['init', '--db', file, '--json']);
    expect(r.result.json).toMatchObject({ ok: true, placeholder: true, district: DEFAULT_SETTINGS.district, subdistrict: DEFAULT_SETTINGS.subdistrict });
    expect(r.result.text).toContain('区或街道名称尚未设置');
    const rename = await runCli(['init', '--db', file, '--subdistrict', '新开路街道']);
    expect(rename.result.code).toBe(0);
    expect(rows(file, "SELECT name FROM places WHERE level = 'subdistrict'")).toEqual([{ name: '新开路街道' }]);
    expect(rows(file, "SELECT name FROM places WHERE level = 'district'")).toEqual([{ name: DEFAULT_SETTINGS.district }]);
    expect(rows(file, "SELECT value FROM settings WHERE key = 'subdistrict'")).toEqual([{ value: JSON.stringify('新开路街道') }]);
    expect(rows(file, "SELECT action FROM audit_log WHERE action = 'org.rename'")).toHaveLength(1);
  });

  it('rejects an empty or over-long name with exit 1 and creates no file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'rejected.db');
    const empty = await runCli(['init', '--db', file, '--district', '  ', '--json']);
    expect(empty.result.code).toBe(1);
    expect(empty.result.json).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const long = await runCli(['init', '--db', file, '--subdistrict', '街'.repeat(41)]);
    expect(long.result.code).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a directory that does not exist is an unreadable file (exit 2), nothing created', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--db', path.join(dir, 'no', 'such', 'dir.db'), '--json']);
    expect(r.result.code).toBe(2);
    expect((r.result.json as any).error.code).toBe('DB_UNREADABLE');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('command line: verify finds damage', () => {
  it('exits 1 when a page of an index is overwritten, naming the problem', async () => {
    const file = path.join(tempDir(), 'hurt.db');
    expect((await runCli(['seed-demo', '--db', file, '--residents', '120', '--today', '2022-01-20'])).result.code).toBe(0);
    const raw = new SqliteDatabase(file);
    const page = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'residents_name'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);
    const r = await runCli(['verify', '--db', file, '--json']);
    expect(r.result.code).toBe(1);
    const out = r.result.json as any;
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('DB_UNSOUND');
    expect(out.integrity.length).toBeGreaterThan(0);
    const text = await runCli(['verify', '--db', file]);
    expect(text.result.text).toContain('完整性检查：未通过');
  });
});

describe('package bin', () => {
  it('bin/isolation-desk.mjs runs the CLI with the current node', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/isolation-desk.mjs'), 'frobnicate', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(oneJson(r.stdout).error.code).toBe('USAGE');
    const h = spawnSync(process.execPath, [path.join(ROOT, 'bin/isolation-desk.mjs'), '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('verify');
  });
});
