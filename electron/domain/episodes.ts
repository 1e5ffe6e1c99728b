// Isolation episodes (隔离/监测期): start, extend, transfer/end, apply the current policy; keeps the resident's current period in step.
// Day counting: episodes-days.ts. Release (test rule, follow-on monitoring, batch): episodes-release.ts.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { fail, invalid, issue, notFound } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import { addDays, diffDays, isIsoDate } from './dates.ts';
import { getSettings, policyFor } from './settings.ts';
import type { Category, Episode, EpisodeKind, ResidentStatus } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';
import { periodDates, replannedTestDays, testDaysFor } from './episodes-days.ts';

function residentStatusFor(e: Pick<Episode, 'kind' | 'status'>): ResidentStatus {
  if (e.status === 'active') return e.kind === 'home_isolation' ? 'isolating' : 'monitoring';
  return e.status;
}

/** Keeps the resident's denormalised current-period columns in step with an episode. */
export async function syncResident(ctx: Ctx, e: Episode): Promise<void> {
  await ctx.db
    .updateTable('residents')
    .set({
      status: residentStatusFor(e),
      currentEpisodeId: e.id,
      startDate: e.startDate,
      lastDay: e.lastDay,
      releaseDate: e.releaseDate,
      updatedAt: nowIso(ctx.clock),
    })
    .where('id', '=', e.residentId)
    .execute();
}

export async function loadEpisode(ctx: Ctx, id: number): Promise<Episode & { communityId: number; name: string; category: string }> {
  const e = await ctx.db
    .selectFrom('episodes')
    .innerJoin('residents', 'residents.id', 'episodes.residentId')
    .selectAll('episodes')
    .select(['residents.communityId', 'residents.name', 'residents.category'])
    .where('episodes.id', '=', id)
    .executeTakeFirst();
  if (!e) throw notFound('thing.episode');
  assertInScope(ctx.actor, e.communityId);
  return e;
}

export interface StartEpisodeInput {
  residentId: number;
  startDate: string;
  kind?: EpisodeKind;
  /** Override the policy's number of days for this one episode. */
  days?: number;
  importBatchId?: number;
  previousEpisodeId?: number;
}

export async function startEpisode(ctx: Ctx, input: StartEpisodeInput): Promise<Episode> {
  if (!isIsoDate(input.startDate)) throw invalid('episodes.startDateBad', undefined, [issue('startDate', 'common.pickValidDate')]);
  const todayDate = today(ctx.clock);
  if (input.startDate > todayDate) throw invalid('episodes.startDateFuture', undefined, [issue('startDate', 'common.notAfterToday')]);
  return inTx(ctx, async (ctx) => {
    const r = await ctx.db.selectFrom('residents').select(['id', 'communityId', 'category', 'name']).where('id', '=', input.residentId).executeTakeFirst();
    if (!r) throw notFound('thing.resident');
    assertInScope(ctx.actor, r.communityId);
    const running = await ctx.db.selectFrom('episodes').select(['id', 'kind']).where('residentId', '=', r.id).where('status', '=', 'active').executeTakeFirst();
    if (running) {
      throw fail('CONFLICT', 'episodes.running', { name: r.name, kind: msg(`label.kind.${running.kind}` as const) });
    }
    const settings = await getSettings(ctx);
    const policy = policyFor(settings, r.category);
    const kind = input.kind ?? 'home_isolation';
    const days = input.days ?? (kind === 'home_isolation' ? policy.isolationDays : Math.max(policy.monitoringDays, 1));
    if (!Number.isInteger(days) || days < 1 || days > 60) throw invalid('episodes.daysBad', undefined, [issue('days', 'episodes.daysWrong')]);
    const testDays = kind === 'home_isolation' ? testDaysFor(policy, days) : [];
    const { lastDay, releaseDate } = periodDates(input.startDate, days);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('episodes')
      .values({
        residentId: r.id,
        kind,
        startDate: input.startDate,
        lastDay,
        releaseDate,
        testDays: JSON.stringify(testDays),
        monitoringDays: kind === 'home_isolation' ? policy.monitoringDays : 0,
        status: 'active',
        endedOn: null,
        endReason: null,
        overrideReason: null,
        previousEpisodeId: input.previousEpisodeId ?? null,
        importBatchId: input.importBatchId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await syncResident(ctx, row);
    await audit(ctx, {
      action: 'episode.start',
      entity: 'episode',
      entityId: row.id,
      residentId: r.id,
      after: { kind, startDate: row.startDate, lastDay, releaseDate, testDays },
    });
    return row;
  });
}

export interface ExtendInput {
  episodeId: number;
  version: number;
  /** New last day; must be after the current one. */
  newLastDay: string;
  reason: string;
}

/** Moves the planned end; the previous end and the reason are kept in episode_extensions. */
export async function extendEpisode(ctx: Ctx, input: ExtendInput): Promise<Episode> {
  if (!input.reason?.trim()) throw invalid('episodes.extendReason', undefined, [issue('reason', 'episodes.extendReasonField')]);
  if (!isIsoDate(input.newLastDay)) throw invalid('episodes.newLastDayBad', undefined, [issue('newLastDay', 'common.pickValidDate')]);
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, input.episodeId);
    if (e.status !== 'active') throw invalid('episodes.extendOnlyActive');
    if (input.newLastDay <= e.lastDay) throw invalid('episodes.newLastDayEarly', { lastDay: e.lastDay }, [issue('newLastDay', 'episodes.afterDay', { day: e.lastDay })]);
    const releaseDate = addDays(input.newLastDay, 1);
    // The last-day test moves with the last day (入境 [1, 7, last]: 7 days [1, 7] → 14 days [1, 7, 14]).
    const policy = policyFor(await getSettings(ctx), e.category as Category);
    const testDays = replannedTestDays(e, policy, diffDays(e.startDate, input.newLastDay) + 1, today(ctx.clock));
    await updateVersioned(ctx, 'episodes', e.id, input.version, { lastDay: input.newLastDay, releaseDate, testDays: JSON.stringify(testDays) }, 'thing.episode');
    await ctx.db
      .insertInto('episodeExtensions')
      .values({ episodeId: e.id, previousLastDay: e.lastDay, newLastDay: input.newLastDay, reason: input.reason.trim(), userName: ctx.actor.username, at: nowIso(ctx.clock) })
      .execute();
    const next = await ctx.db.selectFrom('episodes').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
    await syncResident(ctx, next);
    await audit(ctx, {
      action: 'episode.extend',
      entity: 'episode',
      entityId: e.id,
      residentId: e.residentId,
      before: { lastDay: e.lastDay, releaseDate: e.releaseDate, testDays: JSON.parse(e.testDays) },
      after: { lastDay: next.lastDay, releaseDate: next.releaseDate, testDays },
      extra: { reason: input.reason.trim() },
    });
    return next;
  });
}

export interface EndInput {
  episodeId: number;
  version: number;
  outcome: 'transferred' | 'ended_other';
  reason: string;
  date?: string;
}

/** Transfer (转运: centralised isolation or hospital) or other end (moved away, wrongly listed…), with a reason. */
export async function endEpisode(ctx: Ctx, input: EndInput): Promise<Episode> {
  if (!input.reason?.trim()) throw invalid('rule.reasonRequired', undefined, [issue('reason', 'rule.reasonRequired')]);
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, input.episodeId);
    if (e.status !== 'active') throw invalid('episodes.ended');
    const date = input.date ?? today(ctx.clock);
    if (!isIsoDate(date) || date < e.startDate || date > today(ctx.clock)) throw invalid('episodes.endDateRange', undefined, [issue('date', 'common.dateBad')]);
    await updateVersioned(ctx, 'episodes', e.id, input.version, { status: input.outcome, endedOn: date, endReason: input.reason.trim() }, 'thing.episode');
    const next = await ctx.db.selectFrom('episodes').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
    await syncResident(ctx, next);
    await audit(ctx, {
      action: input.outcome === 'transferred' ? 'episode.transfer' : 'episode.end',
      entity: 'episode',
      entityId: e.id,
      residentId: e.residentId,
      before: { status: 'active' },
      after: { status: input.outcome, endedOn: date, endReason: input.reason.trim() },
    });
    return next;
  });
}

/** Re-plans a running episode with the current policy (a clerk's explicit request after a policy change); recorded as an extension. */
export async function applyCurrentPolicy(ctx: Ctx, episodeId: number, version: number): Promise<Episode> {
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, episodeId);
    if (e.status !== 'active') throw invalid('episodes.adjustOnlyActive');
    const policy = policyFor(await getSettings(ctx), e.category as Category);
    const days = e.kind === 'home_isolation' ? policy.isolationDays : Math.max(policy.monitoringDays, 1);
    const { lastDay, releaseDate } = periodDates(e.startDate, days);
    const testDays = replannedTestDays(e, policy, days, today(ctx.clock));
    const sameTests = JSON.stringify(testDays) === JSON.stringify(JSON.parse(e.testDays));
    if (lastDay === e.lastDay && sameTests) return e;
    await updateVersioned(
      ctx,
      'episodes',
      e.id,
      version,
      { lastDay, releaseDate, testDays: JSON.stringify(testDays), monitoringDays: e.kind === 'home_isolation' ? policy.monitoringDays : 0 },
      'thing.episode',
    );
    // A moved end is an extension (or shortening) in the period's history; changed test days alone are in the audit.
    if (lastDay !== e.lastDay) {
      await ctx.db
        .insertInto('episodeExtensions')
        .values({ episodeId: e.id, previousLastDay: e.lastDay, newLastDay: lastDay, reason: '按新政策调整', userName: ctx.actor.username, at: nowIso(ctx.clock) })
        .execute();
    }
    const next = await ctx.db.selectFrom('episodes').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
    await syncResident(ctx, next);
    await audit(ctx, {
      action: 'episode.apply_policy',
      entity: 'episode',
      entityId: e.id,
      residentId: e.residentId,
      before: { lastDay: e.lastDay, testDays: JSON.parse(e.testDays) },
      after: { lastDay, testDays },
    });
    return next;
  });
}
