// A cadre's own assignments (我的任务), for the `cadre` role: today's shifts and the next days', the door visits
// planned for them, the deliveries assigned to them. Only records whose cadre_id is the account's cadre; residents'
// names are masked to 王*明 and phones to 138****5678 (a cadre knocks on a door by its address). The writes (record
// a visit, mark a delivery delivered) check the record is theirs first, then run the office's own rules.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { today } from './clock.ts';
import type { Actor } from './actor.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import { addDays } from './dates.ts';
import { listShifts, type ShiftRow } from './fieldwork.ts';
import { listVisits, peopleOf, recordVisit, type VisitRecordInput, type VisitRow } from './visits.ts';
import { markDelivered, startDelivery } from './supplies.ts';
import { itemsText } from './supplyViews.ts';
import type { SupplyCategory, SupplyStatus, Urgency } from '../db/schema.ts';

/** 王*明, 李*: the first and (from three characters) the last character kept. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

export interface MyDelivery {
  id: number;
  version: number;
  status: SupplyStatus;
  category: SupplyCategory;
  urgency: Urgency;
  items: string;
  address: string;
  community: string;
  notes: string | null;
  createdAt: string;
  /** The household's people, masked. */
  people: { name: string; phone: string | null }[];
}

export interface MyTasks {
  cadre: { id: number; name: string; homeUnit: string; title: string | null; community: string | null; group: string | null };
  date: string;
  /** Shifts of the day. */
  shifts: ShiftRow[];
  /** Shifts of the next 7 days. */
  upcoming: ShiftRow[];
  /** Visits planned up to the day and not yet made (older ones first), then the ones made that day. */
  visits: VisitRow[];
  deliveries: MyDelivery[];
}

/** The account's cadre, or a refusal (a cadre account whose record is gone, or not a cadre account). */
function cadreOf(actor: Actor): number {
  if (actor.role !== 'cadre' || !actor.cadreId) throw forbidden('fieldwork.notCadreAccount');
  return actor.cadreId;
}

/** The actor lent the community of one record that is theirs (the office's rules then check scope as usual). */
const lend = (ctx: Ctx, communityId: number): Ctx => ({ ...ctx, actor: { ...ctx.actor, communityId } });
/** Lists read the cadre's own rows through the office's queries: no community filter, the cadre filter instead. */
const unscoped = (ctx: Ctx): Ctx => ({ ...ctx, actor: { ...ctx.actor, role: 'official', communityId: null } });

const maskPeople = (people: { name: string; phone: string | null }[]) => people.map((p) => ({ name: maskName(p.name), phone: p.phone }));

export async function myTasks(ctx: Ctx, q: { date?: string } = {}): Promise<MyTasks> {
  const cadreId = cadreOf(ctx.actor);
  const date = q.date ?? today(ctx.clock);
  const k = await ctx.db
    .selectFrom('cadres as k')
    .leftJoin('places as c', 'c.id', 'k.communityId')
    .leftJoin('cadreGroups as g', 'g.id', 'k.groupId')
    .select(['k.id', 'k.name', 'k.homeUnit', 'k.title', 'c.name as community', 'g.name as group'])
    .where('k.id', '=', cadreId)
    .executeTakeFirst();
  if (!k) throw notFound('thing.cadre');
  const own = unscoped(ctx);
  const shifts = await listShifts(own, { from: date, to: addDays(date, 7), cadreId });
  const open = (await listVisits(own, { cadreId, status: 'open', to: date })).reverse();
  const made = await listVisits(own, { cadreId, status: 'done', from: date, to: date });
  const raw = await ctx.db
    .selectFrom('supplyRequests as s')
    .innerJoin('households as h', 'h.id', 's.householdId')
    .innerJoin('places as c', 'c.id', 's.communityId')
    .select(['s.id', 's.version', 's.status', 's.category', 's.urgency', 's.notes', 's.createdAt', 's.householdId', 'h.address', 'c.name as community'])
    .where('s.cadreId', '=', cadreId)
    .where('s.status', 'in', ['assigned', 'delivering'])
    .orderBy('s.urgency', 'desc')
    .orderBy('s.createdAt')
    .limit(500)
    .execute();
  const items = new Map<number, { name: string; quantity: string }[]>();
  if (raw.length) {
    const rows = await ctx.db.selectFrom('supplyItems').select(['requestId', 'name', 'quantity']).where('requestId', 'in', raw.map((r) => r.id)).orderBy('id').execute();
    for (const r of rows) items.set(r.requestId, [...(items.get(r.requestId) ?? []), { name: r.name, quantity: r.quantity }]);
  }
  const people = await peopleOf(ctx, [...new Set(raw.map((r) => r.householdId))]);
  return {
    cadre: k,
    date,
    shifts: shifts.filter((s) => s.date === date),
    upcoming: shifts.filter((s) => s.date > date),
    visits: [...open, ...made].map((v) => ({ ...v, people: maskPeople(v.people) })),
    deliveries: raw.map(({ householdId, ...r }) => ({ ...r, items: itemsText(items.get(r.id) ?? []), people: maskPeople(people.get(householdId) ?? []) })),
  };
}

/** A cadre records one of their own visits. */
export async function myRecordVisit(ctx: Ctx, input: VisitRecordInput): Promise<{ id: number; version: number }> {
  const cadreId = cadreOf(ctx.actor);
  return inTx(ctx, async (ctx) => {
    const v = await ctx.db.selectFrom('doorVisits').select(['cadreId', 'communityId']).where('id', '=', input.id).executeTakeFirst();
    if (!v) throw notFound('thing.visit');
    if (v.cadreId !== cadreId) throw forbidden('fieldwork.notYours');
    return recordVisit(lend(ctx, v.communityId), input);
  });
}

/** A cadre marks one of their own deliveries delivered (配送中 first when it was still 已分派: one step for them). */
export async function myDeliver(ctx: Ctx, input: { id: number; version: number; note?: string | null }): Promise<{ id: number; version: number }> {
  const cadreId = cadreOf(ctx.actor);
  return inTx(ctx, async (ctx) => {
    const r = await ctx.db.selectFrom('supplyRequests').select(['cadreId', 'communityId', 'status', 'version']).where('id', '=', input.id).executeTakeFirst();
    if (!r) throw notFound('thing.supply');
    if (r.cadreId !== cadreId) throw forbidden('fieldwork.notYours');
    if (r.status !== 'assigned' && r.status !== 'delivering') throw invalid('fieldwork.deliveryClosed');
    const as = lend(ctx, r.communityId);
    let version = input.version;
    if (r.status === 'assigned') version = (await startDelivery(as, { id: input.id, version })).version;
    const done = await markDelivered(as, { id: input.id, version, note: input.note });
    return { id: done.id, version: done.version };
  });
}
