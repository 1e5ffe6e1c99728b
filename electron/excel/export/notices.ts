// 打印告知书: one .docx for a person or for every household of a compound or building the kind concerns, a page per
// household, from the office's template (设置 › 文书模板) or the built-in default. Written under a temporary name and
// renamed when complete, then audited with the residents it names. The 'export.notices' job runs it in a worker: a
// compound's document can run to hundreds of pages.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../domain/context.ts';
import { audit } from '../../domain/audit.ts';
import { today } from '../../domain/clock.ts';
import { invalid } from '../../shared/errors.ts';
import { NOTICE_TITLES, isNoticeKind, type NoticeKind } from '../../shared/notices.ts';
import { noticeSelection, noticeValues, type NoticeSelection, type NoticeTarget } from '../../domain/notices.ts';
import { storedTemplate } from '../../domain/notice-templates.ts';
import { defaultTemplate } from '../docx/default-templates.ts';
import { renderNotices } from '../docx/notice-docx.ts';
import type { JobProgress } from '../../shared/progress.ts';

export interface NoticeRequest {
  kind: NoticeKind;
  residentId?: number | null;
  /** A compound or a building. */
  placeId?: number | null;
  /** Folder to write into, under the standard file name… */
  outDir?: string;
  /** …or an exact file path (the command line's --out). */
  outFile?: string;
}

export interface NoticeResult {
  kind: NoticeKind;
  title: string;
  fileName: string;
  path: string;
  /** Pages (one per household) and the people named. */
  households: number;
  people: number;
  /** Whether the office's uploaded template was used (else the default). */
  customTemplate: boolean;
}

/** Checks the request against the actor (permission, scope, someone to print for); writes nothing. */
export async function resolveNotices(ctx: Ctx, req: NoticeRequest): Promise<{ kind: NoticeKind; selection: NoticeSelection }> {
  if (!isNoticeKind(req.kind)) throw invalid('notices.pickOne');
  const hasResident = req.residentId !== undefined && req.residentId !== null;
  const hasPlace = req.placeId !== undefined && req.placeId !== null;
  if (hasResident === hasPlace) throw invalid('notices.pickOne');
  const target: NoticeTarget = hasResident ? { residentId: req.residentId! } : { placeId: req.placeId! };
  return { kind: req.kind, selection: await noticeSelection(ctx, req.kind, target) };
}

const safeFileName = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();

/** A name not taken yet in the folder: an earlier file is never overwritten. */
export function freePath(dir: string, fileName: string): string {
  const ext = path.extname(fileName);
  const stem = fileName.slice(0, -ext.length);
  for (let i = 1; ; i++) {
    const p = path.join(dir, i === 1 ? fileName : `${stem}(${i})${ext}`);
    if (!fs.existsSync(p)) return p;
  }
}

export async function exportNotices(ctx: Ctx, req: NoticeRequest, hooks: { onProgress?: (p: JobProgress) => void } = {}): Promise<NoticeResult> {
  const { kind, selection } = await resolveNotices(ctx, req);
  if (!req.outFile && !req.outDir) throw invalid('export.noTarget');
  const title = NOTICE_TITLES[kind];
  const progress = hooks.onProgress ?? (() => {});
  const total = selection.households.length;
  progress({ done: 0, total, phase: '读取' });
  const stored = await storedTemplate(ctx, kind);
  const { common, pages } = await noticeValues(ctx, kind, selection.households);
  progress({ done: 0, total, phase: '生成' });
  const bytes = renderNotices(stored?.data ?? defaultTemplate(kind), common, pages);
  const dir = path.resolve(req.outFile ? path.dirname(req.outFile) : req.outDir!);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${randomBytes(6).toString('hex')}.docx.part`);
  const finalPath = req.outFile ? path.resolve(req.outFile) : freePath(dir, safeFileName(`${title}_${selection.label}_${today(ctx.clock)}.docx`));
  try {
    await fs.promises.writeFile(temp, bytes);
    await fs.promises.rename(temp, finalPath);
  } catch (e) {
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
  const residentIds = selection.households.flatMap((h) => h.people.map((p) => p.residentId));
  const fileName = path.basename(finalPath);
  await audit(ctx, {
    action: 'report.notices',
    entity: 'report',
    residentId: residentIds.length === 1 ? residentIds[0] : null,
    extra: { kind, title, for: selection.label, placeId: selection.placeId, households: total, residentIds, template: stored ? stored.fileName : 'default', fileName, path: finalPath },
  });
  progress({ done: total, total, phase: '生成' });
  return { kind, title, fileName, path: finalPath, households: total, people: residentIds.length, customTemplate: !!stored };
}
