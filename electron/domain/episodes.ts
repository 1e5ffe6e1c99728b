// Isolation episodes (隔离/监测期): start, day N of M, extend, release (test rule), transfer/end, follow-on monitoring.
// Day counting: the start date is day 1; a 7-day isolation from 01-12 has lastDay 01-18 and releaseDate 01-19.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can } from './actor.ts';
import { AppError, conflict, fail, forbidden, invalid, issue, notFound } from '../shared/errors.ts';
import { msg, renderMessage, type MessageKey, type Params } from '../shared/messages/index.ts';
import { addDays, diffDays, isIsoDate } from './dates.ts';
import { getSettings, policyFor, type CategoryPolicy } from './settings.ts';
import type { Category, Episode, EpisodeKind, EpisodeStatus, ResidentStatus } from '../db/schema.ts';
import { EPISODE_KIND_LABELS as EPISODE_KIND_WORDS, EPISODE_STATUS_LABELS as EPISODE_STATUS_WORDS, labelsIn } from '../shared/labels.ts';
import { updateVersioned } from './versioned.ts';

export const EPISODE_KIND_LABELS: Record<EpisodeKind, string> = labelsIn(EPISODE_KIND_WORDS, 'zh');
export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = labelsIn(EPISODE_STATUS_WORDS, 'zh');

/** lastDay and releaseDate of a period of `days` days starting on `start` (day 1). */
export function periodDates(start: string, days: number): { lastDay: string; releaseDate: string } {
  const lastDay = addDays(start, days - 1);
  return { lastDay, releaseDate: addDays(lastDay, 1) };
}

/** The policy's test days (1-based, 'last' resolved) within a home isolation of `days` days, as planned at its start. */
export function testDaysFor(policy: Pick<CategoryPolicy, 'testDays'>, days: number): number[] {
  return [...new Set(policy.testDays.map((d) => (d === 'last' ? days : d)).filter((d) => d <= days))].sort((a, b) => a - b);
}

/**
 * The test days of a home isolation re-planned to `days` days (extended, or changed to the current policy): the
 * policy's days for the new length ('last' now the new last day), and every earlier test day already due by today
 * — it was asked for then, and stays asked for. The previous list is kept in the audit record of the change.
 */
export function replannedTestDays(e: Pick<Episode, 'kind' | 'startDate' | 'testDays'>, policy: Pick<CategoryPolicy, 'testDays'>, days: number, todayDate: string): number[] {
  if (e.kind !== 'home_isolation') return JSON.parse(e.testDays) as number[];
  const due = (JSON.parse(e.testDays) as number[]).filter((d) => d <= days && addDays(e.startDate, d - 1) <= todayDate);
  return [...new Set([...due, ...testDaysFor(policy, days)])].sort((a, b) => a - b);
}

/** "第N天/共M天" numbers for a date. */
export function dayOf(e: Pick<Episode, 'startDate' | 'lastDay'>, date: string): { n: number; of: number } {
  return { n: diffDays(e.startDate, date) + 1, of: diffDays(e.startDate, e.lastDay) + 1 };
}

export function dayLabel(e: Pick<Episode, 'startDate' | 'lastDay'>, date: string): string {
  const d = dayOf(e, date);
  return `第${d.n}天/共${d.of}天`;
}

/**
 * Whether an episode covers a date: started on or before it, and still running or ended after it. An episode released
 * on 01-19 no longer covers 01-19 (its follow-on monitoring does). `endDay: 'included'` counts the day it ended as
 * covered too: records of a release day (its morning temperature) and that day's roster still belong to it.
 */
export type EndDay = 'excluded' | 'included';

export function coversDate(e: Pick<Episode, 'startDate' | 'status' | 'endedOn'>, date: string, endDay: EndDay = 'excluded'): boolean {
  if (e.startDate > date) return false;
  if (e.status === 'active') return true;
  return e.endedOn !== null && (endDay === 'included' ? e.endedOn >= date : e.endedOn > date);
}

/** coversDate as a SQL condition on the episodes table named `e` in the query (an alias such as 'e', or 'episodes'). */
export function coversDateSql(e: string, date: string, endDay: EndDay = 'excluded'): RawBuilder<SqlBool> {
  const col = (c: string) => sql.ref(`${e}.${c}`);
  return sql<SqlBool>`(${col('startDate')} <= ${date} and (${col('status')} = 'active' or ${col('endedOn')} ${sql.raw(endDay === 'included' ? '>=' : '>')} ${date}))`;
}

function residentStatusFor(e: Pick<Episode, 'kind' | 'status'>): ResidentStatus {
  if (e.status === 'active') return e.kind === 'home_isolation' ? 'isolating' : 'monitoring';
  return e.status;
}

/** Keeps the resident's denormalised current-period columns in step with an episode. */
async function syncResident(ctx: Ctx, e: Episode): Promise<void> {
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

async function loadEpisode(ctx: Ctx, id: number): Promise<Episode & { communityId: number; name: string; category: string }> {
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
    if (e.version !== input.version) throw conflict('thing.episode');
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
