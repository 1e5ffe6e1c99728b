// Reading the counters that triggers keep (db/counters.ts): people under control on a date, 待解除, and check-ins of
// a slot, per place (community › compound › building) and episode kind, in the actor's scope. Each read sums a few
// thousand small rows at most, whatever the number of residents; the few residents with overlapping episodes are
// corrected here from their episodes, so every number equals a recount by coveredOn (checkins.ts).
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { coversDate } from './episodes-days.ts';
import { addDays } from './dates.ts';
import type { EpisodeKind, EpisodeStatus, Slot } from '../db/schema.ts';

export interface PlaceFilter {
  communityId?: number;
  compoundId?: number;
  buildingId?: number;
}

export interface PlaceKey {
  communityId: number;
  compoundId: number;
  buildingId: number;
}

export interface CoveredRow extends PlaceKey {
  kind: EpisodeKind;
  /** People whose newest covering episode (of this kind) covers the date. */
  covered: number;
  /** Of those, people past their last day (待解除). */
  releasable: number;
}

export interface DoneRow extends PlaceKey {
  slot: Slot;
  /** Check-ins of the slot by people covered on the date. */
  done: number;
}

type Where = { communityId: number | null; compoundId?: number; buildingId?: number };

function where(ctx: Ctx, filter: PlaceFilter): Where | null {
  const scope = scopeOf(ctx.actor);
  if (scope !== null && filter.communityId !== undefined && filter.communityId !== scope) return null;
  return { communityId: scope ?? filter.communityId ?? null, compoundId: filter.compoundId, buildingId: filter.buildingId };
}

function placeKey(r: PlaceKey): string {
  return `${r.communityId}|${r.compoundId}|${r.buildingId}`;
}

interface OverlapEpisode extends PlaceKey {
  id: number;
  residentId: number;
  kind: EpisodeKind;
  startDate: string;
  lastDay: string;
  status: EpisodeStatus;
  endedOn: string | null;
}

/** Episodes of the residents whose episodes overlap (in scope), with their place. */
async function overlapEpisodes(ctx: Ctx, w: Where): Promise<OverlapEpisode[]> {
  // Usually none: ask the small table first, then only their episodes.
  const ids = (await ctx.db.selectFrom('coverageOverlaps').select('residentId').execute()).map((r) => r.residentId);
  if (!ids.length) return [];
  const out: OverlapEpisode[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    let q = ctx.db
      .selectFrom('episodes as e')
      .innerJoin('residentPlaces as p', 'p.residentId', 'e.residentId')
      .select(['e.id', 'e.residentId', 'e.kind', 'e.startDate', 'e.lastDay', 'e.status', 'e.endedOn', 'p.communityId', 'p.compoundId', 'p.buildingId'])
      .where('e.residentId', 'in', ids.slice(i, i + 500));
    if (w.communityId !== null) q = q.where('p.communityId', '=', w.communityId);
    if (w.compoundId !== undefined) q = q.where('p.compoundId', '=', w.compoundId);
    if (w.buildingId !== undefined) q = q.where('p.buildingId', '=', w.buildingId);
    out.push(...(await q.orderBy('e.residentId').orderBy('e.id').execute()));
  }
  return out;
}

/**
 * What the sums got wrong on `date` for people with several covering episodes: the sums count each covering
 * episode; the rule counts only the newest. Returns per place and kind the amounts to add (≤ 0 for the extra ones,
 * ± for a kind that differs).
 */
function overlapCorrections(episodes: OverlapEpisode[], date: string): CoveredRow[] {
  const out = new Map<string, CoveredRow>();
  const add = (e: OverlapEpisode, covered: number, releasable: number) => {
    const k = `${placeKey(e)}|${e.kind}`;
    const row = out.get(k) ?? { communityId: e.communityId, compoundId: e.compoundId, buildingId: e.buildingId, kind: e.kind, covered: 0, releasable: 0 };
    row.covered += covered;
    row.releasable += releasable;
    out.set(k, row);
  };
  let i = 0;
  while (i < episodes.length) {
    let j = i;
    while (j < episodes.length && episodes[j].residentId === episodes[i].residentId) j++;
    const covering = episodes.slice(i, j).filter((e) => coversDate(e, date));
    if (covering.length > 1) {
      // The sums counted every covering episode; only the newest (highest id) stays.
      for (const e of covering.slice(0, -1)) add(e, -1, e.lastDay < date ? -1 : 0);
    }
    i = j;
  }
  return [...out.values()];
}

/** How finely a count is split: per community, per compound or per building (the other ids are 0). */
export type CountLevel = 'community' | 'compound' | 'building';

function atLevel<R extends PlaceKey>(r: R, level: CountLevel): R {
  if (level === 'building') return r;
  return { ...r, compoundId: level === 'compound' ? r.compoundId : 0, buildingId: 0 };
}

const LEVEL_COLUMNS = {
  community: ['communityId'],
  compound: ['communityId', 'compoundId'],
  building: ['communityId', 'compoundId', 'buildingId'],
} as const;

/**
 * Sums of coverage_counts kept per connection while counter_version stays (it moves on every write that may change
 * who is under control; check-ins do not). Every PC refreshes its slot counter after each entry: with this, twenty PCs
 * cost one sum per episode change instead of one per entry. Keyed by the connection object: a transaction (another
 * object) always reads afresh.
 */
const kept = new WeakMap<object, { version: number; sums: Map<string, unknown> }>();
const KEPT_MAX = 200;

export async function keptSum<T>(ctx: Ctx, key: string, compute: () => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return compute();
  const version = (await ctx.db.selectFrom('counterVersion').select('n').executeTakeFirst())?.n ?? -1;
  let entry = kept.get(ctx.db);
  if (!entry || entry.version !== version) kept.set(ctx.db, (entry = { version, sums: new Map() }));
  if (entry.sums.has(key)) return structuredClone(entry.sums.get(key) as T);
  const value = await compute();
  if (entry.sums.size >= KEPT_MAX) entry.sums.clear();
  entry.sums.set(key, structuredClone(value));
  return value;
}

/** People under control on `date` per place (at `level`) and kind, exact, in scope. */
export async function coveredCounts(ctx: Ctx, date: string, filter: PlaceFilter = {}, level: CountLevel = 'building'): Promise<CoveredRow[]> {
  const w = where(ctx, filter);
  if (!w) return [];
  return keptSum(ctx, `covered|${date}|${level}|${w.communityId}|${w.compoundId}|${w.buildingId}`, () => coveredCountsNow(ctx, date, w, level));
}

/** Per community with no compound or building asked: coverage_by_community (migration 0018) holds the same sums. */
const byCommunity = (w: Where, level: CountLevel) => level === 'community' && w.compoundId === undefined && w.buildingId === undefined;

async function coveredCountsNow(ctx: Ctx, date: string, w: Where, level: CountLevel): Promise<CoveredRow[]> {
  const cols = LEVEL_COLUMNS[level];
  let rows: (Partial<PlaceKey> & { kind: EpisodeKind; covered: number; releasable: number })[];
  if (byCommunity(w, level)) {
    let q = ctx.db
      .selectFrom('coverageByCommunity')
      .select((eb) => ['communityId', 'kind', eb.fn.sum<number>('covered').as('covered'), eb.fn.sum<number>('releasable').as('releasable')])
      .where('day', '<=', date);
    if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
    rows = await q.groupBy(['communityId', 'kind']).execute();
  } else {
    let q = ctx.db
      .selectFrom('coverageCounts')
      .select((eb) => [...cols, 'kind', eb.fn.sum<number>('covered').as('covered'), eb.fn.sum<number>('releasable').as('releasable')])
      .where('day', '<=', date);
    if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
    if (w.compoundId !== undefined) q = q.where('compoundId', '=', w.compoundId);
    if (w.buildingId !== undefined) q = q.where('buildingId', '=', w.buildingId);
    rows = (await q.groupBy([...cols, 'kind']).execute()) as unknown as typeof rows;
  }
  const byKey = new Map<string, CoveredRow>();
  for (const r of rows) {
    const row = { communityId: r.communityId ?? 0, compoundId: r.compoundId ?? 0, buildingId: r.buildingId ?? 0, kind: r.kind, covered: Number(r.covered), releasable: Number(r.releasable) };
    byKey.set(`${placeKey(row)}|${r.kind}`, row);
  }
  for (const full of overlapCorrections(await overlapEpisodes(ctx, w), date)) {
    const c = atLevel(full, level);
    const k = `${placeKey(c)}|${c.kind}`;
    const row = byKey.get(k);
    if (row) {
      row.covered += c.covered;
      row.releasable += c.releasable;
    } else byKey.set(k, c);
  }
  return [...byKey.values()].filter((r) => r.covered !== 0 || r.releasable !== 0);
}

export interface EventRow extends PlaceKey {
  kind: EpisodeKind;
  /** Episodes that started on the date (今日新增). */
  started: number;
  /** Episodes released on the date (今日解除). */
  released: number;
}

/** Episodes started and released on `date`, per place (at `level`) and kind, in scope. */
export async function episodeEvents(ctx: Ctx, date: string, filter: PlaceFilter = {}, level: CountLevel = 'building'): Promise<EventRow[]> {
  const w = where(ctx, filter);
  if (!w) return [];
  const cols = LEVEL_COLUMNS[level];
  let rows: (Partial<PlaceKey> & { kind: EpisodeKind; started: number; released: number })[];
  if (byCommunity(w, level)) {
    let q = ctx.db
      .selectFrom('coverageByCommunity')
      .select((eb) => ['communityId', 'kind', eb.fn.sum<number>('started').as('started'), eb.fn.sum<number>('released').as('released')])
      .where('day', '=', date);
    if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
    rows = await q.groupBy(['communityId', 'kind']).execute();
  } else {
    let q = ctx.db
      .selectFrom('coverageCounts')
      .select((eb) => [...cols, 'kind', eb.fn.sum<number>('started').as('started'), eb.fn.sum<number>('released').as('released')])
      .where('day', '=', date);
    if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
    if (w.compoundId !== undefined) q = q.where('compoundId', '=', w.compoundId);
    if (w.buildingId !== undefined) q = q.where('buildingId', '=', w.buildingId);
    rows = (await q.groupBy([...cols, 'kind']).execute()) as unknown as typeof rows;
  }
  return rows.map((r) => ({ communityId: r.communityId ?? 0, compoundId: r.compoundId ?? 0, buildingId: r.buildingId ?? 0, kind: r.kind, started: Number(r.started), released: Number(r.released) }));
}

/** People under control on each day of [from, to] by kind, exact, in scope (the dashboard's 30-day chart). */
export async function coveredPerDay(ctx: Ctx, from: string, to: string, filter: PlaceFilter = {}): Promise<Map<string, Record<EpisodeKind, number>>> {
  const w = where(ctx, filter);
  return keptSum(ctx, `perDay|${from}|${to}|${w?.communityId}|${w?.compoundId}|${w?.buildingId}|${w === null}`, () => coveredPerDayNow(ctx, from, to, w));
}

async function coveredPerDayNow(ctx: Ctx, from: string, to: string, w: Where | null): Promise<Map<string, Record<EpisodeKind, number>>> {
  const out = new Map<string, Record<EpisodeKind, number>>();
  const perDayRows = () => {
    if (!w) return [];
    if (byCommunity(w, 'community')) {
      let c = ctx.db
        .selectFrom('coverageByCommunity')
        .select((eb) => ['day', 'kind', eb.fn.sum<number>('covered').as('covered')])
        .where('day', '<=', to);
      if (w.communityId !== null) c = c.where('communityId', '=', w.communityId);
      return c.groupBy(['day', 'kind']).orderBy('day').execute();
    }
    let q = ctx.db
      .selectFrom('coverageCounts')
      .select((eb) => ['day', 'kind', eb.fn.sum<number>('covered').as('covered')])
      .where('day', '<=', to);
    if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
    if (w.compoundId !== undefined) q = q.where('compoundId', '=', w.compoundId);
    if (w.buildingId !== undefined) q = q.where('buildingId', '=', w.buildingId);
    return q.groupBy(['day', 'kind']).orderBy('day').execute();
  };
  const rows = await perDayRows();
  const overlaps = w ? await overlapEpisodes(ctx, w) : [];
  const running: Record<EpisodeKind, number> = { home_isolation: 0, health_monitoring: 0 };
  let i = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    for (; i < rows.length && rows[i].day <= d; i++) running[rows[i].kind] = (running[rows[i].kind] ?? 0) + Number(rows[i].covered);
    const day = { ...running };
    for (const c of overlapCorrections(overlaps, d)) day[c.kind] = (day[c.kind] ?? 0) + c.covered;
    out.set(d, day);
  }
  return out;
}

/** Check-ins of `date` (one slot, or both) by people covered on it, per place (at `level`) and slot, in scope. */
export async function doneCounts(ctx: Ctx, date: string, slot: Slot | null, filter: PlaceFilter = {}, level: CountLevel = 'building'): Promise<DoneRow[]> {
  const w = where(ctx, filter);
  if (!w) return [];
  const cols = LEVEL_COLUMNS[level];
  let q = ctx.db
    .selectFrom('checkinCounts')
    .select((eb) => [...cols, 'slot', eb.fn.sum<number>('done').as('done')])
    .where('day', '=', date);
  if (slot) q = q.where('slot', '=', slot);
  if (w.communityId !== null) q = q.where('communityId', '=', w.communityId);
  if (w.compoundId !== undefined) q = q.where('compoundId', '=', w.compoundId);
  if (w.buildingId !== undefined) q = q.where('buildingId', '=', w.buildingId);
  const rows = (await q.groupBy([...cols, 'slot']).execute()) as unknown as (Partial<PlaceKey> & { slot: Slot; done: number })[];
  return rows.map((r) => ({ communityId: r.communityId ?? 0, compoundId: r.compoundId ?? 0, buildingId: r.buildingId ?? 0, slot: r.slot, done: Number(r.done) })).filter((r) => r.done !== 0);
}

/** Sums rows by a key of theirs (e.g. r => r.communityId). */
export function sumBy<R, K>(rows: R[], key: (r: R) => K, value: (r: R) => number): Map<K, number> {
  const out = new Map<K, number>();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
}

export function total<R>(rows: R[], value: (r: R) => number): number {
  let n = 0;
  for (const r of rows) n += value(r);
  return n;
}
