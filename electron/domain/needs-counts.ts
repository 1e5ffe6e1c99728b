// Counts of special needs (特殊需求) for the 工作台 and the 每日工作日报: per community and need, the people under
// isolation or monitoring on the date who carry it (在管), and everyone registered with it (登记). One grouped query
// over resident_needs (the flagged few), scoped like the dashboard, kept while counter_version stays (a flag or an
// episode written, a person moved: migrations 0009 and 0017) — ~14,000 flags at 100,000 residents.
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
