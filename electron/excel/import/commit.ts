// Writes an analysed resident list in ONE transaction: all-or-nothing (default: any rejected row → nothing written)
// or valid-only. New people go through the lean batch path; known people through updateResident; every write audited.
import type { Ctx } from '../../domain/context.ts';
import { inTx } from '../../domain/context.ts';
import { sql } from 'kysely';
import { audit } from '../../domain/audit.ts';
import { nowIso, today } from '../../domain/clock.ts';
import { fail } from '../../shared/errors.ts';
import { ensureCommunity, type PlaceCreated } from '../../domain/places.ts';
import { updateResident, type ResidentPatch } from '../../domain/residents.ts';
import { createIsolatedResidentsBatch, releaseImportedBatch, startEpisodesBatch } from '../../domain/residents-batch.ts';
import { addImportedNeeds } from '../../domain/needs.ts';
import { ensureHouseholdsBatch, householdCache } from '../../domain/households-batch.ts';
import type { JobProgress } from '../../shared/progress.ts';
import type { ResidentAnalysis, PlannedResident } from './residents.ts';
import { planResidents, type ExistingPerson } from './plan.ts';
import type { RowIssue } from './issues.ts';
import { assertConfirmed, confirmationsOf } from './confirm-check.ts';
import { deferIndexes, IMPORT_DEFERRABLE_INDEXES, withIndexesDeferred } from '../../db/deferred-indexes.ts';
import { PendingCoverage } from '../../db/fresh-rows.ts';
import { isPostgres } from '../../db/engine.ts';
import { confirmationRequired, confirmedNames, type ImportConfirm } from './confirm.ts';

export type ImportMode = 'all-or-nothing' | 'valid-only';

export interface ImportSummary {
  /** 'rejected': nothing was written (a rejected row in all-or-nothing mode, or no valid row at all). */
  status: 'written' | 'rejected';
  batchId: number | null;
  /** New people created (each with a new home isolation). */
  imported: number;
  /** People already in the database: details updated, new home isolation started. */
  updated: number;
  /** People already isolating: details updated, no new episode (a warning each). */
  skipped: number;
  /** Of those imported or updated, people whose period was already over, written as released at its end (confirm.stale 'import-ended'). */
  endedOnImport: number;
  /** Households of the people written. */
  households: number;
  errors: RowIssue[];
  warnings: RowIssue[];
  newPlaces: { level: 'community' | 'compound'; name: string; community: string }[];
}

export interface CommitHooks {
  progress?: (p: JobProgress) => void;
  /** Throws to abandon; called between chunks inside the transaction, so abandoning rolls everything back. */
  checkCancelled?: () => void;
}

/** Known people updated between two cancel checks (each is an updateResident of its own). */
const STEP = 2000;
/**
 * People planned and written together. A list is written a part at a time: each part is looked up (who is known,
 * which places exist) after the earlier parts were written, and the places and households found or made are kept
 * across parts (householdCache), so a part costs what its own rows cost. On 50,000 rows, parts of 2,000 were
 * ~0.5 s faster than one part of everyone (same process, runs alternated: 3.7–5.2 s against 4.4–5.7 s on a busy
 * host); part sizes of 500–5,000 were alike within the noise.
 */
export const PART = 2000;

/** The patch that brings a known person in line with the list: contact details, address, category, notes. Never the name. */
function patchFor(e: ExistingPerson, p: PlannedResident, householdId: number): ResidentPatch | null {
  const patch: ResidentPatch = { id: e.id, version: e.version };
  let changed = false;
  if (p.value.phone && p.value.phone !== e.phone) {
    patch.phone = p.value.phone;
    changed = true;
  }
  if (householdId !== e.householdId) {
    patch.householdId = householdId;
    changed = true;
  }
  if (p.categoryGiven && p.value.category !== e.category) {
    patch.category = p.value.category;
    changed = true;
  }
  if (p.value.notes && p.value.notes !== e.notes) {
    patch.notes = p.value.notes;
    changed = true;
  }
  return changed ? patch : null;
}

export async function commitResidents(
  ctx: Ctx,
  a: ResidentAnalysis,
  opts: {
    mode: ImportMode;
    fileName: string;
    /** The clerk's choices for a foreign title, a stale list and new communities; without them such a list is refused (BLOCKED). */
    confirm?: ImportConfirm;
    /** People per part (tests vary it). */
    part?: number;
  },
  hooks: CommitHooks = {},
): Promise<ImportSummary> {
  const base = { errors: a.errors, warnings: [...a.warnings] };
  const todayDate = today(ctx.clock);
  if ((opts.mode === 'all-or-nothing' && a.errors.length > 0) || a.people.length === 0) {
    const plan = await planResidents(ctx, a.people, { today: todayDate, newHouseholds: false });
    return { status: 'rejected', batchId: null, imported: 0, updated: 0, skipped: 0, endedOnImport: 0, households: 0, ...base, warnings: [...base.warnings, ...plan.warnings], newPlaces: plan.newPlaces };
  }
  // Refused before anything is written while a choice is missing (checked again, part by part, inside the transaction).
  await assertConfirmed(ctx, a, opts.confirm, todayDate);
  const create = confirmedNames(opts.confirm);
  const total = a.people.length;
  const partSize = opts.part ?? PART;
  return inTx(ctx, async (tx) => {
    // The first statement writes, so the transaction holds the write lock before reading what it will change.
    const batch = await tx.db
      .insertInto('importBatches')
      .values({ kind: 'residents', fileName: opts.fileName, userName: tx.actor.username, at: nowIso(tx.clock), counts: '{}', undoneAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created: PlaceCreated[] = [];
    const cache = householdCache();
    const counts = { imported: 0, updated: 0, skipped: 0, touched: 0, ended: 0 };
    const warnings: RowIssue[] = [];
    const newPlaces: ImportSummary['newPlaces'] = [];
    // Household id → whether this import created it.
    const households = new Map<number, boolean>();
    let done = 0;
    // A list as large as what is there already (a whole subdistrict after a test round): the search indexes are built
    // once at the end instead of row by row (db/deferred-indexes.ts).
    const existing = isPostgres(tx.db) ? Infinity : Number((await sql<{ n: number }>`SELECT count(*) AS n FROM residents`.execute(tx.db)).rows[0].n);
    const deferred = deferIndexes(total, existing) ? IMPORT_DEFERRABLE_INDEXES : [];
    // The new people's coverage counts, added once for the whole list (before anything updates their episodes).
    const coverage = new PendingCoverage();
    await withIndexesDeferred(tx.db, deferred, async () => {
      for (let at = 0; at < a.people.length; at += partSize) {
        const plan = await planResidents(tx, a.people.slice(at, at + partSize), { today: todayDate, newHouseholds: false });
        if (plan.stale.length && !opts.confirm?.stale) throw confirmationRequired(confirmationsOf(a, plan.stale, opts.confirm), todayDate);
        for (const [name, id] of plan.communities) {
          if (id === null && !create.has(name)) throw fail('BLOCKED', 'import.unknownCommunity', { name });
        }
        warnings.push(...plan.warnings);
        // A place an earlier part created is known to this part's plan: each new place is listed once.
        newPlaces.push(...plan.newPlaces);
        for (const [name, id] of plan.communities) if (id === null) plan.communities.set(name, await ensureCommunity(tx, name, created));
        const all = [...plan.create, ...plan.update.map((u) => u.p), ...plan.skip.map((s) => s.p)];
        const homes = await ensureHouseholdsBatch(tx, all.map((p) => ({ communityId: plan.communities.get(p.community)!, ...p.address })), created, cache);
        for (const h of homes) households.set(h.id, h.isNew);
        hooks.checkCancelled?.();

        const createdIds = await createIsolatedResidentsBatch(
          tx,
          plan.create.map((p, j) => ({ value: p.value, householdId: homes[j].id, communityId: homes[j].communityId, startDate: p.startDate, guardianIndex: plan.guardianIndex.get(p.row) })),
          { importBatchId: batch.id, coverage },
        );
        hooks.progress?.({ done: (done += plan.create.length), total, phase: '写入' });
        hooks.checkCancelled?.();
        const known = [...plan.update, ...plan.skip];
        // A known person's update may move them, and a move's triggers take back their episodes' coverage: any still
        // pending (someone this import wrote, met again — a ward found by guardian, name and birth date) is added first.
        if (known.length) await coverage.flush(tx.db);
        for (let i = 0; i < known.length; i++) {
          const { p, existing } = known[i];
          const patch = patchFor(existing, p, homes[plan.create.length + i].id);
          if (patch) {
            await updateResident(tx, patch);
            counts.touched++;
          }
          hooks.progress?.({ done: ++done, total, phase: '写入' });
          if (done % STEP === 0) hooks.checkCancelled?.();
        }
        await startEpisodesBatch(
          tx,
          plan.update.map(({ p, existing }) => ({ residentId: existing.id, startDate: p.startDate, category: p.categoryGiven ? p.value.category : existing.category })),
          { importBatchId: batch.id },
        );
        // 特殊需求 the list gives: added to the flags of the people written or recognised (never removing any).
        await addImportedNeeds(tx, [...plan.create.map((p, j) => ({ residentId: createdIds[j], needs: p.needs })), ...known.map(({ p, existing }) => ({ residentId: existing.id, needs: p.needs }))]);
        if (opts.confirm?.stale === 'import-ended' && plan.stale.length) {
          const ended = [...plan.create.flatMap((p, j) => (plan.staleRows.has(p.row) ? [createdIds[j]] : [])), ...plan.update.filter((u) => plan.staleRows.has(u.p.row)).map((u) => u.existing.id)];
          // Their release's triggers take back what the episodes' coverage added: it must be there first.
          await coverage.flush(tx.db);
          await releaseImportedBatch(tx, ended, { importBatchId: batch.id });
          counts.ended += ended.length;
        }
        counts.imported += plan.create.length;
        counts.updated += plan.update.length;
        counts.skipped += plan.skip.length;
        hooks.checkCancelled?.();
      }
      await coverage.flush(tx.db);
      if (deferred.length) hooks.progress?.({ done: total, total, phase: '整理数据' });
    });
    // As one plan of the whole list lists them: the communities first, then the compounds.
    newPlaces.sort((x, y) => (x.level === y.level ? 0 : x.level === 'community' ? -1 : 1));

    const summary: ImportSummary = {
      status: 'written',
      batchId: batch.id,
      imported: counts.imported,
      updated: counts.updated,
      skipped: counts.skipped,
      endedOnImport: counts.ended,
      households: households.size,
      errors: a.errors,
      warnings: [...a.warnings, ...warnings],
      newPlaces,
    };
    const batchCounts = {
      rows: a.dataRows,
      imported: summary.imported,
      updated: summary.updated,
      skipped: summary.skipped,
      endedOnImport: summary.endedOnImport,
      households: summary.households,
      newHouseholds: [...households.values()].filter(Boolean).length,
      errors: a.errors.length,
      warnings: summary.warnings.length,
      mode: opts.mode,
      // Existing people this batch changed: an undo could not put them back, so it is refused while this is > 0.
      existingChanged: counts.touched + counts.updated,
      createdPlaces: created.filter((c) => c.level === 'community' || c.level === 'compound'),
    };
    await tx.db.updateTable('importBatches').set({ counts: JSON.stringify(batchCounts) }).where('id', '=', batch.id).execute();
    await audit(tx, { action: 'import.residents', entity: 'import_batch', entityId: batch.id, extra: { fileName: opts.fileName, ...batchCounts, createdPlaces: batchCounts.createdPlaces.length, confirm: opts.confirm ?? null } });
    hooks.progress?.({ done: total, total, phase: '写入' });
    return summary;
  });
}
