// 未检人员名单: the people of one building still without a result of a test round, for door-knocking — in the export
// style of every report (sheet.ts: merged title and info rows, header repeated on each printed page, A4 landscape),
// by unit and room, with blank columns to fill in by hand (敲门情况, 备注). Personal data masked; the list is short (a
// building), so it is read whole (untestedList, at most 5000 rows) and written to a file the caller reads back.
import type { Ctx } from '../../domain/context.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { untestedList } from '../../domain/rounds-coverage.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { SEX_LABELS } from './common.ts';

export const UNTESTED_COLUMNS: ColumnDef[] = [
  { key: 'unit', header: '单元', align: 'center' },
  { key: 'room', header: '房号', align: 'center' },
  { key: 'name', header: '姓名' },
  { key: 'sex', header: '性别', align: 'center' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'docNumber', header: '证件号码', kind: 'id' },
  { key: 'status', header: '隔离情况', align: 'center' },
  { key: 'knock', header: '敲门情况', minWidth: 16 },
  { key: 'notes', header: '备注', minWidth: 16 },
];

const STATUS: Record<string, string> = { isolating: '居家隔离', monitoring: '健康监测' };

export interface UntestedSheet {
  title: string;
  fileName: string;
  rows: number;
}

/** Writes the 未检 sheet of one building of a round to `file`. */
export async function writeUntestedSheet(ctx: Ctx, input: { roundId: number; buildingId: number }, file: string): Promise<UntestedSheet> {
  const page = await untestedList(ctx, { ...input, offset: 0, limit: 5000 });
  const org = await getOrgRoot(ctx);
  const b = page.building;
  const place = `${b.community}${b.compound}${b.name}`;
  const title = `${org.district}${org.subdistrict}${place}未检人员名单（${page.round.name}）`;
  const rows = page.rows.map((r) => ({
    unit: r.unit,
    room: r.room,
    name: r.name,
    sex: r.sex ? SEX_LABELS[r.sex] ?? '' : '',
    phone: r.phone,
    docNumber: r.docNumber,
    status: STATUS[r.status] ?? '',
    knock: '',
    notes: '',
  }));
  const widest = (key: keyof (typeof rows)[number]) => rows.reduce((w, r) => Math.max(w, displayWidth(String(r[key] ?? ''))), 0);
  const at = new Intl.DateTimeFormat('zh-CN', { timeZone: ctx.clock.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ctx.clock.now());
  const sheet = new ReportSheet({
    file,
    sheetName: '未检人员名单',
    title,
    subtitle: [`范围：${place}`, `未检 ${page.total} 人`, `导出：${ctx.actor.displayName} ${at}`, '证件号码、电话已脱敏'].join('　　'),
    columns: UNTESTED_COLUMNS,
    serial: true,
    freezeColumns: 3,
    totalsLabel: `合计 ${page.total} 人`,
    measured: Object.fromEntries(UNTESTED_COLUMNS.map((c) => [c.key, widest(c.key as keyof (typeof rows)[number])])),
  });
  try {
    for (const r of rows) sheet.addRow(r);
    const done = await sheet.close();
    return { title, fileName: `未检人员名单_${place}_${page.round.startDate}.xlsx`, rows: done.rows };
  } catch (e) {
    await sheet.abort();
    throw e;
  }
}
