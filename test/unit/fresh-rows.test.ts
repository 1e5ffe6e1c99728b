// An import writes its new people and their episodes with the rows' INSERT triggers off inside its own transaction
// and catches up in a few set-based statements (db/fresh-rows.ts). What must hold, on a real file: the change feed has
// exactly what the triggers would have written (one row per new resident and per new episode, with the community,
// residents first), the counters equal a rebuild from the rows, the triggers are all back afterwards — also when the
// import is abandoned half-way, which leaves nothing written — and another connection never sees them missing.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { CONFIRM_ALL, people, STANDARD_HEADER, standardRows } from '../helpers/lists.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { commitResidents } from '../../electron/excel/import/commit.ts';
import { checkCounters } from '../../electron/db/counters.ts';
import { insertLoggedAfter } from '../../electron/db/fresh-rows.ts';
import type { Table } from '../../electron/excel/read.ts';

const TODAY = '2022-01-20';
const actx = { today: TODAY, orgNames: ['广阳区', '解放道街道'] };
const TRIGGERS = ['change_log_residents_insert', 'change_log_episodes_insert', 'counters_episodes_insert', 'counters_version_episodes_insert', 'change_log_places_insert', 'change_log_households_insert'];

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-fresh-rows-');
  env = await makeEnv({ file: path.join(dir, 'desk.db'), now: '2022-01-20T01:00:00.000Z' });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function list(n: number): Table {
  const rows = [['广阳区解放道街道居家隔离人员名单'], STANDARD_HEADER, ...standardRows(people(n))];
  return { sheetName: '名单', sheetNames: ['名单'], rows, date1904: false, format: 'xlsx' };
}

const triggersOf = (sqlite: Database.Database) =>
  (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (SELECT value FROM json_each(?)) ORDER BY name").pluck().all(JSON.stringify(TRIGGERS)) as string[]);
const count = (sqlite: Database.Database, q: string) => Number(sqlite.prepare(q).pluck().get());

describe('an import writes new people without the per-row triggers, and catches up', () => {
  it('the change feed gets one row per new resident and episode, residents first, with their community; counters equal a rebuild', async () => {
    const sqlite = env.handle.sqlite;
    const seqBefore = count(sqlite, 'SELECT coalesce(max(seq), 0) FROM change_log');
    const versionBefore = count(sqlite, 'SELECT n FROM counter_version');
    // Parts of 150: the catch-up runs once a part, in order.
    const s = await commitResidents(env.ctx(), analyseResidents(list(400), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 150 });
    expect(s.imported).toBe(400);
    const feed = sqlite.prepare('SELECT seq, tbl, row_id AS id, community_id AS community FROM change_log WHERE seq > ? AND tbl IN (\'residents\', \'episodes\') ORDER BY seq').all(seqBefore) as { tbl: string; id: number; community: number }[];
    const residents = sqlite.prepare('SELECT id, community_id AS community FROM residents WHERE import_batch_id = ? ORDER BY id').all(s.batchId) as { id: number; community: number }[];
    const episodes = sqlite.prepare('SELECT e.id, r.community_id AS community FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE e.import_batch_id = ? ORDER BY e.id').all(s.batchId) as { id: number; community: number }[];
    expect(feed.filter((f) => f.tbl === 'residents').map(({ id, community }) => ({ id, community }))).toEqual(residents);
    expect(feed.filter((f) => f.tbl === 'episodes').map(({ id, community }) => ({ id, community }))).toEqual(episodes);
    // A part's residents come before its episodes, as the triggers wrote them.
    const firstEpisode = feed.findIndex((f) => f.tbl === 'episodes');
    expect(feed.slice(0, firstEpisode).every((f) => f.tbl === 'residents')).toBe(true);
    expect(checkCounters(sqlite)).toEqual([]);
    expect(count(sqlite, 'SELECT n FROM counter_version')).toBeGreaterThan(versionBefore);
    expect(triggersOf(sqlite)).toEqual([...TRIGGERS].sort());
  });

  it('the new places and households are in the feed once each, in id order, each after what it lies in and before who lives there', async () => {
    const sqlite = env.handle.sqlite;
    const seqBefore = count(sqlite, 'SELECT coalesce(max(seq), 0) FROM change_log');
    const placesBefore = count(sqlite, 'SELECT coalesce(max(id), 0) FROM places');
    // Parts of 150 people: each part's 150 new rooms and households are caught up after their inserts (≥ LOG_AFTER_MIN_ROWS).
    const s = await commitResidents(env.ctx(), analyseResidents(list(400), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 150 });
    expect(s.imported).toBe(400);
    const feed = sqlite.prepare('SELECT seq, tbl, row_id AS id, community_id AS community FROM change_log WHERE seq > ? ORDER BY seq').all(seqBefore) as { seq: number; tbl: string; id: number; community: number | null }[];
    const of = (tbl: string) => feed.filter((f) => f.tbl === tbl).map(({ id, community }) => ({ id, community }));
    expect(of('places')).toEqual(sqlite.prepare('SELECT id, NULL AS community FROM places WHERE id > ? ORDER BY id').all(placesBefore));
    expect(of('households')).toEqual(sqlite.prepare('SELECT id, community_id AS community FROM households ORDER BY id').all());
    expect(of('households')).toHaveLength(400);
    // Each row stamped as the column's default would have stamped it (the time of its statement, UTC, milliseconds).
    const stamps = sqlite.prepare('SELECT DISTINCT at FROM change_log WHERE seq > ?').pluck().all(seqBefore) as string[];
    for (const at of stamps) expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(stamps[0]) - Date.now())).toBeLessThan(60_000);
    // What the triggers would have written: a place after its parent, a household after its room, a person after their household.
    const at = new Map(feed.map((f) => [`${f.tbl}:${f.id}`, f.seq]));
    const before = (a: string, b: string) => expect(at.get(a) ?? 0, `${a} before ${b}`).toBeLessThan(at.get(b)!);
    for (const p of sqlite.prepare('SELECT id, parent_id AS parent FROM places WHERE id > ? AND parent_id > ?').all(placesBefore, placesBefore) as { id: number; parent: number }[]) before(`places:${p.parent}`, `places:${p.id}`);
    for (const h of sqlite.prepare('SELECT id, room_id AS room FROM households').all() as { id: number; room: number }[]) before(`places:${h.room}`, `households:${h.id}`);
    for (const r of sqlite.prepare('SELECT id, household_id AS household FROM residents').all() as { id: number; household: number }[]) before(`households:${r.household}`, `residents:${r.id}`);
    expect(triggersOf(sqlite)).toEqual([...TRIGGERS].sort());
  });

  // (A part's few new compounds, buildings and units keep their trigger, LOG_AFTER_MIN_ROWS: those are stamped at the end.)
  it('the rows it adds to the change feed carry the acting user as they are written, not only at the end', async () => {
    const sqlite = env.handle.sqlite;
    const seqBefore = count(sqlite, 'SELECT coalesce(max(seq), 0) FROM change_log');
    const unstamped: number[] = [];
    const written: number[] = [];
    const s = await commitResidents(env.ctx(), analyseResidents(list(400), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 150 }, {
      checkCancelled: () => {
        written.push(count(sqlite, `SELECT count(*) FROM change_log WHERE seq > ${seqBefore}`));
        unstamped.push(count(sqlite, `SELECT count(*) FROM change_log WHERE seq > ${seqBefore} AND actor IS NULL AND tbl IN ('residents', 'episodes', 'households')`));
      },
    });
    expect(s.imported).toBe(400);
    expect(Math.max(...written)).toBeGreaterThan(400);
    expect(unstamped.every((n) => n === 0)).toBe(true);
    expect(sqlite.prepare('SELECT DISTINCT actor FROM change_log WHERE seq > ?').pluck().all(seqBefore)).toEqual([env.ctx().actor.username]);
  });

  it('a few new places keep their trigger; outside a transaction nothing is dropped', async () => {
    const sqlite = env.handle.sqlite;
    const seqBefore = count(sqlite, 'SELECT coalesce(max(seq), 0) FROM change_log');
    const s = await commitResidents(env.ctx(), analyseResidents(list(5), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL });
    expect(s.imported).toBe(5);
    expect(count(sqlite, `SELECT count(*) FROM change_log WHERE seq > ${seqBefore} AND tbl = 'households'`)).toBe(5);
    const ids = await insertLoggedAfter(env.handle.db, 'places', 100, async () => [count(sqlite, "INSERT INTO places (parent_id, level, name, created_at, updated_at) VALUES (NULL, 'community', '外面社区', 'x', 'x') RETURNING id")]);
    expect(count(sqlite, `SELECT count(*) FROM change_log WHERE tbl = 'places' AND row_id = ${ids[0]}`)).toBe(1);
    expect(triggersOf(sqlite)).toEqual([...TRIGGERS].sort());
  });

  it('abandoned half-way: nothing written, every trigger back; another connection saw them all the while', async () => {
    const sqlite = env.handle.sqlite;
    const before = { residents: count(sqlite, 'SELECT count(*) FROM residents'), feed: count(sqlite, 'SELECT count(*) FROM change_log'), coverage: count(sqlite, 'SELECT count(*) FROM coverage_counts') };
    const other = new Database(path.join(dir, 'desk.db'), { readonly: true });
    const seen: string[][] = [];
    let calls = 0;
    try {
      await expect(
        commitResidents(env.ctx(), analyseResidents(list(300), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 100 }, {
          checkCancelled: () => {
            seen.push(triggersOf(other));
            // Abandon in the second part, after its people were written.
            if (++calls === 5) throw new Error('abandoned');
          },
        }),
      ).rejects.toThrow('abandoned');
    } finally {
      other.close();
    }
    expect(seen.length).toBe(5);
    for (const s of seen) expect(s).toEqual([...TRIGGERS].sort());
    expect(triggersOf(sqlite)).toEqual([...TRIGGERS].sort());
    expect({ residents: count(sqlite, 'SELECT count(*) FROM residents'), feed: count(sqlite, 'SELECT count(*) FROM change_log'), coverage: count(sqlite, 'SELECT count(*) FROM coverage_counts') }).toEqual(before);
    expect(checkCounters(sqlite)).toEqual([]);
  });
});

describe("a list's new people: their coverage counts added once, at the end of the import", () => {
  const sums = (sqlite: Database.Database) => sqlite.prepare('SELECT count(*) AS n, coalesce(sum(started), 0) AS started, coalesce(sum(covered), 0) AS covered FROM coverage_counts').get();

  it('nothing is added part by part; at the end the counts equal a rebuild from the rows', async () => {
    const sqlite = env.handle.sqlite;
    const before = sums(sqlite);
    const inside: unknown[] = [];
    const s = await commitResidents(env.ctx(), analyseResidents(list(400), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: CONFIRM_ALL, part: 150 }, {
      checkCancelled: () => void inside.push(sums(sqlite)),
    });
    expect(s.imported).toBe(400);
    expect(inside.length).toBeGreaterThan(3);
    for (const seen of inside) expect(seen).toEqual(before);
    expect(sums(sqlite)).not.toEqual(before);
    expect(checkCounters(sqlite)).toEqual([]);
  });

  it('a list of new and known people, the known ones moved to other rooms: the counts equal a rebuild', async () => {
    const sqlite = env.handle.sqlite;
    const all = people(600);
    const table = (ps: typeof all): Table => ({ sheetName: '名单', sheetNames: ['名单'], rows: [['广阳区解放道街道居家隔离人员名单'], STANDARD_HEADER, ...standardRows(ps)], date1904: false, format: 'xlsx' });
    await commitResidents(env.ctx(), analyseResidents(table(all.slice(0, 300)), {}, actx), { mode: 'all-or-nothing', fileName: 'a.xlsx', confirm: CONFIRM_ALL, part: 150 });
    // Known and new people alternate, so every part has both; the known ones live one floor up now.
    const mixed = all.flatMap((p, i) => (i < 300 ? [{ ...p, room: p.room + 100 }, all[300 + i]] : []));
    const s = await commitResidents(env.ctx(), analyseResidents(table(mixed), {}, actx), { mode: 'all-or-nothing', fileName: 'b.xlsx', confirm: CONFIRM_ALL, part: 100 });
    expect({ imported: s.imported, skipped: s.skipped }).toEqual({ imported: 300, skipped: 300 });
    expect(count(sqlite, "SELECT count(*) FROM change_log WHERE tbl = 'residents'")).toBeGreaterThan(600);
    expect(checkCounters(sqlite)).toEqual([]);
  });

  it('a stale list imported as already over (released on import, part by part): the counts equal a rebuild', async () => {
    const sqlite = env.handle.sqlite;
    const s = await commitResidents(env.ctx(), analyseResidents(list(300), {}, actx), { mode: 'all-or-nothing', fileName: 'x.xlsx', confirm: { ...CONFIRM_ALL, stale: 'import-ended' }, part: 100 });
    expect({ imported: s.imported, ended: s.endedOnImport }).toEqual({ imported: 300, ended: 300 });
    expect(count(sqlite, "SELECT count(*) FROM episodes WHERE status = 'released'")).toBe(300);
    expect(checkCounters(sqlite)).toEqual([]);
  });
});
