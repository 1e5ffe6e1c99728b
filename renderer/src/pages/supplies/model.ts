// Types and pure helpers of the 物资需求 screen: filters kept in the URL (the 工作台 links to #/supplies?overdue=1),
// the supplies.list input they make, labels and colours, ages and deadlines in words.
import { SUPPLY_CATEGORIES } from '../../../../electron/shared/enums.ts';
import type { InputOf, OutputOf } from '../../api.ts';

export type SupplyRow = OutputOf<'supplies.list'>['rows'][number];
export type SupplyDetail = OutputOf<'supplies.get'>;
export type SupplyStatus = SupplyRow['status'];
export type Category = SupplyRow['category'];
export type ListInput = InputOf<'supplies.list'>;
export type StatusFilter = NonNullable<ListInput['status']>;
export type View = 'list' | 'board' | 'sheet';

export const CATEGORIES: readonly Category[] = SUPPLY_CATEGORIES;
export const STATUS_FILTERS: StatusFilter[] = ['open', 'new', 'assigned', 'delivering', 'delivered', 'cancelled', 'all'];
export const STATUS_COLORS: Record<SupplyStatus, string> = {
  new: 'orange',
  assigned: 'blue',
  delivering: 'purple',
  delivered: 'green',
  cancelled: 'default',
};
export const OPEN: SupplyStatus[] = ['new', 'assigned', 'delivering'];

/** Medicine and trips to a doctor are urgent unless the clerk says otherwise (same rule as the server). */
export function defaultUrgency(c: Category | undefined): 'normal' | 'urgent' {
  return c === '药品' || c === '就医' ? 'urgent' : 'normal';
}

export interface Filters {
  view: View;
  status: StatusFilter;
  communityId?: number;
  compoundId?: number;
  /** Only with a compound (the building picker lists the compound's buildings). */
  buildingId?: number;
  category?: Category;
  urgency?: 'normal' | 'urgent';
  overdue: boolean;
  search: string;
  date?: string;
}

const posInt = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined);

/** URL query → filters. `open=1` (from the 工作台) is the default 未完成; unknown values fall back to defaults. */
export function filtersFromQuery(q: Record<string, string>): Filters {
  const view: View = q.view === 'board' || q.view === 'sheet' ? q.view : 'list';
  return {
    view,
    status: STATUS_FILTERS.includes(q.status as StatusFilter) ? (q.status as StatusFilter) : 'open',
    communityId: posInt(q.communityId),
    compoundId: posInt(q.compoundId),
    buildingId: posInt(q.compoundId) ? posInt(q.buildingId) : undefined,
    category: CATEGORIES.includes(q.category as Category) ? (q.category as Category) : undefined,
    urgency: q.urgency === 'urgent' || q.urgency === 'normal' ? q.urgency : undefined,
    overdue: q.overdue === '1' || q.overdue === 'true',
    search: q.q ?? '',
    date: q.date && /^\d{4}-\d{2}-\d{2}$/.test(q.date) ? q.date : undefined,
  };
}

export function filtersToQuery(f: Filters): Record<string, string | number | null | undefined> {
  return {
    view: f.view === 'list' ? null : f.view,
    status: f.status === 'open' ? null : f.status,
    communityId: f.communityId,
    compoundId: f.compoundId,
    buildingId: f.buildingId,
    category: f.category,
    urgency: f.urgency,
    overdue: f.overdue ? '1' : null,
    q: f.search || null,
    date: f.date,
  };
}

export function isFiltered(f: Filters): boolean {
  return f.status !== 'open' || !!f.communityId || !!f.compoundId || !!f.buildingId || !!f.category || !!f.urgency || f.overdue || !!f.search || !!f.date;
}

export function listInput(f: Filters): Omit<ListInput, 'offset' | 'limit' | 'withTotal'> {
  return {
    status: f.status,
    communityId: f.communityId,
    compoundId: f.compoundId,
    buildingId: f.buildingId,
    category: f.category,
    urgency: f.urgency,
    overdue: f.overdue ? true : undefined,
    search: f.search.trim() || undefined,
    date: f.date,
  };
}

/** "35 分钟", "3 小时", "2 天" */
export function spanText(minutes: number, t: (k: string, o: { n: number }) => string): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return t('age.m', { n: m });
  if (m < 48 * 60) return t('age.h', { n: Math.floor(m / 60) });
  return t('age.d', { n: Math.floor(m / 1440) });
}

/** Minutes from `nowMs` until `iso` (negative once passed). */
export function minutesUntil(iso: string, nowMs: number): number {
  return Math.round((Date.parse(iso) - nowMs) / 60_000);
}

/** The server's "now" as seen through a row: createdAt + ageMinutes (the PC clock may differ from the office's). */
export function serverNowMs(row: Pick<SupplyRow, 'createdAt' | 'ageMinutes'>): number {
  return Date.parse(row.createdAt) + row.ageMinutes * 60_000;
}

export const time = (iso: string | null | undefined) => (iso ? iso.slice(5, 16).replace('T', ' ') : '');
export const yuan = (cents: number | null | undefined) => (cents === null || cents === undefined ? '' : `¥${(cents / 100).toFixed(2)}`);

/** "12.5" → 1250 cents; null for empty; NaN when not a valid amount. */
export function centsOf(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim();
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return Number.NaN;
  return Math.round(Number(s) * 100);
}
