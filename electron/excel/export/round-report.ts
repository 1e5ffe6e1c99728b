// 核酸检测轮次报告: one test round in the export style of every report (sheet.ts: merged title and info rows, header
// repeated on each printed page, A4 landscape, page numbers). The title names the subdistrict (and a committee
// member's community), the round's dates and scope. Sheet 1 按小区: 应检 / 免检 / 已检 / 未检 / 阳性 / 混管待复核 /
// 覆盖率 per community › compound, a 合计 row per community and one for all; sheet 2 按楼栋: the same per building.
// The numbers are roundCoverage's (the 'rounds.coverage' channel, counted live from the raw rows), with 免检 counted
// over the same residents (roundExempted): the report and the page never disagree. Counts only, no personal data.
import type { Ctx } from '../../domain/context.ts';
import { requirePermission, scopeOf } from '../../domain/actor.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { roundCoverage, roundExempted, type CoverageCounts } from '../../domain/rounds-coverage.ts';
import { getRound, type RoundView } from '../../domain/rounds-scope.ts';
import { forbidden } from '../../shared/errors.ts';
import { cnDate } from './common.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';

export const ROUND_REPORT_TITLE = '核酸检测轮次报告';

/** Coverage counts and 免检. */
export interface ReportCounts extends CoverageCounts {
  exempt: number;
}
export interface ReportBuilding extends ReportCounts {
  buildingId: number;
  building: string;
}
export interface ReportCompound extends ReportCounts {
  compoundId: number;
  compound: string;
  buildings: ReportBuilding[];
}
export interface ReportCommunity extends ReportCounts {
  communityId: number;
  community: string;
  compounds: ReportCompound[];
}
export interface RoundReportData extends ReportCounts {
  round: RoundView;
  communities: ReportCommunity[];
}

export interface RoundReportFile {
  title: string;
  fileName: string;
  /** Data rows: compounds on sheet 1, buildings on sheet 2 (合计 rows not counted). */
  compounds: number;
  buildings: number;
  totals: ReportCounts;
  /** The community the report is confined to (a committee member's), or null for the round's whole scope. */
  communityId: number | null;
}

const COUNT_COLUMNS: ColumnDef[] = [
  { key: 'due', header: '应检', kind: 'int', minWidth: 8 },
  { key: 'exempt', header: '免检', kind: 'int', minWidth: 8 },
  { key: 'tested', header: '已检', kind: 'int', minWidth: 8 },
  { key: 'untested', header: '未检', kind: 'int', minWidth: 8 },
  { key: 'positive', header: '阳性', kind: 'int', minWidth: 8 },
  { key: 'retest', header: '混管待复核', kind: 'int', minWidth: 10 },
  { key: 'rate', header: '覆盖率', kind: 'number', numFmt: '0.0%', minWidth: 8 },
];

export const ROUND_REPORT_COMPOUND_COLUMNS: ColumnDef[] = [{ key: 'community', header: '社区', minWidth: 12 }, { key: 'compound', header: '小区', minWidth: 14 }, ...COUNT_COLUMNS];
export const ROUND_REPORT_BUILDING_COLUMNS: ColumnDef[] = [
  { key: 'community', header: '社区', minWidth: 12 },
  { key: 'compound', header: '小区', minWidth: 14 },
  { key: 'building', header: '楼栋', minWidth: 8 },
  ...COUNT_COLUMNS,
];

const natural = new Intl.Collator('zh-CN', { numeric: true });
const zero = (): ReportCounts => ({ due: 0, exempt: 0, tested: 0, untested: 0, positive: 0, retest: 0 });
function add(into: ReportCounts, c: ReportCounts): void {
  into.due += c.due;
  into.exempt += c.exempt;
  into.tested += c.tested;
  into.untested += c.untested;
  into.positive += c.positive;
  into.retest += c.retest;
}
const counts = (c: CoverageCounts, exempt = 0): ReportCounts => ({ due: c.due, exempt, tested: c.tested, untested: c.untested, positive: c.positive, retest: c.retest });

/** 覆盖率 = 已检 ÷ 应检 (a fraction for the 0.0% format); none due: blank. */
export function coverageRate(c: Pick<CoverageCounts, 'due' | 'tested'>): number | null {
  return c.due ? Math.round((c.tested / c.due) * 10_000) / 10_000 : null;
}

/**
 * A committee member asking for a round that does not include their community is told so in words (the coverage
 * channel answers "not found": a report request names a round the member picked, so say why it is refused).
 */
async function assertOwnRound(ctx: Ctx, roundId: number): Promise<void> {
  const own = scopeOf(ctx.actor);
  if (own === null) return;
  const r = await ctx.db.selectFrom('testRounds').select(['id', 'wholeSubdistrict']).where('id', '=', roundId).executeTakeFirst();
  if (!r || r.wholeSubdistrict === 1) return; // not found is getRound's to say
  const has = await ctx.db.selectFrom('testRoundCommunities').select('roundId').where('roundId', '=', roundId).where('communityId', '=', own).executeTakeFirst();
  if (has) return;
  const c = await ctx.db.selectFrom('places').select('name').where('id', '=', own).executeTakeFirst();
  throw forbidden('rounds.reportOtherCommunity', { name: c?.name ?? '' });
}

/** The round's numbers as the report prints them: roundCoverage's tree with 免检 added per building. */
export async function roundReportData(ctx: Ctx, input: { roundId: number }): Promise<RoundReportData> {
  await assertOwnRound(ctx, input.roundId);
  const cov = await roundCoverage(ctx, input);
  const exempted = await roundExempted(ctx, await getRound(ctx, input.roundId));
  const communities = new Map<number, ReportCommunity>();
  const compounds = new Map<number, ReportCompound>();
  const buildings = new Map<number, ReportBuilding>();
  const place = (communityId: number, community: string, compoundId: number, compound: string, buildingId: number, building: string): ReportBuilding => {
    let m = communities.get(communityId);
    if (!m) communities.set(communityId, (m = { communityId, community, ...zero(), compounds: [] }));
    let p = compounds.get(compoundId);
    if (!p) {
      compounds.set(compoundId, (p = { compoundId, compound, ...zero(), buildings: [] }));
      m.compounds.push(p);
    }
    let b = buildings.get(buildingId);
    if (!b) {
      buildings.set(buildingId, (b = { buildingId, building, ...zero() }));
      p.buildings.push(b);
    }
    return b;
  };
  for (const m of cov.communities) for (const p of m.compounds) for (const b of p.buildings) Object.assign(place(m.communityId, m.community, p.compoundId, p.compound, b.buildingId, b.building), counts(b));
  // A building whose every resident is exempted has no 应检 and so no coverage row: it still shows its 免检.
  for (const x of exempted) place(x.communityId, x.community, x.compoundId, x.compound, x.buildingId, x.building).exempt = x.exempt;
  const out: RoundReportData = { round: cov.round, ...zero(), communities: [...communities.values()].sort((a, b) => natural.compare(a.community, b.community)) };
  for (const m of out.communities) {
    m.compounds.sort((a, b) => natural.compare(a.compound, b.compound));
    for (const p of m.compounds) {
      p.buildings.sort((a, b) => natural.compare(a.building, b.building));
      for (const b of p.buildings) add(p, b);
      add(m, p);
    }
    add(out, m);
  }
  return out;
}

/** 2022年1月19日 or 2022年1月19日至1月20日. */
function roundDates(r: RoundView): string {
  if (r.startDate === r.endDate) return cnDate(r.startDate);
  const [y1] = r.startDate.split('-');
  const [y2, m2, d2] = r.endDate.split('-').map(Number);
  return `${cnDate(r.startDate)}至${y1 === String(y2) ? `${m2}月${d2}日` : cnDate(r.endDate)}`;
}

/** 全街道, or the round's communities (西大街社区、华夏里社区), or a committee member's own. */
function scopeLabel(r: RoundView, own: string | null): string {
  if (own) return own;
  if (r.wholeSubdistrict) return '全街道';
  return r.communities.length > 3 ? `${r.communities[0].name}等${r.communities.length}个社区` : r.communities.map((c) => c.name).join('、');
}

const row = (c: ReportCounts) => ({ ...c, rate: coverageRate(c) });

/** Writes the round report of `roundId` (as this actor may see it) to `file`. */
export async function writeRoundReport(ctx: Ctx, input: { roundId: number }, file: string): Promise<RoundReportFile> {
  requirePermission(ctx.actor, 'reports.export');
  const data = await roundReportData(ctx, input);
  const org = await getOrgRoot(ctx);
  const ownId = scopeOf(ctx.actor);
  const own = ownId === null ? null : ((await ctx.db.selectFrom('places').select('name').where('id', '=', ownId).executeTakeFirst())?.name ?? '');
  const r = data.round;
  const unit = `${org.district}${org.subdistrict}${own ?? ''}`;
  const title = `${unit}${ROUND_REPORT_TITLE}（${roundDates(r)}，${scopeLabel(r, own)}）`;
  const at = new Intl.DateTimeFormat('zh-CN', { timeZone: ctx.clock.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ctx.clock.now());
  const subtitle = [`轮次：${r.name}`, r.status === 'open' ? '进行中' : '已结束', `导出：${ctx.actor.displayName} ${at}`].join('　　');
  const note = `说明：应检 = 范围内登记居住的居民，不含已转运和登记免检的人；已检 = 已采样（含待出结果）；阳性 = 单管阳性；混管待复核 = 混管阳性、尚无单管结果；覆盖率 = 已检 ÷ 应检。${r.status === 'open' ? '轮次进行中，数字随结果导入变化。' : ''}`;
  const first = new ReportSheet({ file, sheetName: '按小区', title, subtitle, columns: ROUND_REPORT_COMPOUND_COLUMNS, freezeColumns: 2 });
  let second: ReportSheet | null = null;
  try {
    for (const m of data.communities) {
      for (const p of m.compounds) first.addRow({ community: m.community, compound: p.compound, ...row(p) });
      first.addTotalsRow(`${m.community}合计`, row(m), 2);
    }
    first.addTotalsRow('合计', row(data), 2);
    first.addNoteRow(note);
    const compounds = first.rows;
    await first.close({ last: false });
    second = new ReportSheet({ file, sheetName: '按楼栋', title, subtitle, columns: ROUND_REPORT_BUILDING_COLUMNS, freezeColumns: 3, workbook: first.wb });
    for (const m of data.communities) {
      for (const p of m.compounds) for (const b of p.buildings) second.addRow({ community: m.community, compound: p.compound, building: b.building, ...row(b) });
      second.addTotalsRow(`${m.community}合计`, row(m), 3);
    }
    second.addTotalsRow('合计', row(data), 3);
    second.addNoteRow(note);
    const buildings = second.rows;
    await second.close();
    const { communities: _c, round: _r, ...totals } = data;
    const fileName = `${ROUND_REPORT_TITLE}_${org.subdistrict}${own ?? ''}_${r.startDate}.xlsx`.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
    return { title, fileName, compounds, buildings, totals, communityId: ownId };
  } catch (e) {
    await (second ?? first).abort();
    throw e;
  }
}
