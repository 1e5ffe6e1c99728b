// What cadres do (issue 14 §4), the office's side: 包联组 (a department's group bound to a community, with its leader
// and members) and the duty roster (one cadre's shift at a post on a day). Door visits are in visits.ts, a cadre's own
// view in fieldwork-mine.ts. A committee member works on their own community's roster only (scopeOf).
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { asMessage, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { addDays, diffDays, isIsoDate } from './dates.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { CADRE_POSTS, isOneOf, type CadrePost } from '../shared/enums.ts';
import { updateVersioned } from './versioned.ts';

const clean = (s: string | null | undefined) => toHalfWidth(String(s ?? '')).replace(/\s+/g, ' ').trim();
/** At most this many shifts in one call (a post's cadres for a day: a few dozen). */
export const SHIFTS_AT_ONCE = 200;

// ---------------------------------------------------------------------------------------------------------------
// 包联组

export interface GroupInput {
  name: string;
  homeUnit: string;
  communityId: number;
  leaderId?: number | null;
  /** The members (the leader is one of them even when not listed). */
  memberIds?: number[];
  notes?: string | null;
}

export interface GroupRow {
  id: number;
  version: number;
  name: string;
  homeUnit: string;
  communityId: number;
  community: string;
  leaderId: number | null;
  leader: string | null;
  members: { id: number; name: string; title: string | null }[];
  notes: string | null;
}

async function checkGroup(ctx: Ctx, input: GroupInput, selfId: number | null) {
  const errors: FieldIssue[] = [];
  const name = clean(input.name);
  const homeUnit = clean(input.homeUnit);
  if (!name) errors.push(issue('name', 'fieldwork.groupNameRequired'));
  if (!homeUnit) errors.push(issue('homeUnit', 'cadres.homeUnitRequired'));
  assertInScope(ctx.actor, input.communityId);
  const c = await ctx.db.selectFrom('places').select('id').where('id', '=', input.communityId).where('level', '=', 'community').executeTakeFirst();
  if (!c) errors.push(issue('communityId', 'places.noSuchCommunity'));
  if (name) {
    let q = ctx.db.selectFrom('cadreGroups').select('id').where('name', '=', name);
    if (selfId !== null) q = q.where('id', '!=', selfId);
    if (await q.executeTakeFirst()) errors.push(issue('name', 'fieldwork.groupNameTaken', { name }));
  }
  const leaderId = input.leaderId ?? null;
  const memberIds = [...new Set([...(input.memberIds ?? []), ...(leaderId ? [leaderId] : [])])];
  if (memberIds.length) {
    const found = await ctx.db.selectFrom('cadres').select(['id', 'name', 'communityId', 'groupId']).where('id', 'in', memberIds).execute();
    if (found.length !== memberIds.length) errors.push(issue('memberIds', 'fieldwork.noSuchCadre'));
    const elsewhere = found.filter((k) => k.communityId !== input.communityId).map((k) => k.name);
    if (elsewhere.length) errors.push(issue('memberIds', 'fieldwork.memberElsewhere', { names: elsewhere.join('、') }));
    const taken = found.filter((k) => k.groupId !== null && k.groupId !== selfId).map((k) => k.name);
    if (taken.length) errors.push(issue('memberIds', 'fieldwork.memberInOtherGroup', { names: taken.join('、') }));
  }
  if (errors.length) throw invalid('common.cannotSave', { problems: errors.map(asMessage) }, errors);
  return { values: { name, homeUnit, communityId: input.communityId, leaderId, notes: input.notes?.trim().slice(0, 500) || null }, memberIds };
}

async function setMembers(ctx: Ctx, groupId: number, memberIds: number[]) {
  let q = ctx.db.updateTable('cadres').set({ groupId: null }).where('groupId', '=', groupId);
  if (memberIds.length) q = q.where('id', 'not in', memberIds);
  await q.execute();
  if (memberIds.length) await ctx.db.updateTable('cadres').set({ groupId }).where('id', 'in', memberIds).execute();
}

export async function createGroup(ctx: Ctx, input: GroupInput): Promise<{ id: number; version: number }> {
  return inTx(ctx, async (ctx) => {
    const g = await checkGroup(ctx, input, null);
    const at = nowIso(ctx.clock);
    const row = await ctx.db.insertInto('cadreGroups').values({ ...g.values, createdAt: at, updatedAt: at }).returning(['id', 'version']).executeTakeFirstOrThrow();
    await setMembers(ctx, row.id, g.memberIds);
    await audit(ctx, { action: 'cadre.group_create', entity: 'cadre_group', entityId: row.id, after: { ...g.values, memberIds: g.memberIds } });
    return row;
  });
}

export async function updateGroup(ctx: Ctx, input: GroupInput & { id: number; version: number }): Promise<{ id: number; version: number }> {
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('cadreGroups').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!before) throw notFound('thing.cadreGroup');
    assertInScope(ctx.actor, before.communityId);
    const oldMembers = (await ctx.db.selectFrom('cadres').select('id').where('groupId', '=', before.id).orderBy('id').execute()).map((r) => r.id);
    const g = await checkGroup(ctx, { ...input, memberIds: input.memberIds ?? (input.communityId === before.communityId ? oldMembers : []) }, before.id);
    await updateVersioned(ctx, 'cadreGroups', before.id, input.version, g.values, 'thing.cadreGroup');
    await setMembers(ctx, before.id, g.memberIds);
    const diff = changedFields({ ...before, memberIds: oldMembers } as Record<string, unknown>, { ...g.values, memberIds: [...g.memberIds].sort((a, b) => a - b) });
    await audit(ctx, { action: 'cadre.group_update', entity: 'cadre_group', entityId: before.id, ...diff });
    return { id: before.id, version: input.version + 1 };
  });
}

export async function listGroups(ctx: Ctx, q: { communityId?: number } = {}): Promise<GroupRow[]> {
  let query = ctx.db
    .selectFrom('cadreGroups as g')
    .innerJoin('places as c', 'c.id', 'g.communityId')
    .leftJoin('cadres as l', 'l.id', 'g.leaderId')
    .select(['g.id', 'g.version', 'g.name', 'g.homeUnit', 'g.communityId', 'c.name as community', 'g.leaderId', 'l.name as leader', 'g.notes']);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('g.communityId', '=', scope);
  if (q.communityId) query = query.where('g.communityId', '=', q.communityId);
  const rows = await query.orderBy('c.name').orderBy('g.name').execute();
  const members = new Map<number, GroupRow['members']>();
  if (rows.length) {
    const ms = await ctx.db
      .selectFrom('cadres')
      .select(['id', 'name', 'title', 'groupId'])
      .where('groupId', 'in', rows.map((r) => r.id))
      .orderBy('name')
      .execute();
    for (const m of ms) members.set(m.groupId!, [...(members.get(m.groupId!) ?? []), { id: m.id, name: m.name, title: m.title }]);
  }
  return rows.map((r) => ({ ...r, members: members.get(r.id) ?? [] }));
}

// ---------------------------------------------------------------------------------------------------------------
// The duty roster

export interface ShiftInput {
  cadreIds: number[];
  date: string;
  startTime: string;
  endTime: string;
  post: CadrePost;
  place: string;
  notes?: string | null;
}

export interface ShiftRow {
  id: number;
  cadreId: number;
  cadre: string;
  homeUnit: string;
  communityId: number;
  community: string;
  date: string;
  startTime: string;
  endTime: string;
  /** Length in minutes (an end at or before the start is on the next day). */
  minutes: number;
  post: CadrePost;
  place: string;
  notes: string | null;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** A shift's length in minutes: an end at or before the start ends on the next day (a night at the gate). */
export function shiftMinutes(startTime: string, endTime: string): number {
  const d = toMinutes(endTime) - toMinutes(startTime);
  return d > 0 ? d : d + 24 * 60;
}

/** [start, end) in minutes from the shift's date's midnight. */
const span = (s: { startTime: string; endTime: string }) => [toMinutes(s.startTime), toMinutes(s.startTime) + shiftMinutes(s.startTime, s.endTime)] as const;

/** Puts cadres on a post for a day (排班): one shift each; a cadre already on another shift at that time is refused. */
export async function createShifts(ctx: Ctx, input: ShiftInput): Promise<{ ids: number[] }> {
  const errors: FieldIssue[] = [];
  const cadreIds = [...new Set(input.cadreIds)];
  if (!cadreIds.length) errors.push(issue('cadreIds', 'fieldwork.pickCadres'));
  if (cadreIds.length > SHIFTS_AT_ONCE) errors.push(issue('cadreIds', 'fieldwork.tooManyAtOnce', { max: SHIFTS_AT_ONCE }));
  if (!isIsoDate(input.date)) errors.push(issue('date', 'common.dateBad'));
  for (const f of ['startTime', 'endTime'] as const) if (!HHMM.test(input[f] ?? '')) errors.push(issue(f, 'fieldwork.timeBad'));
  if (HHMM.test(input.startTime) && input.startTime === input.endTime) errors.push(issue('endTime', 'fieldwork.timeSame'));
  if (!isOneOf(CADRE_POSTS, input.post)) errors.push(issue('post', 'fieldwork.postBad'));
  const place = clean(input.place).slice(0, 60);
  if (!place) errors.push(issue('place', 'fieldwork.placeRequired'));
  if (errors.length) throw invalid('common.cannotSave', { problems: errors.map(asMessage) }, errors);
  return inTx(ctx, async (ctx) => {
    const cadres = await ctx.db.selectFrom('cadres').select(['id', 'name', 'communityId', 'status']).where('id', 'in', cadreIds).execute();
    if (cadres.length !== cadreIds.length) throw invalid('fieldwork.noSuchCadre', undefined, [issue('cadreIds', 'fieldwork.noSuchCadre')]);
    const problems: FieldIssue[] = [];
    for (const k of cadres) {
      if (k.communityId === null) problems.push(issue('cadreIds', 'fieldwork.cadreNoCommunity', { name: k.name }));
      else assertInScope(ctx.actor, k.communityId);
      if (k.status === 'withdrawn') problems.push(issue('cadreIds', 'supplies.cadreWithdrawn', { name: k.name }));
    }
    const mine = span(input);
    const others = await ctx.db
      .selectFrom('cadreShifts')
      .select(['cadreId', 'date', 'startTime', 'endTime', 'post'])
      .where('cadreId', 'in', cadreIds)
      .where('date', 'in', [addDays(input.date, -1), input.date, addDays(input.date, 1)])
      .execute();
    for (const o of others) {
      const [a, b] = span(o);
      const shift = diffDays(input.date, o.date) * 24 * 60;
      if (a + shift < mine[1] && mine[0] < b + shift) {
        const k = cadres.find((c) => c.id === o.cadreId)!;
        problems.push(issue('cadreIds', 'fieldwork.shiftOverlap', { name: k.name, date: o.date, start: o.startTime, end: o.endTime }));
      }
    }
    if (problems.length) throw invalid('common.cannotSave', { problems: problems.map(asMessage) }, problems);
    const at = nowIso(ctx.clock);
    const notes = input.notes?.trim().slice(0, 500) || null;
    const rows = await ctx.db
      .insertInto('cadreShifts')
      .values(cadres.map((k) => ({ cadreId: k.id, communityId: k.communityId!, date: input.date, startTime: input.startTime, endTime: input.endTime, post: input.post, place, notes, createdBy: ctx.actor.username, createdAt: at })))
      .returning('id')
      .execute();
    await audit(ctx, {
      action: 'cadre.shift_create',
      entity: 'cadre_shift',
      entityId: rows.length === 1 ? rows[0].id : null,
      after: { cadreIds: cadres.map((k) => k.id), date: input.date, startTime: input.startTime, endTime: input.endTime, post: input.post, place, notes },
    });
    return { ids: rows.map((r) => r.id) };
  });
}

export async function deleteShift(ctx: Ctx, id: number): Promise<{ id: number }> {
  return inTx(ctx, async (ctx) => {
    const s = await ctx.db.selectFrom('cadreShifts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw notFound('thing.shift');
    assertInScope(ctx.actor, s.communityId);
    await ctx.db.deleteFrom('cadreShifts').where('id', '=', id).execute();
    const { id: _id, createdAt: _at, ...before } = s;
    await audit(ctx, { action: 'cadre.shift_delete', entity: 'cadre_shift', entityId: id, before });
    return { id };
  });
}

export interface ShiftQuery {
  from: string;
  to: string;
  communityId?: number;
  post?: CadrePost;
  cadreId?: number;
}

/** The roster of a date range (a few days of a few hundred cadres), by date, post and start. */
export async function listShifts(ctx: Ctx, q: ShiftQuery): Promise<ShiftRow[]> {
  if (q.from > q.to) throw invalid('fieldwork.rangeBackwards', undefined, [issue('to', 'fieldwork.rangeBackwards')]);
  let query = ctx.db
    .selectFrom('cadreShifts as s')
    .innerJoin('cadres as k', 'k.id', 's.cadreId')
    .innerJoin('places as c', 'c.id', 's.communityId')
    .select(['s.id', 's.cadreId', 'k.name as cadre', 'k.homeUnit', 's.communityId', 'c.name as community', 's.date', 's.startTime', 's.endTime', 's.post', 's.place', 's.notes'])
    .where('s.date', '>=', q.from)
    .where('s.date', '<=', q.to);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('s.communityId', '=', scope);
  if (q.communityId) query = query.where('s.communityId', '=', q.communityId);
  if (q.post) query = query.where('s.post', '=', q.post);
  if (q.cadreId) query = query.where('s.cadreId', '=', q.cadreId);
  const rows = await query.orderBy('s.date').orderBy('s.post').orderBy('s.startTime').orderBy('k.name').orderBy('s.id').limit(5000).execute();
  return rows.map((r) => ({ ...r, minutes: shiftMinutes(r.startTime, r.endTime) }));
}
