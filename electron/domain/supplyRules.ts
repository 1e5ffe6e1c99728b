// The rules of supply requests: categories, labels, the transition table and the overdue rule (JS and SQL forms).
import type { ExpressionBuilder } from 'kysely';
import { isoIn } from '../shared/time.ts';
import { addDays } from './dates.ts';
import type { Settings } from './settings.ts';
import type { Database, SupplyCategory, SupplyStatus, Urgency } from '../db/schema.ts';
import { labelsIn, SUPPLY_STATUS_LABELS as SUPPLY_STATUS_WORDS, URGENCY_LABELS as URGENCY_WORDS } from '../shared/labels.ts';

export { SUPPLY_CATEGORIES } from '../shared/enums.ts';
export const SUPPLY_STATUS_LABELS: Record<SupplyStatus, string> = labelsIn(SUPPLY_STATUS_WORDS, 'zh');
export const URGENCY_LABELS: Record<Urgency, string> = labelsIn(URGENCY_WORDS, 'zh');
/** Statuses still waiting for delivery (待处理 + 已分派 + 配送中). */
export const OPEN_STATUSES: SupplyStatus[] = ['new', 'assigned', 'delivering'];

/** Medicine and trips to a doctor cannot wait a day: urgent unless the clerk says otherwise. */
export function defaultUrgency(category: SupplyCategory): Urgency {
  return category === '药品' || category === '就医' ? 'urgent' : 'normal';
}

type OverdueSettings = Pick<Settings, 'supplyOverdueUrgentHours' | 'supplyOverdueNormalHours'>;

export function overdueHours(urgency: Urgency, settings: OverdueSettings): number {
  return urgency === 'urgent' ? settings.supplyOverdueUrgentHours : settings.supplyOverdueNormalHours;
}

/**
 * Overdue (超时): still open once its allowed time (2 h urgent / 24 h normal, from settings) has run out since
 * creation. Delivered and cancelled requests are never overdue. Same rule as `overdueFilter` in SQL.
 */
export function isSupplyOverdue(
  req: { status: SupplyStatus; urgency: Urgency; createdAt: string },
  settings: OverdueSettings,
  now: Date,
): boolean {
  if (!OPEN_STATUSES.includes(req.status)) return false;
  const created = new Date(req.createdAt).getTime();
  return now.getTime() - created >= overdueHours(req.urgency, settings) * 3_600_000;
}

/** The latest creation instants that are overdue now, as ISO strings in the office's zone (comparable to createdAt). */
export function overdueCutoffs(settings: OverdueSettings, now: Date, timeZone: string): { urgent: string; normal: string } {
  return {
    urgent: isoIn(new Date(now.getTime() - settings.supplyOverdueUrgentHours * 3_600_000), timeZone),
    normal: isoIn(new Date(now.getTime() - settings.supplyOverdueNormalHours * 3_600_000), timeZone),
  };
}

type SEb = ExpressionBuilder<Database & { s: Database['supplyRequests'] }, 's'>;

/**
 * SQL form of isSupplyOverdue. createdAt is written by nowIso in the office's zone, so ISO strings with the
 * same offset compare in time order (Asia/Shanghai has no daylight saving).
 */
export function overdueFilter(eb: SEb, cut: { urgent: string; normal: string }) {
  return eb.and([
    eb('s.status', 'in', OPEN_STATUSES),
    eb.or([
      eb.and([eb('s.urgency', '=', 'urgent'), eb('s.createdAt', '<=', cut.urgent)]),
      eb.and([eb('s.urgency', '=', 'normal'), eb('s.createdAt', '<=', cut.normal)]),
    ]),
  ]);
}

/** Created on a calendar date: createdAt starts with the local date, so a half-open string range uses the index. */
export function createdOn(eb: SEb, date: string) {
  return eb.and([eb('s.createdAt', '>=', date), eb('s.createdAt', '<', addDays(date, 1))]);
}

/** Allowed moves. delivered and cancelled are final; assigned → assigned is a reassignment to another cadre. */
export const SUPPLY_TRANSITIONS: Record<SupplyStatus, readonly SupplyStatus[]> = {
  new: ['assigned', 'cancelled'],
  assigned: ['assigned', 'delivering', 'cancelled'],
  delivering: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};

export function canTransition(from: SupplyStatus, to: SupplyStatus): boolean {
  return SUPPLY_TRANSITIONS[from].includes(to);
}

