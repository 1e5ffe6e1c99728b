// Counts of special needs (特殊需求) for the 工作台 and the 每日工作日报: per community and need, the people under
// isolation or monitoring on the date who carry it (在管), and everyone registered with it (登记). Read from the
// counters triggers keep (migration 0018: a few hundred rows, whatever the number of flags), scoped like the
// dashboard, and kept per connection while counter_version stays (a flag or an episode written, a person moved:
// migrations 0009 and 0017). needCountsRecount is the same from the raw rows (the tests compare the two).
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { coversDateSql } from './episodes-days.ts';
import { NEEDS, type Need } from '../shared/enums.ts';
import { keptSum } from './counters.ts';

export interface NeedCount {
  need: Need;
  /** Carry the flag and are under isolation or monitoring on the date. */
  underControl: number;
  /** Carry the flag, whatever their status. */
  registered: number;
}

export interface NeedCounts {
  date: string;
  /** Every need of the closed list, in its order (zeros included). */
  totals: NeedCount[];
  byCommunity: { communityId: number; needs: NeedCount[] }[];
}

export async function needCounts(ctx: Ctx, date: string): Promise<NeedCounts> {
  return keptSum(ctx, `needs|${date}|${scopeOf(ctx.actor)}`, () => needCountsNow(ctx, date));
}

async function needCountsNow(ctx: Ctx, date: string): Promise<NeedCounts> {
  const scope = scopeOf(ctx.actor);
  // Kept by triggers (migration 0018, db/counters.ts): 登记 per community and need, and the pairs (flag, covering
  // episode) as a difference array summed up to the date.
  let registeredQ = ctx.db.selectFrom('needRegistered').select(['communityId', 'need', 'registered']).where('registered', '<>', 0);
  if (scope !== null) registeredQ = registeredQ.where('communityId', '=', scope);
  let coveredQ = ctx.db
    .selectFrom('needCoverage')
    .select((eb) => ['communityId', 'need', eb.fn.sum<number>('covered').as('covered')])
    .where('day', '<=', date)
    .groupBy(['communityId', 'need']);
  if (scope !== null) coveredQ = coveredQ.where('communityId', '=', scope);
  // The sums count each covering episode; a person with two at once (coverage_overlaps: a handful) counts once.
  let overlapsQ = ctx.db
    .selectFrom('residentNeeds as n')
    .innerJoin('residents as r', 'r.id', 'n.residentId')
    .select((eb) => [
      'r.communityId',
      'n.need',
      eb
        .selectFrom('episodes as e')
        .select(eb.fn.countAll<number>().as('k'))
        .whereRef('e.residentId', '=', 'n.residentId')
        .where(coversDateSql('e', date))
        .as('covering'),
    ])
    .where('n.residentId', 'in', (eb) => eb.selectFrom('coverageOverlaps').select('coverageOverlaps.residentId'));
  if (scope !== null) overlapsQ = overlapsQ.where('r.communityId', '=', scope);
  const [registered, covered, overlaps] = [await registeredQ.execute(), await coveredQ.execute(), await overlapsQ.execute()];

  const byCommunity = new Map<number, Map<Need, NeedCount>>();
  const totals = new Map<Need, NeedCount>(NEEDS.map((need) => [need, { need, underControl: 0, registered: 0 }]));
  const cell = (communityId: number, need: Need): NeedCount => {
    const c = byCommunity.get(communityId) ?? new Map<Need, NeedCount>();
    byCommunity.set(communityId, c);
    const n = c.get(need) ?? { need, underControl: 0, registered: 0 };
    c.set(need, n);
    return n;
  };
  for (const r of registered) cell(r.communityId, r.need).registered += Number(r.registered);
  for (const r of covered) cell(r.communityId, r.need).underControl += Number(r.covered ?? 0);
  for (const r of overlaps) {
    const k = Number(r.covering ?? 0);
    if (k > 1) cell(r.communityId, r.need).underControl -= k - 1;
  }
  for (const [communityId, m] of byCommunity) {
    for (const [need, n] of m) {
      if (n.registered === 0 && n.underControl === 0) m.delete(need);
      const t = totals.get(need);
      if (t) {
        t.underControl += n.underControl;
        t.registered += n.registered;
      }
    }
    if (!m.size) byCommunity.delete(communityId);
  }
  return {
    date,
    totals: [...totals.values()],
    byCommunity: [...byCommunity]
      .sort(([a], [b]) => a - b)
      .map(([communityId, m]) => ({ communityId, needs: NEEDS.map((need) => m.get(need) ?? { need, underControl: 0, registered: 0 }) })),
  };
}

/** The same counts read from the raw rows (resident_needs and episodes): what the kept counters must equal. */
export async function needCountsRecount(ctx: Ctx, date: string): Promise<NeedCounts> {
  let q = ctx.db
    .selectFrom('residentNeeds as n')
    .innerJoin('residents as r', 'r.id', 'n.residentId')
    .select((eb) => [
      'r.communityId',
      'n.need',
      eb.fn.countAll<number>().as('registered'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.exists(eb.selectFrom('episodes as e').select('e.id').whereRef('e.residentId', '=', 'n.residentId').where(coversDateSql('e', date))))
            .then(1)
            .else(0)
            .end(),
        )
        .as('underControl'),
    ])
    .groupBy(['r.communityId', 'n.need']);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) q = q.where('r.communityId', '=', scope);
  const rows = await q.execute();
  const byCommunity = new Map<number, Map<Need, NeedCount>>();
  const totals = new Map<Need, NeedCount>(NEEDS.map((need) => [need, { need, underControl: 0, registered: 0 }]));
  for (const r of rows) {
    const c = byCommunity.get(r.communityId) ?? new Map<Need, NeedCount>();
    byCommunity.set(r.communityId, c);
    const n = { need: r.need, underControl: Number(r.underControl ?? 0), registered: Number(r.registered) };
    c.set(r.need, n);
    const t = totals.get(r.need);
    if (t) {
      t.underControl += n.underControl;
      t.registered += n.registered;
    }
  }
  return {
    date,
    totals: [...totals.values()],
    byCommunity: [...byCommunity].map(([communityId, m]) => ({ communityId, needs: NEEDS.map((need) => m.get(need) ?? { need, underControl: 0, registered: 0 }) })),
  };
}
