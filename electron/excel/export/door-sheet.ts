// 入户排查登记表: the households of one building in unit and room order, for door-to-door checks on paper — who to ask
// for (the household's person under control first, masked as 张** unless an unmasked export is allowed), how many live
// there and how many are under control, and blank columns the visitor fills in by hand. The export style of every
// report (sheet.ts: title, repeated header rows, A4 landscape, page numbers); audited as a report export.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { naturalKey } from '../../db/engine.ts';
import type { Ctx } from '../../domain/context.ts';
import { assertInScope, can, requirePermission } from '../../domain/actor.ts';
import { audit } from '../../domain/audit.ts';
import { today } from '../../domain/clock.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { forbidden, invalid, notFound } from '../../shared/errors.ts';
import { maskPhone } from '../../shared/idcard.ts';
import type { JobProgress } from '../../shared/progress.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { reportSubtitle, type ReportRun } from './common.ts';
import { freePath } from './notices.ts';

export const DOOR_SHEET_TITLE = '入户排查登记表';

export interface DoorSheetRequest {
  buildingId: number;
  unmasked?: boolean;
  outDir?: string;
  outFile?: string;
}

export interface DoorSheetResult {
  title: string;
  fileName: string;
  path: string;
  rows: number;
  masked: boolean;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***: the surname to ask for at the door, not the whole name. */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = [...name];
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}

export const DOOR_COLUMNS: ColumnDef[] = [
  { key: 'unit', header: '单元', align: 'center' },
  { key: 'room', header: '房号', align: 'center' },
  { key: 'head', header: '户主/联系人', minWidth: 10 },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'people', header: '登记人数', kind: 'int', total: 'sum' },
  { key: 'controlled', header: '在管人数', kind: 'int', total: 'sum' },
  // Left blank on purpose: filled in by hand at the door.
  { key: 'visitedAt', header: '走访时间', minWidth: 12 },
  { key: 'home', header: '在家人数', minWidth: 8 },
  { key: 'fever', header: '体温异常', minWidth: 8 },
  { key: 'needs', header: '需求', minWidth: 24 },
  { key: 'sign', header: '签名', minWidth: 10 },
];

/** Natural order of units then rooms (1号楼 < 2号楼 < 10号楼; room 101 < 1001), as the 今日监测 list orders them. */
const placeOrder = (db: Ctx['db']) => [...naturalKey(db, sql.ref('u.name')), sql.ref('u.id'), ...naturalKey(db, sql.ref('rm.name')), sql.ref('h.id')];

async function resolveBuilding(ctx: Ctx, req: DoorSheetRequest) {
  requirePermission(ctx.actor, 'reports.export');
  if (req.unmasked === true && !can(ctx.actor, 'reports.exportUnmasked')) throw forbidden('export.unmaskedNeedsOfficial');
  const b = await ctx.db
    .selectFrom('places as b')
    .innerJoin('places as p', 'p.id', 'b.parentId')
    .innerJoin('places as c', 'c.id', 'p.parentId')
    .select(['b.id', 'b.level', 'b.name', 'p.name as compound', 'c.id as communityId', 'c.name as community'])
    .where('b.id', '=', req.buildingId)
    .executeTakeFirst();
  if (!b) throw notFound('thing.place');
  if (b.level !== 'building') throw invalid('notices.placeWrong');
  assertInScope(ctx.actor, b.communityId);
  return b;
}

/** Checks the request (permission, masking, scope) without writing anything. */
export async function checkDoorSheet(ctx: Ctx, req: DoorSheetRequest): Promise<void> {
  await resolveBuilding(ctx, req);
}

export async function exportDoorSheet(ctx: Ctx, req: DoorSheetRequest, hooks: { onProgress?: (p: JobProgress) => void } = {}): Promise<DoorSheetResult> {
  const b = await resolveBuilding(ctx, req);
  if (!req.outFile && !req.outDir) throw invalid('export.noTarget');
  const unmasked = req.unmasked === true;
  const date = today(ctx.clock);
  const org = await getOrgRoot(ctx);
  let q = ctx.db
    .selectFrom('households as h')
    .innerJoin('places as rm', 'rm.id', 'h.roomId')
    .innerJoin('places as u', 'u.id', 'rm.parentId')
    .where('u.parentId', '=', b.id)
    .select((eb) => [
      'h.id',
      'u.name as unit',
      'rm.name as room',
      eb.selectFrom('residents as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.householdId', '=', 'h.id').as('people'),
      eb.selectFrom('residents as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.householdId', '=', 'h.id').where('r.status', 'in', ['isolating', 'monitoring']).as('controlled'),
      // Who to ask for at the door: the person under control first, else the first registered.
      eb
        .selectFrom('residents as r')
        .select('r.name')
        .whereRef('r.householdId', '=', 'h.id')
        .orderBy(sql`case when ${sql.ref('r.status')} in ('isolating', 'monitoring') then 0 else 1 end`)
        .orderBy('r.id')
        .limit(1)
        .as('head'),
      eb
        .selectFrom('residents as r')
        .select('r.phone')
        .whereRef('r.householdId', '=', 'h.id')
        .where('r.phone', 'is not', null)
        .orderBy(sql`case when ${sql.ref('r.status')} in ('isolating', 'monitoring') then 0 else 1 end`)
        .orderBy('r.id')
        .limit(1)
        .as('phone'),
    ]);
  for (const o of placeOrder(ctx.db)) q = q.orderBy(o);
  const rows = await q.execute();
  if (!rows.length) throw invalid('notices.buildingEmpty', { place: `${b.community}${b.compound}${b.name}` });
  const dir = path.resolve(req.outFile ? path.dirname(req.outFile) : req.outDir!);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.xlsx.part`);
  const community = { id: b.communityId, name: b.community };
  const run: ReportRun = {
    ctx,
    params: { date, from: date, to: date, communityId: b.communityId, status: null, unmasked },
    org,
    community,
    file: temp,
    progress: hooks.onProgress ?? (() => {}),
    checkCancelled: () => {},
  };
  const place = `${b.compound}${b.name}`;
  const sheet = new ReportSheet({
    file: temp,
    sheetName: DOOR_SHEET_TITLE,
    title: `${org.district}${org.subdistrict}${b.community}${place}${DOOR_SHEET_TITLE}`,
    subtitle: reportSubtitle(run, [`共 ${rows.length} 户`, '走访人：__________']).replace('证件号码、电话已脱敏', '姓名、电话已脱敏'),
    columns: DOOR_COLUMNS,
    serial: true,
    totalsLabel: '合计',
    measured: { unit: 6, room: 6, head: 10 },
  });
  try {
    for (const r of rows) {
      sheet.addRow({
        unit: r.unit,
        room: r.room,
        head: unmasked ? r.head : maskName(r.head),
        phone: unmasked ? r.phone : maskPhone(r.phone),
        people: Number(r.people ?? 0),
        controlled: Number(r.controlled ?? 0),
      });
    }
    await sheet.close();
  } catch (e) {
    await sheet.abort();
    throw e;
  }
  const finalPath = req.outFile ? path.resolve(req.outFile) : freePath(dir, `${DOOR_SHEET_TITLE}_${place}_${date}.xlsx`.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_'));
  await fs.promises.rename(temp, finalPath);
  const fileName = path.basename(finalPath);
  await audit(ctx, {
    action: 'report.export',
    entity: 'report',
    extra: { report: 'door-sheet', title: DOOR_SHEET_TITLE, date, communityId: b.communityId, buildingId: b.id, masked: !unmasked, rows: rows.length, fileName, path: finalPath },
  });
  return { title: DOOR_SHEET_TITLE, fileName, path: finalPath, rows: rows.length, masked: !unmasked };
}
