// Purpose limitation (domain.md, Personal data): people whose last episode ended more than `retentionDays` ago (and who
// have no running one) are deleted with everything about them. Their audit entries keep who/when/what but no personal
// values; the purge itself leaves one audit record with counts only. purgeRun.ts adds compaction and the backups.
import type { Ctx } from './context.ts';
import { audit, auditReanchor, scrubAuditRows } from './audit.ts';
import { REANCHOR_ACTION, SCRUBBED_DETAILS } from '../db/audit-chain.ts';
import { today } from './clock.ts';
import { addDays } from './dates.ts';
import type { DocType } from '../db/schema.ts';

export interface PurgeCounts {
  residents: number;
  episodes: number;
  extensions: number;
  checkins: number;
  tests: number;
  alerts: number;
  households: number;
  supplyRequests: number;
  supplyItems: number;
  supplyTransitions: number;
  /** Audit entries whose details were replaced by {"purged":true}. */
  auditScrubbed: number;
}

/** Who was purged, so the same people can be found in backups (by id, or by document when ids differ). */
export interface PurgedIdentity {
  id: number;
  docType: DocType;
  docNumber: string | null;
}

interface PurgeSet {
  residents: PurgedIdentity[];
  /** Guardians kept because a person in their care is not purged yet. */
  heldBack: number;
  episodeIds: number[];
  extensionIds: number[];
  checkinIds: number[];
  testIds: number[];
  alertIds: number[];
  householdIds: number[];
  requestIds: number[];
  supplyItems: number;
  supplyTransitions: number;
  auditIds: number[];
}

export { SCRUBBED_DETAILS };

/** People whose last episode ended before this date are purgeable ("ended more than N days ago"). */
export function purgeCutoff(todayDate: string, retentionDays: number): string {
  return addDays(todayDate, -retentionDays);
}

function chunks<T>(xs: T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function idsWhere(ctx: Ctx, table: 'episodes' | 'checkins' | 'tests' | 'alerts', residentIds: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const c of chunks(residentIds)) {
    const rows = await ctx.db.selectFrom(table).select('id').where('residentId', 'in', c).execute();
    for (const r of rows) out.push(r.id);
  }
  return out;
}

/** Residents matching the retention rule, plus (in backups) the people already purged from the live file. */
async function collect(ctx: Ctx, cutoff: string | null, also: PurgedIdentity[] = []): Promise<PurgeSet> {
  const chosen = new Set<number>();
  if (cutoff) {
    const active = ctx.db.selectFrom('episodes').select('residentId').where('status', '=', 'active');
    const rows = await ctx.db
      .selectFrom('episodes')
      .select('residentId')
      .where('residentId', 'not in', active)
      .groupBy('residentId')
      .having((eb) => eb(eb.fn.max(eb.fn.coalesce('endedOn', 'releaseDate')), '<', cutoff))
      .execute();
    for (const r of rows) chosen.add(r.residentId);
  }
  // A guardian stays while a person in their care (an infant without documents) is not purged.
  const guarded = await ctx.db.selectFrom('residents').select(['id', 'guardianId']).where('guardianId', 'is not', null).execute();
  let heldBack = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of guarded) {
      if (g.guardianId !== null && chosen.has(g.guardianId) && !chosen.has(g.id)) {
        chosen.delete(g.guardianId);
        heldBack++;
        changed = true;
      }
    }
  }
  const forced = new Set<number>();
  for (const p of also) forced.add(p.id);
  for (const c of chunks(also.filter((p) => p.docNumber))) {
    for (const p of c) {
      const r = await ctx.db.selectFrom('residents').select('id').where('docType', '=', p.docType).where('docNumber', '=', p.docNumber).executeTakeFirst();
      if (r) forced.add(r.id);
    }
  }
  for (const c of chunks([...forced])) {
    for (const r of await ctx.db.selectFrom('residents').select('id').where('id', 'in', c).execute()) chosen.add(r.id);
  }
  const ids = [...chosen];
  const residents: PurgedIdentity[] = [];
  const households = new Set<number>();
  for (const c of chunks(ids)) {
    for (const r of await ctx.db.selectFrom('residents').select(['id', 'docType', 'docNumber', 'householdId']).where('id', 'in', c).execute()) {
      residents.push({ id: r.id, docType: r.docType, docNumber: r.docNumber });
      households.add(r.householdId);
    }
  }
  // A household goes only when nobody else lives there.
  for (const c of chunks([...households])) {
    for (const r of await ctx.db.selectFrom('residents').select(['id', 'householdId']).where('householdId', 'in', c).execute()) {
      if (!chosen.has(r.id)) households.delete(r.householdId);
    }
  }
  const householdIds = [...households];
  const episodeIds = await idsWhere(ctx, 'episodes', ids);
  const extensionIds: number[] = [];
  for (const c of chunks(episodeIds)) {
    for (const r of await ctx.db.selectFrom('episodeExtensions').select('id').where('episodeId', 'in', c).execute()) extensionIds.push(r.id);
  }
  const requestIds: number[] = [];
  for (const c of chunks(householdIds)) {
    for (const r of await ctx.db.selectFrom('supplyRequests').select('id').where('householdId', 'in', c).execute()) requestIds.push(r.id);
  }
  let supplyItems = 0;
  let supplyTransitions = 0;
  for (const c of chunks(requestIds)) {
    const i = await ctx.db.selectFrom('supplyItems').select((eb) => eb.fn.countAll<number>().as('n')).where('requestId', 'in', c).executeTakeFirstOrThrow();
    const t = await ctx.db.selectFrom('supplyTransitions').select((eb) => eb.fn.countAll<number>().as('n')).where('requestId', 'in', c).executeTakeFirstOrThrow();
    supplyItems += Number(i.n);
    supplyTransitions += Number(t.n);
  }
  const set: PurgeSet = {
    residents,
    heldBack,
    episodeIds,
    extensionIds,
    checkinIds: await idsWhere(ctx, 'checkins', ids),
    testIds: await idsWhere(ctx, 'tests', ids),
    alertIds: await idsWhere(ctx, 'alerts', ids),
    householdIds,
    requestIds,
    supplyItems,
    supplyTransitions,
    auditIds: [],
  };
  set.auditIds = await auditRowsAbout(ctx, set);
  return set;
}

/** Every string inside a JSON value. */
function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

/**
 * Audit entries about the purged: by resident, by purged record, and (a net for entries of other areas) any entry
 * whose details hold a purged document number, or — when it is about no resident — a purged phone or exact name.
 */
async function auditRowsAbout(ctx: Ctx, s: PurgeSet): Promise<number[]> {
  const ids = new Set<number>();
  const residentIds = s.residents.map((r) => r.id);
  for (const c of chunks(residentIds)) {
    for (const r of await ctx.db.selectFrom('auditLog').select('id').where('residentId', 'in', c).execute()) ids.add(r.id);
  }
  const byEntity: [string, number[]][] = [
    ['resident', residentIds],
    ['episode', s.episodeIds],
    ['checkin', s.checkinIds],
    ['test', s.testIds],
    ['alert', s.alertIds],
    ['household', s.householdIds],
    ['supply_request', s.requestIds],
  ];
  for (const [entity, list] of byEntity) {
    for (const c of chunks(list)) {
      for (const r of await ctx.db.selectFrom('auditLog').select('id').where('entity', '=', entity).where('entityId', 'in', c).execute()) ids.add(r.id);
    }
  }
  const docs = new Set<string>();
  const phones = new Set<string>();
  const names = new Set<string>();
  for (const c of chunks(residentIds)) {
    for (const r of await ctx.db.selectFrom('residents').select(['docNumber', 'phone', 'name']).where('id', 'in', c).execute()) {
      if (r.docNumber && r.docNumber.length >= 6) docs.add(r.docNumber.toUpperCase());
      if (r.phone) phones.add(r.phone);
      names.add(r.name);
    }
  }
  if (!residentIds.length) return [...ids];
  const TOKEN = /[0-9A-Za-z]{6,}/g;
  let after = 0;
  for (;;) {
    const page = await ctx.db
      .selectFrom('auditLog')
      .select(['id', 'residentId', 'details', 'action'])
      .where('id', '>', after)
      .where('details', 'is not', null)
      .orderBy('id')
      .limit(2000)
      .execute();
    if (!page.length) break;
    after = page[page.length - 1].id;
    for (const r of page) {
      // A re-anchor names audit row ids only, and verify needs its list: never scrubbed.
      if (ids.has(r.id) || !r.details || r.details === SCRUBBED_DETAILS || r.action === REANCHOR_ACTION) continue;
      let strings: string[];
      try {
        strings = stringsIn(JSON.parse(r.details));
      } catch {
        strings = [r.details];
      }
      const unattributed = r.residentId === null;
      const hit = strings.some((str) => {
        if (unattributed && names.has(str.trim())) return true;
        for (const t of str.match(TOKEN) ?? []) {
          const u = t.toUpperCase();
          if (docs.has(u) || (unattributed && phones.has(u))) return true;
        }
        return false;
      });
      if (hit) ids.add(r.id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

function countsOf(s: PurgeSet): PurgeCounts {
  return {
    residents: s.residents.length,
    episodes: s.episodeIds.length,
    extensions: s.extensionIds.length,
    checkins: s.checkinIds.length,
    tests: s.testIds.length,
    alerts: s.alertIds.length,
    households: s.householdIds.length,
    supplyRequests: s.requestIds.length,
    supplyItems: s.supplyItems,
    supplyTransitions: s.supplyTransitions,
    auditScrubbed: s.auditIds.length,
  };
}

export interface PurgePreview {
  cutoff: string;
  retentionDays: number;
  counts: PurgeCounts;
  heldBack: number;
}

export async function previewPurgeAt(ctx: Ctx, retentionDays: number): Promise<PurgePreview> {
  const cutoff = purgeCutoff(today(ctx.clock), retentionDays);
  const s = await collect(ctx, cutoff);
  return { cutoff, retentionDays, counts: countsOf(s), heldBack: s.heldBack };
}

/** The residents a purge at this cutoff would take (for the export made before it). */
export async function purgeableResidentIds(ctx: Ctx, cutoff: string): Promise<number[]> {
  return (await collect(ctx, cutoff)).residents.map((r) => r.id);
}

export interface PurgeDone {
  counts: PurgeCounts;
  heldBack: number;
  purged: PurgedIdentity[];
}

/**
 * Deletes the set and scrubs its audit entries. MUST run inside the caller's transaction (ctx.db a transaction): the
 * audit triggers allow DELETE only while audit_purge_gate has a row, and that row must never be seen committed.
 * `cutoff` null purges only `also` (a backup, where the people already purged from the live file must go too).
 */
export async function purgeInTransaction(ctx: Ctx, cutoff: string | null, also: PurgedIdentity[], record: Record<string, unknown>): Promise<PurgeDone> {
  if (!ctx.db.isTransaction) throw new Error('purgeInTransaction needs a transaction');
  const s = await collect(ctx, cutoff, also);
  const residentIds = s.residents.map((r) => r.id);
  await ctx.db.insertInto('auditPurgeGate').values({ id: 1 }).execute();
  const scrubbed = await scrubAuditRows(ctx, s.auditIds);
  for (const c of chunks(s.alertIds)) await ctx.db.deleteFrom('alerts').where('id', 'in', c).execute();
  for (const c of chunks(s.testIds)) await ctx.db.deleteFrom('tests').where('id', 'in', c).execute();
  for (const c of chunks(s.checkinIds)) await ctx.db.deleteFrom('checkins').where('id', 'in', c).execute();
  for (const c of chunks(s.extensionIds)) await ctx.db.deleteFrom('episodeExtensions').where('id', 'in', c).execute();
  // Links inside the purged set would make a chunked delete trip the foreign keys half-way: cut them first.
  for (const c of chunks(s.episodeIds)) await ctx.db.updateTable('episodes').set({ previousEpisodeId: null }).where('id', 'in', c).execute();
  for (const c of chunks(s.episodeIds)) await ctx.db.deleteFrom('episodes').where('id', 'in', c).execute();
  for (const c of chunks(residentIds)) await ctx.db.updateTable('residents').set({ guardianId: null }).where('guardianId', 'in', c).execute();
  // A test round's exemptions of the person (外出, 卧床上门采样 …) go with them; flags and schedules cascade.
  for (const c of chunks(residentIds)) await ctx.db.deleteFrom('roundExemptions').where('residentId', 'in', c).execute();
  for (const c of chunks(residentIds)) await ctx.db.deleteFrom('residents').where('id', 'in', c).execute();
  for (const c of chunks(s.requestIds)) {
    await ctx.db.deleteFrom('supplyItems').where('requestId', 'in', c).execute();
    await ctx.db.deleteFrom('supplyTransitions').where('requestId', 'in', c).execute();
    await ctx.db.deleteFrom('supplyRequests').where('id', 'in', c).execute();
  }
  // Door visits (what a cadre found at the door) go with their household.
  for (const c of chunks(s.householdIds)) await ctx.db.deleteFrom('doorVisits').where('householdId', 'in', c).execute();
  for (const c of chunks(s.householdIds)) await ctx.db.deleteFrom('households').where('id', 'in', c).execute();
  await ctx.db.deleteFrom('auditPurgeGate').execute();
  const counts = countsOf(s);
  await auditReanchor(ctx, scrubbed, { reason: 'purge.run', cutoff, counts });
  await audit(ctx, { action: 'purge.run', entity: 'purge', extra: { ...record, counts, heldBack: s.heldBack } });
  return { counts, heldBack: s.heldBack, purged: s.residents };
}
