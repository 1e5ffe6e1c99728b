// The report registry and the one way to export: check permission, masking and community scope, name the file
// (<报表名>_<街道[社区]>_<日期>.xlsx), write it under a temporary name, rename it when complete, and audit it.
// The 'export.report' job (jobs/registry.ts) runs the same function in a worker thread, with progress and cancel.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../domain/context.ts';
import { can, requirePermission, scopeOf } from '../../domain/actor.ts';
import { audit } from '../../domain/audit.ts';
import { today } from '../../domain/clock.ts';
import { diffDays, isIsoDate } from '../../domain/dates.ts';
import { forbidden, invalid, issue, notFound } from '../../shared/errors.ts';
import { msg, type Message } from '../../shared/messages/index.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { checkPlaceFilter } from '../../domain/place-filter.ts';
import type { SupplyStatus } from '../../db/schema.ts';
import type { JobProgress } from '../../shared/progress.ts';
import { RANGED_REPORTS, REPORT_NAMES, type ReportLayout, type ReportModule, type ReportName, type ReportParams, type ReportRun } from './common.ts';
import { dailyReport } from './daily-report.ts';
import { roster } from './roster.ts';
import { checkins } from './checkins.ts';
import { supplies } from './supplies.ts';
import { cadres } from './cadres.ts';
import { rosterPrint } from './roster-print.ts';
import { cadreWorkReport } from './cadre-work.ts';

export { REPORT_LAYOUTS, REPORT_NAMES, type ReportLayout, type ReportName } from './common.ts';

export const REPORTS: Record<ReportName, ReportModule> = {
  'daily-report': dailyReport,
  roster,
  checkins,
  supplies,
  cadres,
  'cadre-work': cadreWorkReport,
};

/** The reports that have a 打印版 (layout 'print'); the others print as they are. */
export const PRINT_LAYOUTS: Partial<Record<ReportName, ReportModule>> = { roster: rosterPrint };

export const SUPPLY_STATUS_FILTERS = ['new', 'assigned', 'delivering', 'delivered', 'cancelled', 'open'] as const;

/** The longest range of a 健康监测记录 export: a year of check-ins is already millions of rows in a big district. */
export const MAX_RANGE_DAYS = 366;

export interface ExportRequest {
  report: ReportName;
  date: string;
  from?: string | null;
  to?: string | null;
  communityId?: number | null;
  compoundId?: number | null;
  buildingId?: number | null;
  status?: SupplyStatus | 'open' | null;
  unmasked?: boolean;
  /** 'print' = the 打印版 of a report that has one (PRINT_LAYOUTS); ignored for the others. Default 'table'. */
  layout?: ReportLayout | null;
  /** Folder to write into, under the standard file name… */
  outDir?: string;
  /** …or an exact file path (the command line's --out). */
  outFile?: string;
}

export interface ExportResult {
  report: ReportName;
  title: string;
  fileName: string;
  path: string;
  rows: number;
  masked: boolean;
}

export interface ExportHooks {
  onProgress?: (p: JobProgress) => void;
  checkCancelled?: () => void;
}

export interface ResolvedExport {
  module: ReportModule;
  params: ReportParams;
  community: { id: number; name: string } | null;
  /** 金桥小区 or 金桥小区3号楼 when narrowed to a compound or building. */
  place: string | null;
}

/** The reports that can be narrowed to a compound or building (the others are per community or per cadre). */
const PLACE_REPORTS: readonly ReportName[] = ['roster', 'checkins', 'supplies'];

/** Validates a request against the actor: permission, unmasked export, dates, community scope. Writes nothing. */
export async function resolveExport(ctx: Ctx, req: ExportRequest): Promise<ResolvedExport> {
  requirePermission(ctx.actor, 'reports.export');
  if (!(REPORT_NAMES as readonly string[]).includes(req.report)) {
    throw invalid('export.unknownReport', { report: String(req.report), choices: REPORT_NAMES.join('、') }, [issue('report', 'export.reportWrong')]);
  }
  const unmasked = req.unmasked === true;
  if (unmasked && !can(ctx.actor, 'reports.exportUnmasked')) {
    throw forbidden('export.unmaskedNeedsOfficial');
  }
  const todayDate = today(ctx.clock);
  const checkDate = (d: string, field: string, label: Message) => {
    if (!isIsoDate(d)) throw invalid('export.dateBad', { label, date: d }, [issue(field, 'common.dateBad')]);
    if (d > todayDate) throw invalid('export.dateFuture', { label, date: d }, [issue(field, 'common.notAfterToday')]);
  };
  checkDate(req.date, 'date', msg('export.statDate'));
  const ranged = RANGED_REPORTS.includes(req.report);
  const from = ranged ? req.from ?? req.to ?? req.date : req.date;
  const to = ranged ? req.to ?? req.date : req.date;
  if (ranged) {
    checkDate(from, 'from', msg('export.fromDate'));
    checkDate(to, 'to', msg('export.toDate'));
    if (from > to) throw invalid('export.fromAfterTo', { from, to }, [issue('from', 'export.fromAfterToField')]);
    if (diffDays(from, to) + 1 > MAX_RANGE_DAYS) throw invalid('export.rangeTooLong', { days: MAX_RANGE_DAYS }, [issue('from', 'export.rangeTooLongField')]);
  }
  const status = req.report === 'supplies' ? req.status ?? null : null;
  if (status !== null && !(SUPPLY_STATUS_FILTERS as readonly string[]).includes(status)) {
    throw invalid('export.unknownStatus', { status: String(status) }, [issue('status', 'export.statusWrong')]);
  }
  // A committee member's export covers their own community, whatever was asked.
  const scope = scopeOf(ctx.actor);
  let communityId = req.communityId ?? null;
  if (scope !== null) {
    if (communityId !== null && communityId !== scope) throw forbidden('export.ownCommunityOnly');
    communityId = scope;
  }
  let community: { id: number; name: string } | null = null;
  const compoundId = req.compoundId ?? null;
  const buildingId = req.buildingId ?? null;
  let place: string | null = null;
  if (compoundId !== null || buildingId !== null) {
    if (!PLACE_REPORTS.includes(req.report)) {
      throw invalid('export.placeNotForReport', { report: REPORTS[req.report].title }, [issue(buildingId !== null ? 'buildingId' : 'compoundId', 'export.placeField')]);
    }
    await checkPlaceFilter(ctx, { compoundId: compoundId ?? undefined, buildingId: buildingId ?? undefined });
    // The community of the place: a committee member's own (else refused as another community's export is), or the
    // one chosen (else the choice is contradictory), or the export's community when none was chosen.
    const named = await placeNames(ctx, compoundId, buildingId);
    if (scope !== null && named.communityId !== scope) throw forbidden('export.ownCommunityOnly');
    if (communityId !== null && named.communityId !== communityId) throw invalid('export.placeOtherCommunity', undefined, [issue('compoundId', 'places.pickCompound')]);
    communityId = named.communityId;
    place = named.label;
  }
  if (communityId !== null) {
    const c = await ctx.db.selectFrom('places').select(['id', 'name']).where('id', '=', communityId).where('level', '=', 'community').executeTakeFirst();
    if (!c) throw notFound('thing.community');
    community = c;
  }
  const layout: ReportLayout = req.layout === 'print' && PRINT_LAYOUTS[req.report] ? 'print' : 'table';
  const module = layout === 'print' ? PRINT_LAYOUTS[req.report]! : REPORTS[req.report];
  return { module, params: { date: req.date, from, to, communityId, compoundId, buildingId, status, unmasked, layout }, community, place };
}

/** The community of a compound / building and their label (金桥小区3号楼); a building of another compound is refused. */
async function placeNames(ctx: Ctx, compoundId: number | null, buildingId: number | null): Promise<{ communityId: number; label: string }> {
  const building = buildingId === null ? null : await ctx.db.selectFrom('places').select(['name', 'parentId']).where('id', '=', buildingId).executeTakeFirstOrThrow();
  const compound = await ctx.db.selectFrom('places').select(['name', 'parentId']).where('id', '=', compoundId ?? building!.parentId!).executeTakeFirstOrThrow();
  if (compoundId !== null && building && building.parentId !== compoundId) throw invalid('export.placeOtherCommunity', undefined, [issue('buildingId', 'places.pickBuilding')]);
  return { communityId: compound.parentId!, label: `${compound.name}${building?.name ?? ''}` };
}

/** Characters Windows does not allow in file names become '_'. */
function safeFileName(s: string): string {
  return s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
}

/** <报表名>_<街道[社区]>_<日期>.xlsx; a 健康监测记录 over several days names its range. */
export function reportFileName(title: string, place: string, p: Pick<ReportParams, 'date' | 'from' | 'to'>, ranged: boolean): string {
  const period = ranged && p.from !== p.to ? `${p.from}至${p.to}` : ranged ? p.from : p.date;
  return safeFileName(`${title}_${place}_${period}.xlsx`);
}

/** A name not taken yet in the folder: 名称.xlsx, 名称(2).xlsx, … — an earlier export is never overwritten. */
function freePath(dir: string, fileName: string): string {
  const ext = path.extname(fileName);
  const stem = fileName.slice(0, -ext.length);
  for (let i = 1; ; i++) {
    const p = path.join(dir, i === 1 ? fileName : `${stem}(${i})${ext}`);
    if (!fs.existsSync(p)) return p;
  }
}

/** Exports one report to a file and records it in the audit log. */
export async function exportReport(ctx: Ctx, req: ExportRequest, hooks: ExportHooks = {}): Promise<ExportResult> {
  const { module, params, community, place } = await resolveExport(ctx, req);
  if (!req.outFile && !req.outDir) throw invalid('export.noTarget');
  const org = await getOrgRoot(ctx);
  const ranged = RANGED_REPORTS.includes(module.name);
  const standardName = reportFileName(module.title, `${org.subdistrict}${community?.name ?? ''}${place ?? ''}`, params, ranged);
  const dir = path.resolve(req.outFile ? path.dirname(req.outFile) : req.outDir!);
  await fs.promises.mkdir(dir, { recursive: true });
  // Written under a temporary name and renamed when complete: a half-written report never looks like a finished one.
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.xlsx.part`);
  const run: ReportRun = {
    ctx,
    params,
    org,
    community,
    place,
    file: temp,
    progress: hooks.onProgress ?? (() => {}),
    checkCancelled: hooks.checkCancelled ?? (() => {}),
  };
  let rows: number;
  try {
    rows = await module.write(run);
  } catch (e) {
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
  const finalPath = req.outFile ? path.resolve(req.outFile) : freePath(dir, standardName);
  await fs.promises.rename(temp, finalPath);
  const fileName = path.basename(finalPath);
  await audit(ctx, {
    action: 'report.export',
    entity: 'report',
    extra: {
      report: module.name,
      title: module.title,
      date: params.date,
      ...(ranged ? { from: params.from, to: params.to } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...(params.layout === 'print' ? { layout: 'print' } : {}),
      communityId: params.communityId,
      ...(params.compoundId ? { compoundId: params.compoundId } : {}),
      ...(params.buildingId ? { buildingId: params.buildingId } : {}),
      masked: !params.unmasked,
      rows,
      fileName,
      path: finalPath,
    },
  });
  return { report: module.name, title: module.title, fileName, path: finalPath, rows, masked: !params.unmasked };
}
