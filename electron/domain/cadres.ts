// Cadres sent down to the communities (下沉干部): roster, assignments to community and compounds, duty status.
// They are not necessarily app users; their delivery work is counted in lists and reports.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import type { CadreStatus } from '../db/schema.ts';

export const CADRE_STATUS_LABELS: Record<CadreStatus, string> = { on_duty: '在岗', resting: '轮休', withdrawn: '撤回' };

/** Cadres on duty on `date` per community: status 在岗 and the date inside dutyFrom..dutyTo where those are set. */
export async function cadresOnDutyByCommunity(ctx: Ctx, date: string): Promise<Map<number, number>> {
  let q = ctx.db
    .selectFrom('cadres')
    .select((eb) => ['communityId', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'on_duty')
    .where('communityId', 'is not', null)
    .where((eb) => eb.or([eb('dutyFrom', 'is', null), eb('dutyFrom', '<=', date)]))
    .where((eb) => eb.or([eb('dutyTo', 'is', null), eb('dutyTo', '>=', date)]));
  const scope = scopeOf(ctx.actor);
  if (scope !== null) q = q.where('communityId', '=', scope);
  const out = new Map<number, number>();
  for (const r of await q.groupBy('communityId').execute()) if (r.communityId !== null) out.set(r.communityId, Number(r.n));
  return out;
}
