// 今日监测 at scale, on a real SQLite file built by the real migrations: the due list in natural place order (1号楼 <
// 2号楼 < 10号楼, room 101 < 1001), its filters (building, unit, search by initials / pinyin / room / name, only
// missing, only abnormal) and pages of at most 200; checkins.groups per compound › building › unit equal to a recount
// of the rows; a committee member's groups and lists stay inside their community.
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { sql } from 'kysely';
import { dueList, dueWithPlaces, isPastCutoff, recordCheckIn, type DueList, type DueRow } from '../../electron/domain/checkins.ts';
import { getSettings } from '../../electron/domain/settings.ts';
import { rowOrder } from '../../electron/domain/checkins-due.ts';
import { planDuePage } from '../../electron/domain/checkins-due-pages.ts';
import { dueGroups, type DueGroups } from '../../electron/domain/checkins-groups.ts';

let t: TestEnv;
let dir: string;
const DAY = '2022-01-20';

beforeEach(async () => {
  dir = tempDir('idesk-due-');
  t = await makeEnv({ file: path.join(dir, 'desk.db') }); // 09:00 Shanghai: before the morning cutoff
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
async function person(name: string, where: { building: string; unit?: string; room: string; compound?: string; community?: 'a' | 'b' }) {
  const r = await createResident(t.ctx(), {
    name,
    docType: '护照',
    docNumber: `D${100000 + ++seq}`,
    category: '密接',
    address: { communityId: t.communities[where.community ?? 'a'], compound: where.compound ?? '金桥小区', building: where.building, unit: where.unit ?? '1', room: where.room },
  });
  await startEpisode(t.ctx(), { residentId: r.id, startDate: '2022-01-16' });
  return r.id;
}

const place = (r: DueRow) => `${r.compound}${r.building}${r.unit}${r.room}`;
const due = (q: Partial<Parameters<typeof dueList>[1]> = {}) => dueList(t.ctx(), { date: DAY, slot: 'am', ...q });

describe('checkins.due: order, filters, search, pages', () => {
  it('sorts buildings, units and rooms as numbers, names without a number after them', async () => {
    // Created out of order on purpose; text order would put 10号楼 before 2号楼 and room 1001 before 101.
    await person('孙十', { building: '10', room: '101' });
    await person('李二', { building: '2', room: '101' });
    await person('王大', { building: '1', room: '1001' });
    await person('赵小', { building: '1', room: '101' });
    await person('钱中', { building: '1', room: '201' });
    await person('周甲', { building: '1', unit: '10', room: '101' });
    await person('吴乙', { building: '1', unit: '2', room: '101' });
    await person('郑座', { building: 'A座', room: '101' });
    await person('冯安', { building: '3', room: '101', compound: '安居小区' });
    const list = await due();
    expect(list.rows.map(place)).toEqual([
      '安居小区3号楼1单元101',
      '金桥小区1号楼1单元101',
      '金桥小区1号楼1单元201',
      '金桥小区1号楼1单元1001',
      '金桥小区1号楼2单元101',
      '金桥小区1号楼10单元101',
      '金桥小区2号楼1单元101',
      '金桥小区10号楼1单元101',
      '金桥小区A座1单元101',
    ]);
    expect(list.total).toBe(9);
    const first = list.rows[1];
    expect(first).toMatchObject({ name: '赵小', building: '1号楼', unit: '1单元', room: '101' });
    expect(first.buildingId).toBeGreaterThan(0);
    expect(first.unitId).toBeGreaterThan(0);
  });

  it('filters by building and unit, and keeps the overdue first past the cutoff', async () => {
    const a = await person('甲一', { building: '1', room: '101' });
    const b = await person('乙二', { building: '1', room: '102' });
    await person('丙三', { building: '1', unit: '2', room: '101' });
    await person('丁四', { building: '2', room: '101' });
    await recordCheckIn(t.ctx(), { residentId: a, date: DAY, slot: 'am', temperature: 36.5 });
    const all = await due();
    const building1 = all.rows[0].buildingId;
    const unit1 = all.rows[0].unitId;
    const inBuilding = await due({ buildingId: building1 });
    expect(inBuilding.rows.map((r) => r.name)).toEqual(['甲一', '乙二', '丙三']);
    expect(inBuilding.total).toBe(3);
    expect(inBuilding.counter.due).toBe(4); // the slot's counter, whatever the filters
    expect((await due({ unitId: unit1 })).rows.map((r) => r.name)).toEqual(['甲一', '乙二']);
    // 10:01, past the morning cutoff: the not yet recorded first, each part in place order.
    t.clock.set('2022-01-20T02:01:00.000Z');
    const late = await due();
    expect(late.rows.map((r) => [r.name, r.overdue])).toEqual([
      ['乙二', true],
      ['丙三', true],
      ['丁四', true],
      ['甲一', false],
    ]);
    expect((await due({ buildingId: building1 })).rows.map((r) => r.residentId)).toEqual([b, (await due({ search: '丙' })).rows[0].residentId, a]);
  });

  it('only missing and only abnormal are filters in SQL, with their own total across pages', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 7; i++) ids.push(await person(`测${i}`, { building: '1', room: String(100 + i) }));
    await recordCheckIn(t.ctx(), { residentId: ids[0], date: DAY, slot: 'am', temperature: 36.5 });
    await recordCheckIn(t.ctx(), { residentId: ids[3], date: DAY, slot: 'am', temperature: 38.2 });
    await recordCheckIn(t.ctx(), { residentId: ids[5], date: DAY, slot: 'am', symptoms: ['咳嗽'] });
    const missing = await due({ onlyMissing: true, limit: 2 });
    expect(missing.total).toBe(4);
    expect(missing.rows.map((r) => r.residentId)).toEqual([ids[1], ids[2]]);
    expect((await due({ onlyMissing: true, limit: 2, offset: 2 })).rows.map((r) => r.residentId)).toEqual([ids[4], ids[6]]);
    const abnormal = await due({ onlyAbnormal: true });
    expect(abnormal.total).toBe(2);
    expect(abnormal.rows.map((r) => r.residentId)).toEqual([ids[3], ids[5]]);
    expect(abnormal.rows.every((r) => r.checkin?.abnormal)).toBe(true);
  });

  it('finds a person by pinyin initials, full pinyin, name, or room number', async () => {
    const zs = await person('张三', { building: '1', room: '301' });
    const zss = await person('周淑珊', { building: '1', room: '1001' });
    const ls = await person('李四', { building: '2', room: '302' });
    await person('王五', { building: '2', room: '1201' });
    const ids = async (search: string) => (await due({ search })).rows.map((r) => r.residentId);
    expect(await ids('zs')).toEqual([zs, zss]);
    expect(await ids('ZS')).toEqual([zs, zss]);
    expect(await ids('zss')).toEqual([zss]);
    expect(await ids('zhang')).toEqual([zs]);
    expect(await ids('lisi')).toEqual([ls]);
    expect(await ids('李')).toEqual([ls]);
    expect(await ids('30')).toEqual([zs, ls]);
    expect(await ids('1001')).toEqual([zss]);
    expect(await ids('１００１')).toEqual([zss]); // full-width digits, as an IME types them
    expect(await ids('2号楼')).toEqual([ls, (await due({ search: 'ww' })).rows[0].residentId]);
    expect(await ids('qq')).toEqual([]);
    expect((await due({ search: 'zs' })).total).toBe(2);
    // Wildcards are text, not patterns.
    expect(await ids('%%')).toEqual([]);
  });

  it('pages of 100 by default, never more than 200', async () => {
    for (let i = 0; i < 205; i++) await person(`页${i}`, { building: String(1 + (i % 3)), room: String(101 + i) });
    expect((await due()).rows).toHaveLength(100);
    expect((await due({ limit: 1000 })).rows).toHaveLength(200);
    const key = await t.login('clerk');
    const refused = await t.dispatch('checkins.due', { slot: 'am', date: DAY, limit: 500 }, key);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const last = await t.dispatch('checkins.due', { slot: 'am', date: DAY, limit: 200, offset: 200 }, key);
    expect(last.ok && (last.data as DueList).rows).toHaveLength(5);
  });
});

describe('checkins.due: pages found from the counters', () => {
  /** The whole list as one sort of every row (what each page was before the counters), for the same scope. */
  async function wholeList(actor: Parameters<typeof t.ctx>[0], q: { onlyMissing?: boolean; buildingId?: number; communityId?: number }) {
    const ctx = t.ctx(actor);
    const past = isPastCutoff(ctx, await getSettings(ctx), DAY, 'am');
    let all = dueWithPlaces(ctx, DAY, 'am', q).select(['e.id']);
    if (q.buildingId) all = all.where('b.id', '=', q.buildingId);
    if (q.onlyMissing) all = all.where('k.id', 'is', null);
    if (past && !q.onlyMissing) all = all.orderBy(sql`case when k.id is null then 0 else 1 end`);
    for (const o of rowOrder(ctx.db)) all = all.orderBy(o);
    return (await all.execute()).map((r) => r.id);
  }

  it('every page equals the same rows of the whole list sorted at once, across buildings, partitions and scopes', async () => {
    const ids: number[] = [];
    // Three compounds in two communities, buildings with 0–9 people, names and rooms out of order.
    for (let i = 0; i < 90; i++) {
      const building = ['1', '2', '10', 'A座', '3'][(i * 7) % 5];
      const compound = ['金桥小区', '安居小区', '金桥小区', '丽园'][i % 4];
      ids.push(await person(`人${(i * 37) % 90}`, { building, unit: String(1 + (i % 2)), room: String(101 + ((i * 13) % 40)), compound, community: i % 3 === 0 ? 'b' : 'a' }));
    }
    for (const id of ids.filter((_, i) => i % 4 === 1)) await recordCheckIn(t.ctx(), { residentId: id, date: DAY, slot: 'am', temperature: 36.5 });
    const committee = (await t.ctx().db.selectFrom('users').select(['id', 'communityId']).where('username', '=', 'committee1').executeTakeFirstOrThrow());
    const actors = [undefined, { userId: committee.id, username: 'committee1', displayName: 'c', role: 'committee' as const, communityId: committee.communityId }];
    for (const now of ['2022-01-20T01:00:00.000Z', '2022-01-20T02:01:00.000Z']) {
      t.clock.set(now); // before, then after the morning cutoff (the unrecorded first)
      for (const actor of actors) {
        const someBuilding = (await dueList(t.ctx(actor), { date: DAY, slot: 'am' })).rows[3].buildingId;
        for (const q of [{}, { onlyMissing: true }, { buildingId: someBuilding }, { communityId: t.communities.a }]) {
          const whole = await wholeList(actor, q);
          expect(whole.length).toBeGreaterThan(0);
          for (const size of [7, 50]) {
            const paged: number[] = [];
            for (let offset = 0; offset < whole.length + size; offset += size) {
              paged.push(...(await dueList(t.ctx(actor), { date: DAY, slot: 'am', ...q, limit: size, offset })).rows.map((r) => r.episodeId));
            }
            expect(paged, `${now} ${actor?.username ?? 'cli'} ${JSON.stringify(q)} by ${size}`).toEqual(whole);
          }
        }
      }
    }
  });

  it('plans a page over the buildings\' counts: skips whole buildings, starts inside one, crosses into the next partition', () => {
    const parts = [
      { partition: 'missing' as const, counts: new Map([[1, 3], [2, 0], [3, 4]]) },
      { partition: 'done' as const, counts: new Map([[1, 2], [3, 1]]) },
    ];
    expect(planDuePage([1, 2, 3], parts, 0, 2)).toEqual([{ partition: 'missing', buildingIds: [1], offset: 0, limit: 2 }]);
    expect(planDuePage([1, 2, 3], parts, 4, 2)).toEqual([{ partition: 'missing', buildingIds: [3], offset: 1, limit: 2 }]);
    expect(planDuePage([1, 2, 3], parts, 2, 10)).toEqual([
      { partition: 'missing', buildingIds: [1, 3], offset: 2, limit: 5 },
      { partition: 'done', buildingIds: [1, 3], offset: 0, limit: 3 },
    ]);
    expect(planDuePage([1, 2, 3], parts, 8, 5)).toEqual([{ partition: 'done', buildingIds: [1, 3], offset: 1, limit: 2 }]);
    expect(planDuePage([1, 2, 3], parts, 10, 5)).toEqual([]);
  });
});

describe('checkins.groups', () => {
  async function town() {
    const ids: number[] = [];
    const spots: [string, string, string, 'a' | 'b', string][] = [
      ['10', '1', '101', 'a', '金桥小区'],
      ['2', '1', '101', 'a', '金桥小区'],
      ['2', '1', '102', 'a', '金桥小区'],
      ['2', '2', '101', 'a', '金桥小区'],
      ['1', '1', '1001', 'a', '金桥小区'],
      ['1', '1', '101', 'a', '金桥小区'],
      ['1', '1', '101', 'a', '安居小区'],
      ['5', '1', '101', 'b', '华夏小区'],
      ['5', '1', '102', 'b', '华夏小区'],
    ];
    for (const [i, [building, unit, room, community, compound]] of spots.entries()) ids.push(await person(`居民${i}`, { building, unit, room, community, compound }));
    await recordCheckIn(t.ctx(), { residentId: ids[1], date: DAY, slot: 'am', temperature: 36.5 });
    await recordCheckIn(t.ctx(), { residentId: ids[2], date: DAY, slot: 'am', temperature: 38.5 });
    await recordCheckIn(t.ctx(), { residentId: ids[7], date: DAY, slot: 'am', symptoms: ['咳嗽'] });
    await recordCheckIn(t.ctx(), { residentId: ids[4], date: DAY, slot: 'pm', temperature: 36.6 }); // the other slot
    return ids;
  }

  /** The groups recounted from every row of the due list, in list order. */
  function recount(rows: DueRow[]) {
    const out: { unitId: number; due: number; done: number; abnormal: number }[] = [];
    for (const r of rows) {
      let g = out[out.length - 1];
      if (!g || g.unitId !== r.unitId) out.push((g = { unitId: r.unitId, due: 0, done: 0, abnormal: 0 }));
      g.due++;
      if (r.recorded) g.done++;
      if (r.checkin?.abnormal) g.abnormal++;
    }
    return out;
  }

  it('counts per unit in the list order, equal to a recount of the rows', async () => {
    await town();
    const g = await dueGroups(t.ctx(), { date: DAY, slot: 'am' });
    expect(g.units.map((u) => `${u.compound}${u.building}${u.unit}`)).toEqual([
      '华夏小区5号楼1单元',
      '安居小区1号楼1单元',
      '金桥小区1号楼1单元',
      '金桥小区2号楼1单元',
      '金桥小区2号楼2单元',
      '金桥小区10号楼1单元',
    ]);
    const rows = (await due({ limit: 200 })).rows;
    expect(g.units.map(({ unitId, due, done, abnormal }) => ({ unitId, due, done, abnormal }))).toEqual(recount(rows));
    expect(g.units.find((u) => u.building === '2号楼' && u.unit === '1单元')).toMatchObject({ due: 2, done: 2, abnormal: 1 });
    expect(g.units.find((u) => u.compound === '华夏小区')).toMatchObject({ due: 2, done: 1, abnormal: 1, community: '华夏里社区' });
    expect(g.pastCutoff).toBe(false);
    // The evening slot has its own counts.
    const pm = await dueGroups(t.ctx(), { date: DAY, slot: 'pm' });
    expect(pm.units.reduce((n, u) => n + u.done, 0)).toBe(1);
    // Per building (from the counters): the units added up, in the same order.
    const perBuilding = new Map<number, { buildingId: number; due: number; done: number; abnormal: number }>();
    for (const u of g.units) {
      const b = perBuilding.get(u.buildingId) ?? { buildingId: u.buildingId, due: 0, done: 0, abnormal: 0 };
      perBuilding.set(u.buildingId, { buildingId: u.buildingId, due: b.due + u.due, done: b.done + u.done, abnormal: b.abnormal + u.abnormal });
    }
    expect(g.buildings.map(({ buildingId, due, done, abnormal }) => ({ buildingId, due, done, abnormal }))).toEqual([...perBuilding.values()]);
    expect(g.buildings.map((b) => `${b.community}${b.compound}${b.building}`)[0]).toBe('华夏里社区华夏小区5号楼');
    // Units only of the buildings asked for (a page's), the buildings all the same.
    const two = g.units.find((u) => u.building === '2号楼')!.buildingId;
    const some = await dueGroups(t.ctx(), { date: DAY, slot: 'am', buildingIds: [two] });
    expect(some.units.map((u) => u.unit)).toEqual(['1单元', '2单元']);
    expect(some.buildings).toEqual(g.buildings);
  });

  it('the units of the buildings asked for equal the units counted whole (PostgreSQL counts them from the buildings down), per actor and filter', async () => {
    await town();
    const committee = await t.ctx().db.selectFrom('users').select(['id', 'communityId']).where('username', '=', 'committee1').executeTakeFirstOrThrow();
    const actors = [undefined, { userId: committee.id, username: 'committee1', displayName: 'c', role: 'committee' as const, communityId: committee.communityId }];
    const whole = await dueGroups(t.ctx(), { date: DAY, slot: 'am' });
    const theirCompound = whole.units.find((u) => u.communityId === t.communities.b)!.compoundId;
    const every = [...new Set(whole.units.map((u) => u.buildingId))];
    for (const actor of actors) {
      for (const q of [{}, { communityId: t.communities.a }, { compoundId: theirCompound }]) {
        const all = await dueGroups(t.ctx(actor), { date: DAY, slot: 'am', ...q });
        // Asked in any order, the units come back in the list's order, equal to the whole count.
        const asked = await dueGroups(t.ctx(actor), { date: DAY, slot: 'am', ...q, buildingIds: [...every].reverse() });
        expect(asked.units, `${actor?.username ?? 'cli'} ${JSON.stringify(q)}`).toEqual(all.units);
        expect(asked.buildings).toEqual(all.buildings);
        const one = await dueGroups(t.ctx(actor), { date: DAY, slot: 'am', ...q, buildingIds: [every[1]] });
        expect(one.units).toEqual(all.units.filter((u) => u.buildingId === every[1]));
      }
    }
  });

  it('a page\'s rows (PostgreSQL reads them by key) carry the same places and check-ins as the whole list read at once', async () => {
    await town();
    const ctx = t.ctx();
    let all = dueWithPlaces(ctx, DAY, 'am', {}).select([
      'e.residentId', 'e.id as episodeId', 'r.name', 'r.communityId', 'c.name as community', 'h.compoundId', 'p.name as compound', 'b.id as buildingId',
      'b.name as building', 'u.id as unitId', 'u.name as unit', 'rm.name as room', 'h.address', 'k.id as checkinId', 'k.abnormal',
    ]);
    for (const o of rowOrder(ctx.db)) all = all.orderBy(o);
    const expected = (await all.execute()).map(({ checkinId, abnormal, ...r }) => ({ ...r, recorded: checkinId !== null, abnormal: !!abnormal }));
    const rows = (await due({ limit: 200 })).rows.map((r) => ({
      residentId: r.residentId, episodeId: r.episodeId, name: r.name, communityId: r.communityId, community: r.community, compoundId: r.compoundId,
      compound: r.compound, buildingId: r.buildingId, building: r.building, unitId: r.unitId, unit: r.unit, room: r.room, address: r.address,
      recorded: r.recorded, abnormal: !!r.checkin?.abnormal,
    }));
    expect(rows.length).toBe(9);
    expect(rows).toEqual(expected);
  });

  it('through the API: the clerk sees every community; a committee member only their own, another community comes back empty', async () => {
    await town();
    const clerk = await t.login('clerk');
    const committee = await t.login('committee1');
    const ask = async (key: string, input: object) => {
      const r = await t.dispatch('checkins.groups', { slot: 'am', date: DAY, ...input }, key);
      if (!r.ok) throw new Error(r.error.message);
      return r.data as DueGroups;
    };
    const all = await ask(clerk, {});
    expect(new Set(all.units.map((u) => u.communityId))).toEqual(new Set([t.communities.a, t.communities.b]));
    const mine = await ask(committee, {});
    expect(mine.units.length).toBeGreaterThan(0);
    expect(mine.units.every((u) => u.communityId === t.communities.a)).toBe(true);
    expect(mine.units.reduce((n, u) => n + u.due, 0)).toBe(7);
    expect((await ask(committee, { communityId: t.communities.b })).units).toEqual([]);
    const theirCompound = all.units.find((u) => u.communityId === t.communities.b)!.compoundId;
    expect((await ask(committee, { compoundId: theirCompound })).units).toEqual([]);
    expect((await ask(clerk, { compoundId: theirCompound })).units).toHaveLength(1);
    // The due list's building filter does not reach across either.
    const theirBuilding = all.units.find((u) => u.communityId === t.communities.b)!.buildingId;
    const list = await t.dispatch('checkins.due', { slot: 'am', date: DAY, buildingId: theirBuilding }, committee);
    expect(list.ok && (list.data as DueList).rows).toEqual([]);
    // A bad date is a clear refusal, not a crash.
    const bad = await t.dispatch('checkins.groups', { slot: 'am', date: '2022-13-45' }, clerk);
    expect(bad.ok).toBe(false);
    // Someone without the right to read residents is refused by the core.
    const none = await t.dispatch('checkins.groups', { slot: 'am' }, 'no-session');
    expect(none.ok).toBe(false);
  });
});
