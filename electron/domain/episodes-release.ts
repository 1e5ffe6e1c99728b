// Releasing an episode (解除): what blocks it (the test rule), release one (with a follow-on monitoring period), release many.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can } from './actor.ts';
import { AppError, fail, forbidden, invalid, issue, notFound } from '../shared/errors.ts';
import { renderMessage, type MessageKey, type Params } from '../shared/messages/index.ts';
import { addDays } from './dates.ts';
import type { Episode } from '../db/schema.ts';
import { staleConflict, updateVersioned } from './versioned.ts';
import { loadEpisode, startEpisode, syncResident } from './episodes.ts';

export interface ReleaseBlocker {
  day: number;
  date: string;
  /** The catalog message (key + params) and its Chinese text. */
  key: MessageKey;
  params: Params;
  /** What is missing, for a screen to tell apart: a positive result, a result not out yet, no result at all. */
  code: 'positive' | 'pending' | 'missing';
  message: string;
}

const BLOCKER_KEYS = { positive: 'episodes.blockPositive', pending: 'episodes.blockPending', missing: 'episodes.blockMissing' } as const;

function blocker(d: { day: number; date: string }, code: ReleaseBlocker['code']): ReleaseBlocker {
  const params = { day: d.day, date: d.date };
  const key = BLOCKER_KEYS[code];
  return { ...d, code, key, params, message: renderMessage('zh', key, params) };
}

/** Why one episode of a batch was not released: the error's message (key + params) and its Chinese text. */
function reasonOf(err: unknown): { reason: string; key: MessageKey; params?: Params } {
  const e = err instanceof AppError ? err : fail('INTERNAL', 'common.unknownError');
  return { reason: e.message, key: e.key, ...(e.params ? { params: e.params } : {}) };
}

/** Tests due by now (test days up to today and the last day) that have no negative nucleic-acid result. */
export async function releaseBlockers(ctx: Pick<Ctx, 'db' | 'clock'>, e: Pick<Episode, 'id' | 'startDate' | 'lastDay' | 'testDays'>): Promise<ReleaseBlocker[]> {
  const todayDate = today(ctx.clock);
  const days = JSON.parse(e.testDays) as number[];
  const due = days.map((d) => ({ day: d, date: addDays(e.startDate, d - 1) })).filter((d) => d.date <= todayDate && d.date <= e.lastDay);
  if (due.length === 0) return [];
  const tests = await ctx.db.selectFrom('tests').select(['sampleDate', 'result', 'testType']).where('episodeId', '=', e.id).execute();
  const blockers: ReleaseBlocker[] = [];
  for (const d of due) {
    const onDay = tests.filter((t) => t.sampleDate === d.date && t.testType === '核酸');
    if (onDay.some((t) => t.result === '阳性')) blockers.push(blocker(d, 'positive'));
    else if (!onDay.some((t) => t.result === '阴性')) {
      blockers.push(blocker(d, onDay.length ? 'pending' : 'missing'));
    }
  }
  return blockers;
}

export interface ReleaseCheck {
  blockers: ReleaseBlocker[];
  /** Releasing today would be before the release date (a reason is then required). */
  early: boolean;
  releaseDate: string;
}

/** What stands between an episode and its release today (the release dialog asks before the clerk confirms). */
export async function releaseCheck(ctx: Ctx, episodeId: number): Promise<ReleaseCheck> {
  const e = await ctx.db
    .selectFrom('episodes')
    .innerJoin('residents', 'residents.id', 'episodes.residentId')
    .select(['episodes.id', 'episodes.startDate', 'episodes.lastDay', 'episodes.releaseDate', 'episodes.testDays', 'residents.communityId'])
    .where('episodes.id', '=', episodeId)
    .executeTakeFirst();
  if (!e) throw notFound('thing.episode');
  assertInScope(ctx.actor, e.communityId);
  return { blockers: await releaseBlockers(ctx, e), early: today(ctx.clock) < e.releaseDate, releaseDate: e.releaseDate };
}

export interface ReleaseInput {
  episodeId: number;
  version: number;
  /** Required when releasing before the release date. */
  reason?: string;
  /** Release despite missing/failed tests; the reason is kept. */
  overrideReason?: string;
}

export interface ReleaseResult {
  episode: Episode;
  /** The health-monitoring episode that follows, when the policy has monitoring days. */
  followOn: Episode | null;
}

export async function releaseEpisode(ctx: Ctx, input: ReleaseInput): Promise<ReleaseResult> {
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, input.episodeId);
    if (e.status !== 'active') throw invalid('episodes.alreadyReleased');
    if (e.version !== input.version) throw await staleConflict(ctx, 'episodes', e.id, 'thing.episode');
    const todayDate = today(ctx.clock);
    const early = todayDate < e.releaseDate;
    if (early && !input.reason?.trim()) {
      throw invalid('episodes.earlyReason', { date: e.releaseDate }, [issue('reason', 'episodes.earlyReasonField')]);
    }
    const blockers = await releaseBlockers(ctx, e);
    if (blockers.length && !input.overrideReason?.trim()) {
      throw fail('BLOCKED', 'episodes.releaseBlocked', { name: e.name, blockers: blockers.map((b) => ({ key: b.key, params: b.params })) }, { details: { blockers } });
    }
    if (blockers.length && !can(ctx.actor, 'episodes.release')) throw forbidden('episodes.overrideNeedsOfficial');
    const at = nowIso(ctx.clock);
    await updateVersioned(
      ctx,
      'episodes',
      e.id,
      input.version,
      { status: 'released', endedOn: todayDate, endReason: early ? input.reason!.trim() : null, overrideReason: blockers.length ? input.overrideReason!.trim() : null, updatedAt: at },
      'thing.episode',
    );
    const released = await ctx.db.selectFrom('episodes').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
    await syncResident(ctx, released);
    await audit(ctx, {
      action: 'episode.release',
      entity: 'episode',
      entityId: e.id,
      residentId: e.residentId,
      before: { status: 'active' },
      after: { status: 'released', endedOn: todayDate },
      extra: { early, reason: input.reason ?? null, override: blockers.length ? { reason: input.overrideReason, blockers: blockers.map((b) => b.message) } : null },
    });
    let followOn: Episode | null = null;
    if (e.kind === 'home_isolation' && e.monitoringDays > 0) {
      // Monitoring starts on the release date itself: released 01-19 with 7 days → 01-19 … 01-25.
      followOn = await startEpisode(ctx, { residentId: e.residentId, startDate: todayDate, kind: 'health_monitoring', days: e.monitoringDays, previousEpisodeId: e.id });
    }
    return { episode: released, followOn };
  });
}

export interface BatchReleaseResult {
  released: { episodeId: number; name: string }[];
  blocked: { episodeId: number; name: string; reason: string; key: MessageKey; params?: Params }[];
}

/** Releases each episode in its own transaction; the blocked ones stay, each with its reason. */
export async function batchRelease(ctx: Ctx, items: { episodeId: number; version: number }[]): Promise<BatchReleaseResult> {
  const out: BatchReleaseResult = { released: [], blocked: [] };
  for (const item of items) {
    let name = `#${item.episodeId}`;
    try {
      const e = await loadEpisode(ctx, item.episodeId);
      name = e.name;
      await releaseEpisode(ctx, item);
      out.released.push({ episodeId: item.episodeId, name });
    } catch (err) {
      out.blocked.push({ episodeId: item.episodeId, name, ...reasonOf(err) });
    }
  }
  return out;
}
