// Channels of the printable notices (告知书/通知书 from .docx templates), the 入户排查登记表 and 设置 › 文书模板.
// Notices and door sheets run as jobs (progress and result through 'jobs.status'); the file is fetched with
// 'reports.download' like any export.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { NOTICE_KINDS } from '../../shared/notices.ts';
import { channel } from '../define.ts';
import { id } from './common.ts';
import type { NoticeResult } from '../../excel/export/notices.ts';
import type { DoorSheetResult } from '../../excel/export/door-sheet.ts';
import type { NoticeTemplateInfo } from '../../domain/notice-templates.ts';

export type { NoticeResult, DoorSheetResult, NoticeTemplateInfo };

const kind = z.enum(NOTICE_KINDS);
/** A .docx template as base64: 5 MB of file (notice-docx.ts TEMPLATE_MAX_BYTES) and a little more. */
const MAX_TEMPLATE_BASE64 = Math.ceil((5 * 1024 * 1024 * 4) / 3) + 16;
const outFile = (ext: 'docx' | 'xlsx') =>
  z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .regex(ext === 'docx' ? /\.docx$/i : /\.xlsx$/i, k(ext === 'docx' ? 'rule.docxFile' : 'rule.xlsxFile'))
    .optional();

export const noticesContract = {
  /** 打印告知书 for one person or one compound/building (exactly one): starts the 'export.notices' job. */
  'notices.export': channel<{ jobId: string }>()(
    z
      .object({
        kind,
        residentId: id.optional(),
        placeId: id.optional(),
        /** An exact file to write: the command line's --out only (ApiEnv.localFiles). */
        outFile: outFile('docx'),
      })
      .strict(),
    'reports.export',
    { write: true, changesNoData: true },
  ),
  /** 入户排查登记表 of one building: starts the 'export.doorSheet' job (unmasked needs reports.exportUnmasked). */
  'notices.doorSheet': channel<{ jobId: string }>()(
    z.object({ buildingId: id, unmasked: z.boolean().optional(), outFile: outFile('xlsx') }).strict(),
    'reports.export',
    { write: true, changesNoData: true },
  ),
  /** The buildings of a compound with their household counts (the building picker). */
  'notices.buildings': channel<{ id: number; name: string; households: number }[]>()(z.object({ compoundId: id }).strict(), 'residents.read'),
  /** 设置 › 文书模板: each kind's template (uploaded or the default). */
  'notices.templates': channel<NoticeTemplateInfo[]>()(z.object({}).strict(), 'settings.read'),
  /** Replaces a kind's template with a checked .docx (unknown placeholders refused, naming them). */
  'notices.uploadTemplate': channel<NoticeTemplateInfo[]>()(
    z.object({ kind, fileName: z.string().trim().min(1, k('rule.fileNameRequired')).max(200), dataBase64: z.string().max(MAX_TEMPLATE_BASE64, k('rule.fileTooLarge')) }).strict(),
    'settings.write',
    { invalidates: ['notices.templates'] },
  ),
  /** Back to the built-in default. */
  'notices.resetTemplate': channel<NoticeTemplateInfo[]>()(z.object({ kind }).strict(), 'settings.write', { invalidates: ['notices.templates'] }),
  /** The template in use (uploaded or default) as .docx bytes, to edit in Word or WPS (audited). */
  'notices.downloadTemplate': channel<{ fileName: string; dataBase64: string }>()(z.object({ kind }).strict(), 'settings.read'),
};
