// The compound / building filters of the lists (issue 15 §4): which households lie in a compound or a building, as
// subqueries SQLite answers through its indexes (households_compound; places_parent_name twice and households.room_id
// for a building: building → its units → their rooms → the rooms' households). The lists keep their own community
// scope: a compound or building of another community simply matches nothing of a committee member's, as a community
// filter naming another community does.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { invalid, issue } from '../shared/errors.ts';

export interface PlaceFilter {
  compoundId?: number;
  buildingId?: number;
}

/**
 * Refuses an id that is not a place of the right level (a building id given as compound, a room id as building, an id
 * that does not exist), with the field that is wrong. Both may be given: the list then holds what lies in both.
 */
export async function checkPlaceFilter(ctx: Pick<Ctx, 'db'>, f: PlaceFilter): Promise<void> {
  const asked = [f.compoundId, f.buildingId].filter((v): v is number => v !== undefined);
  if (!asked.length) return;
  const found = new Map((await ctx.db.selectFrom('places').select(['id', 'level']).where('id', 'in', asked).execute()).map((p) => [p.id, p.level]));
  if (f.compoundId !== undefined && found.get(f.compoundId) !== 'compound') {
    throw invalid('places.notACompound', { id: f.compoundId }, [issue('compoundId', 'places.pickCompound')]);
  }
  if (f.buildingId !== undefined && found.get(f.buildingId) !== 'building') {
    throw invalid('places.notABuilding', { id: f.buildingId }, [issue('buildingId', 'places.pickBuilding')]);
  }
}

/**
 * The ids of the households in the building (an index walk: units by parent, rooms by parent, household by room). No
 * test of the levels: a building's children are units and theirs rooms, and "level = 'room'" let the planner start
 * from every room of the subdistrict (index places_level) instead of from the building.
 */
export function householdsOfBuilding(ctx: Pick<Ctx, 'db'>, buildingId: number) {
  return ctx.db
    .selectFrom('places as fu')
    .innerJoin('places as frm', 'frm.parentId', 'fu.id')
    .innerJoin('households as fh', 'fh.roomId', 'frm.id')
    .select('fh.id')
    .where('fu.parentId', '=', buildingId);
}

/** The ids of the households in the compound (index households_compound). */
export function householdsOfCompound(ctx: Pick<Ctx, 'db'>, compoundId: number) {
  return ctx.db.selectFrom('households as fh').select('fh.id').where('fh.compoundId', '=', compoundId);
}

/** The households in the compound and/or building asked for; null when neither is. */
export function householdsIn(ctx: Pick<Ctx, 'db'>, f: PlaceFilter) {
  if (f.buildingId) {
    const b = householdsOfBuilding(ctx, f.buildingId);
    return f.compoundId ? b.where('fh.compoundId', '=', f.compoundId) : b;
  }
  return f.compoundId ? householdsOfCompound(ctx, f.compoundId) : null;
}

export interface BuildingOption {
  id: number;
  name: string;
}

const natural = new Intl.Collator('zh-CN', { numeric: true });

/**
 * The buildings of a compound for the lists' building picker, in natural order (2号楼 before 10号楼). A compound of
 * another community gives a committee member no buildings (their lists would show nothing there either).
 */
export async function buildingsOf(ctx: Ctx, compoundId: number): Promise<BuildingOption[]> {
  await checkPlaceFilter(ctx, { compoundId });
  const scope = scopeOf(ctx.actor);
  let q = ctx.db
    .selectFrom('places as b')
    .innerJoin('places as p', 'p.id', 'b.parentId')
    .select(['b.id', 'b.name'])
    .where('b.parentId', '=', compoundId)
    .where('b.level', '=', 'building');
  if (scope !== null) q = q.where('p.parentId', '=', scope);
  const rows = await q.execute();
  return rows.sort((a, b) => natural.compare(a.name, b.name) || a.id - b.id);
}
