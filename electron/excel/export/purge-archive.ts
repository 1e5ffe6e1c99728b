// 清理前导出: the people a purge is about to delete, with their isolation periods, for offices that keep an archive.
// Masked (ID numbers, birth dates, phones) unless the caller asked (and may ask) for full values. exportBeforePurge is
// the purge's first step as the purge.run handler takes it (then domain/purgeRun.ts runPurge), audited.
import fs from 'node:fs';
import path from 'node:path';
import { getOrgRoot } from '../../domain/places.ts';
import { maskBirthDate, maskIdNumber, maskPhone } from '../../shared/idcard.ts';
import type { Ctx } from '../../domain/context.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { cnDate, SEX_LABELS } from './common.ts';
import { today } from '../../domain/clock.ts';
import { audit } from '../../domain/audit.ts';
import { can } from '../../domain/actor.ts';
import { purgeableResidentIds } from '../../domain/purge.ts';
import { purgeCutoffNow } from '../../domain/purgeRun.ts';
import { fileStamp } from '../../db/backup.ts';
import { invalid } from '../../shared/errors.ts';
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

/**
 * 清理前导出: the people a purge run now would delete, in `exportDir` (else `exports/` beside the database file), masked
 * unless `unmasked` (refused without reports.exportUnmasked); audited as purge.export. Returns the file and the cutoff
 * it was written for, to pass to runPurge as exportedFirst.
 */
export async function exportBeforePurge(
  ctx: Ctx,
  opts: { dbFile: string; exportDir?: string; unmasked?: boolean },
): Promise<{ file: string; cutoff: string }> {
  const unmasked = Boolean(opts.unmasked);
  if (unmasked && !can(ctx.actor, 'reports.exportUnmasked')) throw invalid('purge.noUnmasked');
  if (!opts.exportDir && opts.dbFile === ':memory:') throw invalid('purge.noFolder');
  const dir = opts.exportDir ?? path.join(path.dirname(path.resolve(opts.dbFile)), 'exports');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `到期人员清理前导出-${fileStamp(ctx.clock.now(), ctx.clock.timeZone)}.xlsx`);
  const cutoff = await purgeCutoffNow(ctx);
  const rows = await writePurgeArchive(ctx, await purgeableResidentIds(ctx, cutoff), file, unmasked);
  await audit(ctx, { action: 'purge.export', entity: 'purge', extra: { file: path.basename(file), rows, unmasked } });
  return { file, cutoff };
}
