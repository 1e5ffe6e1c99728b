// Reading supply requests: paged list, detail with history, status board, delivery run sheet (物资需求清单),
// the day's numbers per community, and the household finder of the new-request form. All scoped to the actor.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { today } from './clock.ts';
import { isoIn } from '../shared/time.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { notFound } from '../shared/errors.ts';
import { addDays } from './dates.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { getSettings, type Settings } from './settings.ts';
import { createdOn, isSupplyOverdue, OPEN_STATUSES, overdueCutoffs, overdueFilter, overdueHours } from './supplyRules.ts';
import type { SupplyCategory, SupplyStatus, Urgency } from '../db/schema.ts';

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

const likeContains = (s: string) => sql<string>`${'%' + escapeLike(s) + '%'} ESCAPE '\\'`;
const likePrefix = (s: string) => sql<string>`${escapeLike(s) + '%'} ESCAPE '\\'`;

/** The joined columns of a row; `from` is a requests query already filtered (see `filtered`). */
function joined(from: ReturnType<typeof filtered>) {
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

type Raw = Omit<SupplyRow, 'items' | 'paid' | 'overdue' | 'dueBy' | 'ageMinutes' | 'statusAgeMinutes'> & { paid: number };

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

async function toRows(ctx: Ctx, raws: Raw[], settings: Settings): Promise<SupplyRow[]> {
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

function filtered(ctx: Ctx, q: SupplyQuery, settings: Settings) {
  let query = ctx.db.selectFrom('supplyRequests as s');
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('s.communityId', '=', scope);
  if (q.communityId) query = query.where('s.communityId', '=', q.communityId);
  if (q.compoundId) query = query.where('s.compoundId', '=', q.compoundId);
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

export interface SupplyBoard {
  byStatus: Record<SupplyStatus, number>;
  open: number;
  overdue: number;
  urgentOpen: number;
  newToday: number;
  deliveredToday: number;
}

/** Counts by status for the board at the top of the supplies page. */
export async function supplyBoard(ctx: Ctx, q: { communityId?: number } = {}): Promise<SupplyBoard> {
  const settings = await getSettings(ctx);
  const cut = overdueCutoffs(settings, ctx.clock.now(), ctx.clock.timeZone);
  const rows = await filtered(ctx, { communityId: q.communityId }, settings)
    .select((eb) => [
      's.status',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when(overdueFilter(eb, cut)).then(1).else(0).end()).as('late'),
      eb.fn.sum<number>(eb.case().when('s.urgency', '=', 'urgent').then(1).else(0).end()).as('urgent'),
    ])
    .groupBy('s.status')
    .execute();
  const byStatus: Record<SupplyStatus, number> = { new: 0, assigned: 0, delivering: 0, delivered: 0, cancelled: 0 };
  let overdue = 0;
  let urgentOpen = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    overdue += Number(r.late ?? 0);
    if (OPEN_STATUSES.includes(r.status)) urgentOpen += Number(r.urgent ?? 0);
  }
  const day = await supplyStatsByCommunity(ctx, today(ctx.clock));
  let newToday = 0;
  let deliveredToday = 0;
  for (const [community, s] of day) {
    if (q.communityId && community !== q.communityId) continue;
    newToday += s.newToday;
    deliveredToday += s.deliveredToday;
  }
  return { byStatus, open: byStatus.new + byStatus.assigned + byStatus.delivering, overdue, urgentOpen, newToday, deliveredToday };
}

export interface RunSheetGroup {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  urgent: number;
  rows: SupplyRow[];
}

export interface RunSheet {
  date: string | null;
  status: SupplyStatus | 'open' | 'all';
  groups: RunSheetGroup[];
  total: number;
  /** More than RUN_SHEET_MAX rows matched; narrow by compound or date. */
  truncated: boolean;
}

export const RUN_SHEET_MAX = 5000;

/**
 * Requests for delivery runs, grouped by compound (urgent first, then by address). Also the data of the
 * 物资需求清单 export. Without a date or status it lists what still waits for delivery.
 */
export async function supplyRunSheet(
  ctx: Ctx,
  q: { date?: string; status?: SupplyStatus | 'open' | 'all'; compoundId?: number; communityId?: number } = {},
): Promise<RunSheet> {
  const settings = await getSettings(ctx);
  const status = q.status ?? (q.date ? 'all' : 'open');
  const raws = await joined(filtered(ctx, { ...q, status }, settings))
    .orderBy('c.name')
    .orderBy('p.name')
    .orderBy('s.compoundId')
    .orderBy(sql`case when ${sql.ref('s.urgency')} = 'urgent' then 0 else 1 end`)
    .orderBy('h.address')
    .orderBy('s.createdAt')
    .orderBy('s.id')
    .limit(RUN_SHEET_MAX + 1)
    .execute();
  const truncated = raws.length > RUN_SHEET_MAX;
  const rows = await toRows(ctx, raws.slice(0, RUN_SHEET_MAX) as Raw[], settings);
  const groups: RunSheetGroup[] = [];
  for (const r of rows) {
    let g = groups[groups.length - 1];
    if (!g || g.compoundId !== r.compoundId) {
      groups.push((g = { communityId: r.communityId, community: r.community, compoundId: r.compoundId, compound: r.compound, urgent: 0, rows: [] }));
    }
    g.rows.push(r);
    if (r.urgency === 'urgent') g.urgent++;
  }
  return { date: q.date ?? null, status, groups, total: rows.length, truncated };
}

export interface SupplyDayStats {
  newToday: number;
  deliveredToday: number;
  pending: number;
  overdue: number;
}

/**
 * Per community, for the dashboard and the daily report: created on `date`, delivered on `date`, open now
 * (new + assigned + delivering) and overdue now (by the clock). Limited to the actor's community scope.
 */
export async function supplyStatsByCommunity(ctx: Ctx, date: string): Promise<Map<number, SupplyDayStats>> {
  const settings = await getSettings(ctx);
  const cut = overdueCutoffs(settings, ctx.clock.now(), ctx.clock.timeZone);
  const scope = scopeOf(ctx.actor);
  const out = new Map<number, SupplyDayStats>();
  const slot = (id: number) => {
    let s = out.get(id);
    if (!s) out.set(id, (s = { newToday: 0, deliveredToday: 0, pending: 0, overdue: 0 }));
    return s;
  };

  let created = ctx.db
    .selectFrom('supplyRequests as s')
    .select((eb) => ['s.communityId', eb.fn.countAll<number>().as('n')])
    .where((eb) => createdOn(eb, date));
  if (scope !== null) created = created.where('s.communityId', '=', scope);
  for (const r of await created.groupBy('s.communityId').execute()) slot(r.communityId).newToday = Number(r.n);

  let delivered = ctx.db
    .selectFrom('supplyTransitions as t')
    .innerJoin('supplyRequests as s', 's.id', 't.requestId')
    .select((eb) => ['s.communityId', eb.fn.count<number>('t.requestId').distinct().as('n')])
    .where('t.toStatus', '=', 'delivered')
    .where('t.at', '>=', date)
    .where('t.at', '<', addDays(date, 1));
  if (scope !== null) delivered = delivered.where('s.communityId', '=', scope);
  for (const r of await delivered.groupBy('s.communityId').execute()) slot(r.communityId).deliveredToday = Number(r.n);

  let open = ctx.db
    .selectFrom('supplyRequests as s')
    .select((eb) => [
      's.communityId',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when(overdueFilter(eb, cut)).then(1).else(0).end()).as('late'),
    ])
    .where('s.status', 'in', OPEN_STATUSES);
  if (scope !== null) open = open.where('s.communityId', '=', scope);
  for (const r of await open.groupBy('s.communityId').execute()) {
    const s = slot(r.communityId);
    s.pending = Number(r.n);
    s.overdue = Number(r.late ?? 0);
  }
  return out;
}

export interface HouseholdHit {
  id: number;
  address: string;
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  members: string[];
}

/** Finds a household for the new-request form by part of its address, or a member's name or pinyin initials. */
export async function searchHouseholds(ctx: Ctx, q: { search: string; communityId?: number; limit?: number }): Promise<HouseholdHit[]> {
  const s = toHalfWidth(q.search ?? '').replace(/\s+/g, '');
  if (!s) return [];
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 50);
  let query = ctx.db
    .selectFrom('households as h')
    .innerJoin('places as c', 'c.id', 'h.communityId')
    .innerJoin('places as p', 'p.id', 'h.compoundId')
    .select(['h.id', 'h.address', 'h.communityId', 'c.name as community', 'h.compoundId', 'p.name as compound']);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('h.communityId', '=', scope);
  if (q.communityId) query = query.where('h.communityId', '=', q.communityId);
  const ascii = /^[a-zA-Z]+$/.test(s);
  query = query.where((eb) =>
    eb.or([
      eb('h.address', 'like', likeContains(s)),
      eb.exists(
        eb
          .selectFrom('residents as r')
          .select('r.id')
          .whereRef('r.householdId', '=', 'h.id')
          .where((e) =>
            ascii
              ? e.or([e('r.nameInitials', 'like', likePrefix(s.toLowerCase())), e('r.namePinyin', 'like', likePrefix(s.toLowerCase()))])
              : e('r.name', 'like', likePrefix(s)),
          ),
      ),
    ]),
  );
  const rows = await query.orderBy('c.name').orderBy('h.address').limit(limit).execute();
  const members = rows.length
    ? await ctx.db.selectFrom('residents').select(['householdId', 'name']).where('householdId', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  return rows.map((r) => ({ ...r, members: members.filter((m) => m.householdId === r.id).map((m) => m.name) }));
}
