// The dashboard's drill-down below a community: one row per compound of a community, or per building of a compound,
// with the numbers that exist at that level (people under control, new and released today, 待解除, check-ins due /
// reported / missing for both slots, abnormal check-ins, open supply requests). Counts come from the counters kept by
// triggers (counters.ts), so a compound's rows add up to its community's row on the dashboard.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { invalid, issue, notFound, forbidden } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { coveredCounts, doneCounts, episodeEvents, sumBy, type CountLevel } from './counters.ts';
import { openAtEndOf } from './supplyBoard.ts';

export interface PlaceDailyRow {
  placeId: number;
  place: string;
  underControl: number;
  newToday: number;
  releasedToday: number;
  dueForRelease: number;
  /** 应报 / 已报 / 未报: person-slots of both slots of the date. */
  checkinsDue: number;
  checkinsDone: number;
  checkinsMissing: number;
  abnormalCheckins: number;
  /** Supply requests open now (新建, 已分派, 配送中). */
  supplyOpen: number;
}

export interface PlaceDailyStats {
  date: string;
  /** What the rows are: the compounds of a community, or the buildings of a compound. */
  level: 'compound' | 'building';
  /** The community (and compound) the rows are inside, for the breadcrumb. */
  community: { id: number; name: string };
  compound: { id: number; name: string } | null;
  rows: PlaceDailyRow[];
}

const natural = new Intl.Collator('zh-CN', { numeric: true });

/** Rows per compound of `communityId`, or per building of `compoundId` (which must lie in the actor's scope). */
export async function placeDailyStats(ctx: Ctx, q: { date: string; communityId?: number; compoundId?: number }): Promise<PlaceDailyStats> {
  if (!isIsoDate(q.date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
  const scope = scopeOf(ctx.actor);
  let community: { id: number; name: string };
  let compound: { id: number; name: string } | null = null;
  if (q.compoundId !== undefined) {
    const c = await ctx.db.selectFrom('places').select(['id', 'name', 'parentId']).where('id', '=', q.compoundId).where('level', '=', 'compound').executeTakeFirst();
    if (!c) throw notFound('thing.place');
    compound = { id: c.id, name: c.name };
    community = await ctx.db.selectFrom('places').select(['id', 'name']).where('id', '=', c.parentId!).executeTakeFirstOrThrow();
  } else {
    const id = q.communityId ?? scope;
    if (id == null) throw invalid('dashboard.pickCommunity', undefined, [issue('communityId', 'dashboard.pickCommunityField')]);
    const c = await ctx.db.selectFrom('places').select(['id', 'name']).where('id', '=', id).where('level', '=', 'community').executeTakeFirst();
    if (!c) throw notFound('thing.place');
    community = c;
  }
  if (scope !== null && community.id !== scope) throw forbidden();

  const level: CountLevel = compound ? 'building' : 'compound';
  const filter = compound ? { communityId: community.id, compoundId: compound.id } : { communityId: community.id };
  const keyOf = (r: { compoundId: number; buildingId: number }) => (compound ? r.buildingId : r.compoundId);
  const covered = await coveredCounts(ctx, q.date, filter, level);
  const underControl = sumBy(covered, keyOf, (r) => r.covered);
  const releasable = sumBy(covered, keyOf, (r) => r.releasable);
  const done = sumBy(await doneCounts(ctx, q.date, null, filter, level), keyOf, (r) => r.done);
  const events = (await episodeEvents(ctx, q.date, filter, level)).filter((r) => r.kind === 'home_isolation');
  const started = sumBy(events, keyOf, (r) => r.started);
  const released = sumBy(events, keyOf, (r) => r.released);

  // Abnormal check-ins of the date (few: read by the date's abnormal index), filed by the person's place.
  let abnormalQ = ctx.db
    .selectFrom('checkins as k')
    .innerJoin('residentPlaces as p', 'p.residentId', 'k.residentId')
    .select(['p.compoundId', 'p.buildingId'])
    .where('k.date', '=', q.date)
    .where('k.abnormal', '=', 1)
    .where('p.communityId', '=', community.id);
  if (compound) abnormalQ = abnormalQ.where('p.compoundId', '=', compound.id);
  const abnormal = sumBy(await abnormalQ.execute(), keyOf, () => 1);

  let openQ = ctx.db
    .selectFrom('supplyRequests as s')
    .innerJoin('households as h', 'h.id', 's.householdId')
    .leftJoin('places as rm', 'rm.id', 'h.roomId')
    .leftJoin('places as u', 'u.id', 'rm.parentId')
    .select(['s.compoundId', 'u.parentId as buildingId'])
    .where(openAtEndOf(ctx, q.date))
    .where('s.communityId', '=', community.id);
  if (compound) openQ = openQ.where('s.compoundId', '=', compound.id);
  const open = sumBy(await openQ.execute(), (r) => (compound ? (r.buildingId ?? 0) : r.compoundId), () => 1);

  const places = await ctx.db
    .selectFrom('places')
    .select(['id', 'name'])
    .where('level', '=', compound ? 'building' : 'compound')
    .where('parentId', '=', compound ? compound.id : community.id)
    .execute();
  places.sort((a, b) => natural.compare(a.name, b.name));
  const rows = places
    .map((p) => {
      const under = underControl.get(p.id) ?? 0;
      const doneN = done.get(p.id) ?? 0;
      return {
        placeId: p.id,
        place: p.name,
        underControl: under,
        newToday: started.get(p.id) ?? 0,
        releasedToday: released.get(p.id) ?? 0,
        dueForRelease: releasable.get(p.id) ?? 0,
        checkinsDue: under * 2,
        checkinsDone: doneN,
        checkinsMissing: under * 2 - doneN,
        abnormalCheckins: abnormal.get(p.id) ?? 0,
        supplyOpen: open.get(p.id) ?? 0,
      };
    })
    // Places with nobody and nothing on the date are left out (a compound whose people all went home long ago).
    .filter((r) => r.underControl || r.newToday || r.releasedToday || r.checkinsDone || r.abnormalCheckins || r.supplyOpen);
  return { date: q.date, level: compound ? 'building' : 'compound', community, compound, rows };
}
