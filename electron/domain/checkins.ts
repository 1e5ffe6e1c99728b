// Daily check-ins (每日健康监测): record one slot (morning/evening), correct it, decide "abnormal" and raise an alert;
// and who is due / overdue (未报) for a slot, paged in SQL.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso, timeOfDay, today } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { AppError, fail, invalid, issue, issueOf, notFound } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import { getSettings } from './settings.ts';
import { openAlert } from './alerts.ts';
import { insertTest, personOnDate } from './tests.ts';
import { coversDateSql } from './episodes-days.ts';
import { diffDays, isIsoDate } from './dates.ts';
import { maskPhone } from '../shared/idcard.ts';
import type { Settings } from './settings.ts';
import { SYMPTOMS, type Symptom } from '../shared/enums.ts';
import { abnormalReasons, temperatureProblem, type Measured } from '../shared/checkins.ts';
import { labelsIn, SLOT_LABELS as SLOT_WORDS } from '../shared/labels.ts';
import { dayText } from '../shared/days.ts';
import type { Checkin, EpisodeKind, ContactMethod, HealthCode, Slot, TestResult, TestType } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';
import { coveredCounts, doneCounts, total } from './counters.ts';
import { DUE_PAGE, DUE_PAGE_MAX, rowOrder, dueSearch } from './checkins-due.ts';
import { buildingsInOrder, duePartitions, planDuePage } from './checkins-due-pages.ts';
import { pgPageRows, pgRunIds, type DueRowColumns } from './checkins-due-pg.ts';
import { isPostgres } from '../db/engine.ts';

export { SYMPTOMS, type Symptom } from '../shared/enums.ts';
export { abnormalReasons } from '../shared/checkins.ts';
export const SLOT_LABELS: Record<Slot, string> = labelsIn(SLOT_WORDS, 'zh');

export interface CheckinFields {
  temperature?: number | null;
  symptoms?: string[];
  symptomOther?: string | null;
  testType?: TestType | null;
  testResult?: TestResult | null;
  healthCode?: HealthCode | null;
  contactMethod?: ContactMethod | null;
  notes?: string | null;
}

export interface CheckinInput extends CheckinFields {
  residentId: number;
  date: string;
  slot: Slot;
}

export interface CheckinView extends Omit<Checkin, 'symptoms' | 'abnormal'> {
  symptoms: string[];
  abnormal: boolean;
}

export interface CheckinResult {
  checkin: CheckinView;
  /** The alert opened by this save, when it made the check-in abnormal. */
  alertId: number | null;
}

export function toView(c: Checkin): CheckinView {
  return { ...c, symptoms: JSON.parse(c.symptoms) as string[], abnormal: !!c.abnormal };
}

/** Validates and normalises the measured fields of a check-in (new or merged with a correction). */
function normaliseFields(f: CheckinFields): Measured & { symptoms: Symptom[]; symptomOther: string | null; testType: TestType | null; testResult: TestResult | null; healthCode: HealthCode | null; contactMethod: ContactMethod | null; notes: string | null } {
  const temperature = f.temperature ?? null;
  const problem = temperature === null ? null : temperatureProblem(temperature);
  if (problem) throw new AppError('VALIDATION', problem, { fields: [issueOf('temperature', problem)] });
  const symptomOther = f.symptomOther?.trim() || null;
  const set = new Set(f.symptoms ?? []);
  if (symptomOther) set.add('其他');
  const bad = [...set].filter((s) => !(SYMPTOMS as readonly string[]).includes(s));
  if (bad.length) throw invalid('checkins.unknownSymptoms', { symptoms: bad.join('、'), choices: SYMPTOMS.join('、') }, [issue('symptoms', 'checkins.symptomsBad')]);
  if (set.has('其他') && !symptomOther) throw invalid('checkins.otherSymptom', undefined, [issue('symptomOther', 'checkins.otherSymptomField')]);
  const symptoms = SYMPTOMS.filter((s) => set.has(s));
  const testType = f.testType ?? null;
  const testResult = f.testResult ?? null;
  if ((testType === null) !== (testResult === null)) {
    throw invalid('checkins.testPair', undefined, [issue(testType ? 'testResult' : 'testType', 'checkins.testPairField')]);
  }
  const notes = f.notes?.trim() || null;
  if (temperature === null && !symptoms.length && !testType && !f.healthCode && !notes) {
    throw invalid('checkins.empty', undefined, [issue('temperature', 'checkins.temperatureRequired')]);
  }
  return { temperature, symptoms, symptomOther, testType, testResult, healthCode: f.healthCode ?? null, contactMethod: f.contactMethod ?? null, notes };
}

/**
 * residents.latestTemperature follows the newest check-in that has a temperature ('pm' sorts after 'am'): one
 * statement (a round trip fewer than reading it first, which an office server on PostgreSQL notices per save).
 */
async function refreshLatestTemperature(ctx: Ctx, residentId: number): Promise<void> {
  const last = ctx.db
    .selectFrom('checkins')
    .select('temperature')
    .where('residentId', '=', residentId)
    .where('temperature', 'is not', null)
    .orderBy('date', 'desc')
    .orderBy('slot', 'desc')
    .limit(1);
  await ctx.db.updateTable('residents').set({ latestTemperature: last }).where('id', '=', residentId).execute();
}

/** The office may require a temperature on every check-in (settings.requireTemperature). */
function checkTemperaturePolicy(settings: Settings, f: Measured): void {
  if (f.temperature === null && settings.requireTemperature) {
    throw invalid('checkins.temperaturePolicy', undefined, [issue('temperature', 'checkins.temperatureRequired')]);
  }
}

export async function recordCheckIn(ctx: Ctx, input: CheckinInput): Promise<CheckinResult> {
  if (input.slot !== 'am' && input.slot !== 'pm') throw invalid('checkins.slotBad', undefined, [issue('slot', 'checkins.pickSlot')]);
  const f = normaliseFields(input);
  return inTx(ctx, async (ctx) => {
    const { resident, episode } = await personOnDate(ctx, input.residentId, input.date);
    // The settings once (the policy and the fever threshold).
    const settings = await getSettings(ctx);
    checkTemperaturePolicy(settings, f);
    const reasons = abnormalReasons(f, settings.feverThreshold);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('checkins')
      .values({
        residentId: resident.id,
        episodeId: episode.id,
        communityId: resident.communityId,
        date: input.date,
        slot: input.slot,
        temperature: f.temperature,
        symptoms: JSON.stringify(f.symptoms),
        symptomOther: f.symptomOther,
        testType: f.testType,
        testResult: f.testResult,
        healthCode: f.healthCode,
        contactMethod: f.contactMethod,
        recordedBy: ctx.actor.displayName,
        notes: f.notes,
        abnormal: reasons.length ? 1 : 0,
        createdAt: at,
        updatedAt: at,
      })
      // The slot already recorded: nothing is written and the save is refused (CONFLICT). Asked of the insert itself
      // rather than read first: a round trip fewer, and on PostgreSQL a save racing another for the same slot waits
      // for it and then finds its row, instead of failing on the unique index.
      .onConflict((oc) => oc.columns(['residentId', 'date', 'slot']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const existing = await ctx.db
        .selectFrom('checkins')
        .select(['id', 'recordedBy'])
        .where('residentId', '=', resident.id)
        .where('date', '=', input.date)
        .where('slot', '=', input.slot)
        .executeTakeFirstOrThrow();
      throw fail('CONFLICT', 'checkins.alreadyRecorded', { name: resident.name, date: input.date, slot: msg(`label.slot.${input.slot}` as const), by: existing.recordedBy }, { details: { checkinId: existing.id } });
    }
    if (f.testType && f.testResult) {
      await insertTest(ctx, { residentId: resident.id, episodeId: episode.id, sampleDate: input.date, testType: f.testType, result: f.testResult, source: 'checkin', checkinId: row.id });
    }
    await refreshLatestTemperature(ctx, resident.id);
    const view = toView(row);
    await audit(ctx, {
      action: 'checkin.record',
      entity: 'checkin',
      entityId: row.id,
      residentId: resident.id,
      after: { date: row.date, slot: row.slot, temperature: row.temperature, symptoms: view.symptoms, symptomOther: row.symptomOther, testType: row.testType, testResult: row.testResult, healthCode: row.healthCode, contactMethod: row.contactMethod, notes: row.notes, abnormal: view.abnormal },
    });
    let alertId: number | null = null;
    if (reasons.length) {
      const a = await openAlert(ctx, { residentId: resident.id, episodeId: episode.id, communityId: resident.communityId, checkinId: row.id, date: row.date, reason: `${SLOT_LABELS[row.slot]}监测异常：${reasons.join('；')}` });
      alertId = a.id;
    }
    return { checkin: view, alertId };
  });
}

export interface CorrectInput extends CheckinFields {
  id: number;
  version: number;
}

/** Corrects a check-in (更正): optimistic version, before/after in the audit log, abnormal re-evaluated. */
export async function correctCheckIn(ctx: Ctx, input: CorrectInput): Promise<CheckinResult> {
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('checkins').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!before) throw notFound('thing.checkin');
    assertInScope(ctx.actor, before.communityId);
    const pick = <K extends keyof CheckinFields>(k: K, current: CheckinFields[K]) => (input[k] !== undefined ? input[k] : current);
    const f = normaliseFields({
      temperature: pick('temperature', before.temperature),
      symptoms: pick('symptoms', JSON.parse(before.symptoms) as string[]),
      symptomOther: pick('symptomOther', before.symptomOther),
      testType: pick('testType', before.testType),
      testResult: pick('testResult', before.testResult),
      healthCode: pick('healthCode', before.healthCode),
      contactMethod: pick('contactMethod', before.contactMethod),
      notes: pick('notes', before.notes),
    });
    // The settings once (the policy and the fever threshold).
    const settings = await getSettings(ctx);
    checkTemperaturePolicy(settings, f);
    const reasons = abnormalReasons(f, settings.feverThreshold);
    const next = {
      temperature: f.temperature,
      symptoms: JSON.stringify(f.symptoms),
      symptomOther: f.symptomOther,
      testType: f.testType,
      testResult: f.testResult,
      healthCode: f.healthCode,
      contactMethod: f.contactMethod,
      notes: f.notes,
      abnormal: reasons.length ? 1 : 0,
    };
    await updateVersioned(ctx, 'checkins', before.id, input.version, next, 'thing.checkin');
    await syncCheckinTest(ctx, before, f);
    await refreshLatestTemperature(ctx, before.residentId);
    const diff = changedFields(before as unknown as Record<string, unknown>, next);
    await audit(ctx, { action: 'checkin.correct', entity: 'checkin', entityId: before.id, residentId: before.residentId, ...diff, extra: { date: before.date, slot: before.slot } });
    let alertId: number | null = null;
    if (reasons.length) {
      const open = await ctx.db.selectFrom('alerts').select('id').where('checkinId', '=', before.id).where('status', '=', 'open').executeTakeFirst();
      // A correction that leaves it normal does not close an open alert: someone still records what was done.
      if (!open) {
        const a = await openAlert(ctx, { residentId: before.residentId, episodeId: before.episodeId, communityId: before.communityId, checkinId: before.id, date: before.date, reason: `${SLOT_LABELS[before.slot]}监测异常（更正后）：${reasons.join('；')}` });
        alertId = a.id;
      }
    }
    const row = await ctx.db.selectFrom('checkins').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow();
    return { checkin: toView(row), alertId };
  });
}

/** Keeps the tests row that came from a check-in in step with its corrected test fields. */
async function syncCheckinTest(ctx: Ctx, before: Checkin, f: Measured): Promise<void> {
  if (before.testType === f.testType && before.testResult === f.testResult) return;
  const linked = await ctx.db.selectFrom('tests').select(['id', 'version']).where('checkinId', '=', before.id).where('source', '=', 'checkin').executeTakeFirst();
  if (f.testType && f.testResult) {
    if (linked) {
      await updateVersioned(ctx, 'tests', linked.id, linked.version, { testType: f.testType, result: f.testResult }, 'thing.test');
    } else {
      await insertTest(ctx, { residentId: before.residentId, episodeId: before.episodeId, sampleDate: before.date, testType: f.testType, result: f.testResult, source: 'checkin', checkinId: before.id });
    }
  } else if (linked) {
    // The test was entered by mistake; the audit entry of the correction keeps what it said.
    await ctx.db.updateTable('alerts').set({ testId: null }).where('testId', '=', linked.id).execute();
    await ctx.db.deleteFrom('tests').where('id', '=', linked.id).execute();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Who is due on a date (应报), who has reported (已报), who is overdue (未报)

/**
 * Episodes that put a person under control on `date`: started on or before it and still running, or ended after it
 * (an episode released on 01-19 no longer covers 01-19; its follow-on monitoring does). When data overlap, only a
 * person's newest covering episode counts, so nobody is counted twice. Scoped to the actor's community.
 */
export function coveredOn(ctx: Ctx, date: string, filter: { communityId?: number; compoundId?: number } = {}) {
  let q = ctx.db
    .selectFrom('episodes as e')
    .innerJoin('residents as r', 'r.id', 'e.residentId')
    .where(coversDateSql('e', date))
    // Only residents whose episodes ever overlapped (coverage_overlaps, kept by triggers: a handful) can have a newer
    // covering episode; everyone else skips the per-row look at their other episodes.
    .where((eb) =>
      eb.or([
        eb('e.residentId', 'not in', eb.selectFrom('coverageOverlaps').select('coverageOverlaps.residentId')),
        eb.not(
          eb.exists(
            eb
              .selectFrom('episodes as e2')
              .select('e2.id')
              .whereRef('e2.residentId', '=', 'e.residentId')
              .whereRef('e2.id', '>', 'e.id')
              .where(coversDateSql('e2', date)),
          ),
        ),
      ]),
    );
  const scope = scopeOf(ctx.actor);
  if (scope !== null) q = q.where('r.communityId', '=', scope);
  if (filter.communityId) q = q.where('r.communityId', '=', filter.communityId);
  if (filter.compoundId) {
    q = q.where('r.householdId', 'in', (sub) => sub.selectFrom('households').select('households.id').where('households.compoundId', '=', filter.compoundId!));
  }
  return q;
}

/** True when a slot of a date can no longer be reported on time: the date is past, or today after the cutoff. */
export function isPastCutoff(ctx: Pick<Ctx, 'clock'>, settings: Pick<Settings, 'cutoffAm' | 'cutoffPm'>, date: string, slot: Slot): boolean {
  const t = today(ctx.clock);
  if (date < t) return true;
  if (date > t) return false;
  return timeOfDay(ctx.clock) > (slot === 'am' ? settings.cutoffAm : settings.cutoffPm);
}

export interface DueQuery {
  date: string;
  slot: Slot;
  communityId?: number;
  compoundId?: number;
  buildingId?: number;
  unitId?: number;
  /** Name, pinyin initials or full pinyin, or room number (checkins-due.ts). */
  search?: string;
  /** Only the people not yet recorded (未报 / 待报). */
  onlyMissing?: boolean;
  /** Only the recorded check-ins that came out abnormal. */
  onlyAbnormal?: boolean;
  /** A page: 100 rows by default, at most 200. */
  limit?: number;
  offset?: number;
}

export interface DueRow {
  residentId: number;
  episodeId: number;
  kind: EpisodeKind;
  name: string;
  phone: string | null;
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
  unitId: number;
  unit: string;
  room: string;
  address: string;
  dayN: number;
  totalDays: number;
  /** 第N天/共M天 */
  dayLabel: string;
  recorded: boolean;
  checkin: { id: number; version: number; temperature: number | null; symptoms: string[]; abnormal: boolean; recordedBy: string } | null;
  /** 未报: not recorded and the slot's cutoff has passed. */
  overdue: boolean;
}

export interface DueCounter {
  due: number;
  done: number;
  overdue: number;
}

export interface DueList {
  rows: DueRow[];
  /** Rows matching the query's filters (building, unit, search, only missing / abnormal); the counter's due without them. */
  total: number;
  counter: DueCounter;
  cutoff: string;
  pastCutoff: boolean;
}

function joinSlot<Q extends ReturnType<typeof coveredOn>>(q: Q, date: string, slot: Slot) {
  return q.leftJoin('checkins as k', (j) => j.onRef('k.residentId', '=', 'e.residentId').on('k.date', '=', date).on('k.slot', '=', slot));
}

/** The counter {due, done, overdue} of one slot, in scope: from the counters kept by triggers (counters.ts). */
export async function dueCounter(ctx: Ctx, q: Omit<DueQuery, 'limit' | 'offset'>, settings?: Settings): Promise<DueCounter> {
  const s = settings ?? (await getSettings(ctx));
  const filter = { communityId: q.communityId, compoundId: q.compoundId, buildingId: q.buildingId };
  const due = total(await coveredCounts(ctx, q.date, filter, 'community'), (r) => r.covered);
  const done = total(await doneCounts(ctx, q.date, q.slot, filter, 'community'), (r) => r.done);
  return { due, done, overdue: isPastCutoff(ctx, s, q.date, q.slot) ? due - done : 0 };
}

/**
 * Who is due for a slot, with their check-in of it (k) and their place: household h, compound p, community c, room rm,
 * unit u, building b — the aliases the due list, its groups and checkins-due.ts's order and search use.
 */
export function dueWithPlaces(ctx: Ctx, date: string, slot: Slot, filter: { communityId?: number; compoundId?: number }) {
  return joinSlot(coveredOn(ctx, date, filter), date, slot)
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as p', 'p.id', 'h.compoundId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .innerJoin('places as rm', 'rm.id', 'h.roomId')
    .innerJoin('places as u', 'u.id', 'rm.parentId')
    .innerJoin('places as b', 'b.id', 'u.parentId');
}

/**
 * The episode ids of one page of the due list, in order. Without a search, unit or abnormal filter the page is found
 * from the counters' per-building counts and only the buildings it touches are sorted (checkins-due-pages.ts);
 * otherwise the (narrow) filtered list is sorted whole, keys only.
 */
async function pageIds(
  ctx: Ctx,
  q: DueQuery,
  base: ReturnType<typeof dueWithPlaces>,
  o: { overdueFirst: boolean; walk: boolean; limit: number; offset: number },
): Promise<number[]> {
  if (!o.walk) {
    let page = base.select('e.id');
    // Past the cutoff every unrecorded row is overdue, so "overdue first" means unrecorded first.
    if (o.overdueFirst) page = page.orderBy(sql`case when k.id is null then 0 else 1 end`);
    for (const x of rowOrder(ctx.db)) page = page.orderBy(x);
    return (await page.limit(o.limit).offset(o.offset).execute()).map((r) => r.id);
  }
  const parts = await duePartitions(ctx, q, o.overdueFirst ? 'overdueFirst' : q.onlyMissing ? 'onlyMissing' : 'all');
  const named = new Set<number>();
  for (const p of parts) for (const [b, n] of p.counts) if (b !== 0 && n > 0) named.add(b);
  const ids: number[] = [];
  const order = (await buildingsInOrder(ctx, [...named])).map((b) => b.buildingId);
  for (const run of planDuePage(order, parts, o.offset, o.limit)) {
    // PostgreSQL: the same rows from the run's buildings down, in an order given rather than searched for.
    if (isPostgres(ctx.db)) {
      ids.push(...(await pgRunIds(ctx, q, run)));
      continue;
    }
    let page = base.select('e.id').where('b.id', 'in', run.buildingIds);
    // The join's own column (never null on a matched check-in): PostgreSQL then plans an anti-join (or an inner
    // join) with a real row estimate; on k.id it planned the page for 1 row and ran 20+ s at 100,000 residents.
    if (run.partition === 'missing') page = page.where('k.residentId', 'is', null);
    if (run.partition === 'done') page = page.where('k.residentId', 'is not', null);
    for (const x of rowOrder(ctx.db)) page = page.orderBy(x);
    for (const r of await page.limit(run.limit).offset(run.offset).execute()) ids.push(r.id);
  }
  return ids;
}

/**
 * People due for a slot of a date, one page: overdue first (past the cutoff), then by place in natural order —
 * compound, building, unit, room by number (checkins-due.ts) — then name (pinyin). Filters: building, unit, the
 * search box, only the missing, only the abnormal. `total` counts the filtered rows; `counter` is the slot's.
 */
export async function dueList(ctx: Ctx, q: DueQuery): Promise<DueList> {
  if (!isIsoDate(q.date)) throw invalid('common.dateBad', undefined, [issue('date', 'common.pickValidDate')]);
  const settings = await getSettings(ctx);
  const limit = Math.min(Math.max(q.limit ?? DUE_PAGE, 1), DUE_PAGE_MAX);
  const offset = Math.max(q.offset ?? 0, 0);
  const past = isPastCutoff(ctx, settings, q.date, q.slot);
  let base = dueWithPlaces(ctx, q.date, q.slot, q);
  if (q.buildingId) base = base.where('b.id', '=', q.buildingId);
  if (q.unitId) base = base.where('u.id', '=', q.unitId);
  if (q.onlyMissing) base = base.where('k.residentId', 'is', null);
  if (q.onlyAbnormal) base = base.where('k.abnormal', '=', 1);
  const search = dueSearch(q.search);
  if (search) base = base.where(search);
  const overdueFirst = past && !q.onlyMissing && !q.onlyAbnormal;
  const ids = await pageIds(ctx, q, base, { overdueFirst, walk: !q.unitId && !search && !q.onlyAbnormal, limit, offset });
  const pg = isPostgres(ctx.db);
  let query = base.where('e.id', 'in', ids.length ? ids : [0]).select([    'e.residentId',
    'e.id as episodeId',
    'e.kind',
    'e.startDate',
    'e.lastDay',
    'r.name',
    'r.phone',
    'r.communityId',
    'c.name as community',
    'h.compoundId',
    'p.name as compound',
    'b.id as buildingId',
    'b.name as building',
    'u.id as unitId',
    'u.name as unit',
    'rm.name as room',
    'h.address',
    'k.id as checkinId',
    'k.version as checkinVersion',
    'k.temperature',
    'k.symptoms',
    'k.abnormal',
    'k.recordedBy',
  ]);
  if (overdueFirst) query = query.orderBy(sql`case when k.id is null then 0 else 1 end`);
  for (const o of rowOrder(ctx.db)) query = query.orderBy(o);
  // PostgreSQL: the page's ids are already in the list's order; their rows are read by key, in that order.
  const rows: DueRowColumns[] = pg ? await pgPageRows(ctx, q.date, q.slot, ids) : await query.execute();
  // The slot's counter of the community or compound asked for (a building or unit narrows only the list).
  const counter = await dueCounter(ctx, { ...q, buildingId: undefined }, settings);
  // The counter already knows the unfiltered total and the missing; only a narrower list is counted again.
  const narrowed = !!(q.buildingId || q.unitId || search || q.onlyAbnormal);
  const total = narrowed ? Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) : q.onlyMissing ? counter.due - counter.done : counter.due;
  return {
    rows: rows.map((r) => {
      const totalDays = diffDays(r.startDate, r.lastDay) + 1;
      const dayN = diffDays(r.startDate, q.date) + 1;
      const recorded = r.checkinId !== null;
      return {
        residentId: r.residentId,
        episodeId: r.episodeId,
        kind: r.kind,
        name: r.name,
        phone: maskPhone(r.phone),
        communityId: r.communityId,
        community: r.community,
        compoundId: r.compoundId,
        compound: r.compound,
        buildingId: r.buildingId,
        building: r.building,
        unitId: r.unitId,
        unit: r.unit,
        room: r.room,
        address: r.address,
        dayN,
        totalDays,
        dayLabel: dayText({ n: dayN, of: totalDays }),
        recorded,
        checkin: recorded
          ? { id: r.checkinId!, version: r.checkinVersion!, temperature: r.temperature, symptoms: JSON.parse(r.symptoms ?? '[]') as string[], abnormal: !!r.abnormal, recordedBy: r.recordedBy! }
          : null,
        overdue: !recorded && past,
      };
    }),
    total,
    counter,
    cutoff: q.slot === 'am' ? settings.cutoffAm : settings.cutoffPm,
    pastCutoff: past,
  };
}
