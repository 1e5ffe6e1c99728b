// Residents (居民) lists: search and page in SQL, the count cache, one masked row.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Ctx } from './context.ts';
import { today } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { notFound } from '../shared/errors.ts';
import { boundSubdistrict, changeStamp } from '../db/engine.ts';
import { maskIdNumber, maskPhone, toHalfWidth } from '../shared/idcard.ts';
import { addDays, ageOn, diffDays } from './dates.ts';
import type { Category, Database, DocType, ResidentStatus, Sex } from '../db/schema.ts';
import { checkPlaceFilter, householdsIn } from './place-filter.ts';
import type { Need } from '../shared/enums.ts';
import { needsFilter, withNeeds, type NeedFlag } from './needs.ts';

export type ResidentFilterStatus = ResidentStatus | 'active' | 'due' | 'all';
export type ResidentSortField = 'lastDay' | 'startDate' | 'releaseDate' | 'name' | 'id' | 'latestTemperature';

export interface ResidentQuery {
  search?: string;
  communityId?: number;
  compoundId?: number;
  /** People whose household lies in this building (place-filter.ts). */
  buildingId?: number;
  householdId?: number;
  status?: ResidentFilterStatus;
  /** People on day N of their current period. */
  dayN?: number;
  /** Only people with an open alert. */
  abnormal?: boolean;
  /** Only people carrying any of these special needs (特殊需求). */
  needs?: Need[];
  sortField?: ResidentSortField;
  sortDir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
  /** Skip the COUNT(*) (next pages of a grid that already knows the total). */
  withTotal?: boolean;
}

export interface ResidentRow {
  id: number;
  version: number;
  name: string;
  sex: Sex | null;
  age: number | null;
  docType: DocType;
  docNumber: string | null;
  phone: string | null;
  category: Category;
  communityId: number;
  community: string;
  compound: string;
  address: string;
  householdId: number;
  status: ResidentStatus;
  episodeId: number | null;
  /** The current episode's version (optimistic lock), so a list can release in a batch without loading each one. */
  episodeVersion: number | null;
  startDate: string | null;
  lastDay: string | null;
  releaseDate: string | null;
  dayN: number | null;
  totalDays: number | null;
  /** Period over, not yet released (待解除). */
  due: boolean;
  latestTemperature: number | null;
  openAlerts: number;
  /** Special needs (特殊需求) the person carries. */
  needs: NeedFlag[];
}

export interface Page<T> {
  rows: T[];
  total: number | null;
}

type Eb = ExpressionBuilder<Database & { r: Database['residents'] }, 'r'>;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/**
 * One search box: name, pinyin initials or full pinyin, ID number, phone, address. `communityId` (the filter or the
 * actor's scope) narrows the address lookup; `mode` lets a count within a community add a redundant range.
 */
function searchFilter(eb: Eb, raw: string, communityId: number | null, mode: 'page' | 'count') {
  const s = toHalfWidth(raw).trim().replace(/\s+/g, '');
  const like = escapeLike(s);
  if (/^[a-zA-Z]+$/.test(s)) {
    // Prefix as a range (>= 'zs' and < 'zt'): unlike LIKE (case-insensitive), a range can use the index.
    const low = s.toLowerCase();
    const high = low.slice(0, -1) + String.fromCharCode(low.charCodeAt(low.length - 1) + 1);
    const either = eb.or([
      eb.and([eb('r.nameInitials', '>=', low), eb('r.nameInitials', '<', high)]),
      eb.and([eb('r.namePinyin', '>=', low), eb('r.namePinyin', '<', high)]),
    ]);
    if (mode !== 'count' || communityId === null) return either;
    // Initials and full pinyin start with the same letter (zs / zhangsan): counting within a community, that one
    // letter is an index range on (community_id, name_initials, name_pinyin) instead of a scan of the community.
    const first = low[0];
    return eb.and([eb('r.nameInitials', '>=', first), eb('r.nameInitials', '<', String.fromCharCode(first.charCodeAt(0) + 1)), either]);
  }
  if (/^\d{3,}[xX]?$/.test(s)) {
    const up = s.toUpperCase();
    if (s.length === 18) return eb('r.docNumber', '=', up);
    if (/^1\d{10}$/.test(s)) return eb('r.phone', '=', s);
    // A fragment matches only what the list shows anyway: the ID number's first 6 (area) or last 4, the phone's first
    // 3 or last 4. A fragment reaching into the masked middle (the birth date, the phone's middle 4) would let a
    // search rebuild the hidden digits one guess at a time; the whole number still finds its person.
    const c = [eb('r.docNumber', '=', up)];
    if (s.length <= 6) c.push(eb('r.docNumber', 'like', sql<string>`${like.toUpperCase() + '%'} ESCAPE '\\'`));
    if (s.length <= 4) c.push(eb('r.docNumber', 'like', sql<string>`${'%' + like.toUpperCase()} ESCAPE '\\'`));
    if (s.length <= 3) c.push(eb('r.phone', 'like', sql<string>`${like + '%'} ESCAPE '\\'`));
    if (s.length <= 4) c.push(eb('r.phone', 'like', sql<string>`${'%' + like} ESCAPE '\\'`));
    return eb.or(c);
  }
  // Name prefix as a range: U+10FFFF sorts after every character in binary (code point) order.
  const name = eb.and([eb('r.name', '>=', s), eb('r.name', '<', s + '\u{10FFFF}')]);
  // One character is a surname (张): matching it inside every address too would read all households for nothing.
  if ([...s].length < 2) return name;
  return eb.or([
    name,
    eb('r.householdId', 'in', (sub) => {
      const inAddress = sub.selectFrom('households').select('households.id').where('households.address', 'like', sql<string>`${'%' + like + '%'} ESCAPE '\\'`);
      return communityId === null ? inAddress : inAddress.where('households.communityId', '=', communityId);
    }),
  ]);
}

const RUNNING: ResidentStatus[] = ['isolating', 'monitoring'];
const NOT_RUNNING: ResidentStatus[] = ['none', 'released', 'transferred', 'ended_other'];

/**
 * `mode` only changes how "running" is spelled, to steer the planner. Counting the unfiltered list: status IN (…)
 * reads the status index alone. Otherwise status NOT IN (…), which no index serves: pages walk the sort index
 * (last_day, id, status) in order and stop after the page; a search or community narrows through its own index.
 */
function baseQuery(ctx: Ctx, q: ResidentQuery, mode: 'page' | 'count' = 'page') {
  const scope = scopeOf(ctx.actor);
  const statusIndex = mode === 'count' && scope === null && !q.communityId && !q.householdId && !q.compoundId && !q.buildingId && !q.abnormal && !q.needs?.length && !q.search?.trim();
  const running = (eb: Eb) => (statusIndex ? eb('r.status', 'in', RUNNING) : eb('r.status', 'not in', NOT_RUNNING));
  const todayDate = today(ctx.clock);
  let query = ctx.db.selectFrom('residents as r');
  if (scope !== null) query = query.where('r.communityId', '=', scope);
  if (q.communityId) query = query.where('r.communityId', '=', q.communityId);
  if (q.householdId) query = query.where('r.householdId', '=', q.householdId);
  const households = householdsIn(ctx, q);
  if (households) query = query.where('r.householdId', 'in', households);
  const status = q.status ?? 'all';
  if (status === 'active') query = query.where((eb) => running(eb as unknown as Eb));
  else if (status === 'due') query = query.where((eb) => running(eb as unknown as Eb)).where('r.lastDay', '<', todayDate);
  else if (status !== 'all') query = query.where('r.status', '=', status);
  if (q.dayN) {
    query = query.where((eb) => running(eb as unknown as Eb)).where('r.startDate', '=', addDays(todayDate, -(q.dayN - 1)));
  }
  if (q.abnormal) {
    // IN (the few people with open alerts) rather than EXISTS per resident: no probe for each of a million rows.
    query = query.where('r.id', 'in', (sub) => sub.selectFrom('alerts').select('alerts.residentId').where('alerts.status', '=', 'open'));
  }
  if (q.needs?.length) {
    const needs = q.needs;
    query = query.where((eb) => needsFilter(eb as unknown as Eb, needs));
  }
  if (q.search && q.search.trim()) {
    const s = q.search;
    query = query.where((eb) => searchFilter(eb as unknown as Eb, s, q.communityId ?? scope, mode));
  }
  return query;
}

/** The joined columns of a resident row; `from` is any residents query already filtered. */
function withRowColumns<Q extends ReturnType<typeof baseQuery>>(from: Q) {
  return from
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .innerJoin('places as p', 'p.id', 'h.compoundId')
    .select((eb) => [
      'r.id',
      'r.version',
      'r.name',
      'r.sex',
      'r.birthDate',
      'r.docType',
      'r.docNumber',
      'r.phone',
      'r.category',
      'r.communityId',
      'c.name as community',
      'p.name as compound',
      'h.address',
      'r.householdId',
      'r.status',
      'r.currentEpisodeId as episodeId',
      eb.selectFrom('episodes').select('episodes.version').whereRef('episodes.id', '=', 'r.currentEpisodeId').as('episodeVersion'),
      'r.startDate',
      'r.lastDay',
      'r.releaseDate',
      'r.latestTemperature',
      eb
        .selectFrom('alerts')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('alerts.residentId', '=', 'r.id')
        .where('alerts.status', '=', 'open')
        .as('openAlerts'),
    ]);
}

/** Beyond this offset a page may be read from the other end of the sort order (see listResidents). */
const REVERSE_AFTER = 5000;

/**
 * Counts of recent list queries, per database handle: a grid scrolled past REVERSE_AFTER asks for each block without a
 * total, and choosing the walk direction needs one (40–65 ms over 766k rows every time). An entry holds only while
 * the database is unchanged: SQLite's data_version moves when another connection commits, total_changes() when this
 * one writes (even a write later rolled back: a needless recount, never a stale one). Keyed by the filters, the
 * actor's scope and today's date (due / day N depend on it). Not used inside a transaction.
 */
const COUNT_CACHE_SIZE = 16;
const countCache = new WeakMap<object, { stamp: string; counts: Map<string, number> }>();
let countsRun = 0;
/** How many list counts actually ran SQL (tests check the cache is used). */
export const residentCountsRun = () => countsRun;

async function cachedCount(ctx: Ctx, q: ResidentQuery, count: () => Promise<number>): Promise<number> {
  if (ctx.db.isTransaction) return count();
  const stamp = await changeStamp(ctx.db);
  if (stamp === null) return count();
  const key = JSON.stringify([
    scopeOf(ctx.actor),
    today(ctx.clock),
    q.search ?? '',
    q.communityId ?? null,
    q.householdId ?? null,
    q.compoundId ?? null,
    q.buildingId ?? null,
    q.status ?? 'all',
    q.dayN ?? null,
    !!q.abnormal,
    [...(q.needs ?? [])].sort(),
  ]);
  let entry = countCache.get(ctx.db);
  if (!entry || entry.stamp !== stamp) {
    entry = { stamp, counts: new Map() };
    countCache.set(ctx.db, entry);
  }
  const hit = entry.counts.get(key);
  if (hit !== undefined) {
    // Most recently used last.
    entry.counts.delete(key);
    entry.counts.set(key, hit);
    return hit;
  }
  countsRun++;
  const n = await count();
  entry.counts.set(key, n);
  if (entry.counts.size > COUNT_CACHE_SIZE) entry.counts.delete(entry.counts.keys().next().value!);
  return n;
}

export async function listResidents(ctx: Ctx, q: ResidentQuery = {}): Promise<Page<ResidentRow>> {
  await checkPlaceFilter(ctx, q);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const dir = q.sortDir === 'desc' ? 'desc' : 'asc';
  const field = q.sortField ?? 'lastDay';
  const col = {
    lastDay: 'r.lastDay',
    startDate: 'r.startDate',
    releaseDate: 'r.releaseDate',
    name: 'r.name',
    id: 'r.id',
    latestTemperature: 'r.latestTemperature',
  }[field] as 'r.lastDay';
  const count = () =>
    cachedCount(ctx, q, async () => Number((await baseQuery(ctx, q, 'count').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
  // A first page (offset ≤ REVERSE_AFTER, the walk direction known without the total): the page's rows and its total
  // are independent, so outside a transaction they are asked for at once. On PostgreSQL the pool runs them on two
  // connections side by side (the total over a whole subdistrict's 100,000 rows takes as long as the page itself);
  // SQLite's one connection takes them in turn as before.
  if (q.withTotal !== false && offset <= REVERSE_AFTER && !ctx.db.isTransaction) {
    const [total, rows] = await Promise.all([count(), readPage(ctx, q, col, dir, dir, limit, offset)]);
    return { rows, total };
  }
  const total = q.withTotal !== false ? await count() : null;

  // A grid jumping to its last rows asks for OFFSET ~1,000,000: walking the index that far costs more than a count,
  // so a page in the far half is read in the reverse order from the near end and flipped back.
  let walk: 'asc' | 'desc' = dir;
  let pageOffset = offset;
  let pageLimit = limit;
  if (offset > REVERSE_AFTER) {
    const n = total ?? (await count());
    if (offset + limit / 2 > n / 2) {
      walk = dir === 'asc' ? 'desc' : 'asc';
      pageLimit = Math.max(0, Math.min(limit, n - offset));
      pageOffset = Math.max(0, n - offset - pageLimit);
    }
  }
  return { rows: await readPage(ctx, q, col, dir, walk, pageLimit, pageOffset), total };
}

/**
 * Whether a page's ids are read community by community (PostgreSQL, a connection bound to a subdistrict: row-level
 * security narrows every residents query to the subdistrict's communities, `community_id = ANY (…)`). The walk of the
 * district-wide sort index in order, filtering on the community, would read the rows of the other subdistricts that
 * sort first: the people of a district share a handful of last days, so the last subdistrict's first page read
 * ~90,000 index entries and their rows (100–170 ms at 1,000,000 residents). Instead each visible community gives its
 * first `needed` rows from its own index (community_id, sort column, id) and the page is the first of those, merged:
 * at most communities × `needed` index entries however the subdistricts' rows are spread. Only where such an index
 * exists (last day, name, id), no other filter narrows through an index of its own (a community, a place, a search,
 * alerts, needs) and the page is near an end (`needed` ≤ REVERSE_AFTER + a page).
 */
async function perCommunityWalk(ctx: Ctx, q: ResidentQuery, col: string, needed: number): Promise<boolean> {
  if (needed > REVERSE_AFTER + 1000 || !['r.lastDay', 'r.name', 'r.id'].includes(col)) return false;
  if (q.communityId || q.householdId || q.compoundId || q.buildingId || q.abnormal || q.needs?.length || q.search?.trim()) return false;
  if (scopeOf(ctx.actor) !== null) return false;
  return (await boundSubdistrict(ctx.db)) !== null;
}

/** One page of rows in `dir` order, read walking the sort index in `walk` order. */
async function readPage(ctx: Ctx, q: ResidentQuery, col: 'r.lastDay', dir: 'asc' | 'desc', walk: 'asc' | 'desc', pageLimit: number, pageOffset: number): Promise<ResidentRow[]> {
  if (pageLimit === 0) return [];
  // Deferred join: the page's ids come from the sort index alone; the joins and the alert count run for those rows only.
  const ids = (await perCommunityWalk(ctx, q, col, pageLimit + pageOffset))
    ? ctx.db
        .selectFrom('places as pc')
        .where('pc.level', '=', 'community')
        .innerJoinLateral(
          baseQuery(ctx, q, 'page')
            .where(sql<boolean>`r.community_id = pc.id`)
            .select(['r.id', `${col} as k`])
            .orderBy(col, walk)
            .orderBy('r.id', walk)
            .limit(pageLimit + pageOffset)
            .as('x'),
          (join) => join.onTrue(),
        )
        .select('x.id')
        .orderBy('x.k', walk)
        .orderBy('x.id', walk)
        .limit(pageLimit)
        .offset(pageOffset)
    : baseQuery(ctx, q, 'page').select('r.id').orderBy(col, walk).orderBy('r.id', walk).limit(pageLimit).offset(pageOffset);
  const rows = await withRowColumns(ctx.db.selectFrom('residents as r')).where('r.id', 'in', ids).orderBy(col, dir).orderBy('r.id', dir).execute();
  const todayDate = today(ctx.clock);
  return withNeeds(ctx, rows.map((r) => toRow(r, todayDate)), 'id');
}

function toRow(
  r: {
    id: number;
    version: number;
    name: string;
    sex: Sex | null;
    birthDate: string | null;
    docType: DocType;
    docNumber: string | null;
    phone: string | null;
    category: Category;
    communityId: number;
    community: string;
    compound: string;
    address: string;
    householdId: number;
    status: ResidentStatus;
    episodeId: number | null;
    episodeVersion: number | null;
    startDate: string | null;
    lastDay: string | null;
    releaseDate: string | null;
    latestTemperature: number | null;
    openAlerts: number | null;
  },
  todayDate: string,
): Omit<ResidentRow, 'needs'> {
  const running = r.status === 'isolating' || r.status === 'monitoring';
  const { birthDate, ...rest } = r;
  return {
    ...rest,
    docNumber: maskIdNumber(r.docNumber),
    phone: maskPhone(r.phone),
    age: birthDate ? ageOn(birthDate, todayDate) : null,
    dayN: running && r.startDate ? diffDays(r.startDate, todayDate) + 1 : null,
    totalDays: r.startDate && r.lastDay ? diffDays(r.startDate, r.lastDay) + 1 : null,
    due: running && !!r.lastDay && r.lastDay < todayDate,
    openAlerts: Number(r.openAlerts ?? 0),
  };
}

export async function getResidentRow(ctx: Ctx, id: number): Promise<ResidentRow> {
  const r = await withRowColumns(ctx.db.selectFrom('residents as r'))
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  return (await withNeeds(ctx, [toRow(r, today(ctx.clock))], 'id'))[0];
}
