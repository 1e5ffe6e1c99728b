// The 今日监测 list's groups (checkins.groups): per compound › building › unit the counts of one slot — 应报 (due), 已报
// (done), 异常 (abnormal); 未报 is due − done — in the list's own order (checkins-due.ts), for the jump list of
// buildings and the group headers. Scoped like the list: a committee member counts their own community only.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { getSettings } from './settings.ts';
import { invalid, issue } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { dueWithPlaces, isPastCutoff } from './checkins.ts';
import { GROUP_ORDER } from './checkins-due.ts';
import type { Slot } from '../db/schema.ts';

export interface DueGroupsQuery {
  date: string;
  slot: Slot;
  communityId?: number;
  compoundId?: number;
}

/** One unit's counts, with the names and ids of its building, compound and community. */
export interface DueGroup {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
  unitId: number;
  unit: string;
  due: number;
  done: number;
  abnormal: number;
}

export interface DueGroups {
  date: string;
  slot: Slot;
  /** Units in the due list's order (compound name, then building, unit by number). */
  units: DueGroup[];
  cutoff: string;
  pastCutoff: boolean;
}

export async function dueGroups(ctx: Ctx, q: DueGroupsQuery): Promise<DueGroups> {
  if (!isIsoDate(q.date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
  const settings = await getSettings(ctx);
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
    .groupBy(['u.id', 'h.compoundId', 'r.communityId']);
  for (const o of GROUP_ORDER) query = query.orderBy(o);
  const rows = await query.execute();
  return {
    date: q.date,
    slot: q.slot,
    units: rows.map((r) => ({ ...r, due: Number(r.due), done: Number(r.done), abnormal: Number(r.abnormal) })),
    cutoff: q.slot === 'am' ? settings.cutoffAm : settings.cutoffPm,
    pastCutoff: isPastCutoff(ctx, settings, q.date, q.slot),
  };
}
