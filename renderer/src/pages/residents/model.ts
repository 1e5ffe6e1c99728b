// Types and pure helpers of the 隔离人员 screen: the list filters (kept in the URL, so the 工作台 can link to
// #/residents?status=due), the residents.list input they make, and the row rules (abnormal, due).
import type { InputOf, OutputOf } from '../../api.ts';
import { NEEDS, type Need } from '../../../../electron/shared/enums.ts';

export type Row = OutputOf<'residents.list'>['rows'][number];
export type Detail = OutputOf<'residents.get'>;
export type ListInput = InputOf<'residents.list'>;
export type StatusFilter = NonNullable<ListInput['status']>;
export type SortField = NonNullable<ListInput['sortField']>;

export const STATUS_FILTERS: StatusFilter[] = ['active', 'due', 'isolating', 'monitoring', 'released', 'transferred', 'ended_other', 'none', 'all'];
/** The list opens on the people under control (隔离中 + 监测中), soonest last day first: the due ones on top. */
export const DEFAULT_STATUS: StatusFilter = 'active';

export interface Filters {
  search: string;
  communityId: number | null;
  compoundId: number | null;
  buildingId: number | null;
  status: StatusFilter;
  dayN: number | null;
  abnormal: boolean;
  /** 特殊需求: people carrying any of these (empty: no filter). */
  needs?: Need[];
}

const posInt = (s: string | undefined): number | null => {
  const n = Number(s);
  return s && Number.isInteger(n) && n > 0 ? n : null;
};

/** URL query → filters; unknown or malformed values fall back to the defaults instead of failing the page. */
export function filtersFromQuery(q: Record<string, string>): Filters {
  const status = STATUS_FILTERS.includes(q.status as StatusFilter) ? (q.status as StatusFilter) : DEFAULT_STATUS;
  const dayN = posInt(q.dayN);
  return {
    search: q.q ?? '',
    communityId: posInt(q.communityId),
    compoundId: posInt(q.compoundId),
    buildingId: posInt(q.compoundId) ? posInt(q.buildingId) : null,
    status,
    dayN: dayN && dayN <= 60 ? dayN : null,
    abnormal: q.abnormal === '1' || q.abnormal === 'true',
    needs: (q.needs ?? '').split(',').filter((n): n is Need => (NEEDS as readonly string[]).includes(n)),
  };
}

/** Filters → URL query (defaults left out, so a plain #/residents stays plain). `open` keeps the drawer's person. */
export function queryFromFilters(f: Filters, open: number | null): Record<string, string | number | null> {
  return {
    q: f.search.trim() || null,
    communityId: f.communityId,
    compoundId: f.compoundId,
    buildingId: f.buildingId,
    status: f.status === DEFAULT_STATUS ? null : f.status,
    dayN: f.dayN,
    abnormal: f.abnormal ? 1 : null,
    needs: f.needs?.length ? f.needs.join(',') : null,
    open,
  };
}

export function hasNarrowingFilters(f: Filters): boolean {
  return !!(f.search.trim() || f.communityId || f.compoundId || f.buildingId || f.dayN || f.abnormal || f.needs?.length || f.status !== DEFAULT_STATUS);
}

/** Grid column id → server sort field. Columns missing here are not sortable. */
export const SORTABLE: Record<string, SortField> = {
  name: 'name',
  startDate: 'startDate',
  lastDay: 'lastDay',
  releaseDate: 'releaseDate',
  latestTemperature: 'latestTemperature',
};

export function listInput(f: Filters): ListInput {
  return {
    search: f.search.trim() || undefined,
    communityId: f.communityId ?? undefined,
    compoundId: f.compoundId ?? undefined,
    buildingId: f.buildingId ?? undefined,
    status: f.status,
    dayN: f.dayN ?? undefined,
    abnormal: f.abnormal || undefined,
    needs: f.needs?.length ? f.needs : undefined,
  };
}

/** Abnormal = an open alert, or the latest temperature at or above the fever threshold (设置, default 37.3 °C). */
export function isAbnormal(r: Pick<Row, 'openAlerts' | 'latestTemperature'>, threshold: number): boolean {
  return r.openAlerts > 0 || (r.latestTemperature !== null && r.latestTemperature >= threshold);
}

export const DEFAULT_FEVER_THRESHOLD = 37.3;
