// Test results (核酸/抗原): recorded by hand, from a check-in, or by the Excel import. A positive result opens an alert at
// once; nucleic-acid negatives on the episode's test days are what releaseBlockers (episodes-release.ts) looks for.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { invalid, issue, notFound } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { openAlert } from './alerts.ts';
import { coversDateSql } from './episodes-days.ts';
import type { Episode, TestResult, TestType, TestsTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import { TEST_RESULTS } from '../shared/enums.ts';

export type TestRow = Selectable<TestsTable>;
export const TEST_TYPES: TestType[] = ['核酸', '抗原'];

/**
 * The episode of a person that a dated record (check-in, test) belongs to: the running one, or an ended one whose
 * period included the date. An episode ended on the date itself still takes records of that date (the morning
 * temperature of a release day, taken before the release was processed); a running one is preferred.
 */
export async function episodeForDate(ctx: Pick<Ctx, 'db'>, residentId: number, date: string): Promise<Episode | undefined> {
  const rows = await ctx.db
    .selectFrom('episodes')
    .selectAll()
    .where('residentId', '=', residentId)
    .where(coversDateSql('episodes', date, 'included'))
    .orderBy('startDate', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.find((e) => e.status === 'active') ?? rows[0];
}

/** A person in scope and the episode covering a date, or an error saying why records cannot be kept for that date. */
export async function personOnDate(ctx: Ctx, residentId: number, date: string, field = 'date') {
  // A usable date: the person and their episodes covering it in one query (a round trip fewer per check-in, which an
  // office server on PostgreSQL notices); the checks below then run in the same order as for any other date.
  const usable = isIsoDate(date) && date <= today(ctx.clock);
  const rows = usable
    ? await ctx.db
        .selectFrom('residents as r')
        .leftJoin('episodes as e', (j) => j.onRef('e.residentId', '=', 'r.id').on(coversDateSql('e', date, 'included')))
        .select(['r.id as rId', 'r.name as rName', 'r.communityId as rCommunityId'])
        .selectAll('e')
        .where('r.id', '=', residentId)
        .orderBy('e.startDate', 'desc')
        .orderBy('e.id', 'desc')
        .execute()
    : null;
  const r = rows
    ? rows[0] && { id: rows[0].rId, name: rows[0].rName, communityId: rows[0].rCommunityId }
    : await ctx.db.selectFrom('residents').select(['id', 'name', 'communityId']).where('id', '=', residentId).executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  if (!isIsoDate(date)) throw invalid('common.dateBad', undefined, [issue(field, 'common.pickValidDate')]);
  if (date > today(ctx.clock)) throw invalid('tests.futureDate', undefined, [issue(field, 'common.notAfterToday')]);
  // As episodeForDate picks: the active one, else the newest.
  const covering = (rows ?? []).filter((e) => e.id !== null).map(({ rId: _i, rName: _n, rCommunityId: _c, ...e }) => e as Episode);
  const episode = covering.find((e) => e.status === 'active') ?? covering[0];
  if (!episode) {
    throw invalid('tests.outsideEpisode', { name: r.name, date }, [issue(field, 'tests.notInEpisode')]);
  }
  return { resident: r, episode };
}

export function testAlertReason(testType: TestType, sampleDate: string): string {
  return `${testType}检测阳性（采样日期 ${sampleDate}）`;
}

/** Inserts one tests row for a known person and episode; no scope checks, no alert (callers decide). */
export async function insertTest(
  ctx: Ctx,
  v: { residentId: number; episodeId: number; sampleDate: string; testType: TestType; result: TestResult; source: TestRow['source']; checkinId?: number | null; importBatchId?: number | null },
): Promise<TestRow> {
  const at = nowIso(ctx.clock);
  return ctx.db
    .insertInto('tests')
    .values({
      residentId: v.residentId,
      episodeId: v.episodeId,
      sampleDate: v.sampleDate,
      testType: v.testType,
      result: v.result,
      source: v.source,
      checkinId: v.checkinId ?? null,
      importBatchId: v.importBatchId ?? null,
      createdAt: at,
      updatedAt: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface TestResultInput {
  residentId: number;
  sampleDate: string;
  testType: TestType;
  result: TestResult;
  source?: 'manual' | 'import';
  importBatchId?: number | null;
}

export interface TestRecorded {
  test: TestRow;
  /** The alert opened for a positive result. */
  alertId: number | null;
}

/** Records one result. Runs inside the caller's transaction when there is one (the Excel import commits many at once). */
export async function recordTestResult(ctx: Ctx, input: TestResultInput): Promise<TestRecorded> {
  if (!TEST_TYPES.includes(input.testType)) throw invalid('tests.typeBad', undefined, [issue('testType', 'tests.typeWrong')]);
  if (!TEST_RESULTS.includes(input.result)) throw invalid('tests.resultBad', undefined, [issue('result', 'tests.resultWrong')]);
  return inTx(ctx, async (ctx) => {
    const { resident, episode } = await personOnDate(ctx, input.residentId, input.sampleDate, 'sampleDate');
    const source = input.source ?? 'manual';
    const test = await insertTest(ctx, {
      residentId: resident.id,
      episodeId: episode.id,
      sampleDate: input.sampleDate,
      testType: input.testType,
      result: input.result,
      source,
      importBatchId: input.importBatchId ?? null,
    });
    await audit(ctx, {
      action: 'test.record',
      entity: 'test',
      entityId: test.id,
      residentId: resident.id,
      after: { sampleDate: test.sampleDate, testType: test.testType, result: test.result, source },
      extra: input.importBatchId ? { importBatchId: input.importBatchId } : undefined,
    });
    let alertId: number | null = null;
    if (input.result === '阳性') {
      const a = await openAlert(ctx, {
        residentId: resident.id,
        episodeId: episode.id,
        communityId: resident.communityId,
        testId: test.id,
        date: input.sampleDate,
        reason: testAlertReason(input.testType, input.sampleDate),
      });
      alertId = a.id;
    }
    return { test, alertId };
  });
}
