// One household's isolation as the domain functions would have recorded it: an episode per person (policy days,
// test days), nucleic-acid tests on test days, check-ins for the slots that have passed, alerts for abnormal
// check-ins and positive tests, releases (blocked while a due test has no negative result), transfers, and the
// residents' denormalised current-period columns.
import type { Insertable } from 'kysely';
import type { AlertsTable, CheckinsTable, EpisodeKind, EpisodeStatus, EpisodesTable, ResidentStatus, Slot, TestResult, TestsTable } from '../../db/schema.ts';
import { addDays as addDaysUncached } from '../../domain/dates.ts';
import { periodDates } from '../../domain/episodes-days.ts';
import { abnormalReasons, SLOT_LABELS } from '../../domain/checkins.ts';
import { testAlertReason } from '../../domain/tests.ts';
import { policyFor, type Settings } from '../../domain/settings.ts';
import { Rng, Weighted } from './random.ts';
import type { Person } from './people.ts';
import { ALERT_CLOSE, ENDED_OTHER_REASONS, OVERRIDE_REASON, TRANSFER_REASON } from './tables.ts';

export interface Ids {
  next(table: 'episodes' | 'checkins' | 'tests' | 'alerts'): number;
}

export interface ActivityEnv {
  rng: Rng;
  today: string;
  nowIso: string;
  /** Minutes since local midnight now. */
  nowMinutes: number;
  settings: Settings;
  ids: Ids;
  /** Display name of the committee member who records and closes things in a community. */
  staffName(communityId: number): string;
  /** false: episodes only (fast fills for benchmarks). */
  withCheckins: boolean;
}

export interface ResidentState {
  status: ResidentStatus;
  currentEpisodeId: number;
  startDate: string;
  lastDay: string;
  releaseDate: string;
  latestTemperature: number | null;
  createdAt: string;
}

export interface HouseholdActivity {
  episodes: Insertable<EpisodesTable>[];
  checkins: Insertable<CheckinsTable>[];
  tests: Insertable<TestsTable>[];
  alerts: Insertable<AlertsTable>[];
  states: Map<number, ResidentState>;
  /** First and last day anyone in the household was under control (for supply requests). */
  from: string;
  to: string;
}

/** addDays, memoised: the seed asks for the same few dozen dates millions of times. */
const dayCache = new Map<string, string>();
export function addDays(date: string, n: number): string {
  const key = date + n;
  let v = dayCache.get(key);
  if (v === undefined) dayCache.set(key, (v = addDaysUncached(date, n)));
  return v;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A local instant on a date at `minutes` past midnight (the demo office is in Asia/Shanghai, UTC+8 all year). */
export function stamp(date: string, minutes: number, seconds = 0): string {
  const m = Math.max(0, Math.min(24 * 60 - 1, Math.floor(minutes)));
  return `${date}T${pad(Math.floor(m / 60))}:${pad(m % 60)}:${pad(seconds)}+08:00`;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** When a slot's check-ins start coming in (no setting for it; the cut-offs are settings). */
const SLOT_OPENS: Record<Slot, number> = { am: 6 * 60, pm: 14 * 60 };
const ALERT_CLOSE_PICK = new Weighted(ALERT_CLOSE.map(([action, note, w]) => [[action, note] as const, w] as const));

function residentStatusFor(kind: EpisodeKind, status: EpisodeStatus): ResidentStatus {
  if (status === 'active') return kind === 'home_isolation' ? 'isolating' : 'monitoring';
  return status;
}

interface Planned {
  id: number;
  kind: EpisodeKind;
  startDate: string;
  lastDay: string;
  releaseDate: string;
  testDays: number[];
  monitoringDays: number;
  status: EpisodeStatus;
  endedOn: string | null;
  endReason: string | null;
  overrideReason: string | null;
  previousEpisodeId: number | null;
  /** Test results by sample date (null: the test was not done or not entered). */
  results: Map<string, TestResult | null>;
}

export function householdActivity(env: ActivityEnv, people: Person[], start: string): HouseholdActivity {
  const out: HouseholdActivity = { episodes: [], checkins: [], tests: [], alerts: [], states: new Map(), from: start, to: start };
  for (const p of people) {
    const plans = planEpisodes(env, p, start);
    let latestTemperature: number | null = null;
    for (const e of plans) {
      const createdAt = clamp(env, stamp(e.startDate, env.rng.int(8 * 60, 11 * 60 + 59)));
      const ended = e.status !== 'active';
      out.episodes.push({
        id: e.id,
        residentId: p.id,
        kind: e.kind,
        startDate: e.startDate,
        lastDay: e.lastDay,
        releaseDate: e.releaseDate,
        testDays: JSON.stringify(e.testDays),
        monitoringDays: e.monitoringDays,
        status: e.status,
        endedOn: e.endedOn,
        endReason: e.endReason,
        overrideReason: e.overrideReason,
        previousEpisodeId: e.previousEpisodeId,
        importBatchId: null,
        version: ended ? 2 : 1,
        createdAt,
        updatedAt: ended ? clamp(env, stamp(e.endedOn!, env.rng.int(9 * 60, 16 * 60))) : createdAt,
      });
      if (env.withCheckins) latestTemperature = recordDays(env, p, e, out) ?? latestTemperature;
      const lastCovered = e.status === 'active' ? env.today : addDays(e.endedOn!, -1);
      if (lastCovered > out.to) out.to = lastCovered;
    }
    const cur = plans[plans.length - 1];
    out.states.set(p.id, {
      status: residentStatusFor(cur.kind, cur.status),
      currentEpisodeId: cur.id,
      startDate: cur.startDate,
      lastDay: cur.lastDay,
      releaseDate: cur.releaseDate,
      latestTemperature,
      createdAt: out.episodes.find((e) => e.residentId === p.id)!.createdAt,
    });
  }
  return out;
}

export function clamp(env: Pick<ActivityEnv, 'nowIso'>, iso: string): string {
  return iso > env.nowIso ? env.nowIso : iso;
}

/** The person's home isolation with its outcome, and the follow-on monitoring when the policy has one. */
function planEpisodes(env: ActivityEnv, p: Person, start: string): Planned[] {
  const { rng, today } = env;
  const policy = policyFor(env.settings, p.category);
  const days = policy.isolationDays;
  const testDays = [...new Set(policy.testDays.map((d) => (d === 'last' ? days : d)).filter((d) => d <= days))].sort((a, b) => a - b);
  const { lastDay, releaseDate } = periodDates(start, days);
  const e: Planned = {
    id: env.ids.next('episodes'),
    kind: 'home_isolation',
    startDate: start,
    lastDay,
    releaseDate,
    testDays,
    monitoringDays: policy.monitoringDays,
    status: 'active',
    endedOn: null,
    endReason: null,
    overrideReason: null,
    previousEpisodeId: null,
    results: new Map(),
  };
  let positiveOn: string | null = null;
  for (const d of testDays) {
    const date = addDays(start, d - 1);
    if (date > today) break;
    const r = testResult(rng, date, today);
    e.results.set(date, r);
    if (r === '阳性') {
      positiveOn = date;
      break;
    }
  }
  if (positiveOn) {
    e.status = 'transferred';
    e.endedOn = addDays(positiveOn, 1) > today ? today : addDays(positiveOn, 1);
    e.endReason = TRANSFER_REASON;
  } else if (rng.chance(0.003)) {
    const last = lastDay < today ? lastDay : today;
    const span = Math.max(0, Math.round((Date.parse(last) - Date.parse(start)) / 86_400_000));
    e.status = 'ended_other';
    e.endedOn = addDays(start, rng.int(0, span));
    e.endReason = rng.pick(ENDED_OTHER_REASONS);
    for (const date of [...e.results.keys()]) if (date > e.endedOn) e.results.delete(date);
  } else if (releaseDate <= today) {
    const blocked = [...e.results.values()].some((r) => r !== '阴性');
    // 待解除: the period is over but nobody has released them — blocked by a missing result, or not processed yet.
    const release = blocked ? rng.chance(0.2) : releaseDate === today ? rng.chance(0.55) : rng.chance(0.93);
    if (release) {
      e.status = 'released';
      e.endedOn = releaseDate < today && rng.chance(0.15) ? addDays(releaseDate, 1) : releaseDate;
      if (blocked) e.overrideReason = OVERRIDE_REASON;
    }
  }
  const plans = [e];
  if (e.status === 'released' && e.monitoringDays > 0) {
    // Monitoring starts on the release date itself (domain.md): released 01-19 with 7 days → 01-19 … 01-25.
    const m = periodDates(e.endedOn!, e.monitoringDays);
    const done = m.releaseDate <= today && rng.chance(0.9);
    plans.push({
      id: env.ids.next('episodes'),
      kind: 'health_monitoring',
      startDate: e.endedOn!,
      lastDay: m.lastDay,
      releaseDate: m.releaseDate,
      testDays: [],
      monitoringDays: 0,
      status: done ? 'released' : 'active',
      endedOn: done ? m.releaseDate : null,
      endReason: null,
      overrideReason: null,
      previousEpisodeId: e.id,
      results: new Map(),
    });
  }
  return plans;
}

/** Mostly negative; a few missing (so release is blocked), results of the last day or two still pending, rare positives. */
function testResult(rng: Rng, date: string, today: string): TestResult | null {
  const x = rng.next();
  if (date === today) return x < 0.45 ? '待出结果' : x < 0.6 ? '阴性' : null;
  if (date === addDays(today, -1)) return x < 0.04 ? '待出结果' : x < 0.07 ? null : x < 0.0705 ? '阳性' : '阴性';
  return x < 0.02 ? null : x < 0.0205 ? '阳性' : '阴性';
}

/** Check-ins of one episode's days, its tests (linked to the morning check-in of the test day when there is one) and alerts. */
function recordDays(env: ActivityEnv, p: Person, e: Planned, out: HouseholdActivity): number | null {
  const { rng, today, settings } = env;
  const lastDate = e.status === 'active' ? today : addDays(e.endedOn!, -1);
  const testCheckin = new Map<string, { id: number; createdAt: string }>();
  const staff = env.staffName(p.communityId);
  let latestTemperature: number | null = null;
  for (let d = e.startDate; d <= lastDate; d = addDays(d, 1)) {
    for (const slot of ['am', 'pm'] as const) {
      const cutoff = minutesOf(slot === 'am' ? settings.cutoffAm : settings.cutoffPm);
      let minutes: number;
      if (d < today || env.nowMinutes >= cutoff) {
        // A slot that has passed: most people reported; the rest are overdue (未报).
        if (!rng.chance(d < today ? 0.975 : 0.92)) continue;
        minutes = rng.int(SLOT_OPENS[slot] + 60, Math.max(SLOT_OPENS[slot] + 60, cutoff - 10));
      } else if (env.nowMinutes > SLOT_OPENS[slot]) {
        const progress = (env.nowMinutes - SLOT_OPENS[slot]) / (cutoff - SLOT_OPENS[slot]);
        if (!rng.chance(0.85 * progress)) continue;
        minutes = rng.int(SLOT_OPENS[slot], env.nowMinutes - 1);
      } else continue;
      const result = slot === 'am' ? e.results.get(d) ?? null : null;
      const c = checkin(env, p, e.id, d, slot, minutes, result, staff);
      out.checkins.push(c.row);
      if (result) testCheckin.set(d, { id: c.row.id as number, createdAt: c.row.createdAt });
      if (c.row.temperature != null) latestTemperature = c.row.temperature;
      if (c.reasons.length) {
        const closedAt = clamp(env, stamp(d, minutes + rng.int(60, 300)));
        const close = (result === '阳性' ? true : d < addDays(today, -1) ? rng.chance(0.85) : d < today ? rng.chance(0.5) : rng.chance(0.15)) && closedAt > c.row.createdAt;
        const [action, note] = result === '阳性' ? ['转运', TRANSFER_REASON] : ALERT_CLOSE_PICK.pick(rng);
        out.alerts.push(alertRow(env, p, e.id, d, `${SLOT_LABELS[slot]}监测异常：${c.reasons.join('；')}`, c.row.createdAt, { checkinId: c.row.id as number }, close ? { action, note, by: staff, at: closedAt } : null));
      }
    }
  }
  for (const [date, result] of e.results) {
    if (!result) continue;
    const linked = testCheckin.get(date);
    const id = env.ids.next('tests');
    // Results not taken with a morning check-in were entered the next morning from the testing agency's list.
    const createdAt = linked ? linked.createdAt : clamp(env, stamp(addDays(date, 1), rng.int(9 * 60, 11 * 60)));
    out.tests.push({
      id,
      residentId: p.id,
      episodeId: e.id,
      sampleDate: date,
      testType: '核酸',
      result,
      source: linked ? 'checkin' : 'manual',
      checkinId: linked?.id ?? null,
      importBatchId: null,
      // Not a 全员核酸 round's result (those are written by fieldwork.ts, with the same columns: one insert shape).
      roundId: null,
      sampleTime: null,
      tubeNo: null,
      pooled: 0,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    });
    if (result === '阳性' && !linked) {
      const closedAt = clamp(env, stamp(e.endedOn!, 12 * 60 + rng.int(0, 120)));
      out.alerts.push(alertRow(env, p, e.id, date, testAlertReason('核酸', date), createdAt, { testId: id }, { action: '转运', note: TRANSFER_REASON, by: staff, at: closedAt > createdAt ? closedAt : createdAt }));
    }
  }
  return latestTemperature;
}

function checkin(env: ActivityEnv, p: Person, episodeId: number, date: string, slot: Slot, minutes: number, result: TestResult | null, staff: string) {
  const { rng, settings } = env;
  let temperature = Math.round(rng.around(36.55, 0.5) * 10) / 10;
  const symptoms: string[] = [];
  let healthCode: '绿' | '黄' | null = rng.chance(0.92) ? '绿' : null;
  if (rng.chance(0.025)) {
    const kind = rng.next();
    if (kind < 0.6) {
      temperature = Math.round((settings.feverThreshold + rng.next() * 1.3) * 10) / 10;
      if (rng.chance(0.4)) symptoms.push('发热');
      if (rng.chance(0.2)) symptoms.push('咳嗽');
    } else if (kind < 0.9) {
      symptoms.push(rng.pick(['咳嗽', '咽痛', '乏力', '腹泻']));
    } else healthCode = '黄';
  }
  const measured = {
    temperature,
    symptoms,
    symptomOther: null,
    testType: result ? ('核酸' as const) : null,
    testResult: result,
    healthCode,
  };
  const reasons = abnormalReasons(measured, settings.feverThreshold);
  const createdAt = stamp(date, minutes, rng.int(0, 59));
  const row: Insertable<CheckinsTable> = {
    id: env.ids.next('checkins'),
    residentId: p.id,
    episodeId,
    communityId: p.communityId,
    date,
    slot,
    temperature,
    symptoms: symptoms.length ? JSON.stringify(symptoms) : '[]',
    symptomOther: null,
    testType: measured.testType,
    testResult: result,
    healthCode,
    contactMethod: rng.chance(0.6) ? '微信' : rng.chance(0.88) ? '电话' : '上门',
    recordedBy: staff,
    notes: null,
    abnormal: reasons.length ? 1 : 0,
    version: 1,
    createdAt,
    updatedAt: createdAt,
  };
  return { row, reasons };
}

export function alertRow(
  env: { ids: { next(table: 'alerts'): number } },
  p: Pick<Person, 'id' | 'communityId'>,
  episodeId: number | null,
  date: string,
  reason: string,
  createdAt: string,
  source: { checkinId?: number; testId?: number },
  closed: { action: string; note: string; by: string; at: string } | null,
): Insertable<AlertsTable> {
  return {
    id: env.ids.next('alerts'),
    residentId: p.id,
    episodeId,
    communityId: p.communityId,
    checkinId: source.checkinId ?? null,
    testId: source.testId ?? null,
    date,
    reason,
    status: closed ? 'closed' : 'open',
    action: closed?.action ?? null,
    actionNote: closed?.note ?? null,
    closedBy: closed?.by ?? null,
    closedAt: closed?.at ?? null,
    version: closed ? 2 : 1,
    createdAt,
    updatedAt: closed?.at ?? createdAt,
  };
}
