// Door visits (入户走访): the office plans a visit to a household for a cadre on a day; the cadre (or the office)
// records what they found — 在家正常 / 无人应答 / 发现异常 / 其他 — with a note and what to follow up; the office marks
// the follow-up done. Phones are masked everywhere here; a cadre's own view masks names too (fieldwork-mine.ts).
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { asMessage, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { maskPhone } from '../shared/idcard.ts';
import { isOneOf, VISIT_RESULTS, type VisitResult } from '../shared/enums.ts';
import { updateVersioned } from './versioned.ts';

/** At most this many households planned in one call (a building). */
export const VISITS_AT_ONCE = 300;

export interface VisitPerson {
  name: string;
  /** Masked (138****5678). */
  phone: string | null;
}

export interface VisitRow {
  id: number;
  version: number;
  cadreId: number;
  cadre: string;
  homeUnit: string;
  householdId: number;
  communityId: number;
  community: string;
  address: string;
  people: VisitPerson[];
  plannedDate: string;
  visitedAt: string | null;
  result: VisitResult | null;
  note: string | null;
  followUpNote: string | null;
  followUpDone: boolean;
  createdBy: string;
  recordedBy: string | null;
}

export type VisitStatus = 'open' | 'done' | 'followUp' | 'all';

export interface VisitQuery {
  /** Planned dates (open visits) or visit dates (made ones) from..to. */
  from?: string;
  to?: string;
  status?: VisitStatus;
  communityId?: number;
  cadreId?: number;
  householdId?: number;
  /** Only these visits (a cadre's own view). */
  ids?: number[];
  limit?: number;
}

/** Plans a visit to each household for one cadre on a day; households must be in the cadre's community. */
export async function planVisits(ctx: Ctx, input: { cadreId: number; householdIds: number[]; date: string }): Promise<{ ids: number[] }> {
  const householdIds = [...new Set(input.householdIds)];
  const errors: FieldIssue[] = [];
  if (!householdIds.length) errors.push(issue('householdIds', 'fieldwork.pickHouseholds'));
  if (householdIds.length > VISITS_AT_ONCE) errors.push(issue('householdIds', 'fieldwork.tooManyAtOnce', { max: VISITS_AT_ONCE }));
  if (!isIsoDate(input.date)) errors.push(issue('date', 'common.dateBad'));
  if (errors.length) throw invalid('common.cannotSave', { problems: errors.map(asMessage) }, errors);
  return inTx(ctx, async (ctx) => {
    const k = await ctx.db.selectFrom('cadres').select(['id', 'name', 'communityId', 'status']).where('id', '=', input.cadreId).executeTakeFirst();
    if (!k) throw notFound('thing.cadre');
    if (k.communityId === null) throw invalid('fieldwork.cadreNoCommunity', { name: k.name }, [issue('cadreId', 'fieldwork.cadreNoCommunity', { name: k.name })]);
    assertInScope(ctx.actor, k.communityId);
    if (k.status === 'withdrawn') throw invalid('supplies.cadreWithdrawn', { name: k.name }, [issue('cadreId', 'supplies.cadreWithdrawnField')]);
    const hs = await ctx.db.selectFrom('households').select(['id', 'communityId', 'address']).where('id', 'in', householdIds).execute();
    if (hs.length !== householdIds.length) throw notFound('thing.household');
    const elsewhere = hs.filter((h) => h.communityId !== k.communityId).map((h) => h.address);
    if (elsewhere.length) throw invalid('fieldwork.householdElsewhere', { name: k.name, addresses: elsewhere.slice(0, 5).join('、') }, [issue('householdIds', 'fieldwork.householdElsewhereField')]);
    const at = nowIso(ctx.clock);
    const rows = await ctx.db
      .insertInto('doorVisits')
      .values(hs.map((h) => ({ cadreId: k.id, householdId: h.id, communityId: h.communityId, plannedDate: input.date, createdBy: ctx.actor.username, createdAt: at, updatedAt: at })))
      .returning('id')
      .execute();
    await audit(ctx, { action: 'cadre.visit_plan', entity: 'door_visit', entityId: rows.length === 1 ? rows[0].id : null, after: { cadreId: k.id, householdIds: hs.map((h) => h.id), date: input.date } });
    return { ids: rows.map((r) => r.id) };
  });
}

export interface VisitRecordInput {
  id: number;
  version: number;
  result: VisitResult;
  note?: string | null;
  followUpNote?: string | null;
}

/**
 * Records (or corrects) what a visit found. 发现异常 and 其他 need a note saying what; 发现异常 also needs what to
 * follow up. The caller has checked the visit may be recorded by this actor (scope, or the cadre's own).
 */
export async function recordVisit(ctx: Ctx, input: VisitRecordInput): Promise<{ id: number; version: number }> {
  const errors: FieldIssue[] = [];
  if (!isOneOf(VISIT_RESULTS, input.result)) errors.push(issue('result', 'fieldwork.resultBad'));
  const note = input.note?.trim().slice(0, 500) || null;
  const followUpNote = input.followUpNote?.trim().slice(0, 500) || null;
  if ((input.result === 'abnormal' || input.result === 'other') && !note) errors.push(issue('note', 'fieldwork.noteRequired'));
  if (input.result === 'abnormal' && !followUpNote) errors.push(issue('followUpNote', 'fieldwork.followUpRequired'));
  if (errors.length) throw invalid('common.cannotSave', { problems: errors.map(asMessage) }, errors);
  return inTx(ctx, async (ctx) => {
    const v = await ctx.db.selectFrom('doorVisits').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!v) throw notFound('thing.visit');
    assertInScope(ctx.actor, v.communityId);
    const at = nowIso(ctx.clock);
    const set = { result: input.result, note, followUpNote, visitedAt: v.visitedAt ?? at, recordedBy: ctx.actor.username };
    await updateVersioned(ctx, 'doorVisits', v.id, input.version, set, 'thing.visit');
    await audit(ctx, {
      action: 'cadre.visit_record',
      entity: 'door_visit',
      entityId: v.id,
      before: v.result ? { result: v.result, note: v.note, followUpNote: v.followUpNote } : undefined,
      after: { result: input.result, note, followUpNote },
    });
    return { id: v.id, version: input.version + 1 };
  });
}

/** The office marks a visit's follow-up done (or not), with a note. */
export async function setFollowUp(ctx: Ctx, input: { id: number; version: number; done: boolean; followUpNote?: string | null }): Promise<{ id: number; version: number }> {
  return inTx(ctx, async (ctx) => {
    const v = await ctx.db.selectFrom('doorVisits').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!v) throw notFound('thing.visit');
    assertInScope(ctx.actor, v.communityId);
    if (!v.result) throw invalid('fieldwork.followUpBeforeVisit');
    const followUpNote = input.followUpNote === undefined ? v.followUpNote : input.followUpNote?.trim().slice(0, 500) || null;
    await updateVersioned(ctx, 'doorVisits', v.id, input.version, { followUpDone: input.done ? 1 : 0, followUpNote }, 'thing.visit');
    await audit(ctx, {
      action: 'cadre.visit_follow_up',
      entity: 'door_visit',
      entityId: v.id,
      before: { followUpDone: !!v.followUpDone, followUpNote: v.followUpNote },
      after: { followUpDone: input.done, followUpNote },
    });
    return { id: v.id, version: input.version + 1 };
  });
}

/** Visits in the actor's scope, newest plan first (open ones by planned date, made ones by visit date). */
export async function listVisits(ctx: Ctx, q: VisitQuery = {}): Promise<VisitRow[]> {
  if (q.from && q.to && q.from > q.to) throw invalid('fieldwork.rangeBackwards', undefined, [issue('to', 'fieldwork.rangeBackwards')]);
  let query = ctx.db
    .selectFrom('doorVisits as v')
    .innerJoin('cadres as k', 'k.id', 'v.cadreId')
    .innerJoin('households as h', 'h.id', 'v.householdId')
    .innerJoin('places as c', 'c.id', 'v.communityId')
    .select([
      'v.id',
      'v.version',
      'v.cadreId',
      'k.name as cadre',
      'k.homeUnit',
      'v.householdId',
      'v.communityId',
      'c.name as community',
      'h.address',
      'v.plannedDate',
      'v.visitedAt',
      'v.result',
      'v.note',
      'v.followUpNote',
      'v.followUpDone',
      'v.createdBy',
      'v.recordedBy',
    ]);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('v.communityId', '=', scope);
  if (q.communityId) query = query.where('v.communityId', '=', q.communityId);
  if (q.cadreId) query = query.where('v.cadreId', '=', q.cadreId);
  if (q.householdId) query = query.where('v.householdId', '=', q.householdId);
  if (q.ids) query = query.where('v.id', 'in', q.ids.length ? q.ids : [-1]);
  const status = q.status ?? 'all';
  if (status === 'open') query = query.where('v.result', 'is', null);
  if (status === 'done') query = query.where('v.result', 'is not', null);
  if (status === 'followUp') query = query.where('v.followUpNote', 'is not', null).where('v.followUpDone', '=', 0);
  // The day a visit belongs to: the day it was made, else the day it was planned for.
  const day = sql<string>`coalesce(substr(v.visited_at, 1, 10), v.planned_date)`;
  if (q.from) query = query.where(day, '>=', q.from);
  if (q.to) query = query.where(day, '<=', q.to);
  const rows = await query
    .orderBy('v.plannedDate', 'desc')
    .orderBy('h.address')
    .orderBy('v.id')
    .limit(q.limit ?? 2000)
    .execute();
  const people = await peopleOf(ctx, [...new Set(rows.map((r) => r.householdId))]);
  return rows.map((r) => ({ ...r, people: people.get(r.householdId) ?? [], followUpDone: !!r.followUpDone }));
}

/** The people living in each household (names, masked phones), the household's order. */
export async function peopleOf(ctx: Pick<Ctx, 'db'>, householdIds: number[]): Promise<Map<number, VisitPerson[]>> {
  const out = new Map<number, VisitPerson[]>();
  for (let i = 0; i < householdIds.length; i += 500) {
    const rs = await ctx.db
      .selectFrom('residents')
      .select(['householdId', 'name', 'phone'])
      .where('householdId', 'in', householdIds.slice(i, i + 500))
      .orderBy('householdId')
      .orderBy('id')
      .execute();
    for (const r of rs) {
      if (r.householdId === null) continue;
      out.set(r.householdId, [...(out.get(r.householdId) ?? []), { name: r.name, phone: maskPhone(r.phone) }]);
    }
  }
  return out;
}
