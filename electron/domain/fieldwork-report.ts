// The cadres' work over a date range (下沉干部工作量统计): per cadre and per department (派出单位), the shifts and their
// hours, the door visits made (and of those, 发现异常), the visits planned in the range and not made, and the supply
// requests they delivered. The report (excel/export/cadre-work.ts) writes these rows; a committee member gets their
// community's cadres only.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { addDays } from './dates.ts';
import { shiftMinutes } from './fieldwork.ts';

export interface CadreWorkRow {
  cadreId: number;
  name: string;
  homeUnit: string;
  title: string | null;
  community: string | null;
  group: string | null;
  shifts: number;
  /** Sum of the shifts' lengths, in minutes. */
  shiftMinutes: number;
  visits: number;
  abnormal: number;
  /** Planned for a day in the range and not made. */
  missed: number;
  delivered: number;
}

export interface DepartmentWorkRow {
  homeUnit: string;
  cadres: number;
  shifts: number;
  shiftMinutes: number;
  visits: number;
  abnormal: number;
  missed: number;
  delivered: number;
}

export interface CadreWork {
  from: string;
  to: string;
  cadres: CadreWorkRow[];
  departments: DepartmentWorkRow[];
}

/** Every cadre in scope (or of one community) with their counts for from..to (both inclusive, office dates). */
export async function cadreWork(ctx: Ctx, q: { from: string; to: string; communityId?: number | null }): Promise<CadreWork> {
  let cq = ctx.db
    .selectFrom('cadres as k')
    .leftJoin('places as c', 'c.id', 'k.communityId')
    .leftJoin('cadreGroups as g', 'g.id', 'k.groupId')
    .select(['k.id', 'k.name', 'k.homeUnit', 'k.title', 'c.name as community', 'g.name as group']);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) cq = cq.where('k.communityId', '=', scope);
  if (q.communityId) cq = cq.where('k.communityId', '=', q.communityId);
  const cadres = await cq.orderBy('k.homeUnit').orderBy('k.name').orderBy('k.id').execute();
  const rows = new Map<number, CadreWorkRow>(
    cadres.map((k) => [k.id, { cadreId: k.id, name: k.name, homeUnit: k.homeUnit, title: k.title, community: k.community, group: k.group, shifts: 0, shiftMinutes: 0, visits: 0, abnormal: 0, missed: 0, delivered: 0 }]),
  );
  const ids = [...rows.keys()];
  const end = addDays(q.to, 1);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const shifts = await ctx.db.selectFrom('cadreShifts').select(['cadreId', 'startTime', 'endTime']).where('cadreId', 'in', chunk).where('date', '>=', q.from).where('date', '<=', q.to).execute();
    for (const s of shifts) {
      const r = rows.get(s.cadreId)!;
      r.shifts++;
      r.shiftMinutes += shiftMinutes(s.startTime, s.endTime);
    }
    const made = await ctx.db.selectFrom('doorVisits').select(['cadreId', 'result']).where('cadreId', 'in', chunk).where('visitedAt', '>=', q.from).where('visitedAt', '<', end).execute();
    for (const v of made) {
      const r = rows.get(v.cadreId)!;
      r.visits++;
      if (v.result === 'abnormal') r.abnormal++;
    }
    const missed = await ctx.db
      .selectFrom('doorVisits')
      .select('cadreId')
      .where('cadreId', 'in', chunk)
      .where('result', 'is', null)
      .where('plannedDate', '>=', q.from)
      .where('plannedDate', '<=', q.to)
      .execute();
    for (const v of missed) rows.get(v.cadreId)!.missed++;
    // Delivered in the range: the request's move to 已送达 (once per request), for the cadre it was assigned to.
    const delivered = await ctx.db
      .selectFrom('supplyTransitions as t')
      .innerJoin('supplyRequests as s', 's.id', 't.requestId')
      .select((eb) => ['s.cadreId', eb.fn.count<number>('t.requestId').distinct().as('n')])
      .where('s.cadreId', 'in', chunk)
      .where('t.toStatus', '=', 'delivered')
      .where('t.at', '>=', q.from)
      .where('t.at', '<', end)
      .groupBy('s.cadreId')
      .execute();
    for (const d of delivered) if (d.cadreId !== null) rows.get(d.cadreId)!.delivered += Number(d.n);
  }
  const departments = new Map<string, DepartmentWorkRow>();
  for (const r of rows.values()) {
    const d = departments.get(r.homeUnit) ?? { homeUnit: r.homeUnit, cadres: 0, shifts: 0, shiftMinutes: 0, visits: 0, abnormal: 0, missed: 0, delivered: 0 };
    d.cadres++;
    d.shifts += r.shifts;
    d.shiftMinutes += r.shiftMinutes;
    d.visits += r.visits;
    d.abnormal += r.abnormal;
    d.missed += r.missed;
    d.delivered += r.delivered;
    departments.set(r.homeUnit, d);
  }
  return { from: q.from, to: q.to, cadres: [...rows.values()], departments: [...departments.values()].sort((a, b) => a.homeUnit.localeCompare(b.homeUnit, 'zh-CN')) };
}
