// Import batches: the list (paged) and undo. Undo deletes only what the batch created, and only while nothing has
// been recorded about its people since; a batch that changed people who were already there cannot be undone.
import type { Ctx } from '../../domain/context.ts';
import { inTx } from '../../domain/context.ts';
import { audit } from '../../domain/audit.ts';
import { nowIso } from '../../domain/clock.ts';
import { fail, forbidden, notFound } from '../../shared/errors.ts';
import { msg, type Message } from '../../shared/messages/index.ts';
import { scopeOf, type Actor } from '../../domain/actor.ts';
import type { PlaceLevel } from '../../db/schema.ts';
import { ENDED_ON_IMPORT } from '../../domain/residents-batch.ts';
import { mayFail } from '../../db/engine.ts';

export interface BatchRow {
  id: number;
  kind: 'residents' | 'tests';
  fileName: string;
  userName: string;
  at: string;
  counts: Record<string, unknown>;
  undoneAt: string | null;
}

/** A committee member (confined to one community) sees and undoes only the batches they imported themselves. */
function ownBatchesOnly(actor: Actor | undefined): string | null {
  return actor && scopeOf(actor) !== null ? actor.username : null;
}

export async function listBatches(ctx: Pick<Ctx, 'db'> & { actor?: Actor }, q: { offset?: number; limit?: number } = {}): Promise<{ rows: BatchRow[]; total: number }> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const owner = ownBatchesOnly(ctx.actor);
  const base = owner === null ? ctx.db.selectFrom('importBatches') : ctx.db.selectFrom('importBatches').where('userName', '=', owner);
  const rows = await base.selectAll().orderBy('id', 'desc').limit(limit).offset(Math.max(q.offset ?? 0, 0)).execute();
  const t = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { rows: rows.map((r) => ({ ...r, counts: JSON.parse(r.counts) as Record<string, unknown> })), total: Number(t.n) };
}

const refuse = (why: Message) => fail('BLOCKED', 'undo.refused', { why });

function chunks<T>(items: T[], size = 900): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True when probe finds a row for any chunk of ids. */
async function anyFor(ids: number[], probe: (part: number[]) => Promise<unknown>): Promise<boolean> {
  for (const part of chunks(ids)) if (await probe(part)) return true;
  return false;
}

export interface UndoResult {
  batchId: number;
  residents: number;
  episodes: number;
  households: number;
  tests: number;
  alerts: number;
}

export async function undoBatch(ctx: Ctx, batchId: number): Promise<UndoResult> {
  return inTx(ctx, async (tx) => {
    const b = await tx.db.selectFrom('importBatches').selectAll().where('id', '=', batchId).executeTakeFirst();
    if (!b) throw notFound('thing.importBatch');
    const owner = ownBatchesOnly(tx.actor);
    if (owner !== null && b.userName !== owner) throw forbidden('undo.ownOnly');
    if (b.undoneAt) throw refuse(msg('undo.already', { at: b.undoneAt }));
    const counts = JSON.parse(b.counts) as Record<string, unknown>;
    const result = b.kind === 'residents' ? await undoResidents(tx, b.id, b.at, counts) : await undoTests(tx, b.id);
    await tx.db.updateTable('importBatches').set({ undoneAt: nowIso(tx.clock) }).where('id', '=', b.id).execute();
    await audit(tx, { action: 'import.undo', entity: 'import_batch', entityId: b.id, extra: { kind: b.kind, fileName: b.fileName, ...result } });
    return result;
  });
}

async function undoResidents(tx: Ctx, batchId: number, at: string, counts: Record<string, unknown>): Promise<UndoResult> {
  const changed = Number(counts.existingChanged ?? 0);
  if (changed > 0) throw refuse(msg('undo.updatedExisting', { count: changed }));
  const people = await tx.db.selectFrom('residents').select(['id', 'version', 'householdId']).where('importBatchId', '=', batchId).execute();
  const ids = people.map((p) => p.id);
  if (people.some((p) => p.version !== 1)) throw refuse(msg('undo.residentsEdited'));
  const one = <T>(q: { limit(n: number): { executeTakeFirst(): Promise<T> } }) => q.limit(1).executeTakeFirst();
  const otherEpisodes = (part: number[]) =>
    one(
      tx.db
        .selectFrom('episodes')
        .select('id')
        .where('residentId', 'in', part)
        .where((eb) =>
          eb.or([
            eb('importBatchId', 'is', null),
            eb('importBatchId', '!=', batchId),
            eb('version', '!=', 1),
            // Running as written, or written as already over by this batch (its list arrived after the period).
            eb.and([eb('status', '!=', 'active'), eb.or([eb('endReason', 'is', null), eb('endReason', '!=', ENDED_ON_IMPORT)])]),
          ]),
        ),
    );
  if (await anyFor(ids, otherEpisodes)) throw refuse(msg('undo.episodesChanged'));
  if (await anyFor(ids, (part) => one(tx.db.selectFrom('checkins').select('id').where('residentId', 'in', part)))) throw refuse(msg('undo.hasCheckins'));
  if (await anyFor(ids, (part) => one(tx.db.selectFrom('tests').select('id').where('residentId', 'in', part)))) throw refuse(msg('undo.hasTests'));
  if (await anyFor(ids, (part) => one(tx.db.selectFrom('alerts').select('id').where('residentId', 'in', part)))) throw refuse(msg('undo.hasAlerts'));
  const householdIds = [...new Set(people.map((p) => p.householdId))];
  if (await anyFor(householdIds, (part) => one(tx.db.selectFrom('supplyRequests').select('id').where('householdId', 'in', part).where('createdAt', '>=', at)))) throw refuse(msg('undo.hasSupplies'));
  // A guardian of someone outside the batch; wards imported with their guardian go with them.
  const outsideWard = (part: number[]) =>
    one(tx.db.selectFrom('residents').select('id').where('guardianId', 'in', part).where((eb) => eb.or([eb('importBatchId', 'is', null), eb('importBatchId', '!=', batchId)])));
  if (await anyFor(ids, outsideWard)) throw refuse(msg('undo.isGuardian'));
  // Unlinked first: a guardian may be deleted in an earlier part than their ward.
  for (const part of chunks(ids)) await tx.db.updateTable('residents').set({ guardianId: null }).where('id', 'in', part).where('guardianId', 'is not', null).execute();

  let episodes = 0;
  let residents = 0;
  for (const part of chunks(ids)) {
    await tx.db.updateTable('residents').set({ currentEpisodeId: null }).where('id', 'in', part).execute();
    episodes += Number((await tx.db.deleteFrom('episodes').where('residentId', 'in', part).executeTakeFirst()).numDeletedRows);
    residents += Number((await tx.db.deleteFrom('residents').where('id', 'in', part).executeTakeFirst()).numDeletedRows);
  }
  // Households the batch created and nobody else lives in now, then the empty places above them.
  const emptyHouseholds: { id: number; roomId: number }[] = [];
  for (const part of chunks(householdIds)) {
    const rows = await tx.db
      .selectFrom('households as h')
      .select(['h.id', 'h.roomId'])
      .where('h.id', 'in', part)
      .where('h.createdAt', '>=', at)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('residents as r').select('r.id').whereRef('r.householdId', '=', 'h.id'))))
      .execute();
    emptyHouseholds.push(...rows);
  }
  for (const part of chunks(emptyHouseholds.map((h) => h.id))) await tx.db.deleteFrom('households').where('id', 'in', part).execute();
  let placeIds = emptyHouseholds.map((h) => h.roomId);
  const createdPlaces = (counts.createdPlaces as { id: number; level: PlaceLevel }[] | undefined) ?? [];
  for (const level of ['room', 'unit', 'building', 'compound', 'community'] as PlaceLevel[]) {
    if (level === 'compound' || level === 'community') placeIds = [...new Set([...placeIds, ...createdPlaces.filter((p) => p.level === level).map((p) => p.id)])];
    const parents = new Set<number>();
    for (const id of placeIds) {
      const p = await tx.db.selectFrom('places').select(['id', 'parentId', 'createdAt']).where('id', '=', id).where('level', '=', level).executeTakeFirst();
      if (!p || p.createdAt < at) continue;
      const child = await tx.db.selectFrom('places').select('id').where('parentId', '=', id).limit(1).executeTakeFirst();
      const home = await tx.db
        .selectFrom('households')
        .select('id')
        .where((eb) => eb.or([eb('roomId', '=', id), eb('compoundId', '=', id), eb('communityId', '=', id)]))
        .limit(1)
        .executeTakeFirst();
      if (child || home) continue;
      try {
        await mayFail(tx.db, () => tx.db.deleteFrom('places').where('id', '=', id).execute());
        if (p.parentId !== null) parents.add(p.parentId);
      } catch {
        // Still referenced elsewhere (a cadre's compound, a user's community…): the place stays.
      }
    }
    placeIds = [...parents];
  }
  return { batchId, residents, episodes, households: emptyHouseholds.length, tests: 0, alerts: 0 };
}

async function undoTests(tx: Ctx, batchId: number): Promise<UndoResult> {
  const tests = await tx.db.selectFrom('tests').select(['id', 'episodeId', 'version']).where('importBatchId', '=', batchId).execute();
  const ids = tests.map((t) => t.id);
  if (tests.some((t) => t.version !== 1)) throw refuse(msg('undo.testsEdited'));
  let alerts = 0;
  for (const part of chunks(ids)) {
    const handled = await tx.db.selectFrom('alerts').select('id').where('testId', 'in', part).where((eb) => eb.or([eb('status', '!=', 'open'), eb('version', '!=', 1)])).limit(1).executeTakeFirst();
    if (handled) throw refuse(msg('undo.alertsHandled'));
  }
  const episodeIds = [...new Set(tests.map((t) => t.episodeId).filter((e): e is number => e !== null))];
  for (const part of chunks(episodeIds)) {
    const ended = await tx.db.selectFrom('episodes').select('id').where('id', 'in', part).where('status', '!=', 'active').limit(1).executeTakeFirst();
    if (ended) throw refuse(msg('undo.released'));
  }
  for (const part of chunks(ids)) {
    alerts += Number((await tx.db.deleteFrom('alerts').where('testId', 'in', part).executeTakeFirst()).numDeletedRows);
    await tx.db.deleteFrom('tests').where('id', 'in', part).execute();
  }
  return { batchId, residents: 0, episodes: 0, households: 0, tests: ids.length, alerts };
}
