// One result of a test round's list, written: a tests row of the round (and of the person's episode covering the
// sample date, if any — a round's result of an isolated person counts for their release as any other), audited.
// A positive pooled tube (10混1) flags the person for a single-tube re-test and opens an alert saying so; a positive
// of the person's own tube opens an alert proposing an isolation episode (none is created: the office decides).
import type { Ctx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { openAlert } from './alerts.ts';
import { episodeForDate, testAlertReason } from './tests.ts';
import type { TestResult, TestType } from '../db/schema.ts';

export interface RoundResult {
  roundId: number;
  residentId: number;
  communityId: number;
  sampleDate: string;
  sampleTime: string | null;
  testType: TestType;
  result: TestResult;
  tubeNo: string | null;
  pooled: boolean;
  importBatchId: number | null;
}

/** Alert reasons of a round's positives (stored as Chinese text, like every alert reason). */
export function pooledAlertReason(tubeNo: string, sampleDate: string): string {
  return `混管阳性（试管号 ${tubeNo}，采样日期 ${sampleDate}），请尽快单管复核`;
}
export function singlePositiveReason(testType: TestType, sampleDate: string): string {
  return `${testType}检测阳性（单管，采样日期 ${sampleDate}），建议启动居家隔离`;
}

/** Writes one result of a round in the caller's transaction; returns the test and the alert it opened, if any. */
export async function recordRoundResult(ctx: Ctx, v: RoundResult): Promise<{ testId: number; alertId: number | null }> {
  const episode = await episodeForDate(ctx, v.residentId, v.sampleDate);
  const at = nowIso(ctx.clock);
  const test = await ctx.db
    .insertInto('tests')
    .values({
      residentId: v.residentId,
      episodeId: episode?.id ?? null,
      roundId: v.roundId,
      sampleDate: v.sampleDate,
      sampleTime: v.sampleTime,
      testType: v.testType,
      result: v.result,
      tubeNo: v.tubeNo,
      pooled: v.pooled ? 1 : 0,
      source: 'import',
      checkinId: null,
      importBatchId: v.importBatchId,
      createdAt: at,
      updatedAt: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(ctx, {
    action: 'test.record',
    entity: 'test',
    entityId: test.id,
    residentId: v.residentId,
    after: { sampleDate: v.sampleDate, testType: v.testType, result: v.result, source: 'import', roundId: v.roundId, tubeNo: v.tubeNo, pooled: v.pooled },
    extra: v.importBatchId ? { importBatchId: v.importBatchId } : undefined,
  });
  if (v.result !== '阳性') return { testId: test.id, alertId: null };
  const reason = v.pooled
    ? pooledAlertReason(v.tubeNo ?? '', v.sampleDate)
    : episode?.status === 'active'
      ? testAlertReason(v.testType, v.sampleDate)
      : singlePositiveReason(v.testType, v.sampleDate);
  const alert = await openAlert(ctx, { residentId: v.residentId, episodeId: episode?.id ?? null, communityId: v.communityId, testId: test.id, date: v.sampleDate, reason });
  return { testId: test.id, alertId: alert.id };
}
