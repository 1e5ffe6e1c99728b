// Handlers of the notice channels: a notice or door sheet is checked here (permission, scope, someone to print for)
// and then runs as a job in a worker; a template upload is checked by the docx engine (excel/docx) before the domain
// stores it.
import type { noticesContract } from '../contract/notices.ts';
import type { HandlersFor } from './types.ts';
import { localFile } from '../env.ts';
import { exportDirOf } from './reports.ts';
import { startJob } from '../../jobs/runner.ts';
import { audit } from '../../domain/audit.ts';
import { assertInScope, requirePermission } from '../../domain/actor.ts';
import { listNoticeTemplates, resetNoticeTemplate, saveNoticeTemplate, storedTemplate } from '../../domain/notice-templates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { NOTICE_TITLES } from '../../shared/notices.ts';
import { resolveNotices, type NoticeRequest, type NoticeResult } from '../../excel/export/notices.ts';
import { checkDoorSheet, type DoorSheetRequest, type DoorSheetResult } from '../../excel/export/door-sheet.ts';
import { checkTemplate } from '../../excel/docx/notice-docx.ts';
import { DEFAULT_TEMPLATE_FILES, defaultTemplate } from '../../excel/docx/default-templates.ts';

export const noticesHandlers: HandlersFor<typeof noticesContract> = {
  'notices.export': async (ctx, input) => {
    const req: NoticeRequest = { ...input, outDir: exportDirOf(ctx.env), outFile: input.outFile === undefined ? undefined : localFile(ctx.env, input.outFile) };
    // Refuse now (permission, another community, nobody to print for) rather than in a failed job later.
    await resolveNotices(ctx, req);
    const job = startJob<NoticeResult>('export.notices', req, { dbFile: ctx.env.dbFile, actor: ctx.actor, clock: ctx.clock, db: ctx.db, inline: ctx.env.inlineJobs });
    return { jobId: job.id };
  },
  'notices.doorSheet': async (ctx, input) => {
    const req: DoorSheetRequest = { ...input, outDir: exportDirOf(ctx.env), outFile: input.outFile === undefined ? undefined : localFile(ctx.env, input.outFile) };
    await checkDoorSheet(ctx, req);
    const job = startJob<DoorSheetResult>('export.doorSheet', req, { dbFile: ctx.env.dbFile, actor: ctx.actor, clock: ctx.clock, db: ctx.db, inline: ctx.env.inlineJobs });
    return { jobId: job.id };
  },
  'notices.buildings': async (ctx, input) => {
    const compound = await ctx.db.selectFrom('places').select(['id', 'parentId']).where('id', '=', input.compoundId).where('level', '=', 'compound').executeTakeFirst();
    if (!compound) throw notFound('thing.place');
    assertInScope(ctx.actor, compound.parentId!);
    const rows = await ctx.db
      .selectFrom('places as b')
      .leftJoin('places as u', 'u.parentId', 'b.id')
      .leftJoin('places as rm', 'rm.parentId', 'u.id')
      .leftJoin('households as h', 'h.roomId', 'rm.id')
      .select((eb) => ['b.id', 'b.name', eb.fn.count<number>('h.id').as('households')])
      .where('b.parentId', '=', compound.id)
      .where('b.level', '=', 'building')
      .groupBy(['b.id', 'b.name'])
      .execute();
    const num = (s: string) => (/^\d/.test(s) ? parseInt(s, 10) : Number.MAX_SAFE_INTEGER);
    return rows.map((r) => ({ id: r.id, name: r.name, households: Number(r.households) })).sort((a, b) => num(a.name) - num(b.name) || a.name.localeCompare(b.name, 'zh'));
  },
  'notices.templates': async (ctx) => listNoticeTemplates(ctx),
  'notices.uploadTemplate': async (ctx, input) => {
    requirePermission(ctx.actor, 'settings.write');
    if (!/\.docx$/i.test(input.fileName)) throw invalid('notices.templateNotDocx');
    const data = Buffer.from(input.dataBase64, 'base64');
    const tags = checkTemplate(data);
    await saveNoticeTemplate(ctx, { kind: input.kind, fileName: input.fileName, data, tags });
    return listNoticeTemplates(ctx);
  },
  'notices.resetTemplate': async (ctx, input) => {
    await resetNoticeTemplate(ctx, input.kind);
    return listNoticeTemplates(ctx);
  },
  'notices.downloadTemplate': async (ctx, input) => {
    requirePermission(ctx.actor, 'settings.read');
    const stored = await storedTemplate(ctx, input.kind);
    const fileName = stored?.fileName ?? DEFAULT_TEMPLATE_FILES[input.kind];
    const data = stored?.data ?? defaultTemplate(input.kind);
    await audit(ctx, { action: 'settings.template_download', entity: 'notice_template', extra: { kind: input.kind, title: NOTICE_TITLES[input.kind], fileName, default: !stored } });
    return { fileName, dataBase64: data.toString('base64') };
  },
};
