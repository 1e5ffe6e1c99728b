// The demo's field work (issue 14): 包联组 (each department bound to a community, with a leader from its cadres), the
// duty roster of the seeded days with door visits, 特殊需求 flags and 定期需求 schedules with the requests they made,
// and one 全员核酸 round a few days ago over the whole subdistrict. Rows are made in memory with the same columns the
// domain functions write (fieldwork.ts, visits.ts, needs.ts, need-schedules.ts, rounds.ts, rounds-results.ts) and go
// through the seed's batched writer, so the screens (coverage counted live from tests.round_id, the roster, 我的任务)
// read them as they read the office's own. A stream of its own (fieldRng): the households, people and their isolation
// are as before (the cadres' departments now follow the 包联 binding, supplies.ts bindUnits).
import type { Insertable } from 'kysely';
import type {
  AlertsTable,
  CadreGroupsTable,
  CadreShiftsTable,
  DoorVisitsTable,
  EpisodesTable,
  NeedScheduleRunsTable,
  NeedSchedulesTable,
  ResidentNeedsTable,
  RoundExemptionsTable,
  TestRoundsTable,
  TestsTable,
} from '../../db/schema.ts';
import type { CadrePost, Need, NeedScheduleKind, RoundExemptReason, VisitResult } from '../../shared/enums.ts';
import { coversDate } from '../../domain/episodes-days.ts';
import { pooledAlertReason, singlePositiveReason } from '../../domain/rounds-results.ts';
import { isoWeekday, scheduleItems } from '../../domain/need-schedules.ts';
import { renderMessage } from '../../shared/messages/index.ts';
import { Rng, Weighted } from './random.ts';
import type { Person } from './people.ts';
import { addDays, alertRow, stamp } from './activity.ts';
import { randomTimeline, writeScheduledRequest, type CadreRoster, type SupplyEnv, type SupplyRows } from './supplies.ts';

const MINUTE = 60_000;
type Episode = Insertable<EpisodesTable> & { id: number };
type EpisodeLike = Pick<Episode, 'id' | 'startDate' | 'status' | 'endedOn'>;

/** The stream of the field work: derived from the seed, apart from the main one so the rest of the demo is unchanged. */
export function fieldRng(seed: number): Rng {
  return new Rng((seed * 2654435761 + 0x14f1e1d) >>> 0);
}

const iso = (ms: number) => new Date(ms + 480 * MINUTE).toISOString().slice(0, 19) + '+08:00';
/** `minutes` after an office instant. */
const later = (at: string, minutes: number) => iso(Date.parse(at) + minutes * MINUTE);
const maxIso = (a: string, b: string) => (a > b ? a : b);

function cnDate(d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

/** The episode a result of `date` belongs to, as tests.ts episodeForDate picks it (end day included; the active one first). */
export function episodeOn(episodes: readonly EpisodeLike[], date: string): EpisodeLike | undefined {
  const covering = episodes.filter((e) => coversDate(e as never, date, 'included'));
  covering.sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : b.id - a.id));
  return covering.find((e) => e.status === 'active') ?? covering[0];
}

// ---------------------------------------------------------------------------------------------------------------
// 包联组

export interface CommunityInfo {
  id: number;
  name: string;
  compoundIds: number[];
  compoundNames: string[];
}

/**
 * One group per department with cadres in its bound community: named like 市国资委包联华夏里社区组, its leader the
 * community's first cadre when of that unit (the one noted 带队负责人), else its first cadre on duty. Only the
 * leaders keep the 带队负责人 note. Members are the unit's cadres in that community (cadres.group_id, set after the
 * cadres are written: the two tables refer to each other).
 */
export function makeGroups(
  roster: CadreRoster,
  communities: CommunityInfo[],
  units: string[][],
  nextId: () => number,
  at: string,
): { groups: Insertable<CadreGroupsTable>[]; members: Map<number, number[]> } {
  const groups: Insertable<CadreGroupsTable>[] = [];
  const members = new Map<number, number[]>();
  const leaders = new Set<number>();
  communities.forEach((c, ci) => {
    for (const unit of units[ci] ?? []) {
      const mine = roster.cadres.filter((k) => k.communityId === c.id && k.homeUnit === unit);
      if (!mine.length) continue;
      const leader = mine.find((k) => k.notes === '带队负责人') ?? mine.find((k) => k.status === 'on_duty') ?? mine[0];
      const id = nextId();
      leaders.add(leader.id as number);
      groups.push({ id, name: `${unit}包联${c.name}组`, homeUnit: unit, communityId: c.id, leaderId: leader.id as number, notes: null, version: 1, createdAt: at, updatedAt: at });
      members.set(id, mine.map((k) => k.id as number));
    }
  });
  for (const k of roster.cadres) k.notes = leaders.has(k.id as number) ? '带队负责人' : null;
  return { groups, members };
}

// ---------------------------------------------------------------------------------------------------------------
// 全员核酸: one round a few days ago

export interface RoundOut {
  tests: Insertable<TestsTable>[];
  alerts: Insertable<AlertsTable>[];
  exemptions: Insertable<RoundExemptionsTable>[];
}

const OUT_REASONS = ['在京务工，尚未返廊', '出差在外地', '在外地探亲，暂未返回'];
const OTHER_EXEMPT = ['在市人民医院住院治疗', '在外地住院治疗'];

/**
 * The round's rows household by household as the lists came in: people under isolation on the day were sampled at
 * home one tube each; everyone else at the test sites, ten to a tube (10混1) in address order. One tube comes back
 * positive: its people are flagged and re-tested one tube each the next day — the first household or two positive
 * (an alert proposing isolation each), the next not re-tested yet (待复核), the rest negative. A few are exempt (infants, bedridden,
 * away, in hospital), a few were not sampled (未检).
 */
export class RoundSeed {
  readonly row: Insertable<TestRoundsTable>;
  readonly date: string;
  readonly retestDate: string;
  private rng: Rng;
  private env: { ids: { next(t: 'tests' | 'alerts' | 'roundExemptions'): number }; nowIso: string };
  private tubeSeq = 0;
  private singleSeq = 0;
  private retestSeq = 0;
  private tube: { no: string; compoundId: number; count: number; flagged: boolean } | null = null;
  private flaggedFrom: number;
  private flagged = false;
  /** People positive on their own tube so far (a household or two: at least two people). */
  private positives = 0;
  private pendingChosen = false;
  private roles = new Map<number, 'positive' | 'pending' | 'negative'>();
  /** Round results written (the round's own rows of tests). */
  tests = 0;

  constructor(rng: Rng, env: RoundSeed['env'], id: number, today: string, residents: number, clerk: { username: string; id: number | null }) {
    this.rng = rng;
    this.env = env;
    this.date = addDays(today, -3);
    this.retestDate = addDays(this.date, 1);
    const createdAt = stamp(addDays(this.date, -1), 16 * 60 + 30);
    this.row = {
      id,
      name: `${cnDate(this.date)}至${cnDate(this.retestDate)}全员核酸`,
      startDate: this.date,
      endDate: this.retestDate,
      wholeSubdistrict: 1,
      status: 'open',
      createdBy: clerk.username,
      createdById: clerk.id,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
    this.flaggedFrom = rng.int(1, Math.max(1, Math.floor(residents * 0.015)));
  }

  private clamp(iso: string): string {
    return iso > this.env.nowIso ? this.env.nowIso : iso;
  }

  private code(date: string, kind: 1 | 2 | 3, seq: number): string {
    return `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}${kind}${String(seq).padStart(6, '0')}`;
  }

  private test(p: Person, episodeId: number | null, date: string, minutes: number, tubeNo: string, pooled: boolean, result: '阴性' | '阳性', createdAt: string): Insertable<TestsTable> {
    const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
    const mm = String(minutes % 60).padStart(2, '0');
    this.tests++;
    return {
      id: this.env.ids.next('tests'),
      residentId: p.id,
      episodeId,
      sampleDate: date,
      testType: '核酸',
      result,
      source: 'import',
      checkinId: null,
      importBatchId: null,
      roundId: this.row.id as number,
      sampleTime: `${date} ${hh}:${mm}`,
      tubeNo,
      pooled: pooled ? 1 : 0,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
  }

  household(
    h: { id: number; compoundId: number },
    people: Person[],
    episodesOf: (residentId: number) => EpisodeLike[],
    /** When each person was registered: nothing of theirs is recorded before (a list imported again matches them then). */
    createdAtOf: (residentId: number) => string,
    staff: { username: string; displayName: string },
    out: RoundOut,
  ): void {
    const rng = this.rng;
    const clearOnRetest = people.every((p) => !episodeOn(episodesOf(p.id), this.retestDate));
    const listIn = stamp(this.date, rng.int(20 * 60, 23 * 60 + 30));
    for (const p of people) {
      const eps = episodesOf(p.id);
      const registered = createdAtOf(p.id);
      const results = this.clamp(maxIso(listIn, later(registered, rng.int(10, 90))));
      const home = episodeOn(eps, this.date);
      let exempt: [RoundExemptReason, string | null] | null = null;
      if (p.age < 1 && rng.chance(0.6)) exempt = ['婴幼儿', null];
      else if (p.age >= 85 && rng.chance(0.25)) exempt = ['卧床上门采样', null];
      else if (!home && rng.chance(0.006)) exempt = ['外出', rng.pick(OUT_REASONS)];
      else if (!home && rng.chance(0.0015)) exempt = ['其他', rng.pick(OTHER_EXEMPT)];
      if (exempt) {
        out.exemptions.push({ id: this.env.ids.next('roundExemptions'), roundId: this.row.id as number, residentId: p.id, reason: exempt[0], note: exempt[1], createdBy: staff.username, createdAt: this.clamp(maxIso(stamp(this.date, rng.int(7 * 60, 11 * 60)), later(registered, rng.int(10, 90)))) });
        continue;
      }
      // 未检: not sampled (not at home when the sampler came, did not go to the site).
      if (!rng.chance(home ? 0.985 : 0.94)) continue;
      if (home) {
        out.tests.push(this.test(p, home.id, this.date, rng.int(8 * 60, 16 * 60), this.code(this.date, 2, ++this.singleSeq), false, '阴性', results));
        continue;
      }
      if (!this.tube || this.tube.compoundId !== h.compoundId || this.tube.count >= 10) {
        const seq = ++this.tubeSeq;
        const flagged = !this.flagged && seq >= this.flaggedFrom && clearOnRetest;
        if (flagged) this.flagged = true;
        this.tube = { no: this.code(this.date, 1, seq), compoundId: h.compoundId, count: 0, flagged };
      }
      this.tube.count++;
      const minutes = rng.int(7 * 60, 17 * 60);
      if (!this.tube.flagged) {
        out.tests.push(this.test(p, null, this.date, minutes, this.tube.no, true, '阴性', results));
        continue;
      }
      // The positive tube: every person on it flagged for a single-tube re-test, with an alert saying so.
      let role = this.roles.get(h.id);
      if (!role) {
        role = this.positives < 2 && clearOnRetest ? 'positive' : !this.pendingChosen ? 'pending' : 'negative';
        if (role === 'pending') this.pendingChosen = true;
        this.roles.set(h.id, role);
      }
      const pooled = this.test(p, null, this.date, minutes, this.tube.no, true, '阳性', results);
      out.tests.push(pooled);
      if (role === 'pending') {
        out.alerts.push(alertRow(this.env, p, null, this.date, pooledAlertReason(this.tube.no, this.date), results, { testId: pooled.id as number }, null));
        continue;
      }
      const retestAt = this.clamp(maxIso(stamp(this.retestDate, rng.int(15 * 60, 18 * 60)), later(results, rng.int(30, 120))));
      const episode = episodeOn(eps, this.retestDate);
      const result = role === 'positive' ? '阳性' : '阴性';
      if (role === 'positive') this.positives++;
      const single = this.test(p, episode?.id ?? null, this.retestDate, rng.int(8 * 60, 10 * 60), this.code(this.retestDate, 3, ++this.retestSeq), false, result, retestAt);
      out.tests.push(single);
      const closed =
        role === 'positive'
          ? { action: '上报', note: '单管复核阳性，已上报街道防控办', by: staff.displayName, at: retestAt }
          : { action: '复测正常', note: '单管复核阴性', by: staff.displayName, at: retestAt };
      out.alerts.push(alertRow(this.env, p, null, this.date, pooledAlertReason(this.tube.no, this.date), results, { testId: pooled.id as number }, closed));
      if (role === 'positive') {
        out.alerts.push(alertRow(this.env, p, episode?.id ?? null, this.retestDate, singlePositiveReason('核酸', this.retestDate), retestAt, { testId: single.id as number }, null));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 特殊需求 and 定期需求

export interface NeedsOut {
  needs: Insertable<ResidentNeedsTable>[];
  schedules: Insertable<NeedSchedulesTable>[];
  runs: Insertable<NeedScheduleRunsTable>[];
  supplies: SupplyRows;
}

const CHRONIC = ['高血压', '糖尿病', '冠心病', '慢阻肺'];
const DISABILITY = ['肢体残疾二级', '视力残疾三级', '听力残疾三级', null];
const OTHER_NEEDS = ['精神障碍，情绪不稳，需家属陪同', '独自照顾瘫痪老伴', '对酒精过敏，消杀时请注意'];
const WEEKDAY_WORDS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

interface ScheduleSpec {
  kind: NeedScheduleKind;
  items: string;
  weekdays: number[];
  time: string | null;
  notes: string;
}

const DIALYSIS = (): ScheduleSpec => ({ kind: '就医', items: '血液透析 1次', weekdays: [2, 4, 6], time: '07:30', notes: '市人民医院血液净化中心，需专车接送' });
const PRESCRIPTION = (weekday: number): ScheduleSpec => ({ kind: '药品', items: '二甲双胍 2盒\n硝苯地平控释片 1盒', weekdays: [weekday], time: null, notes: '每周到市中医院代取处方药' });

export class NeedsSeed {
  private rng: Rng;
  private today: string;
  private nowIso: string;
  private supplyEnv: SupplyEnv;
  private nextSchedule: () => number;
  private dialysis = 0;
  private prescriptions = 0;

  constructor(rng: Rng, today: string, nowIso: string, supplyEnv: SupplyEnv, nextSchedule: () => number) {
    this.rng = rng;
    this.today = today;
    this.nowIso = nowIso;
    this.supplyEnv = supplyEnv;
    this.nextSchedule = nextSchedule;
  }

  /** A household's flags (from what the list's notes say, ages and living alone) and schedules with their runs. */
  household(h: { id: number; communityId: number; compoundId: number }, people: Person[], episodesOf: (residentId: number) => EpisodeLike[], createdAtOf: (residentId: number) => string, staff: string, out: NeedsOut): void {
    const rng = this.rng;
    const infant = people.some((p) => p.age < 1);
    for (const p of people) {
      const flags = new Map<Need, string | null>();
      const eps = episodesOf(p.id);
      const coveredToday = eps.some((e) => coversDate(e as never, this.today));
      if (people.length === 1 && p.age >= 65) flags.set('独居老人', null);
      if (p.notes === '行动不便' || (p.age >= 80 && rng.chance(0.35))) flags.set('行动不便', null);
      if (p.notes === '孕妇' && p.sex === 'F') flags.set('孕产妇', `孕${rng.int(12, 36)}周`);
      else if (p.sex === 'F' && p.age >= 22 && p.age <= 40 && infant && rng.chance(0.3)) flags.set('孕产妇', '产后哺乳期');
      else if (p.sex === 'F' && p.age >= 22 && p.age <= 38 && rng.chance(0.008)) flags.set('孕产妇', `孕${rng.int(8, 38)}周`);
      if (p.age < 3) flags.set('婴幼儿', null);
      if (p.notes === '慢性病（高血压）') flags.set('慢性病长期用药', '高血压');
      else if (p.notes === '糖尿病，需按时用药') flags.set('慢性病长期用药', '糖尿病');
      else if (p.age >= 60 && rng.chance(0.06)) flags.set('慢性病长期用药', rng.pick(CHRONIC));
      let dialysis = p.notes === '需定期透析';
      if (!dialysis && this.dialysis === 0 && p.age >= 45 && coveredToday) dialysis = true;
      if (dialysis) flags.set('定期就医', '血液透析（周二、周四、周六）');
      else if (p.age >= 40 && rng.chance(0.0008)) flags.set('定期就医', '化疗（市肿瘤医院，每三周一次）');
      if (p.age >= 16 && rng.chance(0.008)) flags.set('残疾', rng.pick(DISABILITY));
      if (p.notes === '听力不好，请打家属电话') flags.set('其他', '听力不好，请打家属电话');
      else if (p.age >= 16 && rng.chance(0.002)) flags.set('其他', rng.pick(OTHER_NEEDS));
      let rx = false;
      if (this.prescriptions === 0 && p.age >= 60 && coveredToday) {
        if (!flags.has('慢性病长期用药')) flags.set('慢性病长期用药', '糖尿病');
        rx = true;
      } else if (flags.has('慢性病长期用药') && rng.chance(0.05)) rx = true;
      // In the order of the closed list (NEEDS), as needs.ts keeps them.
      for (const [need, note] of [...flags].sort((a, b) => NEED_ORDER.indexOf(a[0]) - NEED_ORDER.indexOf(b[0]))) {
        out.needs.push({ residentId: p.id, need, note, createdBy: staff, createdAt: createdAtOf(p.id) });
      }
      if (!eps.length) continue;
      if (dialysis && (this.dialysis === 0 || rng.chance(0.25))) {
        this.dialysis++;
        this.schedule(h, p, eps, createdAtOf(p.id), DIALYSIS(), staff, out);
      }
      if (rx) {
        this.prescriptions++;
        this.schedule(h, p, eps, createdAtOf(p.id), PRESCRIPTION(rng.int(1, 5)), staff, out);
      }
    }
  }

  /** A schedule from the person's first day under control, and the runs runNeedSchedules would have made since. */
  private schedule(h: { id: number; communityId: number; compoundId: number }, p: Person, eps: EpisodeLike[], registered: string, spec: ScheduleSpec, staff: string, out: NeedsOut): void {
    const rng = this.rng;
    const start = eps.reduce((a, e) => (e.startDate < a ? e.startDate : a), eps[0].startDate);
    let createdAt = maxIso(stamp(start, rng.int(10 * 60, 11 * 60 + 30)), later(registered, rng.int(5, 30)));
    if (createdAt > this.nowIso) createdAt = this.nowIso;
    const id = this.nextSchedule();
    out.schedules.push({
      id,
      residentId: p.id,
      communityId: h.communityId,
      kind: spec.kind,
      items: spec.items,
      weekdays: spec.weekdays.join(','),
      time: spec.time,
      startDate: start,
      endDate: null,
      active: 1,
      notes: spec.notes,
      createdBy: staff,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    });
    const label = renderMessage('zh', 'needs.scheduleRequest', { weekdays: spec.weekdays.map((d) => WEEKDAY_WORDS[d]).join('、'), time: spec.time ? ` ${spec.time}` : '' });
    const items = scheduleItems(spec.items).map((i) => ({ name: i.name, quantity: i.quantity ?? '' }));
    const cadres = this.supplyEnv.onDuty.get(h.communityId) ?? [];
    for (let d = start; d <= this.today; d = addDays(d, 1)) {
      if (!spec.weekdays.includes(isoWeekday(d))) continue;
      if (!eps.some((e) => coversDate(e as never, d))) continue;
      // The app runs the schedules at start and every hour: the first run after the office opens (or after the schedule was made).
      let at = Date.parse(stamp(d, rng.int(8 * 60 + 5, 8 * 60 + 55)));
      const made = Date.parse(createdAt);
      if (at < made) at = made + rng.int(5, 55) * MINUTE;
      if (at > this.supplyEnv.nowMs) continue;
      const steps = randomTimeline(this.supplyEnv, at, staff, cadres);
      steps[0] = { ...steps[0], user: 'system' };
      const requestId = writeScheduledRequest(this.supplyEnv, h, { category: spec.kind, items, requestedBy: p.name, notes: `${label}：${spec.notes}` }, steps, out.supplies);
      out.runs.push({ scheduleId: id, date: d, requestId, createdAt: new Date(at + 480 * MINUTE).toISOString().slice(0, 19) + '+08:00' });
    }
  }
}

const NEED_ORDER: readonly Need[] = ['独居老人', '行动不便', '孕产妇', '婴幼儿', '慢性病长期用药', '定期就医', '残疾', '其他'];

// ---------------------------------------------------------------------------------------------------------------
// The duty roster and door visits

export interface RosterOut {
  shifts: Insertable<CadreShiftsTable>[];
  visits: Insertable<DoorVisitsTable>[];
}

const POSTS_ROUND_DAY = new Weighted<CadrePost>([['test_site_order', 35], ['registration', 30], ['temperature', 10], ['gate', 15], ['delivery', 10]]);
const POSTS = new Weighted<CadrePost>([['gate', 30], ['temperature', 12], ['registration', 8], ['door_visit', 25], ['delivery', 25]]);
const TIMES: Record<CadrePost, [string, string][]> = {
  test_site_order: [['06:30', '12:00'], ['13:30', '18:00']],
  registration: [['06:30', '12:00'], ['08:00', '12:00'], ['14:00', '18:00']],
  temperature: [['08:00', '12:00'], ['14:00', '18:00']],
  gate: [['08:00', '16:00'], ['16:00', '22:00']],
  door_visit: [['09:00', '12:00'], ['14:30', '17:30']],
  delivery: [['09:00', '17:00'], ['08:00', '12:00']],
};
const GATES = ['东门', '西门', '南门', '北门'];
const VISIT_RESULTS = new Weighted<VisitResult>([['home_ok', 82], ['no_answer', 9], ['abnormal', 4], ['other', 5]]);
const NO_ANSWER_NOTES = [null, '敲门无人应答，电话未接通', '敲门无人应答，家属电话称在家休息'];
const ABNORMAL: [string, string][] = [
  ['老人自述头晕乏力，血压偏高', '已联系社区卫生服务站医生上门，明日回访'],
  ['家中降压药已断，老人情绪焦虑', '已登记药品需求，当日配送'],
  ['门口垃圾堆放两天未清运', '已通知物业清运，次日复查'],
  ['孩子发热 37.8℃，家长未上报', '已提醒按时上报体温，午后复测'],
];
const OTHER_VISIT = ['居民要求代购生活用品，已转物资登记', '居民咨询解除隔离时间，已解释', '张贴封条脱落，已重新张贴'];

export interface RosterInput {
  rng: Rng;
  today: string;
  days: number;
  nowMs: number;
  roundDate: string | null;
  roster: CadreRoster;
  communities: CommunityInfo[];
  /** Households of each compound with the day they came under control (a visit is planned from the next day on). */
  households: Map<number, { id: number; from: string }[]>;
  staffUser(communityId: number): string;
  nextShift(): number;
  nextVisit(): number;
}

const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * Each cadre's shift per seeded day and tomorrow (one a day, a rest day now and then; on the round's day most at the
 * test sites), a night at a gate now and then (22:00–06:00, ending before any next-day start, so no two shifts of a
 * cadre overlap), and the door visits of the 入户走访 shifts: made ones with their result (and follow-up), today's
 * later ones and tomorrow's planned.
 */
export function makeRoster(input: RosterInput): RosterOut {
  const { rng, today } = input;
  const out: RosterOut = { shifts: [], visits: [] };
  const byId = new Map(input.communities.map((c) => [c.id, c]));
  const links = new Map<number, number[]>();
  for (const l of input.roster.links) links.set(l.cadreId, [...(links.get(l.cadreId) ?? []), l.compoundId]);
  const compoundName = new Map<number, string>();
  for (const c of input.communities) c.compoundIds.forEach((id, i) => compoundName.set(id, c.compoundNames[i]));
  const nowIso = iso(input.nowMs);
  let nights = 0;
  const first = addDays(today, -(input.days - 1));
  const tomorrow = addDays(today, 1);
  for (let d = first; d <= tomorrow; d = addDays(d, 1)) {
    const nightFor = new Set<number>();
    for (const k of input.roster.cadres) {
      const community = k.communityId == null ? undefined : byId.get(k.communityId);
      if (!community || !community.compoundIds.length) continue;
      if (k.dutyFrom && k.dutyFrom > d) continue;
      if (k.dutyTo && k.dutyTo < d) continue;
      if (k.status === 'resting' && d > addDays(today, -2)) continue;
      const roundDay = d === input.roundDate;
      if (!roundDay && rng.chance(1 / 7)) continue;
      const post = (roundDay ? POSTS_ROUND_DAY : POSTS).pick(rng);
      const compounds = links.get(k.id as number) ?? community.compoundIds;
      const compoundId = rng.pick(compounds);
      const compound = compoundName.get(compoundId)!;
      let [startTime, endTime] = rng.pick(TIMES[post]);
      // A night at the gate: one now and then per community and day, and at least one in the demo (yesterday's).
      if (post === 'gate' && !nightFor.has(community.id) && (rng.chance(0.15) || (nights === 0 && d >= addDays(today, -1)))) {
        nightFor.add(community.id);
        nights++;
        [startTime, endTime] = ['22:00', '06:00'];
      }
      const place =
        post === 'test_site_order' || (post === 'registration' && roundDay)
          ? `${compound}核酸采样点`
          : post === 'delivery'
            ? `${community.name}物资中转站`
            : post === 'door_visit'
              ? compound
              : `${compound}${rng.pick(GATES)}`;
      const staff = input.staffUser(community.id);
      let createdAt = stamp(addDays(d, -1), rng.int(17 * 60 + 30, 19 * 60));
      if (createdAt > nowIso) createdAt = nowIso;
      out.shifts.push({ id: input.nextShift(), cadreId: k.id as number, communityId: community.id, date: d, startTime, endTime, post, place, notes: null, createdBy: staff, createdAt });
      if (post !== 'door_visit') continue;
      const pool = input.households.get(compoundId) ?? [];
      const want = rng.int(4, 8);
      const picked = new Set<number>();
      for (let tries = 0; tries < want * 3 && picked.size < want && pool.length; tries++) {
        const h = rng.pick(pool);
        if (h.from < d) picked.add(h.id);
      }
      let minutes = minutesOf(startTime);
      for (const householdId of picked) {
        minutes += rng.int(12, 25);
        const visitMs = Date.parse(stamp(d, minutes));
        const base = { id: input.nextVisit(), cadreId: k.id as number, householdId, communityId: community.id, plannedDate: d, createdBy: staff, createdAt };
        if (visitMs > input.nowMs || d > today) {
          out.visits.push({ ...base, visitedAt: null, result: null, note: null, followUpNote: null, followUpDone: 0, recordedBy: null, version: 1, updatedAt: createdAt });
          continue;
        }
        const result = VISIT_RESULTS.pick(rng);
        let note: string | null = null;
        let followUpNote: string | null = null;
        if (result === 'abnormal') [note, followUpNote] = rng.pick(ABNORMAL);
        else if (result === 'other') note = rng.pick(OTHER_VISIT);
        else if (result === 'no_answer') {
          note = rng.pick(NO_ANSWER_NOTES);
          if (rng.chance(0.3)) followUpNote = '次日再次上门';
        }
        const visitedAt = iso(visitMs);
        // Follow-ups of earlier days are mostly done by now (the office marks them done).
        const done = followUpNote !== null && d < addDays(today, -1) && rng.chance(0.7);
        const doneAt = done ? iso(Math.min(input.nowMs, visitMs + rng.int(18, 30) * 60 * MINUTE)) : visitedAt;
        out.visits.push({ ...base, visitedAt, result, note, followUpNote, followUpDone: done ? 1 : 0, recordedBy: staff, version: done ? 3 : 2, updatedAt: doneAt });
      }
    }
  }
  return out;
}

