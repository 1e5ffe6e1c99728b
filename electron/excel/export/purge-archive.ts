// 清理前导出: the people a purge is about to delete, with their isolation periods, for offices that keep an archive.
// Masked (ID numbers, birth dates, phones) unless the caller asked (and may ask) for full values; the caller audits it.
import { getOrgRoot } from '../../domain/places.ts';
import { maskBirthDate, maskIdNumber, maskPhone } from '../../shared/idcard.ts';
import type { Ctx } from '../../domain/context.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { cnDate, SEX_LABELS } from './common.ts';
import { today } from '../../domain/clock.ts';
import { EPISODE_KIND_LABELS, EPISODE_STATUS_LABELS, labelsIn } from '../../shared/labels.ts';

const COLUMNS: ColumnDef[] = [
  { key: 'name', header: '姓名', minWidth: 8 },
  { key: 'sex', header: '性别', align: 'center' },
  { key: 'birthDate', header: '出生日期', kind: 'date' },
  { key: 'docType', header: '证件类型', minWidth: 10 },
  { key: 'docNumber', header: '证件号码', kind: 'id', minWidth: 20 },
  { key: 'phone', header: '联系电话', kind: 'phone', minWidth: 13 },
  { key: 'community', header: '社区', minWidth: 10 },
  { key: 'address', header: '住址', minWidth: 20 },
  { key: 'category', header: '人员类别' },
  { key: 'episodes', header: '隔离/监测记录', minWidth: 30, maxWidth: 60 },
];

const KIND = labelsIn(EPISODE_KIND_LABELS, 'zh');
const STATUS = labelsIn(EPISODE_STATUS_LABELS, 'zh');

export async function writePurgeArchive(ctx: Ctx, residentIds: number[], file: string, unmasked: boolean): Promise<number> {
  const org = await getOrgRoot(ctx);
  const sheet = new ReportSheet({
    file,
    sheetName: '清理前导出',
    title: `${org.district}${org.subdistrict}到期人员信息清理前导出（${cnDate(today(ctx.clock))}）`,
    subtitle: `导出：${ctx.actor.displayName}　　${unmasked ? '含完整证件号码、出生日期和电话，请妥善保管，勿外传' : '证件号码、出生日期、电话已脱敏'}`,
    columns: COLUMNS,
    serial: true,
    freezeColumns: 1,
  });
  try {
    for (let i = 0; i < residentIds.length; i += 500) {
      const ids = residentIds.slice(i, i + 500);
      const people = await ctx.db
        .selectFrom('residents as r')
        .innerJoin('households as h', 'h.id', 'r.householdId')
        .innerJoin('places as c', 'c.id', 'r.communityId')
        .select(['r.id', 'r.name', 'r.sex', 'r.birthDate', 'r.docType', 'r.docNumber', 'r.phone', 'c.name as community', 'h.address', 'r.category'])
        .where('r.id', 'in', ids)
        .orderBy('r.id')
        .execute();
      const episodes = await ctx.db
        .selectFrom('episodes')
        .select(['residentId', 'kind', 'startDate', 'lastDay', 'status', 'endedOn'])
        .where('residentId', 'in', ids)
        .orderBy('startDate')
        .execute();
      for (const p of people) {
        const eps = episodes
          .filter((e) => e.residentId === p.id)
          .map((e) => `${KIND[e.kind]} ${e.startDate}至${e.lastDay} ${STATUS[e.status]}${e.endedOn ? `（${e.endedOn}）` : ''}`);
        sheet.addRow({
          ...p,
          sex: p.sex ? SEX_LABELS[p.sex] : '',
          // The birth date is the ID number's hidden middle: masked with it.
          birthDate: unmasked ? p.birthDate : maskBirthDate(p.birthDate),
          docNumber: unmasked ? p.docNumber : maskIdNumber(p.docNumber),
          phone: unmasked ? p.phone : maskPhone(p.phone),
          episodes: eps.join('；'),
        });
      }
    }
    return (await sheet.close()).rows;
  } catch (e) {
    await sheet.abort();
    throw e;
  }
}
