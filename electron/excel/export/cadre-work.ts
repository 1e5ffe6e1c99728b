// 下沉干部工作量统计: per cadre (sheet 1) and per department (sheet 2, 按派出单位) over a date range — shifts and
// hours on the duty roster, door visits made (发现异常 among them), visits planned and not made, deliveries made.
// The numbers are fieldwork-report.ts's; no personal data of residents is written, cadres' phones not at all.
import { cadreWork } from '../../domain/fieldwork-report.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { reportSubtitle, reportTitle, type ReportModule } from './common.ts';

const hours = (minutes: number) => Math.round((minutes / 60) * 10) / 10;

const WORK: ColumnDef[] = [
  { key: 'shifts', header: '班次', kind: 'int', group: '排班值守', total: 'sum' },
  { key: 'hours', header: '时长（小时）', kind: 'number', numFmt: '0.0', group: '排班值守', total: 'sum' },
  { key: 'visits', header: '已走访（户次）', kind: 'int', group: '入户走访', total: 'sum' },
  { key: 'abnormal', header: '其中发现异常', kind: 'int', group: '入户走访', total: 'sum' },
  { key: 'missed', header: '计划未走访', kind: 'int', group: '入户走访', total: 'sum' },
  { key: 'delivered', header: '送达（单）', kind: 'int', group: '物资配送', total: 'sum' },
];

export const CADRE_COLUMNS: ColumnDef[] = [
  { key: 'name', header: '姓名' },
  { key: 'homeUnit', header: '派出单位' },
  { key: 'title', header: '职务' },
  { key: 'community', header: '下沉社区' },
  { key: 'group', header: '包联组', maxWidth: 30 },
  ...WORK,
];

export const DEPARTMENT_COLUMNS: ColumnDef[] = [{ key: 'homeUnit', header: '派出单位' }, { key: 'cadres', header: '人数', kind: 'int', total: 'sum' }, ...WORK];

export const cadreWorkReport: ReportModule = {
  name: 'cadre-work',
  title: '下沉干部工作量统计',
  sheetName: '按干部',
  async write(run) {
    const { from, to } = run.params;
    run.progress({ done: 0, total: 0, phase: '统计' });
    const work = await cadreWork(run.ctx, { from, to, communityId: run.community?.id });
    const rows = work.cadres.map((r) => ({ ...r, community: r.community ?? '（未分配）', hours: hours(r.shiftMinutes) }));
    const widest = <T>(list: T[], key: keyof T) => list.reduce((w, r) => Math.max(w, displayWidth(String(r[key] ?? ''))), 0);
    const range = from === to ? `统计日期：${from}` : `统计日期：${from} 至 ${to}`;
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title, true),
      subtitle: reportSubtitle(run, [range, `共 ${rows.length} 人`]),
      columns: CADRE_COLUMNS,
      serial: true,
      freezeColumns: 1,
      totalsLabel: '合计',
      measured: { name: widest(rows, 'name'), homeUnit: widest(rows, 'homeUnit'), title: widest(rows, 'title'), community: widest(rows, 'community'), group: widest(rows, 'group') },
    });
    let current = sheet;
    try {
      for (const r of rows) sheet.addRow(r as unknown as Record<string, unknown>);
      await sheet.close({ last: false });
      const depts = work.departments.map((d) => ({ ...d, hours: hours(d.shiftMinutes) }));
      current = new ReportSheet({
        file: run.file,
        workbook: sheet.wb,
        sheetName: '按派出单位',
        title: reportTitle(run, `${this.title}（按派出单位）`, true),
        subtitle: reportSubtitle(run, [range, `${depts.length} 个单位`]),
        columns: DEPARTMENT_COLUMNS,
        serial: true,
        freezeColumns: 1,
        totalsLabel: '合计',
        measured: { homeUnit: widest(depts, 'homeUnit') },
      });
      for (const d of depts) current.addRow(d as unknown as Record<string, unknown>);
      run.progress({ done: rows.length, total: rows.length, phase: '写入' });
      await current.close();
      return rows.length;
    } catch (e) {
      await current.abort();
      throw e;
    }
  },
};
