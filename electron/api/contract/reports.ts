// Channels of the Excel reports: start an export (runs as a job; progress and result through 'jobs.status'), and
// fetch a finished file's bytes (browser mode has no file system of its own).
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate } from './common.ts';
import type { ExportResult } from '../../excel/export/index.ts';

/** What a reports.export job answers on 'jobs.status' when it succeeded. */
export type { ExportResult };
import { SUPPLY_STATUSES } from '../../shared/enums.ts';

export const reportsContract = {
  /** Starts the 'export.report' job; unmasked needs reports.exportUnmasked as well (checked before the job starts). */
  'reports.export': channel<{ jobId: string }>()(
    z
      .object({
        report: z.enum(['daily-report', 'roster', 'checkins', 'supplies', 'cadres', 'cadre-work']),
        date: isoDate,
        from: isoDate.optional(),
        to: isoDate.optional(),
        communityId: id.optional(),
        /** 人员台账, 健康监测记录, 物资需求清单 only: one compound and/or building (its people, their check-ins, their requests). */
        compoundId: id.optional(),
        buildingId: id.optional(),
        status: z.enum([...SUPPLY_STATUSES, 'open']).optional(),
        unmasked: z.boolean().optional(),
        /** 'print': the 打印版 of 隔离人员台账 (fewer columns, by compound); other reports print as they are. */
        layout: z.enum(['table', 'print']).optional(),
        /** An exact file to write (overwritten): the command line's --out only (ApiEnv.localFiles). */
        outFile: z.string().trim().min(1).max(1000).regex(/\.xlsx$/i, k('rule.xlsxFile')).optional(),
      })
      .strict(),
    'reports.export',
    { write: true, changesNoData: true },
  ),
  /** A file the caller exported (an admin: any export), read from the export folder only. */
  'reports.download': channel<{ fileName: string; dataBase64: string }>()(
    z.object({ path: z.string().min(1).max(1000) }).strict(),
    'reports.export',
  ),
  /** 打开所在文件夹: the desktop app shows one's own export in the file manager (not available in browser mode). */
  'reports.showInFolder': channel<null>()(z.object({ path: z.string().min(1).max(1000) }).strict(), 'reports.export'),
};
