// 特殊需求 (issue 14 §3): the flags a person carries (独居老人, 行动不便, 孕产妇 …), set and cleared from the drawer
// or an imported list, shown as marks in the lists, filtered on, and counted (needs-counts.ts). Recurring needs that
// create supply requests: need-schedules.ts. Flags are rows of resident_needs (migration 0012 says why).
import type { ExpressionBuilder } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope } from './actor.ts';
import { asMessage, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { isOneOf, NEEDS, type Need } from '../shared/enums.ts';
import type { Database } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export interface NeedFlag {
  need: Need;
  /** What 其他 means (required for it), or a detail of another flag. */
  note: string | null;
}

export const NEED_NOTE_MAX = 100;

/** Flags as typed: each need once (the last note wins), in the closed list's order, notes trimmed; 其他 needs its note. */
export function normaliseNeeds(input: readonly { need: string; note?: string | null }[]): { value: NeedFlag[]; errors: FieldIssue[] } {
  const errors: FieldIssue[] = [];
  const byNeed = new Map<Need, string | null>();
  (input ?? []).forEach((f, i) => {
    const need = toHalfWidth(String(f?.need ?? '')).trim();
    if (!isOneOf(NEEDS, need)) {
      errors.push(issue(`needs.${i}.need`, 'needs.unknown', { need, choices: NEEDS.join('、') }));
      return;
    }
    const note = toHalfWidth(String(f.note ?? '')).replace(/\s+/g, ' ').trim() || null;
    if (note && note.length > NEED_NOTE_MAX) errors.push(issue(`needs.${i}.note`, 'needs.noteLong', { max: NEED_NOTE_MAX }));
    byNeed.set(need, note);
  });
  if (byNeed.has('其他') && !byNeed.get('其他')) errors.push(issue('needs.其他.note', 'needs.otherNoteRequired'));
  return { value: NEEDS.filter((n) => byNeed.has(n)).map((need) => ({ need, note: byNeed.get(need) ?? null })), errors };
}

export interface NeedsSaved {
  residentId: number;
  /** The resident's new version (flags are part of the person's record: the drawer's next save uses it). */
  version: number;
  needs: NeedFlag[];
}

/**
 * Replaces a person's flags with `needs` (an empty list clears them). Version-checked on the resident like every other
 * change to the person, scoped to the actor's community, audited with the flags before and after.
 */
export async function setResidentNeeds(ctx: Ctx, input: { residentId: number; version: number; needs: readonly { need: string; note?: string | null }[] }): Promise<NeedsSaved> {
  const n = normaliseNeeds(input.needs);
  if (n.errors.length) throw invalid('needs.cannotSave', { problems: n.errors.map(asMessage) }, n.errors);
  return inTx(ctx, async (ctx) => {
    const r = await ctx.db.selectFrom('residents').select(['id', 'communityId']).where('id', '=', input.residentId).executeTakeFirst();
    if (!r) throw notFound('thing.resident');
    assertInScope(ctx.actor, r.communityId);
    const before = (await needsOf(ctx, [r.id])).get(r.id) ?? [];
    // The version moves even when the flags are the same: the check is the point (someone else may have changed them).
    await updateVersioned(ctx, 'residents', r.id, input.version, {}, 'thing.residentInfo');
    const next = n.value;
    const same = (a: NeedFlag, b: NeedFlag | undefined) => !!b && a.note === b.note;
    const removed = before.filter((b) => !next.some((x) => x.need === b.need));
    const changed = next.filter((x) => !same(x, before.find((b) => b.need === x.need)));
    if (removed.length) {
      await ctx.db
        .deleteFrom('residentNeeds')
        .where('residentId', '=', r.id)
        .where('need', 'in', removed.map((x) => x.need))
        .execute();
    }
    const at = nowIso(ctx.clock);
    for (const f of changed) {
      await ctx.db
        .insertInto('residentNeeds')
        .values({ residentId: r.id, need: f.need, note: f.note, createdBy: ctx.actor.username, createdAt: at })
        .onConflict((oc) => oc.columns(['residentId', 'need']).doUpdateSet({ note: f.note }))
        .execute();
    }
    if (removed.length || changed.length) {
      await audit(ctx, { action: 'need.set', entity: 'resident', entityId: r.id, residentId: r.id, before: { needs: before }, after: { needs: next } });
    }
    const v = await ctx.db.selectFrom('residents').select('version').where('id', '=', r.id).executeTakeFirstOrThrow();
    return { residentId: r.id, version: v.version, needs: next };
  });
}

/**
 * Flags an imported list gives (特殊需求 column): added to what each person has, never removing any (a list that
 * says nothing about a person's needs is not a reason to drop them). Runs inside the import's transaction.
 */
export async function addImportedNeeds(ctx: Ctx, people: readonly { residentId: number; needs: readonly NeedFlag[] | null | undefined }[]): Promise<number> {
  let added = 0;
  const at = nowIso(ctx.clock);
  for (const p of people) {
    for (const f of p.needs ?? []) {
      const r = await ctx.db
        .insertInto('residentNeeds')
        .values({ residentId: p.residentId, need: f.need, note: f.note, createdBy: ctx.actor.username, createdAt: at })
        .onConflict((oc) => (f.note ? oc.columns(['residentId', 'need']).doUpdateSet({ note: f.note }) : oc.columns(['residentId', 'need']).doNothing()))
        .executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
  }
  return added;
}

/** Each person's flags, in the closed list's order. */
export async function needsOf(ctx: Pick<Ctx, 'db'>, residentIds: readonly number[]): Promise<Map<number, NeedFlag[]>> {
  const out = new Map<number, NeedFlag[]>();
  const ids = [...new Set(residentIds)];
  for (let i = 0; i < ids.length; i += 900) {
    const rows = await ctx.db
      .selectFrom('residentNeeds')
      .select(['residentId', 'need', 'note'])
      .where('residentId', 'in', ids.slice(i, i + 900))
      .execute();
    for (const r of rows) {
      const list = out.get(r.residentId) ?? [];
      list.push({ need: r.need, note: r.note });
      out.set(r.residentId, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => NEEDS.indexOf(a.need) - NEEDS.indexOf(b.need));
  return out;
}

/** Rows (with the person's id under `key`) with their flags added as `needs`: one query for the page. */
export async function withNeeds<T extends object, K extends keyof T>(ctx: Pick<Ctx, 'db'>, rows: T[], key: K): Promise<(T & { needs: NeedFlag[] })[]> {
  if (rows.length === 0) return [];
  const map = await needsOf(
    ctx,
    rows.map((r) => Number(r[key])),
  );
  return rows.map((r) => ({ ...r, needs: map.get(Number(r[key])) ?? [] }));
}

/** A page of rows keyed by residentId (the due list's) with each person's flags added: the marks of 今日监测. */
export async function pageWithNeeds<R extends { residentId: number }, P extends { rows: R[] }>(ctx: Pick<Ctx, 'db'>, page: P): Promise<Omit<P, 'rows'> & { rows: (R & { needs: NeedFlag[] })[] }> {
  return { ...page, rows: await withNeeds(ctx, page.rows, 'residentId') };
}

type Eb = ExpressionBuilder<Database & { r: Database['residents'] }, 'r'>;

/**
 * People carrying any of `needs`: r.id IN (the flagged rows of those needs), an index range on (need, resident_id)
 * over the flagged few, so the list's own order and paging are unchanged.
 */
export function needsFilter(eb: Eb, needs: readonly Need[]) {
  return eb('r.id', 'in', eb.selectFrom('residentNeeds').select('residentNeeds.residentId').where('residentNeeds.need', 'in', [...needs]));
}
