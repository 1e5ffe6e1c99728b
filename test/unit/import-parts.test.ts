// A list written a part at a time (commit.ts PART), each part planned after the earlier ones were written, gives what
// writing it in one part gives: the same people, households (shared across parts), new places, warnings and counts.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { CONFIRM_ALL, people, STANDARD_HEADER, standardRows, type ListPerson } from '../helpers/lists.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { commitResidents } from '../../electron/excel/import/commit.ts';
import type { Table } from '../../electron/excel/read.ts';
import type { CellValue } from '../../electron/excel/cell.ts';

const TODAY = '2022-01-20';
const actx = { today: TODAY, orgNames: ['广阳区', '解放道街道'] };

function table(list: ListPerson[], edit?: (rows: CellValue[][]) => void): Table {
  const rows = [['广阳区解放道街道居家隔离人员名单'], STANDARD_HEADER, ...standardRows(list)];
  edit?.(rows);
  return { sheetName: '名单', sheetNames: ['名单'], rows, date1904: false, format: 'xlsx' };
}

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-import-parts-');
  env = await makeEnv({ file: path.join(dir, 'desk.db'), now: '2022-01-20T01:00:00.000Z' });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The list: 4,500 people; people 2000–2099 live where people 0–99 live; from 3000 on a community the database lacks. */
function list(): ListPerson[] {
  const l = people(4500);
  for (let i = 0; i < 100; i++) Object.assign(l[2000 + i], { community: l[i].community, compound: l[i].compound, building: l[i].building, unit: l[i].unit, room: l[i].room });
  for (let i = 3000; i < 4500; i++) l[i].community = '新开社区';
  return l;
}

describe('writing a list a part at a time', () => {
  const rowsOf = (sqlite: TestEnv['handle']['sqlite']) =>
    sqlite
      .prepare(
        `SELECT r.doc_number, r.name, r.status, c.name AS community, h.address, e.start_date, e.last_day
         FROM residents r JOIN households h ON h.id = r.household_id JOIN places c ON c.id = r.community_id
         JOIN episodes e ON e.id = r.current_episode_id ORDER BY r.doc_number`,
      )
      .all();
  const placesOf = (sqlite: TestEnv['handle']['sqlite']) => sqlite.prepare(`SELECT level, COUNT(*) AS n FROM places GROUP BY level ORDER BY level`).all();

  it('writes what writing it at once writes: people, households shared across parts, places new in a late part', async () => {
    const l = list();
    // 200 people already there (imported before, still isolating): skipped with a warning each, in whichever part.
    const first = analyseResidents(table(l.filter((_, i) => i % 15 === 0 && i < 3000)), {}, actx);
    expect((await commitResidents(env.ctx(), first, { mode: 'all-or-nothing', fileName: 'first.xlsx', confirm: CONFIRM_ALL })).imported).toBe(200);
    const a = analyseResidents(table(l), {}, actx);

    const other = await makeEnv({ file: path.join(dir, 'other.db'), now: '2022-01-20T01:00:00.000Z' });
    try {
      expect((await commitResidents(other.ctx(), first, { mode: 'all-or-nothing', fileName: 'first.xlsx', confirm: CONFIRM_ALL })).imported).toBe(200);
      const whole = await commitResidents(other.ctx(), a, { mode: 'all-or-nothing', fileName: 'list.xlsx', confirm: CONFIRM_ALL, part: 1_000_000 });
      let progressed = 0;
      const parts = await commitResidents(env.ctx(), a, { mode: 'all-or-nothing', fileName: 'list.xlsx', confirm: CONFIRM_ALL, part: 700 }, { progress: () => progressed++ });
      expect(progressed).toBeGreaterThan(6);
      expect(parts).toMatchObject({ status: 'written', imported: 4300, updated: 0, skipped: 200 });
      // People 2000–2099 joined the households of people 0–99, written parts earlier.
      expect(parts.households).toBe(new Set(l.map((p) => `${p.community}|${p.compound}|${p.building}|${p.unit}|${p.room}`)).size);
      expect(parts.households).toBeLessThanOrEqual(4400);
      expect({ ...parts, batchId: 0 }).toEqual({ ...whole, batchId: 0 });
      expect(parts.warnings.filter((w) => w.code === 'already-isolating')).toHaveLength(200);
      expect(parts.newPlaces.slice(0, 1)).toEqual([{ level: 'community', name: '新开社区', community: '新开社区' }]);
      expect(rowsOf(env.handle.sqlite)).toEqual(rowsOf(other.handle.sqlite));
      expect(placesOf(env.handle.sqlite)).toEqual(placesOf(other.handle.sqlite));
      // The batch's counts; the places it created (which its undo removes) by level and name: their ids follow the order they were made in.
      const counts = (sqlite: TestEnv['handle']['sqlite']) => {
        const c = JSON.parse((sqlite.prepare(`SELECT counts FROM import_batches WHERE file_name = 'list.xlsx'`).get() as { counts: string }).counts);
        return { ...c, createdPlaces: (c.createdPlaces as { level: string; name: string }[]).map((p) => `${p.level} ${p.name}`).sort() };
      };
      expect(counts(env.handle.sqlite)).toEqual(counts(other.handle.sqlite));
      expect(counts(env.handle.sqlite)).toMatchObject({ imported: 4300, skipped: 200, households: parts.households });
    } finally {
      await other.close();
    }
  }, 60_000);

  it('valid-only writes every part, the rows after a rejected one too', async () => {
    const l = list().slice(0, 2000);
    const t = table(l, (rows) => (rows[2 + 300][1] = ''));
    const s = await commitResidents(env.ctx(), analyseResidents(t, {}, actx), { mode: 'valid-only', fileName: 'list.xlsx', confirm: CONFIRM_ALL, part: 400 });
    expect(s).toMatchObject({ status: 'written', imported: 1999 });
    expect(s.errors.map((e) => [e.row, e.code])).toEqual([[303, 'name-missing']]);
    expect(env.handle.sqlite.prepare('SELECT COUNT(*) FROM residents').pluck().get()).toBe(1999);
  }, 60_000);
});
