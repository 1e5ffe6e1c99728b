// Encryption at rest (SQLite3 Multiple Ciphers): the bytes of an encrypted database, its WAL and its backups hold no
// ID number or phone (while the same data in a plaintext file does — so the search itself is shown to work); a
// missing or wrong key is refused with exit code 2 and the file untouched; a plaintext file is converted in place
// after a verified backup; the key reaches job workers. Real files, the real CLI (in process and as a child process).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase } from '../../electron/db/open.ts';
import { backupDatabase, verifyBackup } from '../../electron/db/backup.ts';
import { fileKind, openSqlite, setDatabaseKey } from '../../electron/db/sqlite.ts';
import { formatRecoveryKey, generateKey, parseRecoveryKey, writeKeyFile, type DbKey } from '../../electron/db/keys.ts';
import { keepWorkerReady, startJob } from '../../electron/jobs/runner.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { tempDir } from '../helpers/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fixture = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/jobs-fixture.ts')).href;

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.ISOLATION_DESK_DB_KEY;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inProcess(...args: string[]) {
  return (await runCli(args)).result;
}

function keyFileFor(dir: string, key: DbKey = generateKey()): { file: string; key: DbKey } {
  const file = path.join(dir, `k-${Math.random().toString(36).slice(2)}.key`);
  writeKeyFile(file, key);
  return { file, key };
}

/** Some ID numbers and phones of the residents (read through a keyed connection). */
function secrets(file: string, key: DbKey | null): string[] {
  const db = openSqlite(file, { key, readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT doc_number, phone FROM residents WHERE doc_number IS NOT NULL AND phone IS NOT NULL ORDER BY id LIMIT 20').all() as { doc_number: string; phone: string }[];
    expect(rows.length).toBe(20);
    return rows.flatMap((r) => [r.doc_number, r.phone]);
  } finally {
    db.close();
  }
}

/** Which of `needles` occur in the file's bytes (as UTF-8, as SQLite stores text). */
function found(file: string, needles: string[]): string[] {
  const bytes = fs.readFileSync(file);
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
}

afterEach(async () => {
  setDatabaseKey(null);
  await keepWorkerReady(false);
});

describe('encryption at rest: bytes on disk', () => {
  it('the database, its WAL and a backup hold no ID number or phone when encrypted; plaintext ones do', async () => {
    const dir = tempDir('idesk-crypt-');
    const k = keyFileFor(dir);
    const seen: Record<string, { db: number; wal: number; backup: number }> = {};
    for (const encrypted of [false, true]) {
      const file = path.join(dir, encrypted ? 'enc.db' : 'plain.db');
      const keyArgs = encrypted ? ['--encrypt', '--key-file', k.file] : [];
      const r = await inProcess('seed-demo', '--db', file, '--residents', '150', '--today', '2022-01-20', ...keyArgs);
      expect(r.code, r.text).toBe(0);
      expect(fileKind(file)).toBe(encrypted ? 'encrypted' : 'plain');
      const needles = secrets(file, encrypted ? k.key : null);

      // The WAL: a change to a resident (a new phone, and an ID number written again) kept in the WAL, not checkpointed.
      const writer = openSqlite(file, { key: encrypted ? k.key : null, fileMustExist: true });
      writer.pragma('journal_mode = WAL');
      writer.pragma('wal_autocheckpoint = 0');
      const newPhone = encrypted ? '13877776666' : '13877775555';
      writer.prepare('UPDATE residents SET phone = ?, doc_number = doc_number WHERE id = (SELECT MIN(id) FROM residents)').run(newPhone);
      const wal = `${file}-wal`;
      expect(fs.statSync(wal).size).toBeGreaterThan(0);
      const walNeedles = [newPhone, needles[0]];

      // A backup taken from the live connection (VACUUM INTO when encrypted).
      const out = path.join(dir, 'backups', `${path.basename(file)}.backup.db`);
      setDatabaseKey(encrypted ? k.key : null);
      const b = await backupDatabase(writer, out);
      expect(b.verification.ok, b.verification.problems.join()).toBe(true);
      seen[encrypted ? 'encrypted' : 'plain'] = { db: found(file, needles).length, wal: found(wal, walNeedles).length, backup: found(out, [...needles, newPhone]).length };
      writer.close();
      setDatabaseKey(null);

      if (encrypted) {
        // The backup is encrypted too, and opens only with the key.
        expect(fileKind(out)).toBe('encrypted');
        expect(() => openSqlite(out, { key: null, readonly: true })).toThrow(/已加密，需要密钥/);
        expect(() => openSqlite(out, { key: generateKey(), readonly: true })).toThrow(/密钥不正确/);
        expect(verifyBackup(out).ok).toBe(false);
        setDatabaseKey(k.key);
        expect(verifyBackup(out).ok).toBe(true);
        setDatabaseKey(null);
      }
    }
    // The plaintext control shows the search finds what is there…
    expect(seen.plain.db).toBeGreaterThan(30);
    expect(seen.plain.wal).toBe(2);
    expect(seen.plain.backup).toBeGreaterThan(30);
    // …and the encrypted files have none of it.
    expect(seen.encrypted).toEqual({ db: 0, wal: 0, backup: 0 });
  }, 60_000);

  it('a backup made by the CLI of an encrypted database is encrypted and verified with the key', async () => {
    const dir = tempDir('idesk-crypt-');
    const k = keyFileFor(dir);
    const file = path.join(dir, 'desk.db');
    expect((await inProcess('seed-demo', '--db', file, '--residents', '60', '--today', '2022-01-20', '--encrypt', '--key-file', k.file)).code).toBe(0);
    const needles = secrets(file, k.key);
    const r = cli(['backup', '--db', file, '--json'], { ISOLATION_DESK_DB_KEY: k.key });
    expect(r.code, r.stderr).toBe(0);
    const backup = JSON.parse(r.stdout).file as string;
    expect(found(backup, needles)).toEqual([]);
    expect(fileKind(backup)).toBe('encrypted');
  });
});

describe('encryption at rest: keys', () => {
  it('init --encrypt creates an encrypted file; without the key or with a wrong one every command exits 2 and the file is untouched', async () => {
    const dir = tempDir('idesk-crypt-');
    const file = path.join(dir, 'desk.db');
    const keyFile = path.join(dir, 'desk.key');
    // The key file does not exist yet: init --encrypt creates it, owner-only.
    const init = cli(['init', '--db', file, '--encrypt', '--key-file', keyFile, '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ ok: true, created: true, encrypted: true, keyFileCreated: keyFile });
    if (process.platform !== 'win32') expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fileKind(file)).toBe('encrypted');
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);

    const before = fs.readFileSync(file);
    const wrong = generateKey();
    for (const cmd of [['stats'], ['verify'], ['init'], ['backup'], ['export', 'daily-report', '--date', '2022-01-20', '--out', path.join(dir, 'x.xlsx')]]) {
      const missing = cli([...cmd, '--db', file, '--json']);
      expect(missing.code, `${cmd[0]}: ${missing.stdout}`).toBe(2);
      expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'DB_KEY', message: expect.stringMatching(/已加密，需要密钥.*--key-file.*ISOLATION_DESK_DB_KEY/) });
      const bad = cli([...cmd, '--db', file, '--json'], { ISOLATION_DESK_DB_KEY: wrong });
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'DB_KEY', message: expect.stringContaining('密钥不正确') });
      // The message never carries the key.
      expect(bad.stdout + bad.stderr).not.toContain(wrong);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);

    // The key from the environment variable, or from the key file: stats works.
    expect(cli(['stats', '--db', file], { ISOLATION_DESK_DB_KEY: key.toUpperCase() }).code).toBe(0);
    expect(cli(['stats', '--db', file, '--key-file', keyFile]).code).toBe(0);
    // --key-file wins over the environment variable.
    expect(cli(['stats', '--db', file, '--key-file', keyFile], { ISOLATION_DESK_DB_KEY: wrong }).code).toBe(0);
  }, 180_000);

  it('a key file others can read, a malformed key and a missing key file are refused with a clear message', async () => {
    const dir = tempDir('idesk-crypt-');
    const file = path.join(dir, 'desk.db');
    const k = keyFileFor(dir);
    expect((await inProcess('init', '--db', file, '--encrypt', '--key-file', k.file)).code).toBe(0);
    if (process.platform !== 'win32') {
      fs.chmodSync(k.file, 0o644);
      const r = await inProcess('stats', '--db', file, '--key-file', k.file);
      expect(r.code).toBe(2);
      expect(r.text).toMatch(/其他用户也能读取.*chmod 600/);
      fs.chmodSync(k.file, 0o600);
    }
    const short = cli(['stats', '--db', file], { ISOLATION_DESK_DB_KEY: 'abc123' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/ISOLATION_DESK_DB_KEY 不是有效的数据库密钥：应为 64 位十六进制/);
    const none = await inProcess('stats', '--db', file, '--key-file', path.join(dir, 'nope.key'));
    expect(none.code).toBe(2);
    expect(none.text).toContain('找不到密钥文件');
    // init --encrypt with no key anywhere: refused, nothing created.
    const fresh = path.join(dir, 'fresh.db');
    const r = await inProcess('init', '--db', fresh, '--encrypt');
    expect(r.code).toBe(2);
    expect(r.text).toContain('需要密钥');
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('demo and init databases stay plaintext unless asked, even with the key in the environment', () => {
    const dir = tempDir('idesk-crypt-');
    const key = generateKey();
    expect(cli(['seed-demo', '--db', path.join(dir, 'demo.db'), '--residents', '5', '--today', '2022-01-20'], { ISOLATION_DESK_DB_KEY: key }).code).toBe(0);
    expect(fileKind(path.join(dir, 'demo.db'))).toBe('plain');
    expect(cli(['init', '--db', path.join(dir, 'plain.db')], { ISOLATION_DESK_DB_KEY: key }).code).toBe(0);
    expect(fileKind(path.join(dir, 'plain.db'))).toBe('plain');
    // Asked for: seed-demo --encrypt, with a new key file made for it.
    const keyFile = path.join(dir, 'demo.key');
    const r = cli(['seed-demo', '--db', path.join(dir, 'enc-demo.db'), '--residents', '5', '--today', '2022-01-20', '--encrypt', '--key-file', keyFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(fileKind(path.join(dir, 'enc-demo.db'))).toBe('encrypted');
    expect(cli(['stats', '--db', path.join(dir, 'enc-demo.db'), '--key-file', keyFile]).code).toBe(0);
  }, 60_000);

  it('the recovery key is the key in printable groups, and reads back typed in either case, with or without dashes', () => {
    const key = generateKey();
    const printed = formatRecoveryKey(key);
    expect(printed).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
    expect(parseRecoveryKey(printed)).toBe(key);
    expect(parseRecoveryKey(printed.toLowerCase().replace(/-/g, ' '))).toBe(key);
    expect(() => parseRecoveryKey(printed.slice(0, -1))).toThrow(/恢复密钥不是有效的数据库密钥/);
  });

  it('a job worker opens the encrypted database with the host key', async () => {
    const dir = tempDir('idesk-crypt-');
    const file = path.join(dir, 'desk.db');
    const key = generateKey();
    setDatabaseKey(key);
    await (await openDatabase(file, { create: true, encrypt: true })).close();
    expect(fileKind(file)).toBe('encrypted');
    const out = await startJob('test.count', { n: 3 }, { dbFile: file, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T01:00:00Z'), modules: [fixture] }).done;
    expect(out).toMatchObject({ state: 'succeeded', result: { written: 3, inWorker: true } });
  });
});

describe('encryption at rest: converting a plaintext database', () => {
  it('encrypt converts in place after a verified backup: same rows, no ID number in the bytes, opens only with the key', async () => {
    const dir = tempDir('idesk-crypt-');
    const file = path.join(dir, 'desk.db');
    expect((await inProcess('seed-demo', '--db', file, '--residents', '120', '--today', '2022-01-20')).code).toBe(0);
    const needles = secrets(file, null);
    expect(found(file, needles).length).toBeGreaterThan(20);
    const statsBefore = (await inProcess('stats', '--db', file, '--json')).json;

    const keyFile = path.join(dir, 'desk.key');
    const r = cli(['encrypt', '--db', file, '--key-file', keyFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, keyFileCreated: keyFile });
    expect(fileKind(file)).toBe('encrypted');
    expect(found(file, needles)).toEqual([]);
    expect(fs.existsSync(`${file}.encrypting`)).toBe(false);
    // The backup taken first verifies and holds the data as it was (plaintext, and reported as such).
    expect(verifyBackup(out.backup).ok).toBe(true);
    expect(out.plaintextBackups).toContain(out.backup);

    expect(cli(['stats', '--db', file]).code).toBe(2);
    const after = await inProcess('stats', '--db', file, '--json', '--key-file', keyFile);
    expect(after.code).toBe(0);
    expect({ ...after.json }).toEqual({ ...statsBefore });
    // Converting again is refused; the file stays as it is.
    const bytes = fs.readFileSync(file);
    expect(cli(['encrypt', '--db', file, '--key-file', keyFile]).code).toBe(2);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a conversion that cannot finish leaves the plaintext file byte for byte as it was', async () => {
    const dir = tempDir('idesk-crypt-');
    const file = path.join(dir, 'desk.db');
    expect((await inProcess('seed-demo', '--db', file, '--residents', '30', '--today', '2022-01-20')).code).toBe(0);
    const k = keyFileFor(dir);
    // Another program has the file open: refused.
    const other = openSqlite(file, { key: null, fileMustExist: true });
    other.prepare('SELECT COUNT(*) FROM residents').get();
    const before = fs.readFileSync(file);
    const busy = await inProcess('encrypt', '--db', file, '--key-file', k.file);
    expect(busy.code).not.toBe(0);
    expect(busy.text).toContain('正被其他程序使用');
    other.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    // The backup folder cannot be written: the verified backup fails first, nothing is converted.
    fs.rmSync(path.join(dir, 'backups'), { recursive: true, force: true });
    fs.writeFileSync(path.join(dir, 'backups'), 'not a folder');
    const noBackup = await inProcess('encrypt', '--db', file, '--key-file', k.file);
    expect(noBackup.code).not.toBe(0);
    expect(fileKind(file)).toBe('plain');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes('encrypting'))).toEqual([]);
  }, 60_000);
});
