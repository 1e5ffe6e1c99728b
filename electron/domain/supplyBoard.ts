// Supply overviews: the status board, the delivery run sheet (物资需求清单), the day's numbers per community. Scoped to the actor.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Ctx } from './context.ts';
import { today } from './clock.ts';
import { scopeOf } from './actor.ts';
import { addDays } from './dates.ts';
import { getSettings } from './settings.ts';
import { createdOn, OPEN_STATUSES, overdueCutoffs, overdueFilter } from './supplyRules.ts';
import { isoIn, startOfDayIn } from '../shared/time.ts';
import { filtered, joined, toRows, type Raw, type SupplyRow } from './supplyViews.ts';
import type { Database, SupplyStatus } from '../db/schema.ts';
import { checkPlaceFilter, householdsOfBuilding, type PlaceFilter } from './place-filter.ts';

export interface SupplyBoard {
  byStatus: Record<SupplyStatus, number>;
  open: number;
  overdue: number;
  urgentOpen: number;
  newToday: number;
  deliveredToday: number;
}

/** Counts by status for the board at the top of the supplies page. */
export async function supplyBoard(ctx: Ctx, q: { communityId?: number } & PlaceFilter = {}): Promise<SupplyBoard> {
  await checkPlaceFilter(ctx, q);
  const settings = await getSettings(ctx);
  const cut = overdueCutoffs(settings, ctx.clock.now(), ctx.clock.timeZone);
  const where = { communityId: q.communityId, compoundId: q.compoundId, buildingId: q.buildingId };
  const rows = await filtered(ctx, where, settings)
    .select((eb) => [
      's.status',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when(overdueFilter(eb, cut)).then(1).else(0).end()).as('late'),
      eb.fn.sum<number>(eb.case().when('s.urgency', '=', 'urgent').then(1).else(0).end()).as('urgent'),
    ])
    .groupBy('s.status')
    .execute();
  const byStatus: Record<SupplyStatus, number> = { new: 0, assigned: 0, delivering: 0, delivered: 0, cancelled: 0 };
  let overdue = 0;
  let urgentOpen = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    overdue += Number(r.late ?? 0);
    if (OPEN_STATUSES.includes(r.status)) urgentOpen += Number(r.urgent ?? 0);
  }
  const day = await supplyStatsByCommunity(ctx, today(ctx.clock), where);
  let newToday = 0;
  let deliveredToday = 0;
  for (const [community, s] of day) {
    if (q.communityId && community !== q.communityId) continue;
    newToday += s.newToday;
    deliveredToday += s.deliveredToday;
  }
  return { byStatus, open: byStatus.new + byStatus.assigned + byStatus.delivering, overdue, urgentOpen, newToday, deliveredToday };
}

export interface RunSheetGroup {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  urgent: number;
  rows: SupplyRow[];
}

export interface RunSheet {
  date: string | null;
  status: SupplyStatus | 'open' | 'all';
  groups: RunSheetGroup[];
  total: number;
  /** More than RUN_SHEET_MAX rows matched; narrow by compound or date. */
  truncated: boolean;
}

export const RUN_SHEET_MAX = 5000;

/**
 * Requests for delivery runs, grouped by compound (urgent first, then by address). Also the data of the
 * 物资需求清单 export. Without a date or status it lists what still waits for delivery.
 */
export async function supplyRunSheet(
  ctx: Ctx,
  q: { date?: string; status?: SupplyStatus | 'open' | 'all'; compoundId?: number; buildingId?: number; communityId?: number } = {},
): Promise<RunSheet> {
  await checkPlaceFilter(ctx, q);
  const settings = await getSettings(ctx);
  const status = q.status ?? (q.date ? 'all' : 'open');
  const raws = await joined(filtered(ctx, { ...q, status }, settings))
    .orderBy('c.name')
    .orderBy('p.name')
    .orderBy('s.compoundId')
    .orderBy(sql`case when ${sql.ref('s.urgency')} = 'urgent' then 0 else 1 end`)
    .orderBy('h.address')
    .orderBy('s.createdAt')
    .orderBy('s.id')
    .limit(RUN_SHEET_MAX + 1)
    .execute();
  const truncated = raws.length > RUN_SHEET_MAX;
  const rows = await toRows(ctx, raws.slice(0, RUN_SHEET_MAX) as Raw[], settings);
  const groups: RunSheetGroup[] = [];
  for (const r of rows) {
    let g = groups[groups.length - 1];
    if (!g || g.compoundId !== r.compoundId) {
      groups.push((g = { communityId: r.communityId, community: r.community, compoundId: r.compoundId, compound: r.compound, urgent: 0, rows: [] }));
    }
    g.rows.push(r);
    if (r.urgency === 'urgent') g.urgent++;
  }
  return { date: q.date ?? null, status, groups, total: rows.length, truncated };
}

export interface SupplyDayStats {
  newToday: number;
  deliveredToday: number;
  pending: number;
  overdue: number;
}

/**
 * The moment a day's numbers are taken at: the end of the date (00:00 of the next day), or now when that is still
 * ahead (today). A report for 1月20日 exported on 1月25日 counts what was open and overdue when 1月20日 ended.
 */
export function statsMoment(ctx: Ctx, date: string): Date {
  const end = startOfDayIn(addDays(date, 1), ctx.clock.timeZone);
  const now = ctx.clock.now();
  return end < now ? end : now;
}

/**
 * Requests open at statsMoment(date): now, what is open now (a request written this very second included); a past
 * day, created before its end and not closed before it. For the dashboard, its drill-down and the daily report alike.
 */
export function openAtEndOf(ctx: Ctx, date: string) {
  const at = statsMoment(ctx, date);
  const atIso = isoIn(at, ctx.clock.timeZone);
  const past = at < ctx.clock.now();
  return (eb: ExpressionBuilder<Database & { s: Database['supplyRequests'] }, 's'>) =>
    past ? eb.and([eb('s.createdAt', '<', atIso), eb.or([eb('s.status', 'in', OPEN_STATUSES), eb('s.statusAt', '>=', atIso)])]) : eb('s.status', 'in', OPEN_STATUSES);
}

/**
 * Per community, for the dashboard and the daily report: created on `date`, delivered on `date`, and open
 * (new + assigned + delivering) and overdue at the end of `date` (today: now) — from the requests' creation and
 * closing times (statusAt of a delivered or cancelled request is when it closed). Limited to the actor's community
 * scope, and to a compound or building when `where` names one (the board's place filter).
 */
export async function supplyStatsByCommunity(ctx: Ctx, date: string, where: PlaceFilter = {}): Promise<Map<number, SupplyDayStats>> {
  const settings = await getSettings(ctx);
  const at = statsMoment(ctx, date);
  const cut = overdueCutoffs(settings, at, ctx.clock.timeZone);
  const scope = scopeOf(ctx.actor);
  const out = new Map<number, SupplyDayStats>();
  const slot = (id: number) => {
    let s = out.get(id);
    if (!s) out.set(id, (s = { newToday: 0, deliveredToday: 0, pending: 0, overdue: 0 }));
    return s;
  };

  let created = ctx.db
    .selectFrom('supplyRequests as s')
    .select((eb) => ['s.communityId', eb.fn.countAll<number>().as('n')])
    .where((eb) => createdOn(eb, date));
  if (scope !== null) created = created.where('s.communityId', '=', scope);
  if (where.compoundId) created = created.where('s.compoundId', '=', where.compoundId);
  if (where.buildingId) created = created.where('s.householdId', 'in', householdsOfBuilding(ctx, where.buildingId));
  for (const r of await created.groupBy('s.communityId').execute()) slot(r.communityId).newToday = Number(r.n);

  // Delivered on the date: delivered is final and a request's status_at is the moment of its last move (the same
  // instant as that move's transition row), so these are the requests now delivered whose status_at falls on the date
  // — read from supply_requests_status_at alone (migration 0010). Counting the day's transitions joined to their
  // requests read every delivered transition of the district first on PostgreSQL (row-level security of a subdistrict
  // goes through the parent request): 29 ms of the dashboard at 1,000,000 residents.
  let delivered = ctx.db
    .selectFrom('supplyRequests as s')
    .select((eb) => ['s.communityId', eb.fn.countAll<number>().as('n')])
    .where('s.status', '=', 'delivered')
    .where('s.statusAt', '>=', date)
    .where('s.statusAt', '<', addDays(date, 1));
  if (scope !== null) delivered = delivered.where('s.communityId', '=', scope);
  if (where.compoundId) delivered = delivered.where('s.compoundId', '=', where.compoundId);
  if (where.buildingId) delivered = delivered.where('s.householdId', 'in', householdsOfBuilding(ctx, where.buildingId));
  for (const r of await delivered.groupBy('s.communityId').execute()) slot(r.communityId).deliveredToday = Number(r.n);

  // Open at that moment: created before it and not closed before it. The overdue rule is overdueFilter's, with
  // "still open" read at the moment instead of from the current status.
  let open = ctx.db
    .selectFrom('supplyRequests as s')
    .select((eb) => [
      's.communityId',
      eb.fn.countAll<number>().as('n'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.or([
                eb.and([eb('s.urgency', '=', 'urgent'), eb('s.createdAt', '<=', cut.urgent)]),
                eb.and([eb('s.urgency', '=', 'normal'), eb('s.createdAt', '<=', cut.normal)]),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as('late'),
    ])
    .where(openAtEndOf(ctx, date));
  if (scope !== null) open = open.where('s.communityId', '=', scope);
  if (where.compoundId) open = open.where('s.compoundId', '=', where.compoundId);
  if (where.buildingId) open = open.where('s.householdId', 'in', householdsOfBuilding(ctx, where.buildingId));
  for (const r of await open.groupBy('s.communityId').execute()) {
    const s = slot(r.communityId);
    s.pending = Number(r.n);
    s.overdue = Number(r.late ?? 0);
  }
  return out;
}

