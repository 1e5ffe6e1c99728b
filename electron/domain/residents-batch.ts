// The lean batch path for bulk imports: the same rules as createResident / startEpisode, but a
// few multi-row statements per thousand people instead of a dozen per person, and one audit record per batch with
// its counts (the people carry the batch id). Call inside one transaction.
// Households: households-batch.ts; the chunked inserts: batch-insert.ts.
import type { Ctx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { fail, invalid, issue } from '../shared/errors.ts';
import { isIsoDate } from './dates.ts';
import { namePinyin } from './pinyin.ts';
import { getSettings, policyFor, type Settings } from './settings.ts';
import { periodDates, testDaysFor } from './episodes-days.ts';
import { isCategory, type NormalisedResident } from './residents.ts';
import type { ExpressionBuilder, Insertable } from 'kysely';
import type { Category, Database } from '../db/schema.ts';
import { chunks, insertEach } from './batch-insert.ts';
import { withFreshRows, type PendingCoverage } from '../db/fresh-rows.ts';
import { takeIds } from '../db/engine.ts';

export interface NewResidentRow {
  /** Already through normaliseResident (same rules as createResident). */
  value: NormalisedResident;
  householdId: number;
  communityId: number;
  /** The first day of the home isolation that starts with the person (day 1). */
  startDate: string;
  /** The guardian is the person at this index of the same batch (an infant imported with a parent): their id is known only here. */
  guardianIndex?: number;
}

function assertStartDate(startDate: string, todayDate: string) {
  if (!isIsoDate(startDate)) throw invalid('episodes.startDateBad', undefined, [issue('startDate', 'common.pickValidDate')]);
  if (startDate > todayDate) throw invalid('episodes.startDateFuture', undefined, [issue('startDate', 'common.notAfterToday')]);
}

/** The episode row startEpisode would insert for a home isolation under the person's category policy. */
/** Period and test days per (category, start date): a list has few of them, and date arithmetic is not free. */
function isolationPlanner(settings: Settings) {
  const memo = new Map<string, { lastDay: string; releaseDate: string; testDays: string; monitoringDays: number }>();
  return (category: Category, startDate: string) => {
    const key = `${category}|${startDate}`;
    let plan = memo.get(key);
    if (!plan) {
      const policy = policyFor(settings, category);
      plan = { ...periodDates(startDate, policy.isolationDays), testDays: JSON.stringify(testDaysFor(policy, policy.isolationDays)), monitoringDays: policy.monitoringDays };
      memo.set(key, plan);
    }
    return plan;
  };
}

function isolationRow(plan: ReturnType<typeof isolationPlanner>, id: number | undefined, residentId: number, category: Category, startDate: string, importBatchId: number, at: string) {
  const { lastDay, releaseDate, testDays, monitoringDays } = plan(category, startDate);
  return {
    id,
    residentId,
    kind: 'home_isolation' as const,
    startDate,
    lastDay,
    releaseDate,
    testDays,
    monitoringDays,
    status: 'active' as const,
    endedOn: null,
    endReason: null,
    overrideReason: null,
    previousEpisodeId: null,
    importBatchId,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * New residents (none of their documents may exist yet: the caller looked them up), each with a home isolation
 * from their start date under their category's policy, as createResident + startEpisode would leave them.
 * Audited as one 'resident.create' and one 'episode.start' record for the batch, with counts. Returns ids in order.
 */
export async function createIsolatedResidentsBatch(
  ctx: Ctx,
  people: NewResidentRow[],
  /** coverage: where the new episodes' coverage counts are left for the caller to add (db/fresh-rows.ts PendingCoverage). */
  opts: { importBatchId: number; coverage?: PendingCoverage },
): Promise<number[]> {
  if (people.length === 0) return [];
  const todayDate = today(ctx.clock);
  for (const [i, p] of people.entries()) {
    assertInScope(ctx.actor, p.communityId);
    assertStartDate(p.startDate, todayDate);
    // Without a document only with what createResident asks of one (a birth date and a guardian). A guardian of the
    // same batch comes earlier in it: the rows are inserted in order, and guardian_id must point at a written row.
    const guardian = p.value.guardianId !== null || (p.guardianIndex !== undefined && p.guardianIndex >= 0 && p.guardianIndex < i);
    if (!p.value.docNumber && !(p.value.docType === '无证件' && p.value.birthDate && guardian)) throw invalid('residents.batchNoDoc', { name: p.value.name });
    if (!isCategory(p.value.category)) throw invalid('residents.batchCategoryBad', { name: p.value.name, category: String(p.value.category) });
  }
  const plan = isolationPlanner(await getSettings(ctx));
  const at = nowIso(ctx.clock);
  // Each person and their episode point at each other: with the ids given here, both rows are written once, instead
  // of the residents being updated with their episode's id afterwards.
  const firstResident = await takeIds(ctx.db, 'residents', people.length);
  const firstEpisode = await takeIds(ctx.db, 'episodes', people.length);
  // The rows' INSERT triggers (change feed, counters) are replaced by a set-based catch-up (db/fresh-rows.ts).
  const { ids: out } = await withFreshRows(ctx.db, async () => {
    const ids = await insertEach(
      ctx,
      'residents',
      people.map(({ value: v, householdId, communityId, startDate, guardianIndex }, i) => {
        const py = namePinyin(v.name);
        // The current-period columns are what startEpisode's sync would write.
        const period = plan(v.category, startDate);
        // Every column spelt out (no spread of the value): one object shape for all rows, built without copying.
        return {
          id: firstResident + i,
          name: v.name,
          docType: v.docType,
          docNumber: v.docNumber,
          sex: v.sex,
          birthDate: v.birthDate,
          phone: v.phone,
          category: v.category,
          notes: v.notes,
          guardianId: v.guardianId ?? (guardianIndex === undefined ? null : firstResident + guardianIndex),
          householdId,
          communityId,
          namePinyin: py.full,
          nameInitials: py.initials,
          status: 'isolating' as const,
          currentEpisodeId: firstEpisode + i,
          startDate,
          lastDay: period.lastDay,
          releaseDate: period.releaseDate,
          latestTemperature: null,
          importBatchId: opts.importBatchId,
          createdAt: at,
          updatedAt: at,
        } satisfies Insertable<Database['residents']> & Record<keyof NormalisedResident, unknown>;
      }),
    );
    await insertEach(ctx, 'episodes', people.map((p, i) => isolationRow(plan, firstEpisode + i, ids[i], p.value.category, p.startDate, opts.importBatchId, at)));
    return { ids, residents: [firstResident, firstResident + people.length - 1] as [number, number], episodes: [firstEpisode, firstEpisode + people.length - 1] as [number, number] };
  }, opts.coverage);
  const extra = { importBatchId: opts.importBatchId, count: people.length };
  await audit(ctx, { action: 'resident.create', entity: 'import_batch', entityId: opts.importBatchId, extra });
  await audit(ctx, { action: 'episode.start', entity: 'import_batch', entityId: opts.importBatchId, extra: { ...extra, kind: 'home_isolation' } });
  return out;
}

/** A column of the person's running episode, as a correlated subquery. */
function activeEpisode<C extends 'id' | 'startDate' | 'lastDay' | 'releaseDate'>(eb: ExpressionBuilder<Database, 'residents'>, col: C) {
  return eb.selectFrom('episodes').select(`episodes.${col}` as `episodes.${C}`).whereRef('episodes.residentId', '=', 'residents.id').where('episodes.status', '=', 'active');
}

/**
 * Starts a home isolation for people already in the database (none may have a running episode), as startEpisode
 * does, and brings their current-period columns in step. Audited as one 'episode.start' record with the count.
 */
export async function startEpisodesBatch(ctx: Ctx, items: { residentId: number; startDate: string; category: Category }[], opts: { importBatchId: number }): Promise<void> {
  if (items.length === 0) return;
  const todayDate = today(ctx.clock);
  for (const it of items) {
    assertStartDate(it.startDate, todayDate);
    if (!isCategory(it.category)) throw invalid('residents.categoryWrong', { category: String(it.category) });
  }
  const residentIds = items.map((i) => i.residentId);
  for (const part of chunks(residentIds, 900)) {
    const people = await ctx.db.selectFrom('residents').select('communityId').where('id', 'in', part).execute();
    for (const r of people) assertInScope(ctx.actor, r.communityId);
    const running = await ctx.db.selectFrom('episodes').select('residentId').where('status', '=', 'active').where('residentId', 'in', part).executeTakeFirst();
    if (running) throw fail('CONFLICT', 'episodes.batchRunning');
  }
  const plan = isolationPlanner(await getSettings(ctx));
  const at = nowIso(ctx.clock);
  for (const part of chunks(items)) {
    await ctx.db.insertInto('episodes').values(part.map((it) => isolationRow(plan, undefined, it.residentId, it.category, it.startDate, opts.importBatchId, at))).execute();
  }
  for (const part of chunks(residentIds, 900)) {
    await ctx.db
      .updateTable('residents')
      .set((eb) => ({
        status: 'isolating',
        currentEpisodeId: activeEpisode(eb, 'id'),
        startDate: activeEpisode(eb, 'startDate'),
        lastDay: activeEpisode(eb, 'lastDay'),
        releaseDate: activeEpisode(eb, 'releaseDate'),
        updatedAt: at,
      }))
      .where('id', 'in', part)
      .execute();
  }
  await audit(ctx, { action: 'episode.start', entity: 'import_batch', entityId: opts.importBatchId, extra: { importBatchId: opts.importBatchId, count: items.length, kind: 'home_isolation' } });
}

/** The end reason of a home isolation an import wrote as already over (the list arrived after its period). */
export const ENDED_ON_IMPORT = '导入时隔离期已结束，按已结束导入';

/**
 * Home isolations this import batch has just started for `residentIds` whose period is already over: released as of
 * their computed release date (what an on-time release would have recorded), with ENDED_ON_IMPORT as the reason, and
 * the people's status in step. No follow-on monitoring is started, and nothing of them counts as under control,
 * due for release or due to report after that date. Audited as one 'episode.release' record with the count.
 */
export async function releaseImportedBatch(ctx: Ctx, residentIds: number[], opts: { importBatchId: number }): Promise<void> {
  if (residentIds.length === 0) return;
  const todayDate = today(ctx.clock);
  const at = nowIso(ctx.clock);
  let ended = 0;
  for (const part of chunks(residentIds, 900)) {
    const r = await ctx.db
      .updateTable('episodes')
      .set((eb) => ({ status: 'released', endedOn: eb.ref('releaseDate'), endReason: ENDED_ON_IMPORT, updatedAt: at }))
      .where('importBatchId', '=', opts.importBatchId)
      .where('residentId', 'in', part)
      .where('kind', '=', 'home_isolation')
      .where('status', '=', 'active')
      .where('releaseDate', '<=', todayDate)
      .executeTakeFirst();
    ended += Number(r.numUpdatedRows);
    await ctx.db.updateTable('residents').set({ status: 'released', updatedAt: at }).where('id', 'in', part).execute();
  }
  // Each person was just given exactly one such episode by this batch: anything else is a fault, and the caller's
  // transaction is rolled back rather than leave someone released without their episode (or the other way round).
  if (ended !== residentIds.length) throw new Error(`releaseImportedBatch: ${ended} episodes ended for ${residentIds.length} people`);
  await audit(ctx, {
    action: 'episode.release',
    entity: 'import_batch',
    entityId: opts.importBatchId,
    extra: { importBatchId: opts.importBatchId, count: residentIds.length, kind: 'home_isolation', endedOnImport: true, reason: ENDED_ON_IMPORT },
  });
}
