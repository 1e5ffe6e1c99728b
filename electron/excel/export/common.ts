// What every report module receives (a resolved, permission-checked run) and the small helpers they share:
// titles, masking, community scope, paging size and the SQL width measure used before the streaming writer starts.
import { sql, type Expression } from 'kysely';
import type { Ctx } from '../../domain/context.ts';
import type { OrgRoot } from '../../domain/places.ts';
import { maskIdNumber, maskPhone } from '../../shared/idcard.ts';
import type { SupplyStatus } from '../../db/schema.ts';
import type { JobProgress } from '../../shared/progress.ts';
import { householdsIn } from '../../domain/place-filter.ts';

export const REPORT_NAMES = ['daily-report', 'roster', 'checkins', 'supplies', 'cadres', 'cadre-work'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
/** The reports over a date range (--from/--to): the others are of one day. */
export const RANGED_REPORTS: readonly ReportName[] = ['checkins', 'cadre-work'];

/** Rows per SQL query: big reports are read page by page (keyset), never whole. */
export const PAGE_SIZE = 2000;

/** The report parameters after validation and scoping. */
export interface ReportParams {
  date: string;
  /** 健康监测记录: the range (both inclusive); defaults to `date`..`date`. */
  from: string;
  to: string;
  /** null = the whole subdistrict. Committee members always get their own community here. */
  communityId: number | null;
  /** One compound and/or building of that community (人员台账, 健康监测记录, 物资需求清单), or null. */
  compoundId?: number | null;
  buildingId?: number | null;
  /** 物资需求清单: a status (or 'open' = 待处理+已分派+配送中) instead of the requests created on `date`. */
  status: SupplyStatus | 'open' | null;
  unmasked: boolean;
  /** 'print': the report's 打印版 (隔离人员台账 only: fewer columns, by compound, readable on A4). */
  layout?: ReportLayout;
}

export const REPORT_LAYOUTS = ['table', 'print'] as const;
export type ReportLayout = (typeof REPORT_LAYOUTS)[number];

export interface ReportRun {
  ctx: Ctx;
  params: ReportParams;
  org: OrgRoot;
  community: { id: number; name: string } | null;
  /** The compound (and building) the run is narrowed to, as named in titles: 金桥小区3号楼; null for the whole community. */
  place?: string | null;
  /** Where the module writes (a temporary name; index.ts renames it when the file is complete). */
  file: string;
  progress(p: JobProgress): void;
  checkCancelled(): void;
}

export interface ReportModule {
  name: ReportName;
  /** The report's Chinese name: title, file name and audit log. */
  title: string;
  sheetName: string;
  /** Writes the file; returns the number of data rows. */
  write(run: ReportRun): Promise<number>;
}

/** 2022-01-20 → 2022年1月20日 */
export function cnDate(d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

export function periodLabel(p: ReportParams, ranged: boolean): string {
  if (!ranged || p.from === p.to) return cnDate(ranged ? p.from : p.date);
  return `${cnDate(p.from)}至${cnDate(p.to)}`;
}

/** The unit named in titles: 广阳区解放道街道 (+ 西大街社区 when the report covers one community). */
export function unitLabel(run: Pick<ReportRun, 'org' | 'community' | 'place'>): string {
  return `${run.org.district}${run.org.subdistrict}${run.community?.name ?? ''}${run.place ?? ''}`;
}

export function reportTitle(run: ReportRun, name: string, ranged = false): string {
  return `${unitLabel(run)}${name}（${periodLabel(run.params, ranged)}）`;
}

/** Row 2: the scope, who exported when, and whether personal data is masked. */
export function reportSubtitle(run: ReportRun, extra: string[] = []): string {
  const now = run.ctx.clock.now();
  const at = new Intl.DateTimeFormat('zh-CN', {
    timeZone: run.ctx.clock.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
  const parts = [
    `填报单位：${run.org.subdistrict}${run.community ? run.community.name : '（全街道）'}`,
    ...(run.place ? [`范围：${run.place}`] : []),
    ...extra,
    `导出：${run.ctx.actor.displayName} ${at}`,
    run.params.unmasked ? '含完整身份证号和电话，请妥善保管，勿外传' : '证件号码、电话已脱敏',
  ];
  return parts.join('　　');
}

/** The households of the run's compound / building (a subquery), or null when the run covers whole communities. */
export function placeHouseholds(run: Pick<ReportRun, 'ctx' | 'params'>) {
  return householdsIn(run.ctx, { compoundId: run.params.compoundId ?? undefined, buildingId: run.params.buildingId ?? undefined });
}

/** Masking as the run asks: full values only for an unmasked export by a permitted user. */
export function maskers(p: ReportParams) {
  return {
    id: (v: string | null) => (p.unmasked ? v : maskIdNumber(v)),
    phone: (v: string | null) => (p.unmasked ? v : maskPhone(v)),
  };
}

export const SEX_LABELS: Record<string, string> = { M: '男', F: '女' };

/** max(length(expr)) as a portable aggregate: character counts for the width measure. */
export function maxLen(e: Expression<unknown>) {
  return sql<number | null>`max(length(${e}))`;
}

/**
 * Display width of the widest value from a character count. Text that may be Chinese is counted as all-CJK
 * (two units per character): a little generous for mixed text, never too narrow.
 */
export function widthFromChars(chars: number | string | bigint | null | undefined, cjk = true): number {
  const n = Number(chars ?? 0);
  return cjk ? n * 2 : n;
}

/** Lets the event loop run between pages, so the zip stream flushes and a host thread stays responsive. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
