// 每日工作日报: one row per community with the dashboard's numbers and a 合计 row; a second sheet 按小区 with one row per
// compound and its 合计. The numbers come only from communityDailyStats and placeDailyStats (domain/dashboard*.ts), so
// the report and the 工作台 page (and its drill-down) can never disagree.
import { communityDailyStats, type CommunityDailyRow } from '../../domain/dashboard.ts';
import { placeDailyStats, type PlaceDailyRow } from '../../domain/dashboard-places.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { reportSubtitle, reportTitle, type ReportModule } from './common.ts';
import { writeNeedsSheet } from './daily-needs.ts';

type NumberKey = Exclude<keyof CommunityDailyRow, 'communityId' | 'community'>;

const n = (key: NumberKey, header: string, group?: string): ColumnDef => ({ key, header, group, kind: 'int', total: 'sum', minWidth: 6 });

export const COLUMNS: ColumnDef[] = [
  { key: 'community', header: '社区' },
  n('underControl', '在管隔离人数', '隔离人员'),
  n('newToday', '今日新增', '隔离人员'),
  n('releasedToday', '今日解除', '隔离人员'),
  n('dueForRelease', '待解除', '隔离人员'),
  n('checkinsDue', '应报', '健康监测（人次）'),
  n('checkinsDone', '已报', '健康监测（人次）'),
  n('checkinsMissing', '未报', '健康监测（人次）'),
  n('abnormalCheckins', '体温或症状异常'),
  n('alertsOpen', '待复核告警'),
  n('supplyNew', '新增', '物资需求（单）'),
  n('supplyDelivered', '已送达', '物资需求（单）'),
  n('supplyPending', '待处理', '物资需求（单）'),
  n('supplyOverdue', '超时', '物资需求（单）'),
  n('cadresOnDuty', '在岗下沉干部'),
];

type PlaceKey = Exclude<keyof PlaceDailyRow, 'placeId' | 'place'>;
const p = (key: PlaceKey, header: string, group?: string): ColumnDef => ({ key, header, group, kind: 'int', total: 'sum', minWidth: 6 });

/** The second sheet, 按小区: one row per compound (社区 › 小区) with what exists at that level, and 合计. */
export const COMPOUND_COLUMNS: ColumnDef[] = [
  { key: 'community', header: '社区' },
  { key: 'place', header: '小区' },
  p('underControl', '在管隔离人数', '隔离人员'),
  p('newToday', '今日新增', '隔离人员'),
  p('releasedToday', '今日解除', '隔离人员'),
  p('dueForRelease', '待解除', '隔离人员'),
  p('checkinsDue', '应报', '健康监测（人次）'),
  p('checkinsDone', '已报', '健康监测（人次）'),
  p('checkinsMissing', '未报', '健康监测（人次）'),
  p('abnormalCheckins', '体温或症状异常'),
  p('supplyOpen', '未办结物资需求（单）'),
];

export const dailyReport: ReportModule = {
  name: 'daily-report',
  title: '每日工作日报',
  sheetName: '每日工作日报',
  async write(run) {
    run.progress({ done: 0, total: 0, phase: '统计' });
    // communityDailyStats already confines a committee member to their community; a chosen community narrows further.
    const all = await communityDailyStats(run.ctx, run.params.date);
    const rows = run.community ? all.filter((r) => r.communityId === run.community!.id) : all;
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title),
      subtitle: reportSubtitle(run, [`统计日期：${run.params.date}`, `${rows.length} 个社区`]),
      columns: COLUMNS,
      freezeColumns: 1,
      totalsLabel: '合计',
      measured: { community: rows.reduce((w, r) => Math.max(w, displayWidth(r.community)), 0) },
    });
    let current = sheet;
    try {
      for (const r of rows) sheet.addRow(r as unknown as Record<string, unknown>);
      await sheet.close({ last: false });
      // 按小区: every compound of the communities above, with its community's name in front.
      const compounds: (PlaceDailyRow & { community: string })[] = [];
      for (const c of rows) for (const r of (await placeDailyStats(run.ctx, { date: run.params.date, communityId: c.communityId })).rows) compounds.push({ ...r, community: c.community });
      current = new ReportSheet({
        file: run.file,
        workbook: sheet.wb,
        sheetName: '按小区',
        title: reportTitle(run, `${this.title}（按小区）`),
        subtitle: reportSubtitle(run, [`统计日期：${run.params.date}`, `${compounds.length} 个小区`]),
        columns: COMPOUND_COLUMNS,
        freezeColumns: 2,
        totalsLabel: '合计',
        measured: { community: compounds.reduce((w, r) => Math.max(w, displayWidth(r.community)), 0), place: compounds.reduce((w, r) => Math.max(w, displayWidth(r.place)), 0) },
      });
      for (const r of compounds) current.addRow(r as unknown as Record<string, unknown>);
      await current.close({ last: false });
      // 特殊人群: the special needs of the people under control, per community (daily-needs.ts).
      current = await writeNeedsSheet(run, sheet.wb, rows, this.title);
      run.progress({ done: rows.length, total: rows.length, phase: '写入' });
      await current.close();
      return rows.length;
    } catch (e) {
      await current.abort();
      throw e;
    }
  },
};
