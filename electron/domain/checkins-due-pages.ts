// Where a page of the 今日监测 list lies, without sorting the whole list (checkins.ts dueList). The list is ordered by
// partition (past the cutoff: the unrecorded first, then the recorded), then by place — compound, building, unit,
// room — in natural order (checkins-due.ts). Buildings are whole runs of that order, and the counters (counters.ts)
// know how many people of each building are due and how many have reported. So a page at any offset is found by
// walking the buildings' counts (a thousand numbers for a whole subdistrict), and only the buildings the page touches
// are read and sorted: a few hundred rows instead of every person under control.
import type { Ctx } from './context.ts';
import { coveredCounts, doneCounts, sumBy } from './counters.ts';
import { buildingOrder } from './checkins-due.ts';
import type { Slot } from '../db/schema.ts';
import { sql } from 'kysely';
import { isPostgres } from '../db/engine.ts';

/** Which people of a building a run covers: the unrecorded, the recorded, or everyone due. */
export type DuePartition = 'missing' | 'done' | 'all';

/** One read of the page: rows [offset, offset + limit) of these consecutive buildings' people in `partition`. */
export interface DueRun {
  partition: DuePartition;
  buildingIds: number[];
  offset: number;
  limit: number;
}

/**
 * The runs that make rows [offset, offset + limit) of the list: `partitions` in list order, each with the count of its
 * people per building; `buildings` in list order. Pure: the counts come from the counters.
 */
export function planDuePage(
  buildings: readonly number[],
  partitions: readonly { partition: DuePartition; counts: ReadonlyMap<number, number> }[],
  offset: number,
  limit: number,
): DueRun[] {
  const runs: DueRun[] = [];
  let skip = Math.max(offset, 0);
  let want = limit;
  for (const { partition, counts } of partitions) {
    if (want <= 0) break;
    let run: DueRun | null = null;
    let have = 0; // rows of the run from its offset on
    for (const b of buildings) {
      const n = Math.max(counts.get(b) ?? 0, 0);
      if (n === 0) continue;
      if (!run) {
        if (skip >= n) {
          skip -= n;
          continue;
        }
        run = { partition, buildingIds: [b], offset: skip, limit: 0 };
        have = n - skip;
        skip = 0;
      } else {
        run.buildingIds.push(b);
        have += n;
      }
      if (have >= want) break;
    }
    if (run) {
      run.limit = Math.min(have, want);
      want -= run.limit;
      runs.push(run);
    }
  }
  return runs;
}

/** A building with its compound and community, as the list names them. */
export interface BuildingPlace {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
}

/**
 * Buildings in the list's order: compound by name (then id), building by number, then by name and id — the start of
 * ROW_ORDER (checkins-due.ts). Only the buildings the counters name are ordered, so the walk covers exactly the people
 * the counts count.
 */
export async function buildingsInOrder(ctx: Ctx, ids: readonly number[]): Promise<BuildingPlace[]> {
  if (!ids.length) return [];
  if (isPostgres(ctx.db)) {
    // PostgreSQL: the ids as one array, each place looked up by its key. As a plain join of ~1,000 buildings the
    // planner chose two scans of every place (42,000 at 100,000 residents) and a hash join: 31 ms against 4.6 ms for
    // the lookups (load 8); OFFSET 0 keeps each lateral lookup from being flattened back into that join.
    const rows = await sql<BuildingPlace>`SELECT b.id AS "buildingId", b.name AS building, p.id AS "compoundId", p.name AS compound,
        c.id AS "communityId", c.name AS community
      FROM unnest(${[...ids]}::bigint[]) AS i (id)
      CROSS JOIN LATERAL (SELECT id, name, parent_id FROM places WHERE id = i.id OFFSET 0) AS b
      CROSS JOIN LATERAL (SELECT id, name, parent_id FROM places WHERE id = b.parent_id OFFSET 0) AS p
      CROSS JOIN LATERAL (SELECT id, name FROM places WHERE id = p.parent_id OFFSET 0) AS c
      ORDER BY ${sql.join(buildingOrder(ctx.db))}`.execute(ctx.db);
    return rows.rows.map((r) => ({ ...r, buildingId: Number(r.buildingId), compoundId: Number(r.compoundId), communityId: Number(r.communityId) }));
  }
  let q = ctx.db
    .selectFrom('places as b')
    .innerJoin('places as p', 'p.id', 'b.parentId')
    .innerJoin('places as c', 'c.id', 'p.parentId')
    .select(['b.id as buildingId', 'b.name as building', 'p.id as compoundId', 'p.name as compound', 'c.id as communityId', 'c.name as community'])
    .where('b.id', 'in', [...ids]);
  for (const o of buildingOrder(ctx.db)) q = q.orderBy(o);
  return q.execute();
}

/**
 * The partitions of the list with their counts per building, from the counters: past the cutoff (overdue first) the
 * unrecorded then the recorded; only the missing; or everyone due.
 */
export async function duePartitions(
  ctx: Ctx,
  q: { date: string; slot: Slot; communityId?: number; compoundId?: number; buildingId?: number },
  mode: 'overdueFirst' | 'onlyMissing' | 'all',
): Promise<{ partition: DuePartition; counts: Map<number, number> }[]> {
  const filter = { communityId: q.communityId, compoundId: q.compoundId, buildingId: q.buildingId };
  const covered = sumBy(await coveredCounts(ctx, q.date, filter, 'building'), (r) => r.buildingId, (r) => r.covered);
  if (mode === 'all') return [{ partition: 'all', counts: covered }];
  const done = sumBy(await doneCounts(ctx, q.date, q.slot, filter, 'building'), (r) => r.buildingId, (r) => r.done);
  const missing = new Map([...covered].map(([b, n]) => [b, n - (done.get(b) ?? 0)]));
  if (mode === 'onlyMissing') return [{ partition: 'missing', counts: missing }];
  return [
    { partition: 'missing', counts: missing },
    { partition: 'done', counts: done },
  ];
}
