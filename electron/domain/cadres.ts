// Cadres sent down to the communities (下沉干部): roster, assignments to community and compounds, duty status.
// They are not necessarily app users; their delivery work is counted in lists and reports.
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope, can, scopeOf } from './actor.ts';
import { asMessage, forbidden, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { phoneWarning } from './residents.ts';
import { addDays, isIsoDate } from './dates.ts';
import { checkPhone, maskPhone, toHalfWidth } from '../shared/idcard.ts';
import type { CadreStatus } from '../db/schema.ts';
import { CADRE_STATUS_LABELS as CADRE_STATUS_WORDS, labelsIn } from '../shared/labels.ts';
import { updateVersioned } from './versioned.ts';

export const CADRE_STATUS_LABELS: Record<CadreStatus, string> = labelsIn(CADRE_STATUS_WORDS, 'zh');
/** Home units seen in the source situation; the field is free text, these are suggestions for the form. */
export const HOME_UNITS = ['市住建局', '市检察院', '市国资委', '市人防办', '市应急管理局', '市委编办', '市医疗保障局', '市体育局'];

/** Cadres on duty on `date` per community: status 在岗 and the date inside dutyFrom..dutyTo where those are set. */
export async function cadresOnDutyByCommunity(ctx: Ctx, date: string): Promise<Map<number, number>> {
  let q = ctx.db
    .selectFrom('cadres')
    .select((eb) => ['communityId', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'on_duty')
    .where('communityId', 'is not', null)
    .where((eb) => eb.or([eb('dutyFrom', 'is', null), eb('dutyFrom', '<=', date)]))
    .where((eb) => eb.or([eb('dutyTo', 'is', null), eb('dutyTo', '>=', date)]));
  const scope = scopeOf(ctx.actor);
  if (scope !== null) q = q.where('communityId', '=', scope);
  const out = new Map<number, number>();
  for (const r of await q.groupBy('communityId').execute()) if (r.communityId !== null) out.set(r.communityId, Number(r.n));
  return out;
}

export interface CadreInput {
  name: string;
  homeUnit: string;
  title?: string | null;
  phone?: string | null;
  communityId?: number | null;
  compoundIds?: number[];
  status?: CadreStatus;
  dutyFrom?: string | null;
  dutyTo?: string | null;
  notes?: string | null;
}

export interface CadreSaveResult {
  id: number;
  version: number;
  warnings: FieldIssue[];
}

const clean = (s: string | null | undefined) => toHalfWidth(String(s ?? '')).replace(/\s+/g, ' ').trim();

type CadreValues = {
  name: string;
  homeUnit: string;
  title: string | null;
  phone: string | null;
  communityId: number | null;
  status: CadreStatus;
  dutyFrom: string | null;
  dutyTo: string | null;
  notes: string | null;
};

/** Checks one cadre's fields and compounds; an unusual phone is a warning, not an error. */
async function normalise(ctx: Ctx, input: CadreInput, compoundIds: number[]): Promise<{ values: CadreValues; compoundIds: number[]; warnings: FieldIssue[] }> {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const name = clean(input.name);
  if (!name) errors.push(issue('name', 'rule.nameRequired'));
  if (name.length > 30) errors.push(issue('name', 'cadres.nameTooLong'));
  const homeUnit = clean(input.homeUnit);
  if (!homeUnit) errors.push(issue('homeUnit', 'cadres.homeUnitRequired'));
  if (homeUnit.length > 60) errors.push(issue('homeUnit', 'cadres.homeUnitTooLong'));
  const status = input.status ?? 'on_duty';
  if (!(status in CADRE_STATUS_LABELS)) errors.push(issue('status', 'cadres.statusBad'));
  for (const f of ['dutyFrom', 'dutyTo'] as const) {
    const v = input[f];
    if (v && !isIsoDate(v)) errors.push(issue(f, 'common.dateBad'));
  }
  if (input.dutyFrom && input.dutyTo && input.dutyFrom > input.dutyTo) errors.push(issue('dutyTo', 'cadres.dutyToBeforeFrom'));
  const phone = checkPhone(input.phone);
  if (phone.warning) warnings.push(phoneWarning(phone.phone));
  const communityId = input.communityId ?? null;
  const ids = [...new Set(compoundIds)];
  if (communityId !== null) {
    assertInScope(ctx.actor, communityId);
    const c = await ctx.db.selectFrom('places').select('id').where('id', '=', communityId).where('level', '=', 'community').executeTakeFirst();
    if (!c) errors.push(issue('communityId', 'places.noSuchCommunity'));
  } else if (ids.length) errors.push(issue('compoundIds', 'cadres.communityFirst'));
  if (ids.length && communityId !== null) {
    const found = await ctx.db.selectFrom('places').select('id').where('id', 'in', ids).where('level', '=', 'compound').where('parentId', '=', communityId).execute();
    if (found.length !== ids.length) errors.push(issue('compoundIds', 'cadres.compoundsElsewhere'));
  }
  if (errors.length) throw invalid('common.cannotSave', { problems: errors.map(asMessage) }, errors);
  return {
    values: {
      name,
      homeUnit,
      title: clean(input.title).slice(0, 30) || null,
      phone: phone.phone,
      communityId,
      status,
      dutyFrom: input.dutyFrom || null,
      dutyTo: input.dutyTo || null,
      notes: input.notes?.trim().slice(0, 500) || null,
    },
    compoundIds: ids,
    warnings,
  };
}

async function setCompounds(ctx: Ctx, cadreId: number, compoundIds: number[]) {
  await ctx.db.deleteFrom('cadreCompounds').where('cadreId', '=', cadreId).execute();
  if (compoundIds.length) await ctx.db.insertInto('cadreCompounds').values(compoundIds.map((compoundId) => ({ cadreId, compoundId }))).execute();
}

export async function createCadre(ctx: Ctx, input: CadreInput): Promise<CadreSaveResult> {
  return inTx(ctx, async (ctx) => {
    const n = await normalise(ctx, input, input.compoundIds ?? []);
    const at = nowIso(ctx.clock);
    const row = await ctx.db.insertInto('cadres').values({ ...n.values, createdAt: at, updatedAt: at }).returning(['id', 'version']).executeTakeFirstOrThrow();
    await setCompounds(ctx, row.id, n.compoundIds);
    await audit(ctx, { action: 'cadre.create', entity: 'cadre', entityId: row.id, after: { ...n.values, compoundIds: n.compoundIds } });
    return { id: row.id, version: row.version, warnings: n.warnings };
  });
}

export interface CadrePatch extends Partial<CadreInput> {
  id: number;
  version: number;
}

export async function updateCadre(ctx: Ctx, patch: CadrePatch): Promise<CadreSaveResult> {
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('cadres').selectAll().where('id', '=', patch.id).executeTakeFirst();
    if (!before) throw notFound('thing.cadre');
    if (before.communityId !== null) assertInScope(ctx.actor, before.communityId);
    const oldCompounds = (await ctx.db.selectFrom('cadreCompounds').select('compoundId').where('cadreId', '=', before.id).execute()).map((r) => r.compoundId);
    const pick = <K extends keyof CadreInput>(k: K, fallback: CadreInput[K]): CadreInput[K] => (patch[k] !== undefined ? (patch[k] as CadreInput[K]) : fallback);
    const communityId = pick('communityId', before.communityId) ?? null;
    // Moving to another community drops the compounds of the old one unless new ones are given.
    const compoundIds = patch.compoundIds ?? (communityId === before.communityId ? oldCompounds : []);
    const n = await normalise(
      ctx,
      {
        name: pick('name', before.name)!,
        homeUnit: pick('homeUnit', before.homeUnit)!,
        title: pick('title', before.title),
        phone: pick('phone', before.phone),
        communityId,
        status: pick('status', before.status),
        dutyFrom: pick('dutyFrom', before.dutyFrom),
        dutyTo: pick('dutyTo', before.dutyTo),
        notes: pick('notes', before.notes),
      },
      compoundIds,
    );
    await updateVersioned(ctx, 'cadres', before.id, patch.version, n.values, 'thing.cadreInfo');
    await setCompounds(ctx, before.id, n.compoundIds);
    const diff = changedFields({ ...before, compoundIds: oldCompounds } as Record<string, unknown>, { ...n.values, compoundIds: n.compoundIds });
    await audit(ctx, { action: 'cadre.update', entity: 'cadre', entityId: before.id, ...diff });
    const warnings = [...n.warnings];
    if (n.values.status !== 'on_duty' && before.status === 'on_duty') {
      const open = await ctx.db
        .selectFrom('supplyRequests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cadreId', '=', before.id)
        .where('status', 'in', ['assigned', 'delivering'])
        .executeTakeFirstOrThrow();
      if (Number(open.n) > 0) {
        warnings.push(issue('status', 'cadres.openSupplies', { name: n.values.name, count: Number(open.n) }));
      }
    }
    return { id: before.id, version: before.version + 1, warnings };
  });
}

export interface CadreRow {
  id: number;
  version: number;
  name: string;
  homeUnit: string;
  title: string | null;
  /** Masked (138****5678) like residents' phones. */
  phone: string | null;
  communityId: number | null;
  community: string | null;
  compounds: { id: number; name: string }[];
  status: CadreStatus;
  dutyFrom: string | null;
  dutyTo: string | null;
  /** 在岗 and the date within the duty dates. */
  onDuty: boolean;
  notes: string | null;
  /** Requests assigned to them and not yet delivered (已分派 + 配送中), now. */
  openAssigned: number;
  /** Requests they delivered on the list's date. */
  deliveredOnDate: number;
}

export interface CadreQuery {
  communityId?: number;
  status?: CadreStatus;
  /** Name, home unit or phone. */
  search?: string;
  /** The day the work counts are for (default today). */
  date?: string;
}

/** The roster (a few hundred people, not paged) with compounds and the day's work counts. */
export async function listCadres(ctx: Ctx, q: CadreQuery = {}): Promise<CadreRow[]> {
  const date = q.date ?? today(ctx.clock);
  let query = ctx.db
    .selectFrom('cadres as k')
    .leftJoin('places as c', 'c.id', 'k.communityId')
    .select([
      'k.id',
      'k.version',
      'k.name',
      'k.homeUnit',
      'k.title',
      'k.phone',
      'k.communityId',
      'c.name as community',
      'k.status',
      'k.dutyFrom',
      'k.dutyTo',
      'k.notes',
    ]);
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('k.communityId', '=', scope);
  if (q.communityId) query = query.where('k.communityId', '=', q.communityId);
  if (q.status) query = query.where('k.status', '=', q.status);
  const s = clean(q.search).replace(/\s+/g, '');
  if (s) {
    const esc = s.replace(/[\\%_]/g, (ch) => '\\' + ch);
    const like = sql<string>`${'%' + esc + '%'} ESCAPE '\\'`;
    // The phone by what the roster shows (first 3 or last 4 digits) or whole: a fragment of the masked middle would
    // let a search rebuild it digit by digit.
    const part = /^\d{1,4}$/.test(s);
    query = query.where((eb) =>
      eb.or([
        eb('k.name', 'like', like),
        eb('k.homeUnit', 'like', like),
        eb('k.title', 'like', like),
        eb('k.phone', '=', s),
        ...(part && s.length <= 3 ? [eb('k.phone', 'like', sql<string>`${esc + '%'} ESCAPE '\\'`)] : []),
        ...(part ? [eb('k.phone', 'like', sql<string>`${'%' + esc} ESCAPE '\\'`)] : []),
      ]),
    );
  }
  const rows = await query.orderBy('c.name').orderBy('k.homeUnit').orderBy('k.name').orderBy('k.id').execute();
  const ids = rows.map((r) => r.id);
  const compounds = new Map<number, { id: number; name: string }[]>();
  const open = new Map<number, number>();
  const delivered = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const cc = await ctx.db
      .selectFrom('cadreCompounds as cc')
      .innerJoin('places as p', 'p.id', 'cc.compoundId')
      .select(['cc.cadreId', 'p.id', 'p.name'])
      .where('cc.cadreId', 'in', chunk)
      .orderBy('p.name')
      .execute();
    for (const r of cc) compounds.set(r.cadreId, [...(compounds.get(r.cadreId) ?? []), { id: r.id, name: r.name }]);
    const o = await ctx.db
      .selectFrom('supplyRequests')
      .select((eb) => ['cadreId', eb.fn.countAll<number>().as('n')])
      .where('cadreId', 'in', chunk)
      .where('status', 'in', ['assigned', 'delivering'])
      .groupBy('cadreId')
      .execute();
    for (const r of o) if (r.cadreId !== null) open.set(r.cadreId, Number(r.n));
    const d = await ctx.db
      .selectFrom('supplyTransitions as t')
      .innerJoin('supplyRequests as s', 's.id', 't.requestId')
      .select((eb) => ['s.cadreId', eb.fn.count<number>('t.requestId').distinct().as('n')])
      .where('s.cadreId', 'in', chunk)
      .where('t.toStatus', '=', 'delivered')
      .where('t.at', '>=', date)
      .where('t.at', '<', addDays(date, 1))
      .groupBy('s.cadreId')
      .execute();
    for (const r of d) if (r.cadreId !== null) delivered.set(r.cadreId, Number(r.n));
  }
  return rows.map((r) => ({
    ...r,
    phone: maskPhone(r.phone),
    compounds: compounds.get(r.id) ?? [],
    onDuty: r.status === 'on_duty' && (!r.dutyFrom || r.dutyFrom <= date) && (!r.dutyTo || r.dutyTo >= date),
    openAssigned: open.get(r.id) ?? 0,
    deliveredOnDate: delivered.get(r.id) ?? 0,
  }));
}

/**
 * A cadre's full phone (to call them), like a resident's: needs cadres.reveal, and a committee member only for a
 * cadre of their own community (the ones their roster shows). Each reveal is audited.
 */
export async function revealCadrePhone(ctx: Ctx, id: number): Promise<{ value: string | null }> {
  if (!can(ctx.actor, 'cadres.reveal')) throw forbidden();
  const k = await ctx.db.selectFrom('cadres').select(['communityId', 'phone']).where('id', '=', id).executeTakeFirst();
  if (!k) throw notFound('thing.cadre');
  const scope = scopeOf(ctx.actor);
  if (scope !== null && k.communityId !== scope) throw forbidden('cadres.otherCommunityPhone');
  await audit(ctx, { action: 'cadre.reveal_phone', entity: 'cadre', entityId: id });
  return { value: k.phone };
}
