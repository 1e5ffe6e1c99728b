// The compound / building filters of the lists (issue 15 §4), through the API on a seeded demo database built by the
// real migrations: each list filtered by a compound or a building holds exactly the rows a recount from the raw rows
// gives (the place of a household found by walking the places table in JavaScript, not by the SQL under test), the
// paging totals agree, a committee member's scope still holds, and an id of the wrong kind is refused with a message.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { PASSWORD, tempDir } from '../helpers/env.ts';
import { householdsIn } from '../../electron/domain/place-filter.ts';
import { CLI_ACTOR, type Actor } from '../../electron/domain/actor.ts';
import { exportReport, type ExportRequest } from '../../electron/excel/export/index.ts';
import { readBack } from './export-fixture.ts';

const TODAY = '2022-01-20';
const NOW = '2022-01-20T15:00:00+08:00';
const file = path.join(tempDir('idesk-place-filters-'), 'demo.db');
let handle: DbHandle;
let env: ApiEnv;
const keys: Record<string, string> = {};

interface Place {
  id: number;
  parent_id: number | null;
  level: string;
  name: string;
}
let places: Map<number, Place>;
/** household id → its compound and building, found by walking room → unit → building in JavaScript. */
let householdPlace: Map<number, { community: number; compound: number; building: number }>;
let residents: { id: number; household_id: number; community_id: number }[];
let supplies: { id: number; household_id: number; community_id: number; status: string }[];
let alerts: { id: number; resident_id: number; community_id: number; status: string }[];
/** committee1's community (the first) and another one. */
let own: number;
let other: number;

const all = <T>(q: string, ...p: unknown[]) => handle.sqlite.prepare(q).all(...p) as T[];

beforeAll(async () => {
  const r = await runCli(['seed-demo', '--db', file, '--residents', '2500', '--today', TODAY, '--seed', '11']);
  expect(r.result.code).toBe(0);
  handle = await openDatabase(file);
  env = { db: handle.db, clock: fixedClock(NOW), sessions: new SessionStore(), dbFile: file };
  for (const u of ['clerk', 'committee1']) {
    keys[u] = `k-${u}`;
    const r = await dispatch(env, 'auth.login', { username: u, password: PASSWORD }, keys[u]);
    expect(r.ok).toBe(true);
  }
  places = new Map(all<Place>('SELECT id, parent_id, level, name FROM places').map((p) => [p.id, p]));
  householdPlace = new Map();
  for (const h of all<{ id: number; room_id: number }>('SELECT id, room_id FROM households')) {
    const unit = places.get(places.get(h.room_id)!.parent_id!)!;
    const building = places.get(unit.parent_id!)!;
    const compound = places.get(building.parent_id!)!;
    expect([unit.level, building.level, compound.level]).toEqual(['unit', 'building', 'compound']);
    householdPlace.set(h.id, { community: compound.parent_id!, compound: compound.id, building: building.id });
  }
  residents = all('SELECT id, household_id, community_id FROM residents');
  supplies = all('SELECT id, household_id, community_id, status FROM supply_requests');
  alerts = all('SELECT id, resident_id, community_id, status FROM alerts');
  const me = all<{ community_id: number }>("SELECT community_id FROM users WHERE username = 'committee1'")[0];
  own = me.community_id;
  other = [...places.values()].find((p) => p.level === 'community' && p.id !== own)!.id;
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

async function data<T>(user: string, channel: string, input: unknown): Promise<T> {
  const r = await dispatch(env, channel, input, keys[user]);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

const residentHousehold = () => new Map(residents.map((r) => [r.id, r.household_id]));

/** The compounds and buildings of a community with the most residents in them (a filter that narrows something). */
function busiest(community: number): { compound: number; building: number; otherBuilding: number } {
  const byBuilding = new Map<number, number>();
  for (const r of residents) {
    const p = householdPlace.get(r.household_id)!;
    if (p.community === community) byBuilding.set(p.building, (byBuilding.get(p.building) ?? 0) + 1);
  }
  // A compound with at least two buildings, so a building filter narrows the compound's list.
  const ranked = [...byBuilding].sort((a, b) => b[1] - a[1]);
  for (const [building] of ranked) {
    const compound = places.get(building)!.parent_id!;
    const sibling = ranked.find(([b]) => b !== building && places.get(b)!.parent_id === compound);
    if (sibling) return { compound, building, otherBuilding: sibling[0] };
  }
  throw new Error('the seed has no compound with two inhabited buildings');
}

/** Reads every page of a list (page size `limit`), checking each page's total. */
async function allPages<T extends { id: number }>(user: string, channel: string, input: object, limit: number): Promise<{ ids: number[]; total: number }> {
  const ids: number[] = [];
  let total = -1;
  for (let offset = 0; ; offset += limit) {
    const page = await data<{ rows: T[]; total: number | null }>(user, channel, { ...input, offset, limit, withTotal: true });
    if (total === -1) total = page.total!;
    expect(page.total).toBe(total);
    ids.push(...page.rows.map((r) => r.id));
    if (page.rows.length < limit) break;
  }
  return { ids, total };
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('the lists filtered by compound and by building hold exactly the recount', () => {
  it('隔离人员 (residents.list): compound, building, both; every page and the total', async () => {
    const { compound, building } = busiest(own);
    for (const [filter, keep] of [
      [{ compoundId: compound }, (h: number) => householdPlace.get(h)!.compound === compound],
      [{ buildingId: building }, (h: number) => householdPlace.get(h)!.building === building],
      [{ compoundId: compound, buildingId: building }, (h: number) => householdPlace.get(h)!.building === building],
    ] as const) {
      const expected = residents.filter((r) => keep(r.household_id)).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(3);
      const { ids, total } = await allPages('clerk', 'residents.list', { ...filter, status: 'all', sortField: 'id' }, 40);
      expect(total).toBe(expected.length);
      expect(ids).toEqual(sorted(expected));
      // The default order (last day) pages the same set.
      const byDay = await allPages('clerk', 'residents.list', { ...filter, status: 'all' }, 100);
      expect(sorted(byDay.ids)).toEqual(sorted(expected));
    }
    // A building of another compound with the compound: nothing.
    const elsewhere = busiest(other).building;
    expect((await data<{ total: number }>('clerk', 'residents.list', { compoundId: compound, buildingId: elsewhere, status: 'all' })).total).toBe(0);
  });

  it('物资需求 (supplies.list, board, run sheet) and the household finder', async () => {
    // The building of the first community with the most requests.
    const counts = new Map<number, number>();
    for (const s of supplies) {
      const p = householdPlace.get(s.household_id)!;
      if (p.community === own) counts.set(p.building, (counts.get(p.building) ?? 0) + 1);
    }
    const building = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const compound = places.get(building)!.parent_id!;
    for (const [filter, keep] of [
      [{ compoundId: compound }, (h: number) => householdPlace.get(h)!.compound === compound],
      [{ buildingId: building }, (h: number) => householdPlace.get(h)!.building === building],
    ] as const) {
      const rows = supplies.filter((s) => keep(s.household_id));
      expect(rows.length).toBeGreaterThan(0);
      const { ids, total } = await allPages('clerk', 'supplies.list', { ...filter, status: 'all' }, 20);
      expect(total).toBe(rows.length);
      expect(sorted(ids)).toEqual(sorted(rows.map((s) => s.id)));
      const board = await data<{ byStatus: Record<string, number>; open: number }>('clerk', 'supplies.board', filter);
      for (const status of ['new', 'assigned', 'delivering', 'delivered', 'cancelled']) {
        expect(board.byStatus[status], status).toBe(rows.filter((s) => s.status === status).length);
      }
      const sheet = await data<{ groups: { rows: { id: number }[] }[] }>('clerk', 'supplies.runSheet', { ...filter, status: 'all' });
      expect(sorted(sheet.groups.flatMap((g) => g.rows.map((r) => r.id)))).toEqual(sorted(rows.map((s) => s.id)));
      const found = await data<{ id: number }[]>('clerk', 'households.search', { ...filter, search: places.get(compound)!.name, limit: 50 });
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((h) => keep(h.id))).toBe(true);
    }
  });

  it('预警 (alerts.list): by the place of the person (the address the row shows)', async () => {
    const home = residentHousehold();
    const counts = new Map<number, number>();
    for (const a of alerts) {
      const p = householdPlace.get(home.get(a.resident_id)!)!;
      counts.set(p.building, (counts.get(p.building) ?? 0) + 1);
    }
    const building = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const compound = places.get(building)!.parent_id!;
    for (const [filter, keep] of [
      [{ compoundId: compound }, (h: number) => householdPlace.get(h)!.compound === compound],
      [{ buildingId: building }, (h: number) => householdPlace.get(h)!.building === building],
    ] as const) {
      for (const status of [undefined, 'open'] as const) {
        const rows = alerts.filter((a) => keep(home.get(a.resident_id)!) && (!status || a.status === status));
        if (!status) expect(rows.length).toBeGreaterThan(1);
        const { ids, total } = await allPages('clerk', 'alerts.list', { ...filter, ...(status ? { status } : {}) }, 10);
        expect(total).toBe(rows.length);
        expect(sorted(ids)).toEqual(sorted(rows.map((a) => a.id)));
      }
    }
  });

  it("places.buildings lists a compound's buildings in natural order", async () => {
    const { compound } = busiest(own);
    const expected = [...places.values()].filter((p) => p.level === 'building' && p.parent_id === compound);
    const got = await data<{ id: number; name: string }[]>('clerk', 'places.buildings', { compoundId: compound });
    expect(sorted(got.map((b) => b.id))).toEqual(sorted(expected.map((b) => b.id)));
    const numbers = got.map((b) => parseInt(b.name, 10)).filter((n) => !Number.isNaN(n));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});

describe("a committee member's scope holds with the place filters", () => {
  it('their own compound and building: the recount within their community', async () => {
    const { compound, building } = busiest(own);
    const expected = residents.filter((r) => householdPlace.get(r.household_id)!.building === building).map((r) => r.id);
    const { ids, total } = await allPages('committee1', 'residents.list', { buildingId: building, status: 'all', sortField: 'id' }, 50);
    expect(total).toBe(expected.length);
    expect(ids).toEqual(sorted(expected));
    const buildings = await data<{ id: number }[]>('committee1', 'places.buildings', { compoundId: compound });
    expect(buildings.map((b) => b.id)).toContain(building);
  });

  it("another community's compound or building: empty pages, as a community filter naming it gives", async () => {
    const there = busiest(other);
    // The data exist (the clerk sees them); the community filter gives committee1 an empty page today.
    expect((await data<{ total: number }>('clerk', 'residents.list', { compoundId: there.compound, status: 'all' })).total).toBeGreaterThan(0);
    expect((await data<{ total: number }>('committee1', 'residents.list', { communityId: other, status: 'all' })).total).toBe(0);
    for (const filter of [{ compoundId: there.compound }, { buildingId: there.building }]) {
      for (const channel of ['residents.list', 'supplies.list', 'alerts.list']) {
        const page = await data<{ rows: unknown[]; total: number }>('committee1', channel, { ...filter, withTotal: true, ...(channel === 'residents.list' ? { status: 'all' } : {}) });
        expect({ channel, rows: page.rows.length, total: page.total }).toEqual({ channel, rows: 0, total: 0 });
      }
      const board = await data<{ open: number; byStatus: Record<string, number> }>('committee1', 'supplies.board', filter);
      expect(Object.values(board.byStatus).reduce((a, b) => a + b, 0)).toBe(0);
      const sheet = await data<{ total: number }>('committee1', 'supplies.runSheet', { ...filter, status: 'all' });
      expect(sheet.total).toBe(0);
    }
    expect(await data('committee1', 'places.buildings', { compoundId: there.compound })).toEqual([]);
  });
});

describe('an id of the wrong kind is refused with a message naming the field', () => {
  it('a building given as compound, a compound or a missing id given as building', async () => {
    const { compound, building } = busiest(own);
    const cases = [
      [{ compoundId: building }, 'places.notACompound', 'compoundId'],
      [{ compoundId: own }, 'places.notACompound', 'compoundId'],
      [{ buildingId: compound }, 'places.notABuilding', 'buildingId'],
      [{ buildingId: 987654 }, 'places.notABuilding', 'buildingId'],
    ] as const;
    for (const [filter, key, field] of cases) {
      for (const channel of ['residents.list', 'supplies.list', 'supplies.board', 'supplies.runSheet', 'alerts.list', 'households.search']) {
        const input = channel === 'households.search' ? { ...filter, search: '小区' } : filter;
        const r = await dispatch(env, channel, input, keys.clerk);
        expect(r.ok, `${channel} ${JSON.stringify(filter)}`).toBe(false);
        if (r.ok) continue;
        expect(r.error).toMatchObject({ code: 'VALIDATION', key, fields: [{ field, key: field === 'compoundId' ? 'places.pickCompound' : 'places.pickBuilding' }] });
        expect(r.error.message).toMatch(field === 'compoundId' ? /不是一个小区/ : /不是一栋楼/);
      }
    }
    const r = await dispatch(env, 'places.buildings', { compoundId: building }, keys.clerk);
    expect(r.ok || r.error.key).toBe('places.notACompound');
  });
});

describe('the filters read through indexes', () => {
  it("a building's households: from the building down (units, rooms, households by index), never every room", () => {
    const { building, compound } = busiest(own);
    const ctx = { db: handle.db, actor: CLI_ACTOR, clock: env.clock };
    for (const f of [{ buildingId: building }, { compoundId: compound }, { compoundId: compound, buildingId: building }]) {
      const c = householdsIn(ctx, f)!.compile();
      const plan = all<{ detail: string }>(`EXPLAIN QUERY PLAN ${c.sql}`, ...c.parameters).map((r) => r.detail);
      expect(plan.filter((d) => !/^SEARCH .* USING (COVERING )?INDEX (places_parent_name|households_compound|sqlite_autoindex_households_1) \((parent_id|compound_id|room_id)=\?\)$|^SEARCH .* USING INTEGER PRIMARY KEY/.test(d)), JSON.stringify(f)).toEqual([]);
    }
  });
});

describe('exports (人员台账, 健康监测记录, 物资需求清单) by compound and building', () => {
  const outDir = tempDir('idesk-place-export-');
  const clerk: Actor = { userId: 2, username: 'clerk', displayName: '街道王科员', role: 'clerk', communityId: null };
  /** The data rows of an export (without the serial number) and their address column, read back from the file; merged
   * rows (a compound's heading, 合计) hold one value in every cell and are left out. */
  async function exported(actor: Actor, req: Omit<ExportRequest, 'date' | 'outDir'>) {
    const r = await exportReport({ db: handle.db, actor, clock: env.clock }, { ...req, date: TODAY, from: TODAY, to: TODAY, outDir });
    const rb = await readBack(r.path);
    const head = rb.rows.findLastIndex((row) => row.includes('住址'));
    const at = rb.rows[head].indexOf('住址');
    const rows = rb.rows.slice(head + 1).filter((row) => typeof row[at] === 'string' && row[at] !== '' && row[0] !== row[at]);
    return { fileName: r.fileName, title: String(rb.rows[0][0]), addresses: rows.map((row) => String(row[at])), rows: rows.map((row) => JSON.stringify(row.slice(1))) };
  }

  it("each holds exactly the community export's rows of that building or compound, and names the place", async () => {
    const { compound, building } = busiest(own);
    const label = places.get(compound)!.name + places.get(building)!.name;
    for (const report of ['roster', 'checkins', 'supplies'] as const) {
      const status = report === 'supplies' ? ('open' as const) : undefined;
      const whole = await exported(clerk, { report, communityId: own, status });
      const narrowed = await exported(clerk, { report, buildingId: building, status });
      const expected = whole.rows.filter((_, i) => whole.addresses[i].includes(label));
      expect(expected.length, report).toBeGreaterThan(0);
      expect(expected.length, report).toBeLessThan(whole.rows.length);
      expect(narrowed.rows, report).toEqual(expected);
      expect(narrowed.title, report).toContain(label);
      expect(narrowed.fileName, report).toContain(label);
      const byCompound = await exported(clerk, { report, compoundId: compound, status });
      expect(byCompound.rows, report).toEqual(whole.rows.filter((_, i) => whole.addresses[i].includes(places.get(compound)!.name)));
    }
  });

  it("refused: a report that is not by place, another community's place for a committee member, a wrong id", async () => {
    const { compound, building } = busiest(own);
    const there = busiest(other);
    const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街', role: 'committee', communityId: own };
    const fails = (actor: Actor, req: Omit<ExportRequest, 'date' | 'outDir'>) => exportReport({ db: handle.db, actor, clock: env.clock }, { ...req, date: TODAY, outDir }).then(() => null, (e: unknown) => e);
    expect(await fails(clerk, { report: 'daily-report', compoundId: compound })).toMatchObject({ code: 'VALIDATION', key: 'export.placeNotForReport' });
    expect(await fails(clerk, { report: 'cadres', buildingId: building })).toMatchObject({ code: 'VALIDATION', key: 'export.placeNotForReport' });
    expect(await fails(committee1, { report: 'roster', compoundId: there.compound })).toMatchObject({ code: 'FORBIDDEN', key: 'export.ownCommunityOnly' });
    expect(await fails(clerk, { report: 'roster', communityId: other, buildingId: building })).toMatchObject({ code: 'VALIDATION', key: 'export.placeOtherCommunity' });
    expect(await fails(clerk, { report: 'roster', compoundId: compound, buildingId: there.building })).toMatchObject({ code: 'VALIDATION', key: 'export.placeOtherCommunity' });
    expect(await fails(clerk, { report: 'supplies', buildingId: compound })).toMatchObject({ code: 'VALIDATION', key: 'places.notABuilding' });
    // Through the API too: refused before a job starts.
    const r = await dispatch(env, 'reports.export', { report: 'roster', date: TODAY, compoundId: building }, keys.clerk);
    expect(r.ok || r.error.key).toBe('places.notACompound');
  });
});
