// The demo seeder: a realistic Langfang-style subdistrict — communities, compounds, buildings down to rooms,
// households and residents in isolation, tests, check-ins, alerts, supply requests, cadres and demo accounts, and the
// field work of issue 14 (包联组, duty roster, door visits, 特殊需求, 定期需求, a 全员核酸 round: fieldwork.ts).
// Rows are generated in memory household by household and written with batched multi-row inserts in ONE
// transaction (the per-row domain functions would take hours for 100,000 people), keeping every denormalised
// column as the domain functions keep it. One audit record describes the whole seeding.
import type { Insertable, Kysely } from 'kysely';
import type { Ctx } from '../../domain/context.ts';
import type { Database, EpisodeStatus, PlacesTable, Role, SupplyStatus } from '../../db/schema.ts';
import { audit } from '../../domain/audit.ts';
import { nowIso, timeOfDay, today } from '../../domain/clock.ts';
import { invalid, issue } from '../../shared/errors.ts';
import { msg } from '../../shared/messages/index.ts';
import { namePinyin } from '../../domain/pinyin.ts';
import { getOrgRoot, setOrgIdentity } from '../../domain/places.ts';
import { getSettings, updateSettings } from '../../domain/settings.ts';
import { hashPassword, passwordProblem } from '../../domain/passwords.ts';
import { BatchWriter, type BulkTable } from './writer.ts';
import { Rng } from './random.ts';
import { PeopleFactory } from './people.ts';
import { addDays, householdActivity, stamp, type ActivityEnv } from './activity.ts';
import { bindUnits, householdSupplies, makeCadres, type CommunityPlan, type SupplyRows } from './supplies.ts';
import { fieldRng, makeGroups, makeRoster, NeedsSeed, RoundSeed, type NeedsOut, type RoundOut } from './fieldwork.ts';
import { COMMUNITIES, COMPOUNDS, DEMO_DISTRICT, DEMO_SUBDISTRICT, isWalkUp } from './tables.ts';
import { syncIdSequences } from '../../db/engine.ts';

export interface SeedOptions {
  residents: number;
  /** Episodes start over the last `days` days (today included). */
  days: number;
  seed: number;
  /** Password of every demo account. */
  password: string;
  /** false: places, households, residents and episodes only (fast fills for benchmarks). */
  full?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Running inside db/bulk.ts's withBulkLoad (foreign keys not enforced): write full chunks only, in any order. */
  bulk?: boolean;
  /**
   * Another subdistrict of a district's database (seedDistrict): its place id, a prefix for its accounts' names
   * (usernames are unique in the whole district) and its 包联组' names, and the ID numbers already given out.
   */
  district?: { subdistrictId: number | null; prefix: string; usedDocuments: Set<string> };
}

export interface SeedSummary {
  today: string;
  district: string;
  subdistrict: string;
  communities: { id: number; name: string }[];
  accounts: { username: string; displayName: string; role: Role; community: string | null }[];
  counts: Record<BulkTable, number>;
  /** The 全员核酸 round's own results (part of counts.tests). */
  roundTests: number;
}

const ID_TABLES = [
  'places', 'households', 'residents', 'episodes', 'checkins', 'tests', 'alerts', 'cadres', 'users', 'supplyRequests', 'supplyItems', 'supplyTransitions',
  'testRounds', 'roundExemptions', 'cadreGroups', 'cadreShifts', 'doorVisits', 'needSchedules',
] as const;
type IdTable = (typeof ID_TABLES)[number];

/** Ids are given out in memory (after the highest one in the file), so rows can refer to each other before they are written. */
async function idAllocator(db: Kysely<Database>) {
  const next = {} as Record<IdTable, number>;
  for (const t of ID_TABLES) {
    const r = await (db as unknown as Kysely<Record<string, { id: number }>>)
      .selectFrom(t)
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirst();
    next[t] = Number(r?.m ?? 0) + 1;
  }
  return { next: (t: IdTable) => next[t]++ };
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k++, rest--) parts[order[k % order.length][1]]++;
  return parts;
}

export async function seedDemo(ctx: Ctx, opts: SeedOptions): Promise<SeedSummary> {
  const problem = passwordProblem(opts.password);
  if (problem) throw invalid('seed.badPassword', { problem: msg(problem) }, [issue('password', problem)]);
  const full = opts.full ?? true;
  // Inside the caller's transaction when given one (a district's seed on PostgreSQL: file.ts seedDistrictDb).
  const inTransaction = <T,>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> => (ctx.db.isTransaction ? fn(ctx.db) : ctx.db.transaction().execute(fn));
  return inTransaction(async (trx) => {
    const tx: Ctx = { ...ctx, db: trx };
    const taken = await trx
      .selectFrom('residents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then(async (r) => Number(r.n) + Number((await trx.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
    if (taken > 0 && !opts.district?.subdistrictId) {
      throw invalid('seed.notEmpty');
    }
    let root = await getOrgRoot(tx).catch(() => null);
    if (opts.district?.subdistrictId) {
      const sid = opts.district.subdistrictId;
      const s = await trx.selectFrom('places').select(['id', 'name']).where('id', '=', sid).where('level', '=', 'subdistrict').executeTakeFirstOrThrow();
      root = { ...root!, subdistrictId: s.id, subdistrict: s.name };
    } else if (!root) {
      root = await setOrgIdentity(tx, DEMO_DISTRICT, DEMO_SUBDISTRICT);
      await updateSettings(tx, { district: root.district, subdistrict: root.subdistrict });
    }
    const settings = await getSettings(tx);
    const rng = new Rng(opts.seed);
    const todayDate = today(ctx.clock);
    const now = ctx.clock.now();
    const hhmm = timeOfDay(ctx.clock);
    const ids = await idAllocator(trx);
    const w = new BatchWriter(trx, { ordered: !opts.bulk });
    const factory = new PeopleFactory(rng, todayDate, opts.district?.usedDocuments);
    const prefix = opts.district?.prefix ?? '';
    const setupAt = stamp(addDays(todayDate, -opts.days), 9 * 60);

    // Communities (reusing any of the same name already under the subdistrict) and their compounds.
    const k = Math.min(COMMUNITIES.length, Math.max(Math.min(3, opts.residents), Math.ceil(opts.residents / 8000)));
    const communityWeights = Array.from({ length: k }, () => rng.around(1, 0.5));
    const communityTargets = apportion(opts.residents, communityWeights);
    const existing = await trx.selectFrom('places').select(['id', 'name']).where('parentId', '=', root.subdistrictId).where('level', '=', 'community').execute();
    const compoundPool = rng.shuffle([...COMPOUNDS]);
    let poolAt = 0;
    const communities: (CommunityPlan & { targets: number[]; compoundNames: string[] })[] = [];
    for (let i = 0; i < k; i++) {
      const name = COMMUNITIES[i];
      let id = existing.find((e) => e.name === name)?.id;
      if (!id) {
        id = ids.next('places');
        await w.add('places', placeRow(id, root.subdistrictId, 'community', name, setupAt));
      }
      const n = Math.max(1, Math.min(2, communityTargets[i]), Math.min(8, Math.round(communityTargets[i] / 1400)));
      const compoundNames: string[] = [];
      while (compoundNames.length < n) {
        // Names come round again once the list is used up: two compounds in different communities may share a
        // name (they are still different places); within one community they are unique.
        const name = compoundPool[poolAt++ % compoundPool.length];
        if (!compoundNames.includes(name)) compoundNames.push(name);
      }
      const compoundIds = compoundNames.map(() => ids.next('places'));
      for (let j = 0; j < n; j++) await w.add('places', placeRow(compoundIds[j], id, 'compound', compoundNames[j], setupAt));
      const targets = apportion(communityTargets[i], compoundNames.map(() => rng.around(1, 0.6)));
      communities.push({ id, name, compoundIds, compoundNames, targets });
    }

    // Demo accounts: one committee member per community (committee1 = the first), recording check-ins there.
    const staff = new Map<number, { username: string; displayName: string }>();
    const accounts: SeedSummary['accounts'] = [
      { username: `${prefix}admin`, displayName: '系统管理员', role: 'admin', community: null },
      { username: `${prefix}clerk`, displayName: `街道${factory.surname()}科员`, role: 'clerk', community: null },
    ];
    communities.forEach((c, i) => {
      const displayName = `${c.name.replace(/社区$/, '')}${factory.surname()}主任`;
      staff.set(c.id, { username: `${prefix}committee${i + 1}`, displayName });
      accounts.push({ username: `${prefix}committee${i + 1}`, displayName, role: 'committee', community: c.name });
    });
    accounts.push({ username: `${prefix}official`, displayName: `${factory.surname()}书记`, role: 'official', community: null });
    // Each department bound to a community (包联): its cadres there are its 包联组.
    const units = bindUnits(communities.map((c) => c.name));
    const roster = full
      ? makeCadres(rng, factory, todayDate, opts.days, communities, communityTargets, Math.max(8, Math.min(650, Math.round(opts.residents / 170))), () => ids.next('cadres'), units)
      : { cadres: [], links: [], onDuty: new Map<number, number[]>() };
    const groups = full ? makeGroups(roster, communities, units, () => ids.next('cadreGroups'), setupAt) : { groups: [], members: new Map<number, number[]>() };
    let clerkId: number | null = null;
    let cadreHash = '';
    if (full) {
      // One more for the demo cadre's login, made once the roster is known (below).
      const hashes = await Promise.all([...accounts, null].map(() => hashPassword(opts.password)));
      cadreHash = hashes[accounts.length];
      for (const [i, a] of accounts.entries()) {
        const communityId = a.community ? communities.find((c) => c.name === a.community)!.id : null;
        const id = ids.next('users');
        if (a.username === `${prefix}clerk`) clerkId = id;
        await w.add('users', { id, username: a.username, displayName: a.displayName, role: a.role, communityId, cadreId: null, passwordHash: hashes[i], failedLogins: 0, lockedUntil: null, active: 1, version: 1, createdAt: setupAt, updatedAt: setupAt });
      }
      for (const c of roster.cadres) await w.add('cadres', c);
      for (const l of roster.links) await w.add('cadreCompounds', l);
      for (const g of groups.groups) await w.add('cadreGroups', prefix ? { ...g, name: `${root.subdistrict}${g.name}` } : g);
    }

    const env: ActivityEnv = {
      rng,
      today: todayDate,
      nowIso: nowIso(ctx.clock),
      nowMinutes: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)),
      settings,
      ids,
      staffName: (communityId) => staff.get(communityId)!.displayName,
      withCheckins: full,
    };
    const supplyEnv = {
      rng,
      today: todayDate,
      nowMs: now.getTime(),
      ids,
      staffUser: (communityId: number) => staff.get(communityId)!.username,
      onDuty: roster.onDuty,
      forced: ['new', 'assigned', 'delivering', 'delivered', 'cancelled'] as SupplyStatus[],
    };
    // Field work (issue 14): a stream of its own, so the households, people and their isolation are as without it.
    const frng = fieldRng(opts.seed);
    const round = full ? new RoundSeed(frng, { ids, nowIso: env.nowIso }, ids.next('testRounds'), todayDate, opts.residents, { username: `${prefix}clerk`, id: clerkId }) : null;
    if (round) await w.add('testRounds', round.row);
    const needsSeed = new NeedsSeed(frng, todayDate, env.nowIso, { ...supplyEnv, rng: frng, forced: [] }, () => ids.next('needSchedules'));
    const householdsOf = new Map<number, { id: number; from: string }[]>();
    const pinyinCache = new Map<string, { full: string; initials: string }>();
    let done = 0;
    let reported = 0;
    for (const c of communities) {
      for (let j = 0; j < c.compoundIds.length; j++) {
        const rooms = new RoomCursor(c.compoundIds[j], c.compoundNames[j], rng);
        for (let remaining = c.targets[j]; remaining > 0; ) {
          const size = Math.min(factory.householdSize(), remaining);
          remaining -= size;
          const householdId = ids.next('households');
          const people = factory.household(size, householdId, c.id, () => ids.next('residents'));
          const start = addDays(todayDate, -rng.int(0, opts.days - 1));
          const act = householdActivity(env, people, start);
          const createdAt = act.states.get(people[0].id)!.createdAt;
          const room = rooms.next(() => ids.next('places'), createdAt);
          for (const p of room.places) await w.add('places', p);
          await w.add('households', { id: householdId, communityId: c.id, compoundId: c.compoundIds[j], roomId: room.roomId, address: room.address, version: 1, createdAt, updatedAt: createdAt });
          for (const p of people) {
            let py = pinyinCache.get(p.name);
            if (!py) pinyinCache.set(p.name, (py = namePinyin(p.name)));
            const s = act.states.get(p.id)!;
            await w.add('residents', {
              id: p.id,
              householdId,
              communityId: c.id,
              name: p.name,
              namePinyin: py.full,
              nameInitials: py.initials,
              sex: p.sex,
              birthDate: p.birthDate,
              docType: p.docType,
              docNumber: p.docNumber,
              phone: p.phone,
              category: p.category,
              notes: p.notes,
              guardianId: p.guardianId,
              status: s.status,
              currentEpisodeId: s.currentEpisodeId,
              startDate: s.startDate,
              lastDay: s.lastDay,
              releaseDate: s.releaseDate,
              latestTemperature: s.latestTemperature,
              importBatchId: null,
              version: 1,
              createdAt: s.createdAt,
              updatedAt: s.createdAt,
            });
          }
          for (const r of act.episodes) await w.add('episodes', r);
          for (const r of act.checkins) await w.add('checkins', r);
          for (const r of act.tests) await w.add('tests', r);
          for (const r of act.alerts) await w.add('alerts', r);
          if (full) {
            const sup: SupplyRows = { requests: [], items: [], transitions: [] };
            householdSupplies(supplyEnv, { id: householdId, communityId: c.id, compoundId: c.compoundIds[j] }, people, act.from, act.to, sup);
            for (const r of sup.requests) await w.add('supplyRequests', r);
            for (const r of sup.items) await w.add('supplyItems', r);
            for (const r of sup.transitions) await w.add('supplyTransitions', r);
            const household = { id: householdId, communityId: c.id, compoundId: c.compoundIds[j] };
            const byResident = new Map<number, { id: number; startDate: string; status: EpisodeStatus; endedOn: string | null }[]>();
            for (const e of act.episodes) byResident.set(e.residentId, [...(byResident.get(e.residentId) ?? []), { id: e.id as number, startDate: e.startDate, status: e.status, endedOn: e.endedOn ?? null }]);
            const episodesOf = (id: number) => byResident.get(id) ?? [];
            const ro: RoundOut = { tests: [], alerts: [], exemptions: [] };
            const createdAtOf = (id: number) => act.states.get(id)!.createdAt;
            round!.household(household, people, episodesOf, createdAtOf, { username: staff.get(c.id)!.username, displayName: staff.get(c.id)!.displayName }, ro);
            for (const r of ro.exemptions) await w.add('roundExemptions', r);
            for (const r of ro.tests) await w.add('tests', r);
            for (const r of ro.alerts) await w.add('alerts', r);
            const no: NeedsOut = { needs: [], schedules: [], runs: [], supplies: { requests: [], items: [], transitions: [] } };
            needsSeed.household(household, people, episodesOf, createdAtOf, staff.get(c.id)!.username, no);
            for (const r of no.needs) await w.add('residentNeeds', r);
            for (const r of no.schedules) await w.add('needSchedules', r);
            for (const r of no.supplies.requests) await w.add('supplyRequests', r);
            for (const r of no.supplies.items) await w.add('supplyItems', r);
            for (const r of no.supplies.transitions) await w.add('supplyTransitions', r);
            for (const r of no.runs) await w.add('needScheduleRuns', r);
            const list = householdsOf.get(household.compoundId) ?? [];
            list.push({ id: householdId, from: act.from });
            householdsOf.set(household.compoundId, list);
          }
          done += size;
          if (opts.onProgress && done - reported >= opts.residents / 20) {
            reported = done;
            opts.onProgress(done, opts.residents);
          }
        }
      }
    }
    if (full) {
      const work = makeRoster({
        rng: frng,
        today: todayDate,
        days: opts.days,
        nowMs: now.getTime(),
        roundDate: round?.date ?? null,
        roster,
        communities,
        households: householdsOf,
        staffUser: (communityId) => staff.get(communityId)!.username,
        nextShift: () => ids.next('cadreShifts'),
        nextVisit: () => ids.next('doorVisits'),
      });
      for (const r of work.shifts) await w.add('cadreShifts', r);
      for (const r of work.visits) await w.add('doorVisits', r);
      // A cadre's login (我的任务): of the 市国资委 group, the member on duty with the most work today and tomorrow.
      const group = groups.groups.find((g) => g.homeUnit === '市国资委');
      const busy = (id: number) => work.shifts.filter((x) => x.cadreId === id && x.date >= todayDate).length + work.visits.filter((x) => x.cadreId === id && x.plannedDate >= todayDate).length;
      const pick = (group ? groups.members.get(group.id as number)! : [])
        .map((id) => roster.cadres.find((k) => k.id === id)!)
        .filter((k) => k.status === 'on_duty')
        .map((k) => ({ k, n: busy(k.id as number) }))
        .sort((a, b) => b.n - a.n || (a.k.id as number) - (b.k.id as number))[0];
      if (pick) {
        const community = communities.find((c) => c.id === pick.k.communityId)!.name;
        accounts.push({ username: `${prefix}cadre`, displayName: pick.k.name, role: 'cadre', community });
        await w.add('users', { id: ids.next('users'), username: `${prefix}cadre`, displayName: pick.k.name, role: 'cadre', communityId: null, cadreId: pick.k.id as number, passwordHash: cadreHash, failedLogins: 0, lockedUntil: null, active: 1, version: 1, createdAt: setupAt, updatedAt: setupAt });
      }
    }
    await w.flushAll();
    // cadres.group_id last: the groups refer to their leaders, the cadres to their groups.
    for (const [groupId, memberIds] of groups.members) await trx.updateTable('cadres').set({ groupId }).where('id', 'in', memberIds).execute();
    // The rows above carry their own ids: PostgreSQL's id sequences are moved past them (SQLite needs nothing).
    await syncIdSequences(trx);
    await audit(tx, {
      action: 'demo.seed',
      entity: 'database',
      extra: { seed: opts.seed, residents: opts.residents, days: opts.days, today: todayDate, full, counts: w.counts },
    });
    return {
      today: todayDate,
      district: root.district,
      subdistrict: root.subdistrict,
      communities: communities.map((c) => ({ id: c.id, name: c.name })),
      accounts: full ? accounts : [],
      counts: w.counts,
      roundTests: round?.tests ?? 0,
    };
  });
}

function placeRow(id: number, parentId: number, level: PlacesTable['level'], name: string, at: string): Insertable<PlacesTable> {
  return { id, parentId, level, name, version: 1, createdAt: at, updatedAt: at };
}

/** Walks a compound's buildings → units → floors → doors, skipping rooms at random (not every flat is isolating). */
class RoomCursor {
  private compoundId: number;
  private compound: string;
  private rng: Rng;
  private floors: number;
  private units = 0;
  private building = 0;
  private unit = 0;
  private floor = 0;
  private door = 2;
  private buildingId = 0;
  private unitId = 0;

  constructor(compoundId: number, compound: string, rng: Rng) {
    this.compoundId = compoundId;
    this.compound = compound;
    this.rng = rng;
    this.floors = isWalkUp(compound) ? rng.int(5, 6) : rng.pick([11, 18, 18, 26]);
    // Start past the last door of the last floor, so the first room opens building 1, unit 1.
    this.floor = this.floors;
  }

  next(nextId: () => number, at: string): { roomId: number; address: string; places: Insertable<PlacesTable>[] } {
    const places: Insertable<PlacesTable>[] = [];
    do {
      if (++this.door > 2) {
        this.door = 1;
        if (++this.floor > this.floors) {
          this.floor = 1;
          if (++this.unit > this.units) {
            this.unit = 1;
            this.building++;
            this.units = this.rng.int(2, 4);
            this.buildingId = nextId();
            places.push(placeRow(this.buildingId, this.compoundId, 'building', `${this.building}号楼`, at));
          }
          this.unitId = nextId();
          places.push(placeRow(this.unitId, this.buildingId, 'unit', `${this.unit}单元`, at));
        }
      }
    } while (this.rng.chance(0.35));
    const room = `${this.floor}${String(this.door).padStart(2, '0')}`;
    const roomId = nextId();
    places.push(placeRow(roomId, this.unitId, 'room', room, at));
    return { roomId, address: `${this.compound}${this.building}号楼${this.unit}单元${room}`, places };
  }
}
