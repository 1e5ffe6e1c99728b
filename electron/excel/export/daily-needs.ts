// 每日工作日报's sheet 特殊人群: per community, the people under isolation or monitoring on the report's date who carry
// each special need (特殊需求), and 合计. The numbers come from needCounts (domain/needs-counts.ts), the same as the
// 工作台's, so the two never disagree.
import type ExcelJS from 'exceljs';
import { needCounts } from '../../domain/needs-counts.ts';
import { NEED_LABELS, zh } from '../../shared/labels.ts';
import { NEEDS } from '../../shared/enums.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { reportSubtitle, reportTitle, type ReportRun } from './common.ts';

export const NEEDS_SHEET = '特殊人群';

export const NEED_COLUMNS: ColumnDef[] = [
  { key: 'community', header: '社区' },
  ...NEEDS.map((need): ColumnDef => ({ key: need, header: zh(NEED_LABELS, need), group: '在管人员中（人）', kind: 'int', total: 'sum', minWidth: 6 })),
];

/** Appends the sheet to `workbook` for `communities` (the report's rows, already scoped) and closes the file if `last`. */
export async function writeNeedsSheet(run: ReportRun, workbook: ExcelJS.stream.xlsx.WorkbookWriter, communities: { communityId: number; community: string }[], title: string): Promise<ReportSheet> {
  const counts = await needCounts(run.ctx, run.params.date);
  const byId = new Map(counts.byCommunity.map((c) => [c.communityId, c.needs]));
  const sheet = new ReportSheet({
    file: run.file,
    workbook,
    sheetName: NEEDS_SHEET,
    title: reportTitle(run, `${title}（特殊人群）`),
    subtitle: reportSubtitle(run, [`统计日期：${run.params.date}`, '统计当日在隔离或健康监测中、登记了特殊需求的人员；一人有多项需求时在每项中各计一次']),
    columns: NEED_COLUMNS,
    freezeColumns: 1,
    totalsLabel: '合计',
    measured: { community: communities.reduce((w, r) => Math.max(w, displayWidth(r.community)), 0) },
  });
  for (const c of communities) {
    const row: Record<string, unknown> = { community: c.community };
    for (const n of byId.get(c.communityId) ?? []) row[n.need] = n.underControl;
    for (const need of NEEDS) row[need] ??= 0;
    sheet.addRow(row);
  }
  return sheet;
}
