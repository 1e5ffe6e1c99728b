// Residents (居民) detail: everything about one person for the drawer, and revealing a masked value (audited).
import type { Ctx } from './context.ts';
import { audit } from './audit.ts';
import { assertInScope, can } from './actor.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { maskBirthDate, maskDetails } from '../shared/idcard.ts';
import { parseAlertReason, type AlertReasonParts } from './alertReason.ts';
import { getResidentRow, listResidents, type ResidentRow } from './residents-list.ts';

export interface ResidentDetail {
  /** birthDate is masked to the year (1985-**-**) like the ID number whose hidden digits it is; revealed with it. */
  resident: ResidentRow & { birthDate: string | null; notes: string | null; guardianId: number | null };
  household: ResidentRow[];
  episodes: {
    id: number;
    version: number;
    kind: string;
    startDate: string;
    lastDay: string;
    releaseDate: string;
    status: string;
    endedOn: string | null;
    endReason: string | null;
    overrideReason: string | null;
    testDays: number[];
    extensions: { previousLastDay: string; newLastDay: string; reason: string; userName: string; at: string }[];
  }[];
  checkins: {
    id: number;
    version: number;
    date: string;
    slot: string;
    temperature: number | null;
    symptoms: string[];
    testType: string | null;
    testResult: string | null;
    healthCode: string | null;
    abnormal: boolean;
    recordedBy: string;
    notes: string | null;
  }[];
  tests: { id: number; sampleDate: string; testType: string; result: string; source: string }[];
  alerts: { id: number; date: string; reason: string; reasonParts: AlertReasonParts | null; status: string; action: string | null; actionNote: string | null }[];
  supplies: { id: number; category: string; urgency: string; status: string; createdAt: string; items: string }[];
  history: { id: number; at: string; userName: string; action: string; details: string | null }[];
}

/** Audit details as stored (resident.create keeps the full ID number, birth date and phone): masked before they leave the main process. */
function maskDetailsJson(details: string | null): string | null {
  if (!details) return details;
  try {
    return JSON.stringify(maskDetails(JSON.parse(details)));
  } catch {
    return null;
  }
}

/** Everything about one person for the detail drawer; personal values stay masked. Viewing is audited. */
export async function getResidentDetail(ctx: Ctx, id: number): Promise<ResidentDetail> {
  const row = await getResidentRow(ctx, id);
  const extra = await ctx.db.selectFrom('residents').select(['birthDate', 'notes', 'guardianId']).where('id', '=', id).executeTakeFirstOrThrow();
  const household = (await listResidents(ctx, { householdId: row.householdId, sortField: 'id', limit: 50, withTotal: false })).rows.filter((m) => m.id !== id);
  const episodes = await ctx.db.selectFrom('episodes').selectAll().where('residentId', '=', id).orderBy('startDate', 'desc').orderBy('id', 'desc').execute();
  const extensions = episodes.length
    ? await ctx.db.selectFrom('episodeExtensions').selectAll().where('episodeId', 'in', episodes.map((e) => e.id)).orderBy('id').execute()
    : [];
  const checkins = await ctx.db.selectFrom('checkins').selectAll().where('residentId', '=', id).orderBy('date', 'desc').orderBy('slot', 'desc').limit(60).execute();
  const tests = await ctx.db.selectFrom('tests').select(['id', 'sampleDate', 'testType', 'result', 'source']).where('residentId', '=', id).orderBy('sampleDate', 'desc').execute();
  const alerts = await ctx.db.selectFrom('alerts').select(['id', 'date', 'reason', 'status', 'action', 'actionNote']).where('residentId', '=', id).orderBy('id', 'desc').execute();
  const supplyRows = await ctx.db
    .selectFrom('supplyRequests')
    .select(['id', 'category', 'urgency', 'status', 'createdAt'])
    .where('householdId', '=', row.householdId)
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  // Item lines joined in JS (group_concat is SQLite-only; domain code stays dialect-portable).
  const items = supplyRows.length
    ? await ctx.db.selectFrom('supplyItems').select(['requestId', 'name', 'quantity']).where('requestId', 'in', supplyRows.map((s) => s.id)).orderBy('id').execute()
    : [];
  const supplies = supplyRows.map((s) => ({
    ...s,
    items: items
      .filter((i) => i.requestId === s.id)
      .map((i) => `${i.name} ${i.quantity}`.trim())
      .join('，'),
  }));
  const history = await ctx.db
    .selectFrom('auditLog')
    .select(['id', 'at', 'userName', 'action', 'details'])
    .where('residentId', '=', id)
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  await audit(ctx, { action: 'resident.view', entity: 'resident', entityId: id, residentId: id });
  return {
    resident: { ...row, ...extra, birthDate: maskBirthDate(extra.birthDate) },
    household,
    episodes: episodes.map((e) => ({
      id: e.id,
      version: e.version,
      kind: e.kind,
      startDate: e.startDate,
      lastDay: e.lastDay,
      releaseDate: e.releaseDate,
      status: e.status,
      endedOn: e.endedOn,
      endReason: e.endReason,
      overrideReason: e.overrideReason,
      testDays: JSON.parse(e.testDays) as number[],
      extensions: extensions
        .filter((x) => x.episodeId === e.id)
        .map((x) => ({ previousLastDay: x.previousLastDay, newLastDay: x.newLastDay, reason: x.reason, userName: x.userName, at: x.at })),
    })),
    checkins: checkins.map((c) => ({
      id: c.id,
      version: c.version,
      date: c.date,
      slot: c.slot,
      temperature: c.temperature,
      symptoms: JSON.parse(c.symptoms) as string[],
      testType: c.testType,
      testResult: c.testResult,
      healthCode: c.healthCode,
      abnormal: !!c.abnormal,
      recordedBy: c.recordedBy,
      notes: c.notes,
    })),
    tests,
    alerts: alerts.map((a) => ({ ...a, reasonParts: parseAlertReason(a.reason) })),
    supplies,
    history: history.map((h) => ({ ...h, details: maskDetailsJson(h.details) })),
  };
}

export interface Revealed {
  value: string | null;
  /** With the document number only: the full birth date (the ID number's hidden digits), shown together. */
  birthDate: string | null;
}

/**
 * Shows unmasked values: a phone (to call it), or the document number together with the birth date (to check a
 * document; the birth date is the ID number's hidden middle, so one is never shown without the other). Needs
 * residents.reveal and the person's community; each reveal is audited.
 */
export async function revealResident(ctx: Ctx, id: number, field: 'phone' | 'docNumber'): Promise<Revealed> {
  if (!can(ctx.actor, 'residents.reveal')) throw forbidden();
  const r = await ctx.db.selectFrom('residents').select(['communityId', 'phone', 'docNumber', 'birthDate']).where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('thing.resident');
  assertInScope(ctx.actor, r.communityId);
  if (field === 'phone') {
    await audit(ctx, { action: 'resident.reveal_phone', entity: 'resident', entityId: id, residentId: id });
    return { value: r.phone, birthDate: null };
  }
  await audit(ctx, { action: 'resident.reveal_document', entity: 'resident', entityId: id, residentId: id });
  return { value: r.docNumber, birthDate: r.birthDate };
}
