import { describe, expect, it } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { openDatabase, DatabaseOpenError, PAGE_SIZE } from '../../electron/db/open.ts';
import { latestVersion } from '../../electron/db/migrations/index.ts';
import { tempDir } from '../helpers/env.ts';

describe('database open', () => {
  it('builds the schema from empty and sets the pragmas on a reopened file', async () => {
    const file = path.join(tempDir(), 'a.db');
    const h1 = await openDatabase(file, { create: true });
    expect(h1.schemaVersion).toBe(latestVersion);
    await h1.close();
    const h2 = await openDatabase(file);
    expect(h2.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h2.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(h2.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(h2.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(h2.sqlite.pragma('secure_delete', { simple: true })).toBe(1);
    expect(h2.sqlite.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    const tables = h2.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['residents', 'episodes', 'checkins', 'alerts', 'supply_requests', 'audit_log', 'users', 'settings']));
    await h2.close();
  });

  it('keeps the page size of a file made with another one', async () => {
    const file = path.join(tempDir(), 'old-pages.db');
    const raw = new SqliteDatabase(file);
    raw.pragma('page_size = 4096');
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    const h = await openDatabase(file, { beforeMigrate: false });
    expect(h.sqlite.pragma('page_size', { simple: true })).toBe(4096);
    expect(h.schemaVersion).toBe(latestVersion);
    await h.close();
  });

  it('refuses a database made by a newer version, and leaves it untouched', async () => {
    const file = path.join(tempDir(), 'future.db');
    await (await openDatabase(file, { create: true })).close();
    const raw = new SqliteDatabase(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latestVersion + 5, 'future', 'x');
    raw.close();
    const before = fs.readFileSync(file);
    await expect(openDatabase(file)).rejects.toMatchObject({ code: 'too_new', message: expect.stringContaining('更新版本') });
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a damaged file and never replaces it with an empty database', async () => {
    const file = path.join(tempDir(), 'bad.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 7));
    const err = await openDatabase(file).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect(err.code).toBe('damaged');
    expect(fs.readFileSync(file).equals(Buffer.alloc(8192, 7))).toBe(true);
  });

  it('refuses a missing file unless asked to create it', async () => {
    const file = path.join(tempDir(), 'none.db');
    await expect(openDatabase(file)).rejects.toMatchObject({ code: 'missing' });
    expect(fs.existsSync(file)).toBe(false);
  });
});
