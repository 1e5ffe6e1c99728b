// The household finder of the new-request form (supplies): by address, or a member's name or pinyin initials. Scoped to the actor.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { likeContains, likePrefix } from './supplyViews.ts';
import { checkPlaceFilter, householdsIn, type PlaceFilter } from './place-filter.ts';

export interface HouseholdHit {
  id: number;
  address: string;
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  members: string[];
}

/** Finds a household for the new-request form by part of its address, or a member's name or pinyin initials. */
export async function searchHouseholds(ctx: Ctx, q: { search: string; communityId?: number; limit?: number } & PlaceFilter): Promise<HouseholdHit[]> {
  await checkPlaceFilter(ctx, q);
  const s = toHalfWidth(q.search ?? '').replace(/\s+/g, '');
  if (!s) return [];
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 50);
  let query = ctx.db
    .selectFrom('households as h')
    .innerJoin('places as c', 'c.id', 'h.communityId')
    .innerJoin('places as p', 'p.id', 'h.compoundId')
    .select(['h.id', 'h.address', 'h.communityId', 'c.name as community', 'h.compoundId', 'p.name as compound']);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('h.communityId', '=', scope);
  if (q.communityId) query = query.where('h.communityId', '=', q.communityId);
  const inPlace = householdsIn(ctx, q);
  if (inPlace) query = query.where('h.id', 'in', inPlace);
  const ascii = /^[a-zA-Z]+$/.test(s);
  query = query.where((eb) =>
    eb.or([
      eb('h.address', 'like', likeContains(s)),
      eb.exists(
        eb
          .selectFrom('residents as r')
          .select('r.id')
          .whereRef('r.householdId', '=', 'h.id')
          .where((e) =>
            ascii
              ? e.or([e('r.nameInitials', 'like', likePrefix(s.toLowerCase())), e('r.namePinyin', 'like', likePrefix(s.toLowerCase()))])
              : e('r.name', 'like', likePrefix(s)),
          ),
      ),
    ]),
  );
  const rows = await query.orderBy('c.name').orderBy('h.address').limit(limit).execute();
  const members = rows.length
    ? await ctx.db.selectFrom('residents').select(['householdId', 'name']).where('householdId', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  return rows.map((r) => ({ ...r, members: members.filter((m) => m.householdId === r.id).map((m) => m.name) }));
}
