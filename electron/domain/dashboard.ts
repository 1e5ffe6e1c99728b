// The dashboard's numbers, one row per community: the single source for the 工作台 page AND the 每日工作日报 Excel report.
// Person counts use coveredOn (checkins.ts), so "under control", "due" and "reported" always agree with each other.
import { withDistrictNames } from './places.ts';
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { timeOfDay, today } from './clock.ts';
import { addDays, isIsoDate } from './dates.ts';
import { invalid, issue } from '../shared/errors.ts';
import { getSettings } from './settings.ts';
import { dueCounter, isPastCutoff, type DueCounter } from './checkins.ts';
import { coveredCounts, coveredPerDay, doneCounts, episodeEvents, sumBy } from './counters.ts';
import { OPEN_STATUSES, SUPPLY_CATEGORIES, SUPPLY_STATUS_LABELS, createdOn } from './supplyRules.ts';
import { supplyStatsByCommunity } from './supplyBoard.ts';
import { cadresOnDutyByCommunity } from './cadres.ts';
import { needCounts, type NeedCounts } from './needs-counts.ts';
import type { Slot, SupplyCategory, SupplyStatus } from '../db/schema.ts';

export interface CommunityDailyRow {
  communityId: number;
  community: string;
  /** 在管隔离人数: people whose isolation or monitoring covers the date (not ended on or before it). */
  underControl: number;
  /** 今日新增: home isolations that started on the date. */
  newToday: number;
  /** 今日解除: home isolations released on the date. */
  releasedToday: number;
  /** 待解除: under control on the date with the last day already behind. */
  dueForRelease: number;
  /** 应报 / 已报 / 未报: both slots of the date. */
  checkinsDue: number;
  checkinsDone: number;
  checkinsMissing: number;
  /** 体温或症状异常: abnormal check-ins of the date. */
  abnormalCheckins: number;
  /** 待复核告警: alerts open at the end of the date (for today: open now). */
  alertsOpen: number;
  supplyNew: number;
  supplyDelivered: number;
  supplyPending: number;
  supplyOverdue: number;
  cadresOnDuty: number;
}

export type DailyTotals = Omit<CommunityDailyRow, 'communityId' | 'community'>;

const NUMBER_KEYS = [
  'underControl',
  'newToday',
  'releasedToday',
  'dueForRelease',
  'checkinsDue',
  'checkinsDone',
  'checkinsMissing',
  'abnormalCheckins',
  'alertsOpen',
  'supplyNew',
  'supplyDelivered',
  'supplyPending',
  'supplyOverdue',
  'cadresOnDuty',
] as const satisfies readonly (keyof DailyTotals)[];

function assertDate(date: string): void {
  if (!isIsoDate(date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
}

function toMap(rows: { communityId: number; n: number | string | bigint | null }[]): Map<number, number> {
  return new Map(rows.map((r) => [r.communityId, Number(r.n ?? 0)]));
}

/** One row per community in the actor's scope (ordered as created), every number for `date`. */
export async function communityDailyStats(ctx: Ctx, date: string): Promise<CommunityDailyRow[]> {
  assertDate(date);
  const scope = scopeOf(ctx.actor);
  let communities = ctx.db.selectFrom('places').select(['id', 'name']).where('level', '=', 'community');
  if (scope !== null) communities = communities.where('id', '=', scope);
  const places = await withDistrictNames(ctx.db, await communities.orderBy('id').execute());

  // The parts below are independent reads: on PostgreSQL they go out side by side on the pool (each a round trip; on a
  // busy server the waits add up), on SQLite they run one after the other as before.
  const [covered, done, allEvents, abnormal, alerts, supplies, cadres] = await Promise.all([
    // Under control, 待解除 and reported: from the counters kept by triggers (counters.ts), a recount's equal.
    coveredCounts(ctx, date, {}, 'community'),
    doneCounts(ctx, date, null, {}, 'community'),
    episodeEvents(ctx, date, {}, 'community'),
    abnormalBy(ctx, date),
    alertsOpenBy(ctx, date),
    supplyStatsByCommunity(ctx, date),
    cadresOnDutyByCommunity(ctx, date),
  ]);
  const underControlBy = sumBy(covered, (r) => r.communityId, (r) => r.covered);
  const releasableBy = sumBy(covered, (r) => r.communityId, (r) => r.releasable);
  const doneBy = sumBy(done, (r) => r.communityId, (r) => r.done);
  const events = allEvents.filter((r) => r.kind === 'home_isolation');
  const started = sumBy(events, (r) => r.communityId, (r) => r.started);
  const released = sumBy(events, (r) => r.communityId, (r) => r.released);

  return places.map((c) => {
    const underControl = underControlBy.get(c.id) ?? 0;
    const checkinsDue = underControl * 2;
    const checkinsDone = doneBy.get(c.id) ?? 0;
    const s = supplies.get(c.id);
    return {
      communityId: c.id,
      community: c.name,
      underControl,
      newToday: started.get(c.id) ?? 0,
      releasedToday: released.get(c.id) ?? 0,
      dueForRelease: releasableBy.get(c.id) ?? 0,
      checkinsDue,
      checkinsDone,
      checkinsMissing: checkinsDue - checkinsDone,
      abnormalCheckins: abnormal.get(c.id) ?? 0,
      alertsOpen: alerts.get(c.id) ?? 0,
      supplyNew: s?.newToday ?? 0,
      supplyDelivered: s?.deliveredToday ?? 0,
      supplyPending: s?.pending ?? 0,
      supplyOverdue: s?.overdue ?? 0,
      cadresOnDuty: cadres.get(c.id) ?? 0,
    };
  });
}

/** Abnormal check-ins of the date per community, in scope. */
async function abnormalBy(ctx: Ctx, date: string): Promise<Map<number, number>> {
  const scope = scopeOf(ctx.actor);
  let q = ctx.db
    .selectFrom('checkins')
    .select((eb) => ['communityId', eb.fn.countAll<number>().as('n')])
    .where('date', '=', date)
    .where('abnormal', '=', 1);
  if (scope !== null) q = q.where('communityId', '=', scope);
  return toMap(await q.groupBy('communityId').execute());
}

/** Alerts open at the end of the date per community, in scope: raised by then and not closed by then. */
async function alertsOpenBy(ctx: Ctx, date: string): Promise<Map<number, number>> {
  const scope = scopeOf(ctx.actor);
  // ISO instants carry the office's local date first.
  const nextDay = addDays(date, 1);
  // Two disjoint parts, each read from an index that holds every column it needs (migration 0010).
  const alertsBase = () => ctx.db.selectFrom('alerts').select((eb) => ['communityId', eb.fn.countAll<number>().as('n')]).where('createdAt', '<', nextDay);
  const alertsPart = (f: (q: ReturnType<typeof alertsBase>) => ReturnType<typeof alertsBase>) => {
    let q = f(alertsBase());
    if (scope !== null) q = q.where('communityId', '=', scope);
    return q.groupBy('communityId').execute();
  };
  const alerts = new Map<number, number>();
  for (const part of [await alertsPart((q) => q.where('status', '=', 'open')), await alertsPart((q) => q.where('closedAt', '>=', nextDay).where('status', '<>', 'open'))]) {
    for (const [community, n] of toMap(part)) alerts.set(community, (alerts.get(community) ?? 0) + n);
  }
  return alerts;
}

/** The 合计 row: column sums. */
export function sumDailyRows(rows: CommunityDailyRow[]): DailyTotals {
  const t = Object.fromEntries(NUMBER_KEYS.map((k) => [k, 0])) as DailyTotals;
  for (const r of rows) for (const k of NUMBER_KEYS) t[k] += r[k];
  return t;
}

export interface Dashboard {
  date: string;
  totals: DailyTotals;
  /** The slot people are working on now: 上午 until noon, then 下午 (a past date shows 下午, a future one 上午). */
  slot: { slot: Slot; due: number; done: number; overdue: number };
  rows: CommunityDailyRow[];
  /** 特殊需求: people carrying each flag (needs-counts.ts). */
  needs: NeedCounts;
  charts: {
    perDay: { date: string; isolating: number; monitoring: number }[];
    completionByCommunity: { communityId: number; community: string; due: number; done: number; rate: number }[];
    suppliesByStatus: { status: SupplyStatus; label: string; count: number }[];
    suppliesByCategory: { category: SupplyCategory; count: number }[];
  };
}

function currentSlot(ctx: Ctx, date: string): Slot {
  const t = today(ctx.clock);
  if (date < t) return 'pm';
  if (date > t) return 'am';
  return timeOfDay(ctx.clock) < '12:00' ? 'am' : 'pm';
}

/** People isolating / monitoring on each of the 30 days ending at `date` (the counters' running sums). */
async function perDay(ctx: Ctx, date: string): Promise<Dashboard['charts']['perDay']> {
  const days = await coveredPerDay(ctx, addDays(date, -29), date);
  return [...days].map(([d, n]) => ({ date: d, isolating: n.home_isolation, monitoring: n.health_monitoring }));
}

/**
 * Supply requests on the date's board: still open, or created on the date, or delivered/cancelled on the date.
 * Counted by their current status and by category. Read as three disjoint parts, each from an index (migration 0010):
 * the open ones, the closed ones created on the date, the ones closed on the date but created before.
 */
async function supplyCharts(ctx: Ctx, date: string) {
  const nextDay = addDays(date, 1);
  const CLOSED: SupplyStatus[] = ['delivered', 'cancelled'];
  const part = () => {
    let q = ctx.db.selectFrom('supplyRequests as s').select((eb) => ['s.status', 's.category', eb.fn.countAll<number>().as('n')]);
    const scope = scopeOf(ctx.actor);
    if (scope !== null) q = q.where('s.communityId', '=', scope);
    return q;
  };
  const open = part().where('s.status', 'in', OPEN_STATUSES);
  const createdToday = part()
    .where('s.status', 'in', CLOSED)
    .where((eb) => createdOn(eb, date));
  const closedToday = part()
    .where('s.status', 'in', CLOSED)
    .where('s.statusAt', '>=', date)
    .where('s.statusAt', '<', nextDay)
    .where((eb) => eb.not(createdOn(eb, date)));
  const rows = (
    await Promise.all([open, createdToday, closedToday].map((q) => q.groupBy(['s.status', 's.category']).execute()))
  ).flat();
  const statusCount = new Map<string, number>();
  const categoryCount = new Map<string, number>();
  for (const r of rows) {
    statusCount.set(r.status, (statusCount.get(r.status) ?? 0) + Number(r.n));
    categoryCount.set(r.category, (categoryCount.get(r.category) ?? 0) + Number(r.n));
  }
  return {
    suppliesByStatus: (Object.keys(SUPPLY_STATUS_LABELS) as SupplyStatus[]).map((status) => ({ status, label: SUPPLY_STATUS_LABELS[status], count: statusCount.get(status) ?? 0 })),
    suppliesByCategory: SUPPLY_CATEGORIES.map((category) => ({ category, count: categoryCount.get(category) ?? 0 })),
  };
}

export interface SlotCounts extends DueCounter {
  /** The office's today (the date asked about may be another). */
  today: string;
  date: string;
  slot: Slot;
  /** The slot's cutoff time (HH:MM) and whether it has passed (then the missing ones are 未报). */
  cutoff: string;
  pastCutoff: boolean;
}

/**
 * The counter of one slot without its list or the dashboard's tables: light enough to refresh after every check-in.
 * Date and slot default to the office's today and the slot people are working on now.
 */
export async function slotCounts(ctx: Ctx, q: { date?: string; slot?: Slot; communityId?: number; compoundId?: number; buildingId?: number }): Promise<SlotCounts> {
  const date = q.date ?? today(ctx.clock);
  assertDate(date);
  const slot = q.slot ?? currentSlot(ctx, date);
  const settings = await getSettings(ctx);
  const counter = await dueCounter(ctx, { date, slot, communityId: q.communityId, compoundId: q.compoundId, buildingId: q.buildingId }, settings);
  return { today: today(ctx.clock), date, slot, ...counter, cutoff: slot === 'am' ? settings.cutoffAm : settings.cutoffPm, pastCutoff: isPastCutoff(ctx, settings, date, slot) };
}

export async function getDashboard(ctx: Ctx, date: string = today(ctx.clock)): Promise<Dashboard> {
  assertDate(date);
  const slot = currentSlot(ctx, date);
  // Independent parts, side by side (see communityDailyStats).
  const [rows, counter, needs, days, supplies] = await Promise.all([
    communityDailyStats(ctx, date),
    getSettings(ctx).then((settings) => dueCounter(ctx, { date, slot }, settings)),
    needCounts(ctx, date),
    perDay(ctx, date),
    supplyCharts(ctx, date),
  ]);
  return {
    date,
    totals: sumDailyRows(rows),
    slot: { slot, ...counter },
    rows,
    needs,
    charts: {
      perDay: days,
      completionByCommunity: rows.map((r) => ({
        communityId: r.communityId,
        community: r.community,
        due: r.checkinsDue,
        done: r.checkinsDone,
        rate: r.checkinsDue ? Math.round((r.checkinsDone / r.checkinsDue) * 1000) / 1000 : 0,
      })),
      ...supplies,
    },
  };
}
