// What writing an analysed resident list would do to this database: who is new, who is updated, who already
// isolates (skipped), which places are new. Read-only; a handful of queries whatever the list's length.
import type { Ctx } from '../../domain/context.ts';
import { normaliseAddress } from '../../domain/households-batch.ts';
import { valueList } from '../../db/value-list.ts';
import type { Category } from '../../db/schema.ts';
import type { PlannedResident } from './residents.ts';
import type { RowIssue } from './issues.ts';
import type { StaleRow } from './confirm.ts';
import { getSettings, policyFor } from '../../domain/settings.ts';
import { periodDates } from '../../domain/episodes-days.ts';
import { guardianLinks, knownWards } from './guardians.ts';

import type { ExistingPerson } from './resident-types.ts';
export type { ExistingPerson } from './resident-types.ts';

export interface ResidentPlan {
  create: PlannedResident[];
  /** Known people without a running episode: details updated, new episode. */
  update: { p: PlannedResident; existing: ExistingPerson }[];
  /** Known people already isolating, or whose period from this start date is already recorded: details updated, no new episode. */
  skip: { p: PlannedResident; existing: ExistingPerson; activeSince: string }[];
  /** community name → id (null: to be created). */
  communities: Map<string, number | null>;
  newPlaces: { level: 'community' | 'compound'; name: string; community: string }[];
  households: number;
  /** How many of those households are not in the database yet (null when not asked for). */
  newHouseholds: number | null;
  warnings: RowIssue[];
  /** People who would start a home isolation whose last day is before today (a stale list), by row. */
  stale: StaleRow[];
  /** Rows of `stale` by the person's row number (the commit ends these episodes when asked to). */
  staleRows: Set<number>;
  /** A new ward's row → the index in `create` of their guardian, new in the same part (guardians.ts). */
  guardianIndex: Map<number, number>;
}

function chunks<T>(items: T[], size = 900): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `today`: the date a period must not have ended before (stale otherwise). `newHouseholds`: count the households not
 * in the database yet (the preview shows it; the commit counts what it creates).
 */
export async function planResidents(ctx: Pick<Ctx, 'db'>, people: PlannedResident[], opts: { today: string; newHouseholds?: boolean }): Promise<ResidentPlan> {
  const communities = new Map<string, number | null>();
  const known = await ctx.db.selectFrom('places').select(['id', 'name']).where('level', '=', 'community').execute();
  const byName = new Map(known.map((c) => [c.name, c.id]));
  for (const p of people) communities.set(p.community, byName.get(p.community) ?? null);

  // Everyone in the list who is already in the database, in one query per 10,000 numbers.
  const existing = new Map<string, ExistingPerson>();
  const numbers = [...new Set(people.map((p) => p.value.docNumber).filter((n): n is string => !!n))];
  for (const part of chunks(numbers, 10_000)) {
    const rows = await ctx.db
      .selectFrom('residents')
      .select(['id', 'version', 'name', 'docType', 'docNumber', 'phone', 'householdId', 'communityId', 'category', 'notes', 'status'])
      .where('docNumber', 'in', valueList(part, ctx.db))
      .execute();
    for (const r of rows) existing.set(`${r.docType}|${r.docNumber}`, r);
  }
  // People without a document found by name, birth date and guardian.
  const wards = await knownWards(ctx, people, existing);
  const active = new Map<number, string>();
  // Home isolations already recorded, ended or not: the same list imported again (one imported as already over, say)
  // does not record the same period twice.
  const recorded = new Set<string>();
  for (const part of chunks([...existing.values(), ...wards.values()].map((e) => e.id), 10_000)) {
    const rows = await ctx.db
      .selectFrom('episodes')
      .select(['residentId', 'startDate', 'status'])
      .where('residentId', 'in', valueList(part, ctx.db))
      .where((eb) => eb.or([eb('status', '=', 'active'), eb('kind', '=', 'home_isolation')]))
      .execute();
    for (const r of rows) {
      if (r.status === 'active') active.set(r.residentId, r.startDate);
      else recorded.add(`${r.residentId}|${r.startDate}`);
    }
  }

  const plan: ResidentPlan = { create: [], update: [], skip: [], communities, newPlaces: [], households: 0, newHouseholds: null, warnings: [], stale: [], staleRows: new Set(), guardianIndex: new Map() };
  const warn = (p: PlannedResident, code: string, reason: string) => plan.warnings.push({ row: p.row, column: '', cell: '', value: p.value.name, reason, code });
  for (const p of people) {
    const e = (existing.size === 0 ? undefined : existing.get(`${p.value.docType}|${p.value.docNumber}`)) ?? wards.get(p.row);
    if (!e) {
      plan.create.push(p);
      continue;
    }
    if (e.name !== p.value.name) warn(p, 'name-differs', `该证件号在系统中登记的姓名是“${e.name}”，与名单中的“${p.value.name}”不同；已保留系统中的姓名，请核实`);
    const since = active.get(e.id);
    if (since) {
      plan.skip.push({ p, existing: e, activeSince: since });
      warn(p, 'already-isolating', `${e.name} 已在隔离/监测中（开始于 ${since}），不重复开始；联系方式和住址按名单更新`);
    } else if (recorded.size && recorded.has(`${e.id}|${p.startDate}`)) {
      plan.skip.push({ p, existing: e, activeSince: p.startDate });
      warn(p, 'period-recorded', `${e.name} 开始于 ${p.startDate} 的隔离期已登记过（已结束），不重复登记；联系方式和住址按名单更新`);
    } else plan.update.push({ p, existing: e });
  }

  plan.guardianIndex = await guardianLinks(ctx, plan.create, existing);

  // A new home isolation (created or updated people) whose last day under its category's policy is already behind.
  const settings = await getSettings(ctx);
  // Period by (category, start date): a list has few of them, and date arithmetic is not free.
  const periods = new Map<string, { lastDay: string; releaseDate: string }>();
  const isStale = (p: PlannedResident, category: Category) => {
    const key = `${category}|${p.startDate}`;
    let period = periods.get(key);
    if (!period) periods.set(key, (period = periodDates(p.startDate, policyFor(settings, category).isolationDays)));
    const { lastDay, releaseDate } = period;
    if (lastDay < opts.today) {
      plan.stale.push({ row: p.row, name: p.value.name, startDate: p.startDate, lastDay, releaseDate });
      plan.staleRows.add(p.row);
    }
  };
  for (const p of plan.create) isStale(p, p.value.category);
  for (const { p, existing } of plan.update) isStale(p, p.categoryGiven ? p.value.category : existing.category);

  // New places and households: compounds under known communities, households by their display address.
  const knownIds = [...new Set([...communities.values()].filter((id): id is number => id !== null))];
  const compounds = new Set<string>();
  for (const part of chunks(knownIds)) {
    const rows = await ctx.db.selectFrom('places').select(['parentId', 'name']).where('level', '=', 'compound').where('parentId', 'in', part).execute();
    for (const r of rows) compounds.add(`${r.parentId}|${r.name}`);
  }
  // One key per household: community id + address (normaliseAddress's key), or for a community still to be created
  // its name; each household's display address is collected only to look up which households are new.
  const countNew = opts.newHouseholds !== false;
  const households = new Set<string>();
  const addresses: { communityId: number | null; address: string }[] = [];
  const newCompounds = new Map<string, { name: string; community: string }>();
  for (const p of [...plan.create, ...plan.update.map((u) => u.p), ...plan.skip.map((s) => s.p)]) {
    const id = communities.get(p.community) ?? null;
    const a = normaliseAddress({ communityId: id ?? 0, ...p.address });
    const key = id === null ? `\0${p.community}|${a.key}` : a.key;
    if (!households.has(key)) {
      households.add(key);
      if (countNew) addresses.push({ communityId: id, address: a.compound + a.building + a.unit + a.room });
    }
    if (id === null || !compounds.has(`${id}|${a.compound}`)) newCompounds.set(`${p.community}|${a.compound}`, { name: a.compound, community: p.community });
  }
  for (const [name, id] of communities) if (id === null) plan.newPlaces.push({ level: 'community', name, community: name });
  for (const c of newCompounds.values()) plan.newPlaces.push({ level: 'compound', ...c });
  plan.households = households.size;
  if (!countNew) return plan;
  const found = new Set<string>();
  const withIds = addresses.filter((h) => h.communityId !== null);
  for (const part of chunks(withIds)) {
    const rows = await ctx.db
      .selectFrom('households')
      .select(['communityId', 'address'])
      .where('communityId', 'in', [...new Set(part.map((h) => h.communityId!))])
      .where('address', 'in', part.map((h) => h.address))
      .execute();
    for (const r of rows) found.add(`${r.communityId}|${r.address}`);
  }
  plan.newHouseholds = addresses.filter((h) => h.communityId === null || !found.has(`${h.communityId}|${h.address}`)).length;
  return plan;
}
