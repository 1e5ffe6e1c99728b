// Residents (居民): create, update, find by document, search and page in SQL, reveal a masked value (audited).
import { sql, type ExpressionBuilder } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can, scopeOf } from './actor.ts';
import { asMessage, forbidden, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { checkIdNumber, checkPhone, maskBirthDate, maskDetails, maskIdNumber, maskPhone, normaliseOtherDocument, toHalfWidth } from '../shared/idcard.ts';
import { namePinyin } from './pinyin.ts';
import { ensureHousehold, type AddressInput, type PlaceCreated } from './places.ts';
import { addDays, ageOn, diffDays, isIsoDate } from './dates.ts';
import { CATEGORIES, isOneOf } from '../shared/enums.ts';
import { parseAlertReason, type AlertReasonParts } from './alertReason.ts';
import type { Category, Database, DocType, ResidentStatus, Sex } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export interface ResidentInput {
  name: string;
  docType: DocType;
  docNumber?: string | null;
  sex?: Sex | null;
  birthDate?: string | null;
  phone?: string | null;
  category: Category;
  notes?: string | null;
  guardianId?: number | null;
  /** Either an existing household or an address to find or create one. */
  householdId?: number | null;
  address?: AddressInput | null;
}

export interface NormalisedResident {
  name: string;
  docType: DocType;
  docNumber: string | null;
  sex: Sex | null;
  birthDate: string | null;
  phone: string | null;
  category: Category;
  notes: string | null;
  guardianId: number | null;
}

/**
 * Applies domain.md's rules to one person's fields. Errors block saving; warnings (unusual phone,
 * sex contradicting the ID number) are reported and the person is saved anyway.
 */
/** The warning for a phone number checkPhone did not accept: none given, or not a usual mobile number. */
export function phoneWarning(phone: string | null): FieldIssue {
  return phone === null ? issue('phone', 'phone.missing') : issue('phone', 'phone.unusual', { phone });
}

export function normaliseResident(input: ResidentInput, todayDate: string): { value?: NormalisedResident; errors: FieldIssue[]; warnings: FieldIssue[] } {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const name = toHalfWidth(input.name ?? '').replace(/\s+/g, ' ').trim();
  if (!name) errors.push(issue('name', 'rule.nameRequired'));
  let docNumber: string | null = null;
  let sex = input.sex ?? null;
  let birthDate = input.birthDate ?? null;
  if (birthDate && (!isIsoDate(birthDate) || birthDate > todayDate)) errors.push(issue('birthDate', 'residents.birthDateBad'));
  if (input.docType === '居民身份证') {
    const r = checkIdNumber(input.docNumber ?? '', todayDate);
    if (!r.ok) errors.push(issue('docNumber', 'residents.idProblem', { reason: r.reason }));
    else {
      docNumber = r.number;
      if (sex && sex !== r.sex) warnings.push(issue('sex', r.sex === 'M' ? 'residents.sexFromIdMale' : 'residents.sexFromIdFemale'));
      sex = r.sex;
      birthDate = r.birthDate;
      if (r.upgraded) warnings.push(issue('docNumber', 'residents.idUpgraded', { number: r.number }));
    }
  } else if (input.docType === '无证件') {
    if (!birthDate) errors.push(issue('birthDate', 'residents.noDocNeedsBirthDate'));
    if (!input.guardianId) errors.push(issue('guardianId', 'residents.noDocNeedsGuardian'));
  } else {
    docNumber = normaliseOtherDocument(input.docNumber ?? '');
    if (!docNumber) errors.push(issue('docNumber', 'residents.docNumberRequired'));
  }
  const phone = checkPhone(input.phone);
  if (phone.warning && input.docType !== '无证件') warnings.push(phoneWarning(phone.phone));
  // The API's schema checks it too; a caller of the domain (the CLI, a job, a script) gets the same rule.
  if (!isCategory(input.category)) errors.push(issue('category', 'residents.categoryBad', { category: String(input.category ?? ''), choices: CATEGORIES.join('、') }));
  if (errors.length) return { errors, warnings };
  return {
    value: {
      name,
      docType: input.docType,
      docNumber,
      sex,
      birthDate,
      phone: phone.phone,
      category: input.category,
      notes: input.notes?.trim() || null,
      guardianId: input.docType === '无证件' ? input.guardianId ?? null : input.guardianId ?? null,
    },
    errors,
    warnings,
  };
}

export function isCategory(c: unknown): c is Category {
  return isOneOf(CATEGORIES, c);
}

export async function findByDocument(ctx: Pick<Ctx, 'db'>, docType: DocType, docNumber: string) {
  return ctx.db.selectFrom('residents').selectAll().where('docType', '=', docType).where('docNumber', '=', docNumber).executeTakeFirst();
}

export interface SaveResult {
  id: number;
  warnings: FieldIssue[];
}

export async function createResident(ctx: Ctx, input: ResidentInput, opts: { importBatchId?: number; createdPlaces?: PlaceCreated[] } = {}): Promise<SaveResult> {
  const n = normaliseResident(input, today(ctx.clock));
  if (!n.value) throw invalid('common.cannotSave', { problems: n.errors.map(asMessage) }, n.errors);
  const v = n.value;
  return inTx(ctx, async (ctx) => {
    const household = input.householdId
      ? await ctx.db.selectFrom('households').select(['id', 'communityId']).where('id', '=', input.householdId).executeTakeFirst()
      : input.address
        ? await ensureHousehold(ctx, input.address, opts.createdPlaces)
        : null;
    if (!household) throw invalid('residents.householdRequired', undefined, [issue('address', 'residents.addressRequired')]);
    assertInScope(ctx.actor, household.communityId);
    if (v.docNumber) {
      const dup = await findByDocument(ctx, v.docType, v.docNumber);
      if (dup) throw invalid('residents.docTaken', { name: dup.name }, [issue('docNumber', 'residents.docExists')]);
    }
    if (v.guardianId) await assertGuardian(ctx, v.guardianId, household.id);
    const at = nowIso(ctx.clock);
    const py = namePinyin(v.name);
    const row = await ctx.db
      .insertInto('residents')
      .values({
        ...v,
        householdId: household.id,
        communityId: household.communityId,
        namePinyin: py.full,
        nameInitials: py.initials,
        currentEpisodeId: null,
        startDate: null,
        lastDay: null,
        releaseDate: null,
        latestTemperature: null,
        importBatchId: opts.importBatchId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(ctx, { action: 'resident.create', entity: 'resident', entityId: row.id, residentId: row.id, after: { ...v, householdId: household.id } });
    return { id: row.id, warnings: n.warnings };
  });
}

async function assertGuardian(ctx: Ctx, guardianId: number, householdId: number) {
  const g = await ctx.db.selectFrom('residents').select(['householdId']).where('id', '=', guardianId).executeTakeFirst();
  if (!g || g.householdId !== householdId) throw invalid('residents.guardianSameHousehold', undefined, [issue('guardianId', 'residents.guardianElsewhere')]);
}

export interface ResidentPatch extends Partial<Omit<ResidentInput, 'address'>> {
  id: number;
  version: number;
  address?: AddressInput | null;
}

export async function updateResident(ctx: Ctx, patch: ResidentPatch): Promise<SaveResult> {
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('residents').selectAll().where('id', '=', patch.id).executeTakeFirst();
    if (!before) throw notFound('thing.resident');
    assertInScope(ctx.actor, before.communityId);
    const merged: ResidentInput = {
      name: patch.name ?? before.name,
      docType: patch.docType ?? before.docType,
      docNumber: patch.docNumber !== undefined ? patch.docNumber : before.docNumber,
      sex: patch.sex !== undefined ? patch.sex : before.sex,
      birthDate: patch.birthDate !== undefined ? patch.birthDate : before.birthDate,
      phone: patch.phone !== undefined ? patch.phone : before.phone,
      category: patch.category ?? before.category,
      notes: patch.notes !== undefined ? patch.notes : before.notes,
      guardianId: patch.guardianId !== undefined ? patch.guardianId : before.guardianId,
    };
    const n = normaliseResident(merged, today(ctx.clock));
    if (!n.value) throw invalid('common.cannotSave', { problems: n.errors.map(asMessage) }, n.errors);
    const v = n.value;
    let householdId = patch.householdId ?? before.householdId;
    let communityId = before.communityId;
    if (patch.address) {
      const h = await ensureHousehold(ctx, patch.address);
      householdId = h.id;
      communityId = h.communityId;
    } else if (patch.householdId && patch.householdId !== before.householdId) {
      const h = await ctx.db.selectFrom('households').select(['id', 'communityId']).where('id', '=', patch.householdId).executeTakeFirst();
      if (!h) throw notFound('thing.household');
      assertInScope(ctx.actor, h.communityId);
      communityId = h.communityId;
    }
    if (v.docNumber && (v.docNumber !== before.docNumber || v.docType !== before.docType)) {
      const dup = await findByDocument(ctx, v.docType, v.docNumber);
      if (dup && dup.id !== before.id) throw invalid('residents.docTakenShort', { name: dup.name }, [issue('docNumber', 'residents.docExists')]);
    }
    if (v.guardianId) await assertGuardian(ctx, v.guardianId, householdId);
    const py = namePinyin(v.name);
    const next = { ...v, householdId, communityId, namePinyin: py.full, nameInitials: py.initials };
    await updateVersioned(ctx, 'residents', patch.id, patch.version, next, 'thing.residentInfo');
    if (communityId !== before.communityId) {
      await ctx.db.updateTable('checkins').set({ communityId }).where('residentId', '=', before.id).execute();
      await ctx.db.updateTable('alerts').set({ communityId }).where('residentId', '=', before.id).execute();
    }
    const diff = changedFields(before as unknown as Record<string, unknown>, next);
    delete diff.before.namePinyin;
    delete diff.after.namePinyin;
    delete diff.before.nameInitials;
    delete diff.after.nameInitials;
    await audit(ctx, { action: 'resident.update', entity: 'resident', entityId: before.id, residentId: before.id, ...diff });
    return { id: before.id, warnings: n.warnings };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Lists

export type ResidentFilterStatus = ResidentStatus | 'active' | 'due' | 'all';
export type ResidentSortField = 'lastDay' | 'startDate' | 'releaseDate' | 'name' | 'id' | 'latestTemperature';

export interface ResidentQuery {
  search?: string;
  communityId?: number;
  compoundId?: number;
  householdId?: number;
  status?: ResidentFilterStatus;
  /** People on day N of their current period. */
  dayN?: number;
  /** Only people with an open alert. */
  abnormal?: boolean;
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
  const statusIndex = mode === 'count' && scope === null && !q.communityId && !q.householdId && !q.compoundId && !q.abnormal && !q.search?.trim();
  const running = (eb: Eb) => (statusIndex ? eb('r.status', 'in', RUNNING) : eb('r.status', 'not in', NOT_RUNNING));
  const todayDate = today(ctx.clock);
  let query = ctx.db.selectFrom('residents as r');
  if (scope !== null) query = query.where('r.communityId', '=', scope);
  if (q.communityId) query = query.where('r.communityId', '=', q.communityId);
  if (q.householdId) query = query.where('r.householdId', '=', q.householdId);
  if (q.compoundId) {
    query = query.where('r.householdId', 'in', (sub) => sub.selectFrom('households').select('households.id').where('households.compoundId', '=', q.compoundId!));
  }
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
  const v = (await sql<{ c: number; v: number }>`SELECT total_changes() AS c, (SELECT data_version FROM pragma_data_version) AS v`.execute(ctx.db)).rows[0];
  const stamp = `${v.c}/${v.v}`;
  const key = JSON.stringify([
    scopeOf(ctx.actor),
    today(ctx.clock),
    q.search ?? '',
    q.communityId ?? null,
    q.householdId ?? null,
    q.compoundId ?? null,
    q.status ?? 'all',
    q.dayN ?? null,
    !!q.abnormal,
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
  // Deferred join: the page's ids come from the sort index alone; the joins and the alert count run for those rows only.
  const ids = baseQuery(ctx, q, 'page').select('r.id').orderBy(col, walk).orderBy('r.id', walk).limit(pageLimit).offset(pageOffset);
  const rows = pageLimit === 0 ? [] : await withRowColumns(ctx.db.selectFrom('residents as r')).where('r.id', 'in', ids).orderBy(col, dir).orderBy('r.id', dir).execute();
  const todayDate = today(ctx.clock);
  return { rows: rows.map((r) => toRow(r, todayDate)), total };
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
): ResidentRow {
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

// ---------------------------------------------------------------------------------------------------------------
// Detail

export async function getResidentRow(ctx: Ctx, id: number): Promise<ResidentRow> {
  const r = await withRowColumns(ctx.db.selectFrom('residents as r'))
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  return toRow(r, today(ctx.clock));
}

export interface ResidentDetail {
  /** birthDate is masked to the year (1985-**-**) like the ID number whose hidden digits it is; revealed with it. */
  resident: ResidentRow & { birthDate: string | null; notes: string | null; guardianId: number | null };
  household: ResidentRow[];
  episodes: {
    id: number;
    version: number;
    kind: string;
    startDate: string;
    lastDay: string;
    releaseDate: string;
    status: string;
    endedOn: string | null;
    endReason: string | null;
    overrideReason: string | null;
    testDays: number[];
    extensions: { previousLastDay: string; newLastDay: string; reason: string; userName: string; at: string }[];
  }[];
  checkins: {
    id: number;
    version: number;
    date: string;
    slot: string;
    temperature: number | null;
    symptoms: string[];
    testType: string | null;
    testResult: string | null;
    healthCode: string | null;
    abnormal: boolean;
    recordedBy: string;
    notes: string | null;
  }[];
  tests: { id: number; sampleDate: string; testType: string; result: string; source: string }[];
  alerts: { id: number; date: string; reason: string; reasonParts: AlertReasonParts | null; status: string; action: string | null; actionNote: string | null }[];
  supplies: { id: number; category: string; urgency: string; status: string; createdAt: string; items: string }[];
  history: { id: number; at: string; userName: string; action: string; details: string | null }[];
}

/** Audit details as stored (resident.create keeps the full ID number, birth date and phone): masked before they leave the main process. */
function maskDetailsJson(details: string | null): string | null {
  if (!details) return details;
  try {
    return JSON.stringify(maskDetails(JSON.parse(details)));
  } catch {
    return null;
  }
}

/** Everything about one person for the detail drawer; personal values stay masked. Viewing is audited. */
export async function getResidentDetail(ctx: Ctx, id: number): Promise<ResidentDetail> {
  const row = await getResidentRow(ctx, id);
  const extra = await ctx.db.selectFrom('residents').select(['birthDate', 'notes', 'guardianId']).where('id', '=', id).executeTakeFirstOrThrow();
  const household = (await listResidents(ctx, { householdId: row.householdId, sortField: 'id', limit: 50, withTotal: false })).rows.filter((m) => m.id !== id);
  const episodes = await ctx.db.selectFrom('episodes').selectAll().where('residentId', '=', id).orderBy('startDate', 'desc').orderBy('id', 'desc').execute();
  const extensions = episodes.length
    ? await ctx.db.selectFrom('episodeExtensions').selectAll().where('episodeId', 'in', episodes.map((e) => e.id)).orderBy('id').execute()
    : [];
  const checkins = await ctx.db.selectFrom('checkins').selectAll().where('residentId', '=', id).orderBy('date', 'desc').orderBy('slot', 'desc').limit(60).execute();
  const tests = await ctx.db.selectFrom('tests').select(['id', 'sampleDate', 'testType', 'result', 'source']).where('residentId', '=', id).orderBy('sampleDate', 'desc').execute();
  const alerts = await ctx.db.selectFrom('alerts').select(['id', 'date', 'reason', 'status', 'action', 'actionNote']).where('residentId', '=', id).orderBy('id', 'desc').execute();
  const supplyRows = await ctx.db
    .selectFrom('supplyRequests')
    .select(['id', 'category', 'urgency', 'status', 'createdAt'])
    .where('householdId', '=', row.householdId)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  // Item lines joined in JS (group_concat is SQLite-only; domain code stays dialect-portable).
  const items = supplyRows.length
    ? await ctx.db.selectFrom('supplyItems').select(['requestId', 'name', 'quantity']).where('requestId', 'in', supplyRows.map((s) => s.id)).orderBy('id').execute()
    : [];
  const supplies = supplyRows.map((s) => ({
    ...s,
    items: items
      .filter((i) => i.requestId === s.id)
      .map((i) => `${i.name} ${i.quantity}`.trim())
      .join('，'),
  }));
  const history = await ctx.db
    .selectFrom('auditLog')
    .select(['id', 'at', 'userName', 'action', 'details'])
    .where('residentId', '=', id)
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  await audit(ctx, { action: 'resident.view', entity: 'resident', entityId: id, residentId: id });
  return {
    resident: { ...row, ...extra, birthDate: maskBirthDate(extra.birthDate) },
    household,
    episodes: episodes.map((e) => ({
      id: e.id,
      version: e.version,
      kind: e.kind,
      startDate: e.startDate,
      lastDay: e.lastDay,
      releaseDate: e.releaseDate,
      status: e.status,
      endedOn: e.endedOn,
      endReason: e.endReason,
      overrideReason: e.overrideReason,
      testDays: JSON.parse(e.testDays) as number[],
      extensions: extensions
        .filter((x) => x.episodeId === e.id)
        .map((x) => ({ previousLastDay: x.previousLastDay, newLastDay: x.newLastDay, reason: x.reason, userName: x.userName, at: x.at })),
    })),
    checkins: checkins.map((c) => ({
      id: c.id,
      version: c.version,
      date: c.date,
      slot: c.slot,
      temperature: c.temperature,
      symptoms: JSON.parse(c.symptoms) as string[],
      testType: c.testType,
      testResult: c.testResult,
      healthCode: c.healthCode,
      abnormal: !!c.abnormal,
      recordedBy: c.recordedBy,
      notes: c.notes,
    })),
    tests,
    alerts: alerts.map((a) => ({ ...a, reasonParts: parseAlertReason(a.reason) })),
    supplies,
    history: history.map((h) => ({ ...h, details: maskDetailsJson(h.details) })),
  };
}

export interface Revealed {
  value: string | null;
  /** With the document number only: the full birth date (the ID number's hidden digits), shown together. */
  birthDate: string | null;
}

/**
 * Shows unmasked values: a phone (to call it), or the document number together with the birth date (to check a
 * document; the birth date is the ID number's hidden middle, so one is never shown without the other). Needs
 * residents.reveal and the person's community; each reveal is audited.
 */
export async function revealResident(ctx: Ctx, id: number, field: 'phone' | 'docNumber'): Promise<Revealed> {
  if (!can(ctx.actor, 'residents.reveal')) throw forbidden();
  const r = await ctx.db.selectFrom('residents').select(['communityId', 'phone', 'docNumber', 'birthDate']).where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  if (field === 'phone') {
    await audit(ctx, { action: 'resident.reveal_phone', entity: 'resident', entityId: id, residentId: id });
    return { value: r.phone, birthDate: null };
  }
  await audit(ctx, { action: 'resident.reveal_document', entity: 'resident', entityId: id, residentId: id });
  return { value: r.docNumber, birthDate: r.birthDate };
}
