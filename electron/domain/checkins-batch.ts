// Whole-building entry (整栋正常，除了…): committees confirm most households at once through the building's chat group
// and enter the exceptions one by one; then one action records "正常" for everyone in the building or unit who is due
// for the slot and not yet recorded. The preview lists exactly who that is; the batch takes only the people the user
// confirmed who are still unrecorded (anyone recorded meanwhile is left as they are; anyone new since the preview is
// not included). One audit record for the batch with its ids; it can be undone within the slot (before its cutoff) by
// the user who made it or a clerk, and check-ins corrected since are kept. A policy that requires a temperature for
// every check-in refuses the batch.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can } from './actor.ts';
import { fail, forbidden, invalid, issue, notFound } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import { getSettings } from './settings.ts';
import { coveredOn, isPastCutoff } from './checkins.ts';
import { isIsoDate } from './dates.ts';
import type { Slot } from '../db/schema.ts';

import { BATCH_MAX } from '../shared/limits.ts';

export { BATCH_MAX };
/** What a whole-building check-in says it was. */
export const BATCH_NOTE = '整栋（单元）确认正常';

export interface BatchScope {
  date: string;
  slot: Slot;
  /** A building or a unit (place id). */
  placeId: number;
}

export interface BatchPerson {
  residentId: number;
  name: string;
  address: string;
}

export interface BatchPreview {
  date: string;
  slot: Slot;
  placeId: number;
  place: string;
  /** Due for the slot and not yet recorded: who the batch would record as normal. */
  people: BatchPerson[];
  /** Already recorded for the slot (left as they are). */
  alreadyRecorded: number;
  /** The policy requires a temperature for every check-in: the batch would be refused. */
  refused: boolean;
}

interface PlaceRow {
  id: number;
  level: string;
  name: string;
  communityId: number;
  label: string;
}

/** The building or unit with its community and a label (小区 + 楼 + 单元). */
async function batchPlace(ctx: Ctx, placeId: number): Promise<PlaceRow> {
  const p = await ctx.db.selectFrom('places').select(['id', 'level', 'name', 'parentId']).where('id', '=', placeId).executeTakeFirst();
  if (!p || (p.level !== 'building' && p.level !== 'unit')) throw invalid('checkins.batchPlace', undefined, [issue('placeId', 'checkins.batchPlaceField')]);
  const building = p.level === 'unit' ? await ctx.db.selectFrom('places').select(['id', 'name', 'parentId']).where('id', '=', p.parentId!).executeTakeFirstOrThrow() : p;
  const compound = await ctx.db.selectFrom('places').select(['id', 'name', 'parentId']).where('id', '=', building.parentId!).executeTakeFirstOrThrow();
  assertInScope(ctx.actor, compound.parentId!);
  return { id: p.id, level: p.level, name: p.name, communityId: compound.parentId!, label: compound.name + building.name + (p.level === 'unit' ? p.name : '') };
}

function checkScope(s: BatchScope): void {
  if (!isIsoDate(s.date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
  if (s.slot !== 'am' && s.slot !== 'pm') throw invalid('checkins.slotBad', undefined, [issue('slot', 'checkins.pickSlot')]);
}

/** People covered on the date living in the place, with whether they have the slot's check-in. */
async function peopleIn(ctx: Ctx, s: BatchScope, place: PlaceRow) {
  const rows = await coveredOn(ctx, s.date, { communityId: place.communityId })
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as rm', 'rm.id', 'h.roomId')
    .innerJoin('places as u', 'u.id', 'rm.parentId')
    .leftJoin('checkins as k', (j) => j.onRef('k.residentId', '=', 'e.residentId').on('k.date', '=', s.date).on('k.slot', '=', s.slot))
    .select(['e.residentId', 'e.id as episodeId', 'r.name', 'r.namePinyin', 'r.communityId', 'h.address', 'k.id as checkinId'])
    .where(place.level === 'unit' ? 'u.id' : 'u.parentId', '=', place.id)
    .orderBy('h.address')
    .orderBy('r.namePinyin')
    .orderBy('e.residentId')
    .execute();
  return rows;
}

export async function previewBatch(ctx: Ctx, s: BatchScope): Promise<BatchPreview> {
  checkScope(s);
  const place = await batchPlace(ctx, s.placeId);
  const rows = await peopleIn(ctx, s, place);
  const settings = await getSettings(ctx);
  return {
    date: s.date,
    slot: s.slot,
    placeId: place.id,
    place: place.label,
    people: rows.filter((r) => r.checkinId === null).map((r) => ({ residentId: r.residentId, name: r.name, address: r.address })),
    alreadyRecorded: rows.filter((r) => r.checkinId !== null).length,
    refused: settings.requireTemperature,
  };
}

export interface BatchResult {
  batchId: number;
  /** Recorded as normal now. */
  recorded: number;
  /** Confirmed but recorded by someone else meanwhile, or no longer due: left as they are. */
  skipped: number;
}

export async function recordBatch(ctx: Ctx, s: BatchScope & { residentIds: number[] }): Promise<BatchResult> {
  checkScope(s);
  if (!s.residentIds.length) throw invalid('checkins.batchEmpty');
  if (s.residentIds.length > BATCH_MAX) throw invalid('checkins.batchTooMany', { max: BATCH_MAX });
  const settings = await getSettings(ctx);
  if (settings.requireTemperature) throw fail('BLOCKED', 'checkins.batchNeedsTemperature');
  if (s.date > today(ctx.clock)) throw invalid('checkins.batchFuture', undefined, [issue('date', 'common.notAfterToday')]);
  return inTx(ctx, async (ctx) => {
    const place = await batchPlace(ctx, s.placeId);
    const confirmed = new Set(s.residentIds);
    const open = (await peopleIn(ctx, s, place)).filter((r) => r.checkinId === null && confirmed.has(r.residentId));
    const at = nowIso(ctx.clock);
    const batch = await ctx.db
      .insertInto('checkinBatches')
      .values({ communityId: place.communityId, placeId: place.id, date: s.date, slot: s.slot, count: open.length, createdBy: ctx.actor.displayName, createdById: ctx.actor.userId, createdAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids: number[] = [];
    for (let i = 0; i < open.length; i += 200) {
      const part = open.slice(i, i + 200);
      const rows = await ctx.db
        .insertInto('checkins')
        .values(
          part.map((r) => ({
            residentId: r.residentId,
            episodeId: r.episodeId,
            communityId: r.communityId,
            date: s.date,
            slot: s.slot,
            temperature: null,
            symptoms: '[]',
            recordedBy: ctx.actor.displayName,
            notes: BATCH_NOTE,
            abnormal: 0,
            batchId: batch.id,
            createdAt: at,
            updatedAt: at,
          })),
        )
        .returning('id')
        .execute();
      ids.push(...rows.map((r) => r.id));
    }
    await audit(ctx, {
      action: 'checkin.batch',
      entity: 'checkin_batch',
      entityId: batch.id,
      extra: { date: s.date, slot: s.slot, place: place.label, placeId: place.id, count: ids.length, checkinIds: ids, residentIds: open.map((r) => r.residentId), skipped: s.residentIds.length - open.length },
    });
    return { batchId: batch.id, recorded: ids.length, skipped: s.residentIds.length - open.length };
  });
}

export interface BatchUndoResult {
  batchId: number;
  /** Check-ins removed. */
  removed: number;
  /** Corrected since the batch (someone entered a reading): kept. */
  kept: number;
}

export async function undoBatch(ctx: Ctx, batchId: number): Promise<BatchUndoResult> {
  return inTx(ctx, async (ctx) => {
    const b = await ctx.db.selectFrom('checkinBatches').selectAll().where('id', '=', batchId).executeTakeFirst();
    if (!b) throw notFound('thing.checkinBatch');
    assertInScope(ctx.actor, b.communityId);
    if (b.undoneAt) throw invalid('checkins.batchUndone', { by: b.undoneBy ?? '' });
    const own = b.createdById !== null && b.createdById === ctx.actor.userId;
    if (!own && !(can(ctx.actor, 'checkins.write') && (ctx.actor.role === 'clerk' || ctx.actor.role === 'admin'))) throw forbidden('checkins.batchUndoWho');
    const settings = await getSettings(ctx);
    if (isPastCutoff(ctx, settings, b.date, b.slot)) {
      throw invalid('checkins.batchUndoLate', { date: b.date, slot: msg(`label.slot.${b.slot}` as const), cutoff: b.slot === 'am' ? settings.cutoffAm : settings.cutoffPm });
    }
    const kept = Number((await ctx.db.selectFrom('checkins').select((eb) => eb.fn.countAll<number>().as('n')).where('batchId', '=', b.id).where('version', '>', 1).executeTakeFirstOrThrow()).n);
    const gone = await ctx.db.deleteFrom('checkins').where('batchId', '=', b.id).where('version', '=', 1).returning('id').execute();
    await ctx.db.updateTable('checkins').set({ batchId: null }).where('batchId', '=', b.id).execute();
    const at = nowIso(ctx.clock);
    await ctx.db.updateTable('checkinBatches').set({ undoneAt: at, undoneBy: ctx.actor.displayName }).where('id', '=', b.id).execute();
    await audit(ctx, { action: 'checkin.batch_undo', entity: 'checkin_batch', entityId: b.id, extra: { date: b.date, slot: b.slot, removed: gone.map((r) => r.id), kept } });
    return { batchId: b.id, removed: gone.length, kept };
  });
}

export interface CheckinBatchRow {
  id: number;
  date: string;
  slot: Slot;
  placeId: number;
  count: number;
  createdBy: string;
  createdById: number | null;
  createdAt: string;
  undoneAt: string | null;
  undoneBy: string | null;
  /** Check-ins of the batch still standing. */
  standing: number;
  /** The building or unit, as the preview names it (小区 + 楼 + 单元). */
  place: string;
}

/** The batches of a date (and slot) in scope, newest first: for the 今日监测 screen's 撤销 list. */
export async function listCheckinBatches(ctx: Ctx, q: { date: string; slot?: Slot }): Promise<CheckinBatchRow[]> {
  let query = ctx.db
    .selectFrom('checkinBatches as b')
    .select(['b.id', 'b.date', 'b.slot', 'b.placeId', 'b.count', 'b.createdBy', 'b.createdById', 'b.createdAt', 'b.undoneAt', 'b.undoneBy'])
    .select(sql<number>`(SELECT COUNT(*) FROM checkins k WHERE k.batch_id = b.id)`.as('standing'))
    .where('b.date', '=', q.date);
  if (q.slot) query = query.where('b.slot', '=', q.slot);
  if (ctx.actor.role === 'committee') query = query.where('b.communityId', '=', ctx.actor.communityId ?? -1);
  const rows = await query.orderBy('b.id', 'desc').limit(100).execute();
  const labels = new Map<number, string>();
  for (const r of rows) if (!labels.has(r.placeId)) labels.set(r.placeId, (await batchPlace({ ...ctx, actor: { ...ctx.actor, role: 'admin', communityId: null } }, r.placeId)).label);
  return rows.map((r) => ({ ...r, standing: Number(r.standing), place: labels.get(r.placeId)! }));
}
