// Writes an analysed resident list in ONE transaction: all-or-nothing (default: any rejected row → nothing written)
// or valid-only. New people go through the lean batch path; known people through updateResident; every write audited.
import type { Ctx } from '../../domain/context.ts';
import { inTx } from '../../domain/context.ts';
import { audit } from '../../domain/audit.ts';
import { nowIso } from '../../domain/clock.ts';
import { ensureCommunity, type PlaceCreated } from '../../domain/places.ts';
import { updateResident, type ResidentPatch } from '../../domain/residents.ts';
import { createIsolatedResidentsBatch, ensureHouseholdsBatch, startEpisodesBatch } from '../../domain/residents-batch.ts';
import type { JobProgress } from '../../jobs/context.ts';
import type { ResidentAnalysis, PlannedResident } from './residents.ts';
import { planResidents, type ExistingPerson } from './plan.ts';
import type { RowIssue } from './issues.ts';

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

const STEP = 2000;

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

export async function commitResidents(ctx: Ctx, a: ResidentAnalysis, opts: { mode: ImportMode; fileName: string }, hooks: CommitHooks = {}): Promise<ImportSummary> {
  const base = { errors: a.errors, warnings: [...a.warnings] };
  if ((opts.mode === 'all-or-nothing' && a.errors.length > 0) || a.people.length === 0) {
    const plan = await planResidents(ctx, a.people, { newHouseholds: false });
    return { status: 'rejected', batchId: null, imported: 0, updated: 0, skipped: 0, households: 0, ...base, warnings: [...base.warnings, ...plan.warnings], newPlaces: plan.newPlaces };
  }
  const tick = (done: number) => hooks.progress?.({ done, total: a.people.length, phase: '写入' });
  return inTx(ctx, async (tx) => {
    // The first statement writes, so the transaction holds the write lock before reading what it will change.
    const batch = await tx.db
      .insertInto('importBatches')
      .values({ kind: 'residents', fileName: opts.fileName, userName: tx.actor.username, at: nowIso(tx.clock), counts: '{}', undoneAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await planResidents(tx, a.people, { newHouseholds: false });
    const created: PlaceCreated[] = [];
    for (const [name, id] of plan.communities) if (id === null) plan.communities.set(name, await ensureCommunity(tx, name, created));
    const all = [...plan.create, ...plan.update.map((u) => u.p), ...plan.skip.map((s) => s.p)];
    const homes = await ensureHouseholdsBatch(tx, all.map((p) => ({ communityId: plan.communities.get(p.community)!, ...p.address })), created);
    hooks.checkCancelled?.();

    let done = 0;
    for (let i = 0; i < plan.create.length; i += STEP) {
      const part = plan.create.slice(i, i + STEP);
      await createIsolatedResidentsBatch(
        tx,
        part.map((p, j) => ({ value: p.value, householdId: homes[i + j].id, communityId: homes[i + j].communityId, startDate: p.startDate })),
        { importBatchId: batch.id },
      );
      tick((done += part.length));
      hooks.checkCancelled?.();
    }
    let touched = 0;
    const known = [...plan.update, ...plan.skip];
    for (let i = 0; i < known.length; i++) {
      const { p, existing } = known[i];
      const patch = patchFor(existing, p, homes[plan.create.length + i].id);
      if (patch) {
        await updateResident(tx, patch);
        touched++;
      }
      tick(++done);
      if (done % STEP === 0) hooks.checkCancelled?.();
    }
    await startEpisodesBatch(
      tx,
      plan.update.map(({ p, existing }) => ({ residentId: existing.id, startDate: p.startDate, category: p.categoryGiven ? p.value.category : existing.category })),
      { importBatchId: batch.id },
    );
    hooks.checkCancelled?.();

    const summary: ImportSummary = {
      status: 'written',
      batchId: batch.id,
      imported: plan.create.length,
      updated: plan.update.length,
      skipped: plan.skip.length,
      households: plan.households,
      errors: a.errors,
      warnings: [...a.warnings, ...plan.warnings],
      newPlaces: plan.newPlaces,
    };
    const counts = {
      rows: a.dataRows,
      imported: summary.imported,
      updated: summary.updated,
      skipped: summary.skipped,
      households: summary.households,
      newHouseholds: new Set(homes.filter((h) => h.isNew).map((h) => h.id)).size,
      errors: a.errors.length,
      warnings: summary.warnings.length,
      mode: opts.mode,
      // Existing people this batch changed: an undo could not put them back, so it is refused while this is > 0.
      existingChanged: touched + plan.update.length,
      createdPlaces: created.filter((c) => c.level === 'community' || c.level === 'compound'),
    };
    await tx.db.updateTable('importBatches').set({ counts: JSON.stringify(counts) }).where('id', '=', batch.id).execute();
    await audit(tx, { action: 'import.residents', entity: 'import_batch', entityId: batch.id, extra: { fileName: opts.fileName, ...counts, createdPlaces: counts.createdPlaces.length } });
    tick(a.people.length);
    return summary;
  });
}
