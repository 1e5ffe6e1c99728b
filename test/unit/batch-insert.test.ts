// insertEach (domain/batch-insert.ts) writes runs of rows of the same columns 50 at a time in SQLite and works out the
// ids of rows that carry none from the statement's last insert id. On a real file, through Kysely and through a job's
// connection (bulkInsert): every id it returns is the id of that row, in input order, across full statements, the rows
// left over, and changes of columns; a row may point at an earlier row of its own statement; ids given are kept; the
// columns a run of full statements shares are bound once a statement, and every row still gets its own values.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { insertEach } from '../../electron/domain/batch-insert.ts';
import { jobConnection } from '../../electron/db/job-connection.ts';

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-batch-insert-');
  env = await makeEnv({ file: path.join(dir, 'desk.db'), now: '2022-01-20T01:00:00.000Z' });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const AT = '2022-01-20T01:00:00.000Z';

describe('insertEach in SQLite', () => {
  for (const via of ['kysely', 'bulkInsert'] as const) {
    it(`returns each row's own id in input order, 50 rows a statement and the rest one by one (${via})`, async () => {
      const conn = via === 'bulkInsert' ? jobConnection(env.handle) : null;
      const ctx = conn ?? { db: env.handle.db };
      const sqlite = env.handle.sqlite;
      const community = Number(sqlite.prepare("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get());
      // 123 compounds (two full statements and 23 left), then a row of other columns (no updated_at: its default), then 60 more.
      const rows = [
        ...Array.from({ length: 123 }, (_, i) => ({ parentId: community, level: 'compound' as const, name: `小区${i}`, createdAt: AT, updatedAt: AT })),
        { parentId: community, level: 'compound' as const, name: '另一种小区', createdAt: AT, updatedAt: AT, version: 3 },
        ...Array.from({ length: 60 }, (_, i) => ({ parentId: community, level: 'compound' as const, name: `后来小区${i}`, createdAt: AT, updatedAt: AT })),
      ];
      const ids = await ctx.db.transaction().execute((trx) => insertEach({ db: trx, ...(conn ? { bulkInsert: conn.bulkInsert } : {}) }, 'places', rows));
      expect(ids).toHaveLength(rows.length);
      const byId = new Map((sqlite.prepare('SELECT id, name, version FROM places').all() as { id: number; name: string; version: number }[]).map((r) => [r.id, r]));
      rows.forEach((r, i) => expect(byId.get(ids[i])?.name, `row ${i}`).toBe(r.name));
      expect(byId.get(ids[123])?.version).toBe(3);
      expect(new Set(ids).size).toBe(rows.length);
    });
  }

  it('keeps ids given, and a row may point at an earlier row of its own statement', async () => {
    const sqlite = env.handle.sqlite;
    const community = Number(sqlite.prepare("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get());
    const first = Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM places').pluck().get()) + 1000;
    // A chain of 75 places, each inside the one before it, with their ids given: the first 50 go as one statement.
    const rows = Array.from({ length: 75 }, (_, i) => ({ id: first + i, parentId: i === 0 ? community : first + i - 1, level: 'compound' as const, name: `链${i}`, createdAt: AT, updatedAt: AT }));
    const ids = await env.handle.db.transaction().execute((trx) => insertEach({ db: trx }, 'places', rows));
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(sqlite.prepare('SELECT count(*) FROM places WHERE id >= ? AND parent_id = id - 1').pluck().get(first + 1)).toBe(74);
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
  });

  it('through bulkInsert binds the columns a run of full statements shares once per statement, and writes every row as given', async () => {
    const conn = jobConnection(env.handle);
    const calls: { sql: string; params: number; named: string[] }[] = [];
    const bulkInsert: typeof conn.bulkInsert = (text, params, named) => {
      calls.push({ sql: text, params: params.length, named: Object.keys(named ?? {}) });
      return conn.bulkInsert(text, params, named);
    };
    const sqlite = env.handle.sqlite;
    const community = Number(sqlite.prepare("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get());
    const LATER = '2022-01-20T02:00:00.000Z';
    // 230 compounds: the parent, level and updated_at are the same in all; created_at changes at row 120 (inside the
    // third statement), so it is not shared — within a statement nor across the run.
    const rows = Array.from({ length: 230 }, (_, i) => ({ parentId: community, level: 'compound' as const, name: `共小区${i}`, createdAt: i < 120 ? AT : LATER, updatedAt: AT }));
    const ids = await conn.db.transaction().execute((trx) => insertEach({ db: trx, bulkInsert }, 'places', rows));
    const got = new Map((sqlite.prepare('SELECT id, parent_id, level, name, created_at, updated_at FROM places').all() as { id: number; parent_id: number; level: string; name: string; created_at: string; updated_at: string }[]).map((r) => [r.id, r]));
    rows.forEach((r, i) => expect(got.get(ids[i]), `row ${i}`).toEqual({ id: ids[i], parent_id: r.parentId, level: r.level, name: r.name, created_at: r.createdAt, updated_at: r.updatedAt }));
    // Four full statements (200 rows) with the parent, level and updated_at bound once each; 30 rows one by one.
    const full = calls.filter((c) => c.named.length > 0);
    expect(full).toHaveLength(4);
    for (const c of full) {
      expect(c.named).toHaveLength(3);
      expect(c.params).toBe(50 * 2);
      expect(c.sql).toMatch(/\(@s\d+, @s\d+, \?, \?, @s\d+\)/);
    }
    expect(calls.filter((c) => c.named.length === 0).map((c) => c.params)).toEqual(new Array(30).fill(5));
  });
});

