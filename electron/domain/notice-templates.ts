// The notice templates the office uploaded (设置 › 文书模板): one per kind, replacing the built-in default until reset.
// The bytes are checked before they get here (excel/docx/notice-docx.ts checkTemplate, called by the API handler).
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { requirePermission } from './actor.ts';
import { NOTICE_KINDS, NOTICE_TITLES, type NoticeKind } from '../shared/notices.ts';

export interface NoticeTemplateInfo {
  kind: NoticeKind;
  title: string;
  /** false: the built-in default is used. */
  custom: boolean;
  fileName: string | null;
  bytes: number | null;
  tags: string[];
  uploadedBy: string | null;
  uploadedAt: string | null;
}

/** The uploaded template of a kind (bytes), or null for the default. Read by the export job: no permission here. */
export async function storedTemplate(ctx: Pick<Ctx, 'db'>, kind: NoticeKind): Promise<{ fileName: string; data: Buffer } | null> {
  const row = await ctx.db.selectFrom('noticeTemplates').select(['fileName', 'data']).where('kind', '=', kind).executeTakeFirst();
  return row ? { fileName: row.fileName, data: Buffer.from(row.data) } : null;
}

export async function listNoticeTemplates(ctx: Ctx): Promise<NoticeTemplateInfo[]> {
  requirePermission(ctx.actor, 'settings.read');
  const rows = await ctx.db.selectFrom('noticeTemplates').select(['kind', 'fileName', 'bytes', 'tags', 'uploadedBy', 'uploadedAt']).execute();
  return NOTICE_KINDS.map((kind) => {
    const r = rows.find((x) => x.kind === kind);
    return {
      kind,
      title: NOTICE_TITLES[kind],
      custom: !!r,
      fileName: r?.fileName ?? null,
      bytes: r ? Number(r.bytes) : null,
      tags: r ? (JSON.parse(r.tags) as string[]) : [],
      uploadedBy: r?.uploadedBy ?? null,
      uploadedAt: r?.uploadedAt ?? null,
    };
  });
}

/** Stores a checked template as the kind's (replacing an earlier upload), audited. */
export async function saveNoticeTemplate(ctx: Ctx, t: { kind: NoticeKind; fileName: string; data: Buffer; tags: string[] }): Promise<void> {
  requirePermission(ctx.actor, 'settings.write');
  await inTx(ctx, async (ctx) => {
    const at = nowIso(ctx.clock);
    const before = await ctx.db.selectFrom('noticeTemplates').select(['fileName', 'bytes']).where('kind', '=', t.kind).executeTakeFirst();
    const values = { fileName: t.fileName, data: t.data, bytes: t.data.length, tags: JSON.stringify(t.tags), uploadedBy: ctx.actor.username, uploadedAt: at };
    await ctx.db
      .insertInto('noticeTemplates')
      .values({ kind: t.kind, ...values })
      .onConflict((oc) => oc.column('kind').doUpdateSet(values))
      .execute();
    await audit(ctx, {
      action: 'settings.template_upload',
      entity: 'notice_template',
      before: before ? { fileName: before.fileName, bytes: Number(before.bytes) } : { default: true },
      after: { fileName: t.fileName, bytes: t.data.length, tags: t.tags },
      extra: { kind: t.kind, title: NOTICE_TITLES[t.kind] },
    });
  });
}

/** Goes back to the built-in default (the upload is deleted), audited; nothing to do when already the default. */
export async function resetNoticeTemplate(ctx: Ctx, kind: NoticeKind): Promise<{ reset: boolean }> {
  requirePermission(ctx.actor, 'settings.write');
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('noticeTemplates').select(['fileName', 'bytes']).where('kind', '=', kind).executeTakeFirst();
    if (!before) return { reset: false };
    await ctx.db.deleteFrom('noticeTemplates').where('kind', '=', kind).execute();
    await audit(ctx, { action: 'settings.template_reset', entity: 'notice_template', before: { fileName: before.fileName, bytes: Number(before.bytes) }, extra: { kind, title: NOTICE_TITLES[kind] } });
    return { reset: true };
  });
}
