// Migration 0011 (test rounds): tests.episode_id becomes nullable by rebuilding the table. A version-9 file with a
// person, an episode, two tests (the second deleted, so the AUTOINCREMENT counter is ahead of the rows) and an alert
// pointing at a test is opened by the program: every row is kept, the alert still points at its test, the foreign
// keys hold, the indexes and the change_log triggers on tests are there again and work, and a round's test without
// an episode can now be written (one with neither round nor episode cannot).
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, describe, expect, it } from 'vitest';
import { kyselyOver, openDatabase } from '../../electron/db/open.ts';
import { latestVersion, migrations } from '../../electron/db/migrations/index.ts';
import { tempDir } from '../helpers/env.ts';

const dir = tempDir('idesk-rounds-migration-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const AT = '2022-01-12T08:00:00.000+08:00';

async function version9File(file: string): Promise<void> {
  const raw = new SqliteDatabase(file);
  raw.pragma('foreign_keys = ON');
  const db = kyselyOver(raw);
  await db.schema.createTable('schema_migrations').addColumn('version', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').addColumn('applied_at', 'text').execute();
  for (const m of migrations.filter((x) => x.version <= 9)) {
    await m.up(db as never);
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, AT);
  }
  const place = raw.prepare('INSERT INTO places (parent_id, level, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const c = Number(place.run(null, 'community', '西大街社区', AT, AT).lastInsertRowid);
  const p = Number(place.run(c, 'compound', '金桥小区', AT, AT).lastInsertRowid);
  const b = Number(place.run(p, 'building', '1', AT, AT).lastInsertRowid);
  const u = Number(place.run(b, 'unit', '1', AT, AT).lastInsertRowid);
  const rm = Number(place.run(u, 'room', '101', AT, AT).lastInsertRowid);
  const h = Number(raw.prepare('INSERT INTO households (community_id, compound_id, room_id, address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(c, p, rm, '金桥小区1号楼1单元101', AT, AT).lastInsertRowid);
  const r = Number(
    raw
      .prepare("INSERT INTO residents (household_id, community_id, name, name_pinyin, name_initials, doc_type, doc_number, category, created_at, updated_at) VALUES (?, ?, '旧人', 'jiuren', 'jr', '护照', 'E1234567', '其他', ?, ?)")
      .run(h, c, AT, AT).lastInsertRowid,
  );
  const e = Number(
    raw
      .prepare("INSERT INTO episodes (resident_id, kind, start_date, last_day, release_date, test_days, monitoring_days, status, created_at, updated_at) VALUES (?, 'home_isolation', '2022-01-12', '2022-01-25', '2022-01-26', '[]', 0, 'active', ?, ?)")
      .run(r, AT, AT).lastInsertRowid,
  );
  const test = raw.prepare("INSERT INTO tests (resident_id, episode_id, sample_date, test_type, result, source, created_at, updated_at) VALUES (?, ?, ?, '核酸', ?, 'manual', ?, ?)");
  const t1 = Number(test.run(r, e, '2022-01-13', '阳性', AT, AT).lastInsertRowid);
  const t2 = Number(test.run(r, e, '2022-01-14', '阴性', AT, AT).lastInsertRowid);
  raw.prepare('DELETE FROM tests WHERE id = ?').run(t2);
  raw.prepare("INSERT INTO alerts (resident_id, episode_id, community_id, test_id, date, reason, status, created_at, updated_at) VALUES (?, ?, ?, ?, '2022-01-13', '核酸检测阳性', 'open', ?, ?)").run(r, e, c, t1, AT, AT);
  await db.destroy();
}

const all = (file: string, q: string) => {
  const s = new SqliteDatabase(file, { readonly: true });
  try {
    return s.prepare(q).all();
  } finally {
    s.close();
  }
};

describe('migration 0011: tests rebuilt with a nullable episode', () => {
  it('keeps rows, the alert’s reference, indexes, triggers and the id counter; a round test needs no episode', async () => {
    const file = path.join(dir, 'v9.db');
    await version9File(file);
    const triggersBefore = all(file, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tests' ORDER BY name");
    expect(triggersBefore.length).toBeGreaterThanOrEqual(3);
    const testsBefore = all(file, 'SELECT id, resident_id, episode_id, sample_date, result FROM tests');
    const h = await openDatabase(file, { beforeMigrate: false });
    try {
      const q = (s: string) => h.sqlite.prepare(s).all();
      expect(q('SELECT MAX(version) AS v FROM schema_migrations')).toEqual([{ v: latestVersion }]);
      expect(q('SELECT id, resident_id, episode_id, sample_date, result FROM tests')).toEqual(testsBefore);
      expect(q('SELECT round_id, tube_no, pooled FROM tests')).toEqual([{ round_id: null, tube_no: null, pooled: 0 }]);
      expect(q('PRAGMA foreign_key_check')).toEqual([]);
      expect(q("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tests' ORDER BY name")).toEqual(triggersBefore);
      const indexes = q("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tests' AND sql IS NOT NULL ORDER BY name").map((r) => (r as { name: string }).name);
      expect(indexes).toEqual(['tests_checkin', 'tests_episode', 'tests_resident', 'tests_round', 'tests_round_tube']);
      expect(q(`SELECT "notnull" AS nn FROM pragma_table_info('tests') WHERE name = 'episode_id'`)).toEqual([{ nn: 0 }]);
      // The alert still points at its test (a rewritten reference would name another table).
      expect(q("SELECT sql FROM sqlite_master WHERE name = 'alerts'")[0]).toMatchObject({ sql: expect.stringMatching(/references "tests" \("id"\)/i) });
      expect(q('SELECT a.test_id, t.result FROM alerts a JOIN tests t ON t.id = a.test_id')).toEqual([{ test_id: 1, result: '阳性' }]);
      // A test of a round without an episode: accepted, with the next id (2 was used and deleted), announced by the trigger.
      h.sqlite.prepare("INSERT INTO test_rounds (name, start_date, end_date, whole_subdistrict, created_by, created_at, updated_at) VALUES ('第1轮', '2022-01-15', '2022-01-15', 1, 'cli', 'x', 'x')").run();
      const seqBefore = (q("SELECT MAX(seq) AS s FROM change_log WHERE tbl = 'tests'")[0] as { s: number | null }).s ?? 0;
      const id = h.sqlite
        .prepare("INSERT INTO tests (resident_id, episode_id, round_id, sample_date, test_type, result, tube_no, pooled, source, created_at, updated_at) VALUES (1, NULL, 1, '2022-01-15', '核酸', '阴性', 'T1', 1, 'import', 'x', 'x')")
        .run().lastInsertRowid;
      expect(Number(id)).toBe(3);
      expect((q("SELECT MAX(seq) AS s FROM change_log WHERE tbl = 'tests'")[0] as { s: number }).s).toBeGreaterThan(seqBefore);
      expect(() => h.sqlite.prepare("INSERT INTO tests (resident_id, sample_date, test_type, result, source, created_at, updated_at) VALUES (1, '2022-01-15', '核酸', '阴性', 'manual', 'x', 'x')").run()).toThrow(/CHECK/);
    } finally {
      await h.close();
    }
  });
});
