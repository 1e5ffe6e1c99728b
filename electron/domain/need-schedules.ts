// 定期需求 (issue 14 §3): a person's recurring need — dialysis every Tue/Thu/Sat, a weekly prescription — as a schedule
// that creates the supply request (药品, 就医 …) on each of its weekdays. runNeedSchedules(date) creates the requests
// due on a date, at most once per schedule and date (need_schedule_runs' primary key), whoever runs it and however
// often: the app and the office server at start and every hour (server/need-schedules.ts), the CLI on demand.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { asMessage, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { renderMessage } from '../shared/messages/index.ts';
import { isOneOf, NEED_SCHEDULE_KINDS, type NeedScheduleKind } from '../shared/enums.ts';
import { isIsoDate } from './dates.ts';
import { coversDateSql } from './episodes-days.ts';
import { createSupplyRequest, normaliseItems, type SupplyItemInput } from './supplies.ts';
import { updateVersioned } from './versioned.ts';

export interface NeedScheduleInput {
  residentId: number;
  kind: NeedScheduleKind;
  /** One item per line: a name, then optionally a space and the quantity (二甲双胍 2盒). */
  items: string;
  /** ISO weekdays: 1 Monday … 7 Sunday. */
  weekdays: number[];
  time?: string | null;
  startDate: string;
  endDate?: string | null;
  active?: boolean;
  notes?: string | null;
}

export interface NeedScheduleView {
  id: number;
  version: number;
  residentId: number;
  kind: NeedScheduleKind;
  items: string;
  weekdays: number[];
  time: string | null;
  startDate: string;
  endDate: string | null;
  active: boolean;
  notes: string | null;
  createdBy: string;
  /** The latest date a request was created for (null: none yet). */
  lastRun: string | null;
}

export const SCHEDULE_NOTES_MAX = 200;
const WEEKDAY_WORDS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The lines of `items` as supply items: name, then the rest of the line as the quantity. */
export function scheduleItems(items: string): SupplyItemInput[] {
  return String(items ?? '')
    .split(/[\n；;]+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = l.match(/^(\S+)\s+(.+)$/);
      return m ? { name: m[1], quantity: m[2] } : { name: l, quantity: '' };
    });
}

/** ISO weekday (1 Monday … 7 Sunday) of a YYYY-MM-DD date. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

function normaliseSchedule(input: NeedScheduleInput): { value?: Omit<NeedScheduleInput, 'residentId'> & { weekdays: number[]; time: string | null; endDate: string | null; notes: string | null; active: boolean }; errors: FieldIssue[] } {
  const errors: FieldIssue[] = [];
  if (!isOneOf(NEED_SCHEDULE_KINDS, input.kind)) errors.push(issue('kind', 'needs.kindBad', { choices: NEED_SCHEDULE_KINDS.join('、') }));
  const weekdays = [...new Set(input.weekdays ?? [])].sort((a, b) => a - b);
  if (weekdays.length === 0) errors.push(issue('weekdays', 'needs.weekdaysRequired'));
  else if (weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) errors.push(issue('weekdays', 'needs.weekdaysBad'));
  const time = String(input.time ?? '').trim() || null;
  if (time && !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) errors.push(issue('time', 'needs.timeBad'));
  if (!isIsoDate(input.startDate)) errors.push(issue('startDate', 'needs.startDateBad'));
  const endDate = input.endDate || null;
  if (endDate && (!isIsoDate(endDate) || endDate < input.startDate)) errors.push(issue('endDate', 'needs.endBeforeStart'));
  const notes = String(input.notes ?? '').trim() || null;
  if (notes && notes.length > SCHEDULE_NOTES_MAX) errors.push(issue('notes', 'needs.notesLong', { max: SCHEDULE_NOTES_MAX }));
  let items = '';
  try {
    items = normaliseItems(scheduleItems(input.items))
      .map((i) => `${i.name} ${i.quantity}`.trim())
      .join('\n');
  } catch (e) {
    const fields = (e as { fields?: FieldIssue[] }).fields ?? [issue('items', 'rule.itemsRequired')];
    errors.push(...fields.map((f) => ({ ...f, field: 'items' })));
  }
  if (errors.length) return { errors };
  return { value: { kind: input.kind, items, weekdays, time, startDate: input.startDate, endDate, active: input.active ?? true, notes }, errors };
}

function view(r: {
  id: number;
  version: number;
  residentId: number;
  kind: NeedScheduleKind;
  items: string;
  weekdays: string;
  time: string | null;
  startDate: string;
  endDate: string | null;
  active: number;
  notes: string | null;
  createdBy: string;
  lastRun?: string | null;
}): NeedScheduleView {
  return { ...r, weekdays: r.weekdays.split(',').filter(Boolean).map(Number), active: !!r.active, lastRun: r.lastRun ?? null };
}

async function residentInScope(ctx: Ctx, residentId: number) {
  const r = await ctx.db.selectFrom('residents').select(['id', 'communityId', 'householdId', 'name']).where('id', '=', residentId).executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  return r;
}

/** A person's schedules, newest first, with the last date each created a request for. */
export async function listNeedSchedules(ctx: Ctx, residentId: number): Promise<NeedScheduleView[]> {
  await residentInScope(ctx, residentId);
  const rows = await ctx.db
    .selectFrom('needSchedules as s')
    .selectAll('s')
    .select((eb) => eb.selectFrom('needScheduleRuns as u').select((e) => e.fn.max('u.date').as('d')).whereRef('u.scheduleId', '=', 's.id').as('lastRun'))
    .where('s.residentId', '=', residentId)
    .orderBy('s.id', 'desc')
    .execute();
  return rows.map((r) => view({ ...r, lastRun: (r.lastRun as string | null) ?? null }));
}

export async function createNeedSchedule(ctx: Ctx, input: NeedScheduleInput): Promise<NeedScheduleView> {
  const n = normaliseSchedule(input);
  if (!n.value) throw invalid('needs.scheduleBad', { problems: n.errors.map(asMessage) }, n.errors);
  const v = n.value;
  const id = await inTx(ctx, async (ctx) => {
    const r = await residentInScope(ctx, input.residentId);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('needSchedules')
      .values({ ...v, weekdays: v.weekdays.join(','), active: v.active ? 1 : 0, residentId: r.id, communityId: r.communityId, createdBy: ctx.actor.username, createdAt: at, updatedAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(ctx, { action: 'need.schedule_create', entity: 'need_schedule', entityId: row.id, residentId: r.id, after: { ...v } });
    return row.id;
  });
  return getNeedSchedule(ctx, id);
}

export async function getNeedSchedule(ctx: Ctx, id: number): Promise<NeedScheduleView> {
  const s = await ctx.db.selectFrom('needSchedules').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('thing.needSchedule');
  assertInScope(ctx.actor, s.communityId);
  return (await listNeedSchedules(ctx, s.residentId)).find((x) => x.id === id)!;
}

/** Changes a schedule (version-checked); active: false stops it without losing what it created. */
export async function updateNeedSchedule(ctx: Ctx, input: Partial<Omit<NeedScheduleInput, 'residentId'>> & { id: number; version: number }): Promise<NeedScheduleView> {
  await inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('needSchedules').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!before) throw notFound('thing.needSchedule');
    assertInScope(ctx.actor, before.communityId);
    const b = view(before);
    const n = normaliseSchedule({
      residentId: before.residentId,
      kind: input.kind ?? b.kind,
      items: input.items ?? b.items,
      weekdays: input.weekdays ?? b.weekdays,
      time: input.time !== undefined ? input.time : b.time,
      startDate: input.startDate ?? b.startDate,
      endDate: input.endDate !== undefined ? input.endDate : b.endDate,
      active: input.active ?? b.active,
      notes: input.notes !== undefined ? input.notes : b.notes,
    });
    if (!n.value) throw invalid('needs.scheduleBad', { problems: n.errors.map(asMessage) }, n.errors);
    const next = { ...n.value, weekdays: n.value.weekdays.join(','), active: n.value.active ? 1 : 0 };
    await updateVersioned(ctx, 'needSchedules', before.id, input.version, next, 'thing.needSchedule');
    const diff = changedFields(before as unknown as Record<string, unknown>, next);
    await audit(ctx, { action: 'need.schedule_update', entity: 'need_schedule', entityId: before.id, residentId: before.residentId, ...diff });
  });
  return getNeedSchedule(ctx, input.id);
}

export interface ScheduleRunResult {
  date: string;
  /** Requests created now, one per schedule due on the date and not run for it before. */
  created: { scheduleId: number; residentId: number; requestId: number }[];
  /** Schedules due on the date that had already created their request (an earlier run). */
  alreadyDone: number;
  /** Due on the date, but the person is not under isolation or monitoring then: nothing created. */
  notUnderControl: number;
}

/**
 * Creates the requests of every active schedule due on `date` (its weekday, within its dates) in the actor's scope,
 * for people under isolation or monitoring on that date. Each schedule and date is claimed in need_schedule_runs
 * inside the same transaction as its request, so a second run (or two at once) creates nothing twice.
 */
export async function runNeedSchedules(ctx: Ctx, date: string): Promise<ScheduleRunResult> {
  if (!isIsoDate(date)) throw invalid('needs.runDateBad', undefined, [issue('date', 'needs.runDateBad')]);
  const weekday = isoWeekday(date);
  let q = ctx.db
    .selectFrom('needSchedules as s')
    .innerJoin('residents as r', 'r.id', 's.residentId')
    .select(['s.id', 's.residentId', 's.kind', 's.items', 's.weekdays', 's.time', 's.notes', 'r.householdId', 'r.name'])
    .select((eb) => [
      eb.exists(eb.selectFrom('needScheduleRuns as u').select('u.scheduleId').whereRef('u.scheduleId', '=', 's.id').where('u.date', '=', date)).as('done'),
      eb.exists(eb.selectFrom('episodes as e').select('e.id').whereRef('e.residentId', '=', 's.residentId').where(coversDateSql('e', date))).as('covered'),
    ])
    .where('s.active', '=', 1)
    .where('s.startDate', '<=', date)
    .where((eb) => eb.or([eb('s.endDate', 'is', null), eb('s.endDate', '>=', date)]))
    .orderBy('s.id');
  const scope = scopeOf(ctx.actor);
  if (scope !== null) q = q.where('s.communityId', '=', scope);
  const due = (await q.execute()).filter((s) => s.weekdays.split(',').map(Number).includes(weekday));
  const result: ScheduleRunResult = { date, created: [], alreadyDone: 0, notUnderControl: 0 };
  for (const s of due) {
    if (s.done) {
      result.alreadyDone++;
      continue;
    }
    if (!s.covered) {
      result.notUnderControl++;
      continue;
    }
    const made = await inTx(ctx, async (ctx) => {
      const claim = await ctx.db
        .insertInto('needScheduleRuns')
        .values({ scheduleId: s.id, date, requestId: null, createdAt: nowIso(ctx.clock) })
        .onConflict((oc) => oc.columns(['scheduleId', 'date']).doNothing())
        .executeTakeFirst();
      if (Number(claim.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      const days = s.weekdays.split(',').map((d) => WEEKDAY_WORDS[Number(d)] ?? d).join('、');
      const label = renderMessage('zh', 'needs.scheduleRequest', { weekdays: days, time: s.time ? ` ${s.time}` : '' });
      const req = await createSupplyRequest(ctx, {
        householdId: s.householdId,
        category: s.kind,
        items: scheduleItems(s.items),
        requestedBy: s.name,
        notes: [label, s.notes].filter(Boolean).join('：'),
      });
      await ctx.db.updateTable('needScheduleRuns').set({ requestId: req.id }).where('scheduleId', '=', s.id).where('date', '=', date).execute();
      return req.id;
    });
    if (made === null) result.alreadyDone++;
    else result.created.push({ scheduleId: s.id, residentId: s.residentId, requestId: made });
  }
  if (result.created.length) {
    await audit(ctx, { action: 'need.schedule_run', entity: 'need_schedule', extra: { date, created: result.created.length, requestIds: result.created.map((c) => c.requestId) } });
  }
  return result;
}

