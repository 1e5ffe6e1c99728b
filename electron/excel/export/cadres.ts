// 下沉干部名册: the roster with community, compounds, duty dates and the day's work counts — the same rows and counts
// as the cadres page (listCadres: a few hundred people, so one list), with phones masked unless asked otherwise.
import { listCadres } from '../../domain/cadres.ts';
import { CADRE_STATUS_LABELS } from '../../domain/cadres.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { maskers, reportSubtitle, reportTitle, type ReportModule } from './common.ts';

export const COLUMNS: ColumnDef[] = [
  { key: 'name', header: '姓名' },
  { key: 'homeUnit', header: '派出单位' },
  { key: 'title', header: '职务' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'community', header: '下沉社区' },
  { key: 'compounds', header: '负责小区', maxWidth: 30 },
  { key: 'duty', header: '在岗日期', align: 'center' },
  { key: 'status', header: '状态', align: 'center' },
  { key: 'onDuty', header: '当日在岗', align: 'center', total: 'count' },
  { key: 'delivered', header: '当日送达', kind: 'int', group: '物资配送（单）', total: 'sum' },
  { key: 'open', header: '在办', kind: 'int', group: '物资配送（单）', total: 'sum' },
  { key: 'notes', header: '备注', maxWidth: 30 },
];

export const cadres: ReportModule = {
  name: 'cadres',
  title: '下沉干部名册',
  sheetName: '下沉干部名册',
  async write(run) {
    const { date } = run.params;
    run.progress({ done: 0, total: 0, phase: '统计' });
    const list = await listCadres(run.ctx, { date, communityId: run.community?.id });
    // listCadres masks phones for the page; an unmasked export reads the stored numbers of the same people.
    const raw = new Map<number, string | null>();
    if (run.params.unmasked) {
      const ids = list.map((c) => c.id);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await run.ctx.db.selectFrom('cadres').select(['id', 'phone']).where('id', 'in', ids.slice(i, i + 500)).execute();
        for (const r of rows) raw.set(r.id, r.phone);
      }
    }
    const mask = maskers(run.params);
    const rows = list.map((c) => ({
      name: c.name,
      homeUnit: c.homeUnit,
      title: c.title,
      phone: run.params.unmasked ? mask.phone(raw.get(c.id) ?? null) : c.phone,
      community: c.community ?? '（未分配）',
      compounds: c.compounds.map((p) => p.name).join('、'),
      duty: c.dutyFrom && c.dutyTo ? `${c.dutyFrom}至${c.dutyTo}` : c.dutyFrom ? `${c.dutyFrom}起` : c.dutyTo ? `至${c.dutyTo}` : '',
      status: CADRE_STATUS_LABELS[c.status],
      onDuty: c.onDuty ? '是' : '',
      delivered: c.deliveredOnDate,
      open: c.openAssigned,
      notes: c.notes,
    }));
    const widest = (key: keyof (typeof rows)[number]) => rows.reduce((w, r) => Math.max(w, displayWidth(String(r[key] ?? ''))), 0);
    const onDuty = list.filter((c) => c.onDuty).length;
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title),
      subtitle: reportSubtitle(run, [`统计日期：${date}`, `共 ${list.length} 人，当日在岗 ${onDuty} 人`]),
      columns: COLUMNS,
      serial: true,
      freezeColumns: 1,
      totalsLabel: '合计',
      measured: Object.fromEntries(COLUMNS.map((c) => [c.key, widest(c.key as keyof (typeof rows)[number])])),
    });
    try {
      for (const r of rows) sheet.addRow(r);
      run.progress({ done: sheet.rows, total: rows.length, phase: '写入' });
      return (await sheet.close()).rows;
    } catch (e) {
      await sheet.abort();
      throw e;
    }
  },
};
