// 全员核酸 test rounds: a round has a date or dates, a scope (the whole subdistrict or some communities), who created it
// and whether it is still open. Who must be tested (应检) is not stored: it is counted when read (rounds-coverage.ts),
// from the residents living in the round's scope at that moment — everyone, not only the isolated — except those
// transferred away (转运) and those the round exempts (外出, 卧床上门采样, 婴幼儿, 其他 with a note). So a person added
// or moved during the round counts at once, and 应检 always equals 已检 + 未检.
// A committee member sees the rounds that include their community, counted for their community only, and creates
// rounds and exemptions for it alone; everything written is audited.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, requirePermission, scopeOf } from './actor.ts';
import { diffDays, isIsoDate } from './dates.ts';
import { forbidden, invalid, issue, notFound } from '../shared/errors.ts';
import { ROUND_EXEMPT_REASONS, type RoundExemptReason } from '../shared/enums.ts';
import { roundTotals } from './rounds-coverage.ts';
import { getRound, inScope, type RoundScope, type RoundView } from './rounds-scope.ts';

export { getRound, type RoundScope, type RoundView } from './rounds-scope.ts';

/** A round lasts at most this many days (a citywide round is one to three days). */
export const ROUND_MAX_DAYS = 7;

function cnDate(d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

export interface CreateRoundInput {
  startDate: string;
  endDate?: string;
  name?: string;
  /** The communities of the round by id; none (and no name) = the whole subdistrict (a committee member: their own). */
  communityIds?: number[];
  /** The same by name (the command line's --community). */
  community?: string;
}

export interface CreatedRound {
  round: RoundView;
  /** 应检 at creation (counted now; it stays live while the round runs). */
  due: number;
}

export async function createRound(ctx: Ctx, input: CreateRoundInput): Promise<CreatedRound> {
  requirePermission(ctx.actor, 'rounds.write');
  const start = input.startDate;
  const end = input.endDate ?? start;
  if (!isIsoDate(start)) throw invalid('rounds.dateBad', { date: start }, [issue('startDate', 'common.pickValidDate')]);
  if (!isIsoDate(end)) throw invalid('rounds.dateBad', { date: end }, [issue('endDate', 'common.pickValidDate')]);
  if (end < start) throw invalid('rounds.endBeforeStart', { start, end }, [issue('endDate', 'common.pickValidDate')]);
  if (diffDays(start, end) + 1 > ROUND_MAX_DAYS) throw invalid('rounds.tooLong', { days: ROUND_MAX_DAYS }, [issue('endDate', 'common.pickValidDate')]);
  let ids = [...new Set(input.communityIds ?? [])];
  if (input.community !== undefined) {
    const c = await ctx.db.selectFrom('places').select('id').where('level', '=', 'community').where('name', '=', input.community.trim()).executeTakeFirst();
    if (!c) throw invalid('rounds.noSuchCommunity', { name: input.community }, [issue('community', 'rounds.communityMissing')]);
    ids = [...new Set([...ids, c.id])];
  }
  if (ids.length) {
    const found = await ctx.db.selectFrom('places').select('id').where('level', '=', 'community').where('id', 'in', ids).execute();
    if (found.length !== ids.length) throw invalid('rounds.communityMissing', undefined, [issue('communityIds', 'rounds.communityMissing')]);
  }
  // A committee member organises a round of their own community only.
  const own = scopeOf(ctx.actor);
  if (own !== null) {
    if (ids.some((id) => id !== own)) {
      const c = await ctx.db.selectFrom('places').select('name').where('id', '=', own).executeTakeFirst();
      throw forbidden('rounds.ownCommunityOnly', { name: c?.name ?? '' });
    }
    ids = [own];
  }
  const name = input.name?.trim() || `${cnDate(start)}${end === start ? '' : `至${cnDate(end)}`}全员核酸`;
  return inTx(ctx, async (tx) => {
    const at = nowIso(tx.clock);
    const row = await tx.db
      .insertInto('testRounds')
      .values({ name, startDate: start, endDate: end, wholeSubdistrict: ids.length ? 0 : 1, createdBy: tx.actor.username, createdById: tx.actor.userId, createdAt: at, updatedAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const communityId of ids) await tx.db.insertInto('testRoundCommunities').values({ roundId: row.id, communityId }).execute();
    const scoped = await getRound(tx, row.id);
    const totals = await roundTotals(tx, scoped);
    await audit(tx, { action: 'round.create', entity: 'test_round', entityId: row.id, after: { name, startDate: start, endDate: end, communityIds: ids, due: totals.due } });
    return { round: scoped.round, due: totals.due };
  });
}

export interface RoundListRow extends RoundView {
  due: number;
  tested: number;
  untested: number;
  positive: number;
  retest: number;
}

/** The rounds this actor may see, newest first (at most `limit`), each with its live totals. */
export async function listRounds(ctx: Ctx, opts: { limit?: number } = {}): Promise<RoundListRow[]> {
  const own = scopeOf(ctx.actor);
  let q = ctx.db.selectFrom('testRounds').select('id').orderBy('startDate', 'desc').orderBy('id', 'desc').limit(opts.limit ?? 50);
  if (own !== null) {
    q = q.where((eb) => eb.or([eb('wholeSubdistrict', '=', 1), eb.exists(eb.selectFrom('testRoundCommunities as x').select('x.roundId').whereRef('x.roundId', '=', 'testRounds.id').where('x.communityId', '=', own))]));
  }
  const out: RoundListRow[] = [];
  for (const { id } of await q.execute()) {
    const s = await getRound(ctx, id);
    out.push({ ...s.round, ...(await roundTotals(ctx, s)) });
  }
  return out;
}

/** Ends a round: no more exemptions or result lists. */
export async function closeRound(ctx: Ctx, input: { roundId: number }): Promise<RoundView> {
  requirePermission(ctx.actor, 'rounds.write');
  return inTx(ctx, async (tx) => {
    const { round } = await getRound(tx, input.roundId);
    if (scopeOf(tx.actor) !== null && (round.wholeSubdistrict || round.communities.length !== 1)) throw forbidden();
    if (round.status === 'closed') throw invalid('rounds.closed');
    await tx.db.updateTable('testRounds').set({ status: 'closed', updatedAt: nowIso(tx.clock), version: round.version + 1 }).where('id', '=', round.id).execute();
    await audit(tx, { action: 'round.close', entity: 'test_round', entityId: round.id, before: { status: 'open' }, after: { status: 'closed' } });
    return { ...round, status: 'closed' as const, version: round.version + 1 };
  });
}

/** A resident of the round's scope (and the actor's), or an error naming why not. */
async function residentInRound(ctx: Ctx, s: RoundScope, residentId: number) {
  const r = await ctx.db.selectFrom('residents').select(['id', 'name', 'communityId']).where('id', '=', residentId).executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  if (!inScope(s.communityIds, r.communityId)) throw invalid('rounds.notInRound', { name: r.name });
  return r;
}

export interface ExemptionInput {
  roundId: number;
  residentId: number;
  reason: RoundExemptReason;
  note?: string | null;
}

export async function addExemption(ctx: Ctx, input: ExemptionInput): Promise<{ id: number }> {
  requirePermission(ctx.actor, 'rounds.write');
  if (!ROUND_EXEMPT_REASONS.includes(input.reason)) throw invalid('rounds.reasonBad', undefined, [issue('reason', 'rounds.reasonBad')]);
  const note = input.note?.trim() || null;
  if (input.reason === '其他' && !note) throw invalid('rounds.exemptNote', undefined, [issue('note', 'rounds.exemptNoteField')]);
  return inTx(ctx, async (tx) => {
    const s = await getRound(tx, input.roundId);
    if (s.round.status === 'closed') throw invalid('rounds.closed');
    const r = await residentInRound(tx, s, input.residentId);
    const had = await tx.db.selectFrom('roundExemptions').select('reason').where('roundId', '=', s.round.id).where('residentId', '=', r.id).executeTakeFirst();
    if (had) throw invalid('rounds.alreadyExempt', { name: r.name, reason: had.reason });
    const row = await tx.db
      .insertInto('roundExemptions')
      .values({ roundId: s.round.id, residentId: r.id, reason: input.reason, note, createdBy: tx.actor.username, createdAt: nowIso(tx.clock) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(tx, { action: 'round.exempt', entity: 'test_round', entityId: s.round.id, residentId: r.id, after: { reason: input.reason, note } });
    return { id: row.id };
  });
}

export async function removeExemption(ctx: Ctx, input: { roundId: number; residentId: number }): Promise<{ removed: true }> {
  requirePermission(ctx.actor, 'rounds.write');
  return inTx(ctx, async (tx) => {
    const s = await getRound(tx, input.roundId);
    if (s.round.status === 'closed') throw invalid('rounds.closed');
    const r = await residentInRound(tx, s, input.residentId);
    const had = await tx.db.selectFrom('roundExemptions').select(['id', 'reason', 'note']).where('roundId', '=', s.round.id).where('residentId', '=', r.id).executeTakeFirst();
    if (!had) throw invalid('rounds.notExempt', { name: r.name });
    await tx.db.deleteFrom('roundExemptions').where('id', '=', had.id).execute();
    await audit(tx, { action: 'round.unexempt', entity: 'test_round', entityId: s.round.id, residentId: r.id, before: { reason: had.reason, note: had.note } });
    return { removed: true as const };
  });
}

export interface ExemptionRow {
  residentId: number;
  name: string;
  address: string;
  reason: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

/** The round's exemptions this actor may see, by address. */
export async function listExemptions(ctx: Ctx, input: { roundId: number }): Promise<ExemptionRow[]> {
  const s = await getRound(ctx, input.roundId);
  let q = ctx.db
    .selectFrom('roundExemptions as x')
    .innerJoin('residents as r', 'r.id', 'x.residentId')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .select(['x.residentId', 'r.name', 'h.address', 'x.reason', 'x.note', 'x.createdBy', 'x.createdAt'])
    .where('x.roundId', '=', s.round.id)
    .orderBy('h.address')
    .orderBy('r.namePinyin');
  if (s.communityIds !== null) q = q.where('r.communityId', 'in', s.communityIds.length ? s.communityIds : [-1]);
  return q.execute();
}
