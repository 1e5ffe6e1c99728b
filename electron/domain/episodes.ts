// Isolation episodes (隔离/监测期): start, day N of M, extend, release (test rule), transfer/end, follow-on monitoring.
// Day counting: the start date is day 1; a 7-day isolation from 01-12 has lastDay 01-18 and releaseDate 01-19.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can } from './actor.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../shared/errors.ts';
import { addDays, diffDays, isIsoDate } from './dates.ts';
import { getSettings, policyFor, type CategoryPolicy } from './settings.ts';
import type { Category, Episode, EpisodeKind, EpisodeStatus, ResidentStatus } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export const EPISODE_KIND_LABELS: Record<EpisodeKind, string> = { home_isolation: '居家隔离', health_monitoring: '居家健康监测' };
export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = {
  active: '隔离中',
  released: '已解除',
  transferred: '转运',
  ended_other: '其他结束',
};

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
  if (!e) throw notFound('该隔离记录');
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
  if (!isIsoDate(input.startDate)) throw invalid('开始日期不正确', [{ field: 'startDate', message: '请选择有效日期' }]);
  const todayDate = today(ctx.clock);
  if (input.startDate > todayDate) throw invalid('开始日期不能晚于今天', [{ field: 'startDate', message: '不能晚于今天' }]);
  return inTx(ctx, async (ctx) => {
    const r = await ctx.db.selectFrom('residents').select(['id', 'communityId', 'category', 'name']).where('id', '=', input.residentId).executeTakeFirst();
    if (!r) throw notFound('该人员');
    assertInScope(ctx.actor, r.communityId);
    const running = await ctx.db.selectFrom('episodes').select(['id', 'kind']).where('residentId', '=', r.id).where('status', '=', 'active').executeTakeFirst();
    if (running) {
      throw new AppError('CONFLICT', `${r.name} 已有进行中的${EPISODE_KIND_LABELS[running.kind]}，不能重复开始。如需延长，请使用“延长”。`);
    }
    const settings = await getSettings(ctx);
    const policy = policyFor(settings, r.category);
    const kind = input.kind ?? 'home_isolation';
    const days = input.days ?? (kind === 'home_isolation' ? policy.isolationDays : Math.max(policy.monitoringDays, 1));
    if (!Number.isInteger(days) || days < 1 || days > 60) throw invalid('天数应为 1 到 60 的整数', [{ field: 'days', message: '天数不正确' }]);
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
  if (!input.reason?.trim()) throw invalid('延长须填写原因', [{ field: 'reason', message: '请填写延长原因' }]);
  if (!isIsoDate(input.newLastDay)) throw invalid('新的最后一天不正确', [{ field: 'newLastDay', message: '请选择有效日期' }]);
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, input.episodeId);
    if (e.status !== 'active') throw invalid('只能延长进行中的隔离/监测');
    if (input.newLastDay <= e.lastDay) throw invalid(`新的最后一天须晚于原来的 ${e.lastDay}`, [{ field: 'newLastDay', message: `须晚于 ${e.lastDay}` }]);
    const releaseDate = addDays(input.newLastDay, 1);
    // The last-day test moves with the last day (入境 [1, 7, last]: 7 days [1, 7] → 14 days [1, 7, 14]).
    const policy = policyFor(await getSettings(ctx), e.category as Category);
    const testDays = replannedTestDays(e, policy, diffDays(e.startDate, input.newLastDay) + 1, today(ctx.clock));
    await updateVersioned(ctx, 'episodes', e.id, input.version, { lastDay: input.newLastDay, releaseDate, testDays: JSON.stringify(testDays) }, '该隔离记录');
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
  message: string;
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
    if (onDay.some((t) => t.result === '阳性')) blockers.push({ ...d, message: `第${d.day}天（${d.date}）核酸结果为阳性` });
    else if (!onDay.some((t) => t.result === '阴性')) {
      blockers.push({ ...d, message: onDay.length ? `第${d.day}天（${d.date}）核酸结果未出` : `第${d.day}天（${d.date}）缺少核酸阴性结果` });
    }
  }
  return blockers;
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
    if (e.status !== 'active') throw invalid('该隔离/监测已结束，不能重复解除');
    if (e.version !== input.version) throw conflict('该隔离记录');
    const todayDate = today(ctx.clock);
    const early = todayDate < e.releaseDate;
    if (early && !input.reason?.trim()) {
      throw invalid(`未到解除日期（${e.releaseDate}），提前解除须填写原因`, [{ field: 'reason', message: '请填写提前解除原因' }]);
    }
    const blockers = await releaseBlockers(ctx, e);
    if (blockers.length && !input.overrideReason?.trim()) {
      throw new AppError('BLOCKED', `${e.name} 暂不能解除：${blockers.map((b) => b.message).join('；')}。请先录入检测结果，或填写原因后强制解除。`, {
        details: { blockers },
      });
    }
    if (blockers.length && !can(ctx.actor, 'episodes.release')) throw forbidden('缺少检测结果时强制解除须由街道工作人员办理。');
    const at = nowIso(ctx.clock);
    await updateVersioned(
      ctx,
      'episodes',
      e.id,
      input.version,
      { status: 'released', endedOn: todayDate, endReason: early ? input.reason!.trim() : null, overrideReason: blockers.length ? input.overrideReason!.trim() : null, updatedAt: at },
      '该隔离记录',
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
  if (!input.reason?.trim()) throw invalid('请填写原因', [{ field: 'reason', message: '请填写原因' }]);
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, input.episodeId);
    if (e.status !== 'active') throw invalid('该隔离/监测已结束');
    const date = input.date ?? today(ctx.clock);
    if (!isIsoDate(date) || date < e.startDate || date > today(ctx.clock)) throw invalid('结束日期须在开始日期和今天之间', [{ field: 'date', message: '日期不正确' }]);
    await updateVersioned(ctx, 'episodes', e.id, input.version, { status: input.outcome, endedOn: date, endReason: input.reason.trim() }, '该隔离记录');
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
  blocked: { episodeId: number; name: string; reason: string }[];
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
      out.blocked.push({ episodeId: item.episodeId, name, reason: err instanceof AppError ? err.message : '未知错误' });
    }
  }
  return out;
}

/** Re-plans a running episode with the current policy (a clerk's explicit request after a policy change); recorded as an extension. */
export async function applyCurrentPolicy(ctx: Ctx, episodeId: number, version: number): Promise<Episode> {
  return inTx(ctx, async (ctx) => {
    const e = await loadEpisode(ctx, episodeId);
    if (e.status !== 'active') throw invalid('只能调整进行中的隔离/监测');
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
      '该隔离记录',
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
