// Exports follow the retention period too: a report, an audit export or a purge export in the app's export folder holds
// names (and, unmasked, full ID numbers and phones) — masked ones still name people, so both follow the same rule.
// Files the app wrote there (recognised by its own file names, nothing else is ever touched) that are older than
// 数据保留天数 are listed in the purge preview and deleted by the purge run, which audits their names.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from './context.ts';
import { audit } from './audit.ts';
import { NOTICE_TITLES } from '../shared/notices.ts';

/** The titles of the reports (excel/export/*; a unit test holds this list to REPORTS and PRINT_LAYOUTS). */
export const REPORT_TITLES = ['每日工作日报', '隔离人员台账', '隔离人员台账（打印版）', '健康监测记录', '物资需求清单', '下沉干部名册', '下沉干部工作量统计'] as const;
/** The 入户排查登记表 of a building (excel/export/door-sheet.ts DOOR_SHEET_TITLE; held to it by the same test). */
export const DOOR_SHEET_FILE_TITLE = '入户排查登记表';

const DATE = String.raw`\d{4}-\d{2}-\d{2}`;
const STAMP = String.raw`\d{8}-\d{6}`;
const APP_NAMES: RegExp[] = [
  // <报表名>_<街道[社区]>_<日期[至日期]>[(n)].xlsx (excel/export/index.ts reportFileName, freePath)
  new RegExp(String.raw`^(?:${REPORT_TITLES.join('|')})_.+_${DATE}(?:至${DATE})?(?:\(\d+\))?\.xlsx$`),
  // <入户排查登记表>_<小区楼栋>_<日期>[(n)].xlsx (excel/export/door-sheet.ts)
  new RegExp(String.raw`^${DOOR_SHEET_FILE_TITLE}_.+_${DATE}(?:\(\d+\))?\.xlsx$`),
  // <告知书>_<户或小区楼栋>_<日期>[(n)].docx (excel/export/notices.ts): a page per household, full names and addresses
  new RegExp(String.raw`^(?:${Object.values(NOTICE_TITLES).join('|')})_.+_${DATE}(?:\(\d+\))?\.docx$`),
  // 操作日志-YYYYMMDD-HHmmss.xlsx (excel/export/audit.ts exportAudit)
  new RegExp(String.raw`^操作日志-${STAMP}\.xlsx$`),
  // 到期人员清理前导出-YYYYMMDD-HHmmss.xlsx (domain/purgeRun.ts)
  new RegExp(String.raw`^到期人员清理前导出-${STAMP}\.xlsx$`),
  // A report being written (renamed when complete): left behind only by a crash.
  /^\.[0-9a-f]{12}\.(?:xlsx|docx)\.part$/,
];

/** Whether a file name is one the app gives its exports. */
export function isAppExportName(name: string): boolean {
  return APP_NAMES.some((re) => re.test(name));
}

export interface OldExports {
  /** The export folder looked in (null: none, e.g. an in-memory test database without one). */
  folder: string | null;
  count: number;
  /** File names, oldest first. */
  names: string[];
}

const DAY_MS = 24 * 60 * 60_000;

/** The app's export files in `folder` last written more than `retentionDays` days before `now`. */
export function findOldExports(folder: string | null | undefined, now: Date, retentionDays: number): OldExports {
  if (!folder) return { folder: null, count: 0, names: [] };
  let entries: string[];
  try {
    entries = fs.readdirSync(folder);
  } catch {
    return { folder, count: 0, names: [] };
  }
  const limit = now.getTime() - retentionDays * DAY_MS;
  const old: { name: string; at: number }[] = [];
  for (const name of entries) {
    if (!isAppExportName(name)) continue;
    try {
      // lstat: a link is not an export of ours, whatever it is called.
      const st = fs.lstatSync(path.join(folder, name));
      if (st.isFile() && st.mtimeMs < limit) old.push({ name, at: st.mtimeMs });
    } catch {
      // Gone meanwhile.
    }
  }
  old.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
  return { folder, count: old.length, names: old.map((o) => o.name) };
}

export interface DeletedExports {
  deleted: string[];
  failed: { name: string; problem: string }[];
}

/** Deletes the old exports (as findOldExports finds them now) and audits the names deleted and those that were not. */
export async function deleteOldExports(ctx: Ctx, folder: string | null | undefined, retentionDays: number): Promise<DeletedExports> {
  const found = findOldExports(folder, ctx.clock.now(), retentionDays);
  const out: DeletedExports = { deleted: [], failed: [] };
  if (!found.folder || !found.count) return out;
  for (const name of found.names) {
    try {
      fs.rmSync(path.join(found.folder, name));
      out.deleted.push(name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.failed.push({ name, problem: code === 'EBUSY' || code === 'EPERM' ? '文件正被其他程序打开（如 Excel），请关闭后再清理' : `无法删除：${(e as Error).message}` });
    }
  }
  await audit(ctx, { action: 'purge.delete_exports', entity: 'purge', extra: { folder: found.folder, retentionDays, deleted: out.deleted, failed: out.failed } });
  return out;
}
