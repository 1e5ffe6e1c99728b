// A test round as a reader may see it: the round, its communities, and the communities this actor counts in it
// (a committee member: their own, and only in rounds that include it). Shared by rounds.ts and rounds-coverage.ts.
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { notFound } from '../shared/errors.ts';
import type { RoundStatus } from '../db/schema.ts';

export interface RoundView {
  id: number;
  name: string;
  startDate: string;
  endDate: string;
  wholeSubdistrict: boolean;
  /** The communities of a round with a scope (empty for the whole subdistrict). */
  communities: { id: number; name: string }[];
  status: RoundStatus;
  createdBy: string;
  createdAt: string;
  version: number;
}

/** A round as its reader may see it: null communities = whole subdistrict; `scope` = what this actor counts. */
export interface RoundScope {
  round: RoundView;
  /** The communities counted for this actor: null = every community (whole subdistrict, not confined). */
  communityIds: number[] | null;
}

async function roundView(ctx: Pick<Ctx, 'db'>, roundId: number): Promise<RoundView | null> {
  const r = await ctx.db.selectFrom('testRounds').selectAll().where('id', '=', roundId).executeTakeFirst();
  if (!r) return null;
  const communities = await ctx.db
    .selectFrom('testRoundCommunities as x')
    .innerJoin('places as c', 'c.id', 'x.communityId')
    .select(['c.id', 'c.name'])
    .where('x.roundId', '=', roundId)
    .orderBy('c.name')
    .execute();
  return {
    id: r.id,
    name: r.name,
    startDate: r.startDate,
    endDate: r.endDate,
    wholeSubdistrict: r.wholeSubdistrict === 1,
    communities,
    status: r.status,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    version: r.version,
  };
}

/** The communities this actor counts in a round; a round that does not include a committee member's community is not found. */
export function scopeFor(ctx: Pick<Ctx, 'actor'>, round: RoundView): number[] | null {
  const own = scopeOf(ctx.actor);
  if (own === null) return round.wholeSubdistrict ? null : round.communities.map((c) => c.id);
  if (!round.wholeSubdistrict && !round.communities.some((c) => c.id === own)) throw notFound('thing.round');
  return [own];
}

/** A round the actor may see, with the communities they count in it. */
export async function getRound(ctx: Pick<Ctx, 'db' | 'actor'>, roundId: number): Promise<RoundScope> {
  const round = await roundView(ctx, roundId);
  if (!round) throw notFound('thing.round');
  return { round, communityIds: scopeFor(ctx, round) };
}

/** Whether community `id` is within a scope (null = all). */
export function inScope(scope: number[] | null, id: number): boolean {
  return scope === null || scope.includes(id);
}

