// Reading supply requests: paged list, and one request's detail with history. All scoped to the actor.
// The board, run sheet and day's numbers: supplyBoard.ts; the household finder of the new-request form: supplyHouseholds.ts.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { isoIn } from '../shared/time.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { notFound } from '../shared/errors.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { getSettings, type Settings } from './settings.ts';
import { createdOn, isSupplyOverdue, OPEN_STATUSES, overdueCutoffs, overdueFilter, overdueHours } from './supplyRules.ts';
import type { SupplyCategory, SupplyStatus, Urgency } from '../db/schema.ts';
import { checkPlaceFilter, householdsOfBuilding } from './place-filter.ts';

export interface SupplyRow {
  id: number;
  version: number;
  householdId: number;
  address: string;
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  category: SupplyCategory;
  urgency: Urgency;
  status: SupplyStatus;
  /** "大米 1袋，鸡蛋 2斤" — the item lines as one text. */
  items: string;
  requestedBy: string | null;
  notes: string | null;
  cadreId: number | null;
  cadreName: string | null;
  amountCents: number | null;
  paid: boolean;
  cancelReason: string | null;
  createdBy: string;
  createdAt: string;
  statusAt: string;
  overdue: boolean;
  /** The instant after which an open request counts as overdue. */
  dueBy: string;
  /** Minutes since it was logged, and since its last status change. */
  ageMinutes: number;
  statusAgeMinutes: number;
}

export interface SupplyDetail extends SupplyRow {
  itemLines: { id: number; name: string; quantity: string }[];
  transitions: { id: number; fromStatus: SupplyStatus | null; toStatus: SupplyStatus; userName: string; userDisplayName: string; note: string | null; at: string }[];
  /** Names of the household's residents, to confirm the right door. */
  members: string[];
}

export interface SupplyPage {
  rows: SupplyRow[];
  total: number | null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

export const likeContains = (s: string) => sql<string>`${'%' + escapeLike(s) + '%'} ESCAPE '\\'`;
export const likePrefix = (s: string) => sql<string>`${escapeLike(s) + '%'} ESCAPE '\\'`;

/** The joined columns of a row; `from` is a requests query already filtered (see `filtered`). */
export function joined(from: ReturnType<typeof filtered>) {
  return from
    .innerJoin('households as h', 'h.id', 's.householdId')
    .innerJoin('places as c', 'c.id', 's.communityId')
    .innerJoin('places as p', 'p.id', 's.compoundId')
    .leftJoin('cadres as k', 'k.id', 's.cadreId')
    .select([
      's.id',
      's.version',
      's.householdId',
      'h.address',
      's.communityId',
      'c.name as community',
      's.compoundId',
      'p.name as compound',
      's.category',
      's.urgency',
      's.status',
      's.requestedBy',
      's.notes',
      's.cadreId',
      'k.name as cadreName',
      's.amountCents',
      's.paid',
      's.cancelReason',
      's.createdBy',
      's.createdAt',
      's.statusAt',
    ]);
}

export type Raw = Omit<SupplyRow, 'items' | 'paid' | 'overdue' | 'dueBy' | 'ageMinutes' | 'statusAgeMinutes'> & { paid: number };

/** Item lines of many requests at once (portable: no group_concat), keyed by request id. */
async function itemsOf(ctx: Ctx, ids: number[]): Promise<Map<number, { id: number; name: string; quantity: string }[]>> {
  const out = new Map<number, { id: number; name: string; quantity: string }[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await ctx.db.selectFrom('supplyItems').select(['id', 'requestId', 'name', 'quantity']).where('requestId', 'in', chunk).orderBy('id').execute();
    for (const r of rows) {
      let list = out.get(r.requestId);
      if (!list) out.set(r.requestId, (list = []));
      list.push({ id: r.id, name: r.name, quantity: r.quantity });
    }
  }
  return out;
}

export function itemsText(items: { name: string; quantity: string }[]): string {
  return items.map((i) => (i.quantity ? `${i.name} ${i.quantity}` : i.name)).join('，');
}

export async function toRows(ctx: Ctx, raws: Raw[], settings: Settings): Promise<SupplyRow[]> {
  const items = await itemsOf(ctx, raws.map((r) => r.id));
  const now = ctx.clock.now();
  const minutesSince = (iso: string) => Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000));
  return raws.map((r) => ({
    ...r,
    paid: !!r.paid,
    items: itemsText(items.get(r.id) ?? []),
    overdue: isSupplyOverdue(r, settings, now),
    dueBy: isoIn(new Date(new Date(r.createdAt).getTime() + overdueHours(r.urgency, settings) * 3_600_000), ctx.clock.timeZone),
    ageMinutes: minutesSince(r.createdAt),
    statusAgeMinutes: minutesSince(r.statusAt),
  }));
}

export interface SupplyQuery {
  /** One status, 'open' (待处理 + 已分派 + 配送中) or 'all' (default). */
  status?: SupplyStatus | 'open' | 'all';
  communityId?: number;
  compoundId?: number;
  /** Requests of households in this building (place-filter.ts). */
  buildingId?: number;
  householdId?: number;
  cadreId?: number;
  category?: SupplyCategory;
  urgency?: Urgency;
  /** true: only overdue ones; false: only those not overdue. */
  overdue?: boolean;
  /** Created on this date. */
  date?: string;
  /** Part of the address. */
  search?: string;
  sortDir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
  withTotal?: boolean;
}

export function filtered(ctx: Ctx, q: SupplyQuery, settings: Settings) {
  let query = ctx.db.selectFrom('supplyRequests as s');
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('s.communityId', '=', scope);
  if (q.communityId) query = query.where('s.communityId', '=', q.communityId);
  if (q.compoundId) query = query.where('s.compoundId', '=', q.compoundId);
  if (q.buildingId) query = query.where('s.householdId', 'in', householdsOfBuilding(ctx, q.buildingId));
  if (q.householdId) query = query.where('s.householdId', '=', q.householdId);
  if (q.cadreId) query = query.where('s.cadreId', '=', q.cadreId);
  if (q.category) query = query.where('s.category', '=', q.category);
  if (q.urgency) query = query.where('s.urgency', '=', q.urgency);
  if (q.status === 'open') query = query.where('s.status', 'in', OPEN_STATUSES);
  else if (q.status && q.status !== 'all') query = query.where('s.status', '=', q.status);
  if (q.date) {
    const date = q.date;
    query = query.where((eb) => createdOn(eb, date));
  }
  if (q.overdue !== undefined) {
    const cut = overdueCutoffs(settings, ctx.clock.now(), ctx.clock.timeZone);
    query = query.where((eb) => (q.overdue ? overdueFilter(eb, cut) : eb.not(overdueFilter(eb, cut))));
  }
  const search = toHalfWidth(q.search ?? '').replace(/\s+/g, '');
  if (search) {
    query = query.where('s.householdId', 'in', (sub) => sub.selectFrom('households').select('households.id').where('households.address', 'like', likeContains(search)));
  }
  return query;
}

/** The requests page by page, filtered and sorted in SQL (newest first unless asked otherwise). */
export async function listSupplyRequests(ctx: Ctx, q: SupplyQuery = {}): Promise<SupplyPage> {
  await checkPlaceFilter(ctx, q);
  const settings = await getSettings(ctx);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const dir = q.sortDir === 'asc' ? 'asc' : 'desc';
  const raws = await joined(filtered(ctx, q, settings)).orderBy('s.createdAt', dir).orderBy('s.id', dir).limit(limit).offset(offset).execute();
  let total: number | null = null;
  if (q.withTotal !== false) {
    const t = await filtered(ctx, q, settings).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    total = Number(t.n);
  }
  return { rows: await toRows(ctx, raws as Raw[], settings), total };
}

/** One request with its item lines, every transition (time and user) and the household's member names. */
export async function getSupplyRequest(ctx: Ctx, id: number): Promise<SupplyDetail> {
  const raw = await joined(ctx.db.selectFrom('supplyRequests as s')).where('s.id', '=', id).executeTakeFirst();
  if (!raw) throw notFound('thing.supply');
  assertInScope(ctx.actor, raw.communityId);
  const settings = await getSettings(ctx);
  const [row] = await toRows(ctx, [raw as Raw], settings);
  const itemLines = (await itemsOf(ctx, [id])).get(id) ?? [];
  const transitions = await ctx.db
    .selectFrom('supplyTransitions as t')
    .leftJoin('users as u', 'u.username', 't.userName')
    .select(['t.id', 't.fromStatus', 't.toStatus', 't.userName', 'u.displayName', 't.note', 't.at'])
    .where('t.requestId', '=', id)
    .orderBy('t.id')
    .execute();
  const members = await ctx.db.selectFrom('residents').select('name').where('householdId', '=', raw.householdId).orderBy('id').execute();
  return {
    ...row,
    itemLines,
    transitions: transitions.map(({ displayName, ...t }) => ({ ...t, userDisplayName: displayName ?? t.userName })),
    members: members.map((m) => m.name),
  };
}
