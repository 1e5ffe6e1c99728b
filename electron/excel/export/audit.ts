// 操作日志 export: one row per audit entry, newest first, details as short masked text.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../../domain/context.ts';
import { auditPages, type AuditQuery, type AuditRow } from '../../domain/auditlog.ts';
import { audit } from '../../domain/audit.ts';
import { fileStamp } from '../../db/backup.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { today } from '../../domain/clock.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { cnDate, yieldToLoop } from './common.ts';

const COLUMNS: ColumnDef[] = [
  { key: 'at', header: '时间', minWidth: 20 },
  { key: 'userName', header: '用户', minWidth: 10 },
  { key: 'actionLabel', header: '操作', minWidth: 14 },
  { key: 'entity', header: '对象', minWidth: 10 },
  { key: 'entityId', header: '对象编号', kind: 'int' },
  { key: 'residentId', header: '人员编号', kind: 'int' },
  { key: 'details', header: '详情（证件号、出生日期、电话已脱敏）', minWidth: 40, maxWidth: 80 },
];

function describeFilter(q: AuditQuery): string {
  const parts: string[] = [];
  if (q.from || q.to) parts.push(`日期：${q.from ?? '…'} 至 ${q.to ?? '…'}`);
  if (q.userName) parts.push(`用户：${q.userName}`);
  if (q.action) parts.push(`操作：${q.action}`);
  if (q.entity) parts.push(`对象：${q.entity}`);
  if (q.residentId) parts.push(`人员编号：${q.residentId}`);
  return parts.length ? parts.join('　') : '全部';
}

export async function writeAuditSheet(ctx: Ctx, pages: AsyncIterable<AuditRow[]>, file: string, q: AuditQuery): Promise<number> {
  const org = await getOrgRoot(ctx);
  const sheet = new ReportSheet({
    file,
    sheetName: '操作日志',
    title: `${org.district}${org.subdistrict}操作日志（${cnDate(today(ctx.clock))}导出）`,
    subtitle: `范围：${describeFilter(q)}　　导出：${ctx.actor.displayName}　　证件号码、出生日期、电话已脱敏`,
    columns: COLUMNS,
    serial: true,
  });
  try {
    for await (const page of pages) {
      for (const r of page) {
        sheet.addRow({
          ...r,
          details: r.purged ? '（已按保留期限清除个人信息）' : r.details === null ? '' : JSON.stringify(r.details),
        });
      }
      await yieldToLoop();
    }
    return (await sheet.close()).rows;
  } catch (e) {
    await sheet.abort();
    throw e;
  }
}

export interface AuditExport {
  file: string;
  rows: number;
}

/** 操作日志 as an Excel sheet (masked) in `dir`; audited with the filter and the row count. */
export async function exportAudit(ctx: Ctx, q: AuditQuery, dir: string): Promise<AuditExport> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `操作日志-${fileStamp(ctx.clock.now(), ctx.clock.timeZone)}.xlsx`);
  const { offset: _o, limit: _l, withTotal: _w, ...filter } = q;
  const rows = await writeAuditSheet(ctx, auditPages(ctx, filter), file, filter);
  await audit(ctx, { action: 'audit.export', entity: 'audit', extra: { file: path.basename(file), rows, filter } });
  return { file, rows };
}
