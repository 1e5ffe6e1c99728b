// A resident list as large as what the file holds already is written with the residents' and households' search
// indexes dropped inside its transaction and built again at its end (db/deferred-indexes.ts). What must hold, on a real
// file: the indexes come back exactly as they were (same names, same definitions, a sound file, the planner using them),
// another connection never sees them missing, an abandoned import leaves them and the rows as they were, a small list
// into a large table keeps them in place, and unique indexes (which guard the rows being written) are never deferred.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { CONFIRM_ALL, people, STANDARD_HEADER, standardRows } from '../helpers/lists.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { commitResidents } from '../../electron/excel/import/commit.ts';
import { checkCounters } from '../../electron/db/counters.ts';
import { DEFER_MIN_ROWS, deferIndexes, IMPORT_DEFERRABLE_INDEXES, withIndexesDeferred } from '../../electron/db/deferred-indexes.ts';
import type { Table } from '../../electron/excel/read.ts';

const TODAY = '2022-01-20';
const actx = { today: TODAY, orgNames: ['广阳区', '解放道街道'] };

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-deferred-indexes-');
  env = await makeEnv({ file: path.join(dir, 'desk.db'), now: '2022-01-20T01:00:00.000Z' });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function list(from: number, to: number): Table {
  const rows = [['广阳区解放道街道居家隔离人员名单'], STANDARD_HEADER, ...standardRows(people(to).slice(from))];
  return { sheetName: '名单', sheetNames: ['名单'], rows, date1904: false, format: 'xlsx' };
}

/** The indexes of the tables an import fills, as sqlite_master has them. */
const indexesOf = (sqlite: Database.Database) =>
  sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('residents', 'households', 'places', 'episodes') ORDER BY name").all() as { name: string; sql: string | null }[];
const count = (sqlite: Database.Database, q: string) => Number(sqlite.prepare(q).pluck().get());
const deferrable = new Set<string>(IMPORT_DEFERRABLE_INDEXES);

describe('deferIndexes: only a list at least as large as the table, and large enough to matter', () => {
  it('decides by the rows coming and the rows there', () => {
    expect(deferIndexes(DEFER_MIN_ROWS, 0)).toBe(true);
    expect(deferIndexes(50_000, 50_000)).toBe(true);
    expect(deferIndexes(50_000, 50_001)).toBe(false);
    expect(deferIndexes(DEFER_MIN_ROWS - 1, 0)).toBe(false);
  });
});

describe('an import as large as the file: the search indexes built once, at the end', () => {
  it('are gone inside the transaction only; another connection sees them all the while; afterwards they are exactly as before and used', async () => {
    const sqlite = env.handle.sqlite;
    const before = indexesOf(sqlite);
    expect(before.map((i) => i.name)).toEqual(expect.arrayContaining([...IMPORT_DEFERRABLE_INDEXES]));
    const other = new Database(path.join(dir, 'desk.db'), { readonly: true });
    const inside: string[][] = [];
    const outside: { name: string; sql: string | null }[][] = [];
    try {
      const s = await commitResidents(env.ctx(), analyseResidents(list(0, DEFER_MIN_ROWS), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL }, {
        checkCancelled: () => {
          inside.push(indexesOf(sqlite).map((i) => i.name));
          outside.push(indexesOf(other));
        },
      });
      expect(s.imported).toBe(DEFER_MIN_ROWS);
    } finally {
      other.close();
    }
    expect(inside.length).toBeGreaterThan(3);
    // Inside the import's transaction: every deferrable index is gone, every other one (the unique ones among them) is there.
    for (const names of inside) expect(names).toEqual(before.map((i) => i.name).filter((n) => !deferrable.has(n)));
    for (const seen of outside) expect(seen).toEqual(before);
    expect(indexesOf(sqlite)).toEqual(before);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const plan = (q: string) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan("SELECT id FROM residents WHERE name = '张三'")).toMatch(/USING (COVERING )?INDEX residents_name/);
    expect(plan("SELECT id FROM residents WHERE phone = '13800000000'")).toMatch(/USING (COVERING )?INDEX residents_phone/);
    // Every person is in each rebuilt index (integrity_check compared them row by row; the counts say so plainly).
    expect(count(sqlite, 'SELECT count(*) FROM residents INDEXED BY residents_pinyin WHERE name_pinyin IS NOT NULL')).toBe(DEFER_MIN_ROWS);
    expect(checkCounters(sqlite)).toEqual([]);
  });

  it('a small list into a larger table keeps them in place', async () => {
    const sqlite = env.handle.sqlite;
    await commitResidents(env.ctx(), analyseResidents(list(0, DEFER_MIN_ROWS), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL });
    const before = indexesOf(sqlite);
    const inside: string[][] = [];
    const s = await commitResidents(env.ctx(), analyseResidents(list(DEFER_MIN_ROWS, DEFER_MIN_ROWS + 300), {}, actx), { mode: 'all-or-nothing', fileName: 'y.xlsx', confirm: CONFIRM_ALL }, {
      checkCancelled: () => void inside.push(indexesOf(sqlite).map((i) => i.name)),
    });
    expect(s.imported).toBe(300);
    expect(inside.length).toBeGreaterThan(0);
    for (const names of inside) expect(names).toEqual(before.map((i) => i.name));
  });

  it('abandoned half-way: nothing written and every index as it was', async () => {
    const sqlite = env.handle.sqlite;
    const before = { indexes: indexesOf(sqlite), residents: count(sqlite, 'SELECT count(*) FROM residents'), households: count(sqlite, 'SELECT count(*) FROM households') };
    let calls = 0;
    await expect(
      commitResidents(env.ctx(), analyseResidents(list(0, DEFER_MIN_ROWS), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 1000 }, {
        checkCancelled: () => {
          // In the third part, after two parts were written without the indexes.
          if (++calls === 7) throw new Error('abandoned');
        },
      }),
    ).rejects.toThrow('abandoned');
    expect({ indexes: indexesOf(sqlite), residents: count(sqlite, 'SELECT count(*) FROM residents'), households: count(sqlite, 'SELECT count(*) FROM households') }).toEqual(before);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses a unique index, and runs only inside a transaction', async () => {
    const db = env.handle.db;
    await expect(withIndexesDeferred(db, ['residents_name'], async () => 1)).rejects.toThrow('needs a transaction');
    await expect(db.transaction().execute((trx) => withIndexesDeferred(trx, ['residents_document'], async () => 1))).rejects.toThrow('is unique');
    expect(indexesOf(env.handle.sqlite).map((i) => i.name)).toContain('residents_document');
  });
});
