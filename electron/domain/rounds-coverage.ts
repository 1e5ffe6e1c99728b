// Coverage of a test round, counted live from the raw rows at every read (nothing is cached, so it follows the round
// as results come in): per community › compound › building, 应检 (due), 已检 (tested), 未检 (untested), 阳性 (positive)
// and 待复核 (retest), and the 未检 people of one building, a page at a time in SQL.
//   应检: residents whose community is in the round's scope (and the reader's), not transferred away, not exempted.
//   已检: those of them with at least one result of the round (any result, 待出结果 included: they were sampled).
//   阳性: those with a positive result of their own tube (a single-tube sample, pooled = 0).
//   待复核: those whose pooled tube (10混1) was positive and who have no single-tube result in the round yet.
import { sql } from 'kysely';
import { isPostgres, naturalKey } from '../db/engine.ts';
import type { Ctx } from './context.ts';
import { getRound, type RoundScope, type RoundView } from './rounds-scope.ts';
import { notFound } from '../shared/errors.ts';
import { maskIdNumber, maskPhone } from '../shared/idcard.ts';
import type { DocType, ResidentStatus, Sex } from '../db/schema.ts';

export interface CoverageCounts {
  due: number;
  tested: number;
  untested: number;
  positive: number;
  retest: number;
}

export interface BuildingCoverage extends CoverageCounts {
  buildingId: number;
  building: string;
}
export interface CompoundCoverage extends CoverageCounts {
  compoundId: number;
  compound: string;
  buildings: BuildingCoverage[];
}
export interface CommunityCoverage extends CoverageCounts {
  communityId: number;
  community: string;
  compounds: CompoundCoverage[];
}
export interface RoundCoverage extends CoverageCounts {
  round: RoundView;
  communities: CommunityCoverage[];
}

const ids = (s: RoundScope) => (s.communityIds!.length ? s.communityIds! : [-1]);

/** Everyone the round counts (应检), each with their round's results folded into tested/positive/retest. */
function roundPeople(ctx: Pick<Ctx, 'db'>, s: RoundScope) {
  const results = ctx.db
    .selectFrom('tests')
    .select([
      'residentId',
      sql<number>`max(case when pooled = 0 and result = '阳性' then 1 else 0 end)`.as('positive'),
      // A comparison is 1 or 0 on SQLite, a boolean on PostgreSQL (which cannot sum it): there, a CASE gives the 1 or 0.
      isPostgres(ctx.db)
        ? sql<number>`case when max(case when pooled = 1 and result = '阳性' then 1 else 0 end) = 1 and max(case when pooled = 0 then 1 else 0 end) = 0 then 1 else 0 end`.as('retest')
        : sql<number>`(max(case when pooled = 1 and result = '阳性' then 1 else 0 end) = 1 and max(case when pooled = 0 then 1 else 0 end) = 0)`.as('retest'),
    ])
    .where('roundId', '=', s.round.id)
    .groupBy('residentId');
  let q = ctx.db
    .selectFrom('residentPlaces as rp')
    .innerJoin('residents as r', 'r.id', 'rp.residentId')
    .leftJoin(results.as('t'), 't.residentId', 'rp.residentId')
    .where('r.status', '!=', 'transferred')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('roundExemptions as x').select('x.id').whereRef('x.residentId', '=', 'rp.residentId').where('x.roundId', '=', s.round.id))));
  if (s.communityIds !== null) q = q.where('rp.communityId', 'in', ids(s));
  return q;
}

const COUNTS = [
  sql<number>`count(*)`.as('due'),
  sql<number>`count(t.resident_id)`.as('tested'),
  sql<number>`coalesce(sum(t.positive), 0)`.as('positive'),
  sql<number>`coalesce(sum(t.retest), 0)`.as('retest'),
] as const;

function counts(r: { due: number | bigint; tested: number | bigint; positive: number | bigint; retest: number | bigint }): CoverageCounts {
  const due = Number(r.due);
  const tested = Number(r.tested);
  return { due, tested, untested: due - tested, positive: Number(r.positive), retest: Number(r.retest) };
}

/** The round's totals for the reader. */
export async function roundTotals(ctx: Pick<Ctx, 'db'>, s: RoundScope): Promise<CoverageCounts> {
  const r = await roundPeople(ctx, s).select(COUNTS).executeTakeFirstOrThrow();
  return counts(r);
}

const natural = new Intl.Collator('zh-CN', { numeric: true });

function add(into: CoverageCounts, c: CoverageCounts): void {
  into.due += c.due;
  into.tested += c.tested;
  into.untested += c.untested;
  into.positive += c.positive;
  into.retest += c.retest;
}
const zero = (): CoverageCounts => ({ due: 0, tested: 0, untested: 0, positive: 0, retest: 0 });

/** Coverage of a round: totals and the tree community › compound › building, in natural order. */
export async function roundCoverage(ctx: Ctx, input: { roundId: number }): Promise<RoundCoverage> {
  const s = await getRound(ctx, input.roundId);
  const rows = await roundPeople(ctx, s)
    .leftJoin('places as c', 'c.id', 'rp.communityId')
    .leftJoin('places as p', 'p.id', 'rp.compoundId')
    .leftJoin('places as b', 'b.id', 'rp.buildingId')
    .select(['rp.communityId', 'c.name as community', 'rp.compoundId', 'p.name as compound', 'rp.buildingId', 'b.name as building', ...COUNTS])
    // PostgreSQL takes the places' names as grouped only with their own ids (SQLite reads them from any row of the group).
    .groupBy(isPostgres(ctx.db) ? ['rp.communityId', 'rp.compoundId', 'rp.buildingId', 'c.id', 'p.id', 'b.id'] : ['rp.communityId', 'rp.compoundId', 'rp.buildingId'])
    .execute();
  const out: RoundCoverage = { round: s.round, ...zero(), communities: [] };
  const communities = new Map<number, CommunityCoverage>();
  const compounds = new Map<number, CompoundCoverage>();
  for (const r of rows) {
    const c = counts(r);
    add(out, c);
    let community = communities.get(r.communityId);
    if (!community) communities.set(r.communityId, (community = { communityId: r.communityId, community: r.community ?? '', ...zero(), compounds: [] }));
    add(community, c);
    let compound = compounds.get(r.compoundId);
    if (!compound) {
      compounds.set(r.compoundId, (compound = { compoundId: r.compoundId, compound: r.compound ?? '', ...zero(), buildings: [] }));
      community.compounds.push(compound);
    }
    add(compound, c);
    compound.buildings.push({ buildingId: r.buildingId, building: r.building ?? '', ...c });
  }
  out.communities = [...communities.values()].sort((a, b) => natural.compare(a.community, b.community));
  for (const c of out.communities) {
    c.compounds.sort((a, b) => natural.compare(a.compound, b.compound));
    for (const p of c.compounds) p.buildings.sort((a, b) => natural.compare(a.building, b.building));
  }
  return out;
}

/** 免检 of a round per building (residents of the reader's scope, not transferred away, with an exemption of the round). */
export interface ExemptedByBuilding {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
  exempt: number;
}

/**
 * The round's 免检 people counted per building, over the same residents as roundPeople (scope, not transferred) but
 * with an exemption instead of without: 应检 + 免检 = everyone living in scope. For the round report (round-report.ts).
 */
export async function roundExempted(ctx: Pick<Ctx, 'db'>, s: RoundScope): Promise<ExemptedByBuilding[]> {
  let q = ctx.db
    .selectFrom('residentPlaces as rp')
    .innerJoin('residents as r', 'r.id', 'rp.residentId')
    .innerJoin('roundExemptions as x', (j) => j.onRef('x.residentId', '=', 'rp.residentId').on('x.roundId', '=', s.round.id))
    .leftJoin('places as c', 'c.id', 'rp.communityId')
    .leftJoin('places as p', 'p.id', 'rp.compoundId')
    .leftJoin('places as b', 'b.id', 'rp.buildingId')
    .where('r.status', '!=', 'transferred');
  if (s.communityIds !== null) q = q.where('rp.communityId', 'in', ids(s));
  const rows = await q
    .select(['rp.communityId', 'c.name as community', 'rp.compoundId', 'p.name as compound', 'rp.buildingId', 'b.name as building', sql<number>`count(distinct rp.resident_id)`.as('n')])
    .groupBy(isPostgres(ctx.db) ? ['rp.communityId', 'rp.compoundId', 'rp.buildingId', 'c.id', 'p.id', 'b.id'] : ['rp.communityId', 'rp.compoundId', 'rp.buildingId'])
    .execute();
  return rows.map((r) => ({
    communityId: r.communityId,
    community: r.community ?? '',
    compoundId: r.compoundId,
    compound: r.compound ?? '',
    buildingId: r.buildingId,
    building: r.building ?? '',
    exempt: Number(r.n),
  }));
}

export interface UntestedRow {
  residentId: number;
  name: string;
  sex: Sex | null;
  unit: string;
  room: string;
  address: string;
  /** Masked (138****1234). */
  phone: string | null;
  docType: DocType;
  /** Masked (first 6 and last 4). */
  docNumber: string | null;
  status: ResidentStatus;
}

export interface UntestedPage {
  round: RoundView;
  building: { id: number; name: string; compound: string; community: string };
  rows: UntestedRow[];
  total: number;
}

/** A building of the round's scope (and the reader's), with its compound and community names. */
export async function roundBuilding(ctx: Pick<Ctx, 'db'>, s: RoundScope, buildingId: number) {
  const b = await ctx.db
    .selectFrom('places as b')
    .innerJoin('places as p', 'p.id', 'b.parentId')
    .innerJoin('places as c', 'c.id', 'p.parentId')
    .select(['b.id', 'b.name', 'p.name as compound', 'c.id as communityId', 'c.name as community'])
    .where('b.id', '=', buildingId)
    .where('b.level', '=', 'building')
    .executeTakeFirst();
  if (!b || (s.communityIds !== null && !s.communityIds.includes(b.communityId))) throw notFound('thing.roundBuilding');
  return b;
}

function naturalSql(db: Ctx['db'], alias: 'u' | 'rm') {
  return naturalKey(db, sql.ref(`${alias}.name`));
}

/**
 * The 未检 people of one building: due in the round and without a result of it, by unit, room (in number order) and
 * name; a page of `limit` from `offset` (the whole list for the printed sheet, `limit` at most 5000).
 */
export async function untestedList(ctx: Ctx, input: { roundId: number; buildingId: number; offset?: number; limit?: number }): Promise<UntestedPage> {
  const s = await getRound(ctx, input.roundId);
  const b = await roundBuilding(ctx, s, input.buildingId);
  let q = ctx.db
    .selectFrom('residents as r')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as rm', 'rm.id', 'h.roomId')
    .innerJoin('places as u', 'u.id', 'rm.parentId')
    .where('u.parentId', '=', b.id)
    .where('r.status', '!=', 'transferred')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('roundExemptions as x').select('x.id').whereRef('x.residentId', '=', 'r.id').where('x.roundId', '=', s.round.id))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('tests as t').select('t.id').whereRef('t.residentId', '=', 'r.id').where('t.roundId', '=', s.round.id))));
  if (s.communityIds !== null) q = q.where('r.communityId', 'in', ids(s));
  const total = Number((await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  let ordered = q.select(['r.id as residentId', 'r.name', 'r.sex', 'u.name as unit', 'rm.name as room', 'h.address', 'r.phone', 'r.docType', 'r.docNumber', 'r.status']);
  for (const o of [...naturalSql(ctx.db, 'u'), ...naturalSql(ctx.db, 'rm')]) ordered = ordered.orderBy(o);
  const rows = await ordered
    .orderBy('r.namePinyin')
    .orderBy('r.id')
    .offset(input.offset ?? 0)
    .limit(Math.min(input.limit ?? 200, 5000))
    .execute();
  return {
    round: s.round,
    building: { id: b.id, name: b.name, compound: b.compound, community: b.community },
    rows: rows.map((r) => ({ ...r, phone: maskPhone(r.phone), docNumber: maskIdNumber(r.docNumber) })),
    total,
  };
}
