// Demo cadres sent down from city departments (下沉干部) and households' supply requests with their items and
// workflow transitions (登记 → 分派 → 配送 → 送达, or 取消), every transition timed and signed, none in the future.
import type { Insertable } from 'kysely';
import type { CadreCompoundsTable, CadresTable, CadreStatus, SupplyCategory, SupplyItemsTable, SupplyRequestsTable, SupplyStatus, SupplyTransitionsTable } from '../../db/schema.ts';
import { defaultUrgency } from '../../domain/supplyRules.ts';
import { Rng, Weighted } from './random.ts';
import type { PeopleFactory, Person } from './people.ts';
import { addDays, stamp } from './activity.ts';
import { CADRE_TITLES, CADRE_UNITS, CANCEL_REASONS, SUPPLY_CATEGORY_WEIGHTS, SUPPLY_ITEMS, SUPPLY_NOTES } from './tables.ts';

const MINUTE = 60_000;
/** Instants as local ISO strings of the demo office (UTC+8, no daylight saving). */
const iso = (ms: number) => new Date(ms + 480 * MINUTE).toISOString().slice(0, 19) + '+08:00';

export interface CommunityPlan {
  id: number;
  name: string;
  compoundIds: number[];
}

export interface CadreRoster {
  cadres: Insertable<CadresTable>[];
  links: Insertable<CadreCompoundsTable>[];
  /** On-duty cadres per community: who deliveries are assigned to. */
  onDuty: Map<number, number[]>;
}

const UNITS = new Weighted(CADRE_UNITS);
const TITLES = new Weighted(CADRE_TITLES);

/**
 * Each department (派出单位) bound to one community (包联): 市国资委 to 华夏里社区 when that is seeded, the others in
 * turn to the communities with the fewest so far. Returns the units of each community (by index), the first one
 * the department of the community's first cadre (带队负责人).
 */
export function bindUnits(communityNames: readonly string[]): string[][] {
  const out: string[][] = communityNames.map(() => []);
  if (!out.length) return out;
  const home = Math.max(0, communityNames.indexOf('华夏里社区'));
  out[home].push('市国资委');
  for (const [unit] of CADRE_UNITS) {
    if (unit === '市国资委') continue;
    let best = 0;
    for (let i = 1; i < out.length; i++) if (out[i].length < out[best].length) best = i;
    out[best].push(unit);
  }
  return out;
}

const UNIT_WEIGHT = new Map(CADRE_UNITS);

/** A unit of the community's (one draw, as UNITS.pick takes, so the rest of the demo is the same either way). */
function pickUnit(rng: Rng, units: string[], first: boolean): string {
  const x = rng.next();
  if (first || units.length === 1) return units[0];
  const total = units.reduce((a, u) => a + UNIT_WEIGHT.get(u)!, 0);
  let y = x * total;
  for (const u of units) if ((y -= UNIT_WEIGHT.get(u)!) < 0) return u;
  return units[units.length - 1];
}

export function makeCadres(rng: Rng, people: PeopleFactory, today: string, days: number, communities: CommunityPlan[], weights: number[], count: number, nextId: () => number, units?: string[][]): CadreRoster {
  const roster: CadreRoster = { cadres: [], links: [], onDuty: new Map() };
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < count; i++) {
    // The first cadres cover every community once; the rest follow the communities' sizes.
    let ci = i % communities.length;
    if (i >= communities.length) {
      let x = rng.next() * total;
      ci = communities.length - 1;
      for (let k = 0; k < communities.length; k++) if ((x -= weights[k]) < 0) { ci = k; break; }
    }
    const c = communities[ci];
    const id = nextId();
    const sex = rng.chance(0.65) ? 'M' : 'F';
    const status: CadreStatus = rng.chance(0.88) ? 'on_duty' : rng.chance(0.65) ? 'resting' : 'withdrawn';
    const dutyFrom = addDays(today, -(days - 1) - rng.int(0, 2));
    const createdAt = stamp(dutyFrom, rng.int(8 * 60, 10 * 60));
    roster.cadres.push({
      id,
      name: people.name(sex, rng.int(1966, 1995)),
      homeUnit: units ? pickUnit(rng, units[ci], i < communities.length) : UNITS.pick(rng),
      title: TITLES.pick(rng),
      phone: people.mobile(),
      communityId: c.id,
      status,
      dutyFrom,
      dutyTo: status === 'withdrawn' ? addDays(today, -rng.int(1, 3)) : null,
      notes: i < communities.length ? '带队负责人' : null,
      version: status === 'on_duty' ? 1 : 2,
      createdAt,
      updatedAt: createdAt,
    });
    const picks = rng.shuffle([...c.compoundIds]).slice(0, Math.min(c.compoundIds.length, rng.int(1, 2)));
    for (const compoundId of picks) roster.links.push({ cadreId: id, compoundId });
    if (status === 'on_duty') {
      const list = roster.onDuty.get(c.id) ?? [];
      list.push(id);
      roster.onDuty.set(c.id, list);
    }
  }
  return roster;
}

export interface SupplyEnv {
  rng: Rng;
  today: string;
  nowMs: number;
  ids: { next(table: 'supplyRequests' | 'supplyItems' | 'supplyTransitions'): number };
  staffUser(communityId: number): string;
  onDuty: Map<number, number[]>;
  /** Statuses still to be shown at least once (demo completeness): taken by the next households isolating today. */
  forced: SupplyStatus[];
}

export interface SupplyRows {
  requests: Insertable<SupplyRequestsTable>[];
  items: Insertable<SupplyItemsTable>[];
  transitions: Insertable<SupplyTransitionsTable>[];
}

const COUNTS = new Weighted<number>([[0, 62], [1, 25], [2, 9], [3, 4]]);
const CATEGORIES = new Weighted(SUPPLY_CATEGORY_WEIGHTS);
const PURCHASED = new Set(['蔬菜', '粮油', '肉蛋奶', '药品', '母婴用品', '生活用品']);

export interface Step {
  to: SupplyStatus;
  at: number;
  user: string;
  note: string | null;
  cadreId?: number;
}

/** Minutes before now at which each step of a forced status happened. */
const FORCED_TIMELINES: Record<SupplyStatus, { to: SupplyStatus; ago: number }[]> = {
  new: [{ to: 'new', ago: 15 }],
  assigned: [{ to: 'new', ago: 60 }, { to: 'assigned', ago: 40 }],
  delivering: [{ to: 'new', ago: 120 }, { to: 'assigned', ago: 100 }, { to: 'delivering', ago: 60 }],
  delivered: [{ to: 'new', ago: 300 }, { to: 'assigned', ago: 270 }, { to: 'delivering', ago: 240 }, { to: 'delivered', ago: 200 }],
  cancelled: [{ to: 'new', ago: 200 }, { to: 'cancelled', ago: 150 }],
};

export function householdSupplies(env: SupplyEnv, household: { id: number; communityId: number; compoundId: number }, people: Person[], from: string, to: string, out: SupplyRows): void {
  const { rng } = env;
  const staff = env.staffUser(household.communityId);
  const cadres = env.onDuty.get(household.communityId) ?? [];
  const fromMs = Date.parse(`${from}T00:00:00+08:00`);
  const plans: Step[][] = [];
  if (env.forced.length && to >= env.today) {
    const status = env.forced[0];
    const timeline = FORCED_TIMELINES[status];
    if (env.nowMs - timeline[0].ago * MINUTE >= fromMs && (cadres.length || !timeline.some((s) => s.to === 'assigned'))) {
      env.forced.shift();
      const cadreId = cadres.length ? rng.pick(cadres) : undefined;
      plans.push(timeline.map((s) => ({ to: s.to, at: env.nowMs - s.ago * MINUTE, user: staff, note: s.to === 'cancelled' ? rng.pick(CANCEL_REASONS) : null, cadreId: s.to === 'assigned' ? cadreId : undefined })));
    }
  }
  const last = to < env.today ? to : env.today;
  const span = Math.round((Date.parse(last) - Date.parse(from)) / 86_400_000);
  for (let n = COUNTS.pick(rng); n > 0; n--) {
    const day = addDays(from, rng.int(0, Math.max(0, span)));
    let created = Date.parse(stamp(day, rng.int(7 * 60 + 30, 20 * 60), rng.int(0, 59)));
    if (created > env.nowMs) created = env.nowMs - rng.int(5, 120) * MINUTE;
    if (created < fromMs) continue;
    plans.push(randomTimeline(env, created, staff, cadres));
  }
  for (const steps of plans) writeRequest(env, household, people, steps, out);
}

export function randomTimeline(env: SupplyEnv, created: number, staff: string, cadres: number[]): Step[] {
  const { rng } = env;
  const steps: Step[] = [{ to: 'new', at: created, user: staff, note: null }];
  if (rng.chance(0.04)) {
    steps.push({ to: 'cancelled', at: created + rng.int(20, 300) * MINUTE, user: staff, note: rng.pick(CANCEL_REASONS) });
  } else if (cadres.length) {
    // Urgent needs are assigned within minutes; the odd normal one waits more than a day (overdue).
    const urgentish = rng.chance(0.3);
    let t = created + (urgentish ? rng.int(5, 40) : rng.int(20, 240)) * MINUTE + (rng.chance(0.03) ? 30 * 60 * MINUTE : 0);
    steps.push({ to: 'assigned', at: t, user: rng.chance(0.3) ? 'clerk' : staff, note: null, cadreId: rng.pick(cadres) });
    t += (urgentish ? rng.int(10, 40) : rng.int(30, 300)) * MINUTE;
    steps.push({ to: 'delivering', at: t, user: staff, note: null });
    t += rng.int(15, 90) * MINUTE;
    steps.push({ to: 'delivered', at: t, user: staff, note: null });
  }
  return steps.filter((s) => s.at <= env.nowMs);
}

function writeRequest(env: SupplyEnv, household: { id: number; communityId: number; compoundId: number }, people: Person[], steps: Step[], out: SupplyRows): void {
  const { rng } = env;
  const id = env.ids.next('supplyRequests');
  let category = CATEGORIES.pick(rng);
  if (category === '母婴用品' && !people.some((p) => p.age < 3)) category = '生活用品';
  const urgency = rng.chance(0.04) ? 'urgent' : defaultUrgency(category);
  const final = steps[steps.length - 1];
  const delivered = final.to === 'delivered';
  const amountCents = PURCHASED.has(category) && rng.chance(0.65) ? rng.int(1500, 30000) : null;
  const paid = delivered && amountCents !== null && rng.chance(0.85) ? 1 : 0;
  const adults = people.filter((p) => p.age >= 18);
  const cancelled = final.to === 'cancelled' ? final.note : null;
  const cadreId = steps.find((s) => s.to === 'assigned')?.cadreId ?? null;
  out.requests.push({
    id,
    householdId: household.id,
    communityId: household.communityId,
    compoundId: household.compoundId,
    category,
    urgency,
    requestedBy: (adults.length ? rng.pick(adults) : people[0]).name,
    notes: rng.chance(0.08) ? rng.pick(SUPPLY_NOTES) : null,
    status: final.to,
    cadreId,
    amountCents,
    paid,
    cancelReason: cancelled,
    createdBy: steps[0].user,
    statusAt: iso(final.at),
    version: steps.length + paid,
    createdAt: iso(steps[0].at),
    updatedAt: iso(final.at),
  });
  const choices = rng.shuffle([...SUPPLY_ITEMS[category]]);
  for (const [name, quantity] of choices.slice(0, rng.int(1, Math.min(3, choices.length)))) {
    out.items.push({ id: env.ids.next('supplyItems'), requestId: id, name, quantity });
  }
  steps.forEach((s, i) => {
    out.transitions.push({ id: env.ids.next('supplyTransitions'), requestId: id, fromStatus: i ? steps[i - 1].to : null, toStatus: s.to, userName: s.user, note: s.note, at: iso(s.at) });
  });
}

/** A request created by a 定期需求 schedule on its day (need-schedules.ts runNeedSchedules): the schedule's kind and items. */
export function writeScheduledRequest(
  env: SupplyEnv,
  household: { id: number; communityId: number; compoundId: number },
  fixed: { category: SupplyCategory; items: { name: string; quantity: string }[]; requestedBy: string; notes: string },
  steps: Step[],
  out: SupplyRows,
): number {
  const id = env.ids.next('supplyRequests');
  const final = steps[steps.length - 1];
  out.requests.push({
    id,
    householdId: household.id,
    communityId: household.communityId,
    compoundId: household.compoundId,
    category: fixed.category,
    urgency: defaultUrgency(fixed.category),
    requestedBy: fixed.requestedBy,
    notes: fixed.notes,
    status: final.to,
    cadreId: steps.find((s) => s.to === 'assigned')?.cadreId ?? null,
    amountCents: null,
    paid: 0,
    cancelReason: final.to === 'cancelled' ? final.note : null,
    createdBy: steps[0].user,
    statusAt: iso(final.at),
    version: steps.length,
    createdAt: iso(steps[0].at),
    updatedAt: iso(final.at),
  });
  for (const it of fixed.items) out.items.push({ id: env.ids.next('supplyItems'), requestId: id, name: it.name, quantity: it.quantity });
  steps.forEach((s, i) => {
    out.transitions.push({ id: env.ids.next('supplyTransitions'), requestId: id, fromStatus: i ? steps[i - 1].to : null, toStatus: s.to, userName: s.user, note: s.note, at: iso(s.at) });
  });
  return id;
}
