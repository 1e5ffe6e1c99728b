// The 今日监测 list's groups (checkins.groups): the counts of one slot — 应报 (due), 已报 (done), 异常 (abnormal); 未报 is
// due − done — in the list's own order (checkins-due.ts). Per building for the jump list (from the counters kept by
// triggers, whatever the size of the subdistrict), and per unit for the group headers of the buildings a page shows
// (a few hundred rows read). Scoped like the list: a committee member counts their own community only.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { getSettings } from './settings.ts';
import { invalid, issue } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { dueWithPlaces, isPastCutoff } from './checkins.ts';
import { groupOrder } from './checkins-due.ts';
import { isPostgres } from '../db/engine.ts';
import { buildingsInOrder, type BuildingPlace } from './checkins-due-pages.ts';
import { coveredCounts, doneCounts, sumBy } from './counters.ts';
import type { Slot } from '../db/schema.ts';
import { pgAbnormalByBuilding, pgUnitCounts, type DueGroup } from './checkins-due-pg.ts';

export interface DueGroupsQuery {
  date: string;
  slot: Slot;
  communityId?: number;
  compoundId?: number;
  /** The buildings whose units are wanted (the page's); without it, every unit in scope (a small scope, a test). */
  buildingIds?: number[];
}

/** One building's counts, with the names and ids of its compound and community. */
export interface DueBuilding extends BuildingPlace {
  due: number;
  done: number;
  abnormal: number;
}

export type { DueGroup };

export interface DueGroups {
  date: string;
  slot: Slot;
  /** Every building with someone due, in the due list's order (compound name, then building by number). */
  buildings: DueBuilding[];
  /** The units of the buildings asked for (or of every building), in the due list's order. */
  units: DueGroup[];
  cutoff: string;
  pastCutoff: boolean;
}

export async function dueGroups(ctx: Ctx, q: DueGroupsQuery): Promise<DueGroups> {
  if (!isIsoDate(q.date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
  const settings = await getSettings(ctx);
  const [buildings, units] = await Promise.all([dueBuildings(ctx, q), q.buildingIds && !q.buildingIds.length ? [] : dueUnits(ctx, q)]);
  return {
    date: q.date,
    slot: q.slot,
    buildings,
    units,
    cutoff: q.slot === 'am' ? settings.cutoffAm : settings.cutoffPm,
    pastCutoff: isPastCutoff(ctx, settings, q.date, q.slot),
  };
}

/** Per building: due and done from the counters, abnormal from the slot's abnormal check-ins (few), names from places. */
async function dueBuildings(ctx: Ctx, q: DueGroupsQuery): Promise<DueBuilding[]> {
  const filter = { communityId: q.communityId, compoundId: q.compoundId };
  const due = sumBy(await coveredCounts(ctx, q.date, filter, 'building'), (r) => r.buildingId, (r) => r.covered);
  const named = [...due].filter(([b, n]) => b !== 0 && n > 0).map(([b]) => b);
  // The rest at once (on PostgreSQL each on a connection of its own; SQLite runs them one after the other anyway).
  const [doneRows, abnormalOf, places] = await Promise.all([
    doneCounts(ctx, q.date, q.slot, filter, 'building'),
    isPostgres(ctx.db) ? pgAbnormalByBuilding(ctx, q) : abnormalByBuilding(ctx, q),
    buildingsInOrder(ctx, named),
  ]);
  const done = sumBy(doneRows, (r) => r.buildingId, (r) => r.done);
  return places.map((b) => ({ ...b, due: due.get(b.buildingId) ?? 0, done: done.get(b.buildingId) ?? 0, abnormal: abnormalOf.get(b.buildingId) ?? 0 }));
}

async function abnormalByBuilding(ctx: Ctx, q: DueGroupsQuery): Promise<Map<number, number>> {
  const abnormal = await dueWithPlaces(ctx, q.date, q.slot, q)
    .where('k.abnormal', '=', 1)
    .select((eb) => ['b.id as buildingId', eb.fn.countAll<number>().as('n')])
    .groupBy('b.id')
    .execute();
  return new Map(abnormal.map((r) => [r.buildingId, Number(r.n)]));
}

async function dueUnits(ctx: Ctx, q: DueGroupsQuery): Promise<DueGroup[]> {
  // PostgreSQL: the page's buildings' units counted from the buildings down (checkins-due-pg.ts).
  if (isPostgres(ctx.db) && q.buildingIds) return pgUnitCounts(ctx, q, q.buildingIds);
  let query = dueWithPlaces(ctx, q.date, q.slot, q)
    .select((eb) => [
      'r.communityId',
      'c.name as community',
      'h.compoundId',
      'p.name as compound',
      'b.id as buildingId',
      'b.name as building',
      'u.id as unitId',
      'u.name as unit',
      eb.fn.countAll<number>().as('due'),
      eb.fn.count<number>('k.id').as('done'),
      sql<number>`coalesce(sum(k.abnormal), 0)`.as('abnormal'),
    ])
    // PostgreSQL names every place the row carries (their ids make the names determined); SQLite takes them as they are.
    .groupBy(isPostgres(ctx.db) ? ['u.id', 'h.compoundId', 'r.communityId', 'p.id', 'b.id', 'c.id'] : ['u.id', 'h.compoundId', 'r.communityId']);
  if (q.buildingIds) query = query.where('b.id', 'in', q.buildingIds);
  for (const o of groupOrder(ctx.db)) query = query.orderBy(o);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, due: Number(r.due), done: Number(r.done), abnormal: Number(r.abnormal) }));
}
