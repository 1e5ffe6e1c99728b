// PostgreSQL forms of the 今日监测 list's hot statements (checkins.ts dueList, checkins-groups.ts). The portable
// statements join ten tables (episodes, residents, the slot's check-ins, households and five places) from the episodes
// up; with join_collapse_limit 12 PostgreSQL searches every join order of them, and at 100,000 residents planning took
// as long as running (10–20 ms each, more at load). These statements give the order instead, each part planned on
// its own (OFFSET 0 keeps a subquery or lateral lookup from being flattened back into one big join):
// - a page's people: from the page's buildings down (their units and rooms: a fenced subquery), then household,
//   resident, episodes, check-in;
// - a page's rows: the page's episode ids, each row's places looked up by key, in the ids' own order;
// - the groups: the units of the page's buildings the same way down; abnormal check-ins per building from the slot's
//   abnormal check-ins up.
// Results equal the portable statements' (the due suites run on both engines); SQLite keeps its statements.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Ctx } from './context.ts';
import { scopeOf } from './actor.ts';
import { coversDateSql } from './episodes-days.ts';
import { naturalKeyPg } from '../db/engine.ts';
import type { EpisodeKind, Slot } from '../db/schema.ts';

interface Scope {
  date: string;
  slot: Slot;
  communityId?: number;
  compoundId?: number;
  buildingId?: number;
}

/** The actor's scope and the asked community and compound, on r (residents) and h (households). */
function placeParts(ctx: Ctx, q: Scope): RawBuilder<unknown>[] {
  const parts: RawBuilder<unknown>[] = [];
  const scope = scopeOf(ctx.actor);
  if (scope !== null) parts.push(sql`r.community_id = ${scope}`);
  if (q.communityId) parts.push(sql`r.community_id = ${q.communityId}`);
  if (q.compoundId) parts.push(sql`h.compound_id = ${q.compoundId}`);
  return parts;
}

/** coveredOn's filter (checkins.ts) on e, r and h: covering episodes, a person's newest only, in scope. */
function coveredWhere(ctx: Ctx, q: Scope): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [
    coversDateSql('e', q.date),
    sql`(e.resident_id NOT IN (SELECT resident_id FROM coverage_overlaps)
      OR NOT EXISTS (SELECT 1 FROM episodes AS e2 WHERE e2.resident_id = e.resident_id AND e2.id > e.id AND ${coversDateSql('e2', q.date)}))`,
    ...placeParts(ctx, q),
  ];
  if (q.buildingId) parts.push(sql`pl.b_id = ${q.buildingId}`);
  return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/** FROM … WHERE of the people due in `buildingIds`, top-down; pl carries b_id, b_name, u_id, u_name, rm_name. */
function dueFrom(ctx: Ctx, q: Scope, buildingIds: readonly number[]) {
  return sql`FROM (
      SELECT b.id AS b_id, b.name AS b_name, u.id AS u_id, u.name AS u_name, rm.id AS rm_id, rm.name AS rm_name
      FROM places AS b JOIN places AS u ON u.parent_id = b.id JOIN places AS rm ON rm.parent_id = u.id
      WHERE b.id = ANY(${[...buildingIds]}::bigint[]) OFFSET 0) AS pl
    JOIN households AS h ON h.room_id = pl.rm_id
    JOIN residents AS r ON r.household_id = h.id
    JOIN episodes AS e ON e.resident_id = r.id
    LEFT JOIN checkins AS k ON k.resident_id = e.resident_id AND k.date = ${q.date} AND k.slot = ${q.slot}
    WHERE ${coveredWhere(ctx, q)}`;
}

/**
 * The episode ids of rows [offset, offset + limit) of `partition` in `buildingIds` (consecutive buildings in the
 * list's building order), in ROW_ORDER: the buildings' own order, then unit and room by number, pinyin, id.
 */
export async function pgRunIds(
  ctx: Ctx,
  q: Scope & { onlyMissing?: boolean },
  run: { partition: 'missing' | 'done' | 'all'; buildingIds: readonly number[]; offset: number; limit: number },
): Promise<number[]> {
  const missing = run.partition === 'missing' || q.onlyMissing;
  const partition = missing ? sql` AND k.resident_id IS NULL` : run.partition === 'done' ? sql` AND k.resident_id IS NOT NULL` : sql``;
  const order = [
    sql`array_position(${[...run.buildingIds]}::bigint[], pl.b_id)`,
    ...naturalKeyPg(sql.ref('pl.u_name')),
    sql.ref('pl.u_id'),
    ...naturalKeyPg(sql.ref('pl.rm_name')),
    sql`r.name_pinyin`,
    sql`r.id`,
  ];
  const { rows } = await sql<{ id: number }>`SELECT e.id ${dueFrom(ctx, q, run.buildingIds)}${partition}
    ORDER BY ${sql.join(order)} LIMIT ${run.limit} OFFSET ${run.offset}`.execute(ctx.db);
  return rows.map((r) => Number(r.id));
}

/** The columns dueList maps into a DueRow. */
export interface DueRowColumns {
  residentId: number;
  episodeId: number;
  kind: EpisodeKind;
  startDate: string;
  lastDay: string;
  name: string;
  phone: string | null;
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
  unitId: number;
  unit: string;
  room: string;
  address: string;
  checkinId: number | null;
  checkinVersion: number | null;
  temperature: number | null;
  symptoms: string | null;
  abnormal: number | null;
  recordedBy: string | null;
}

/** The rows of a page's episodes, in the order of `ids` (the page's order), each place looked up by its key. */
export async function pgPageRows(ctx: Ctx, date: string, slot: Slot, ids: readonly number[]): Promise<DueRowColumns[]> {
  if (!ids.length) return [];
  const { rows } = await sql<DueRowColumns>`SELECT e.resident_id AS "residentId", e.id AS "episodeId", e.kind, e.start_date AS "startDate",
      e.last_day AS "lastDay", r.name, r.phone, r.community_id AS "communityId", c.name AS community, h.compound_id AS "compoundId",
      p.name AS compound, b.id AS "buildingId", b.name AS building, u.id AS "unitId", u.name AS unit, rm.name AS room, h.address,
      k.id AS "checkinId", k.version AS "checkinVersion", k.temperature, k.symptoms, k.abnormal, k.recorded_by AS "recordedBy"
    FROM unnest(${[...ids]}::bigint[]) WITH ORDINALITY AS i (id, n)
    CROSS JOIN LATERAL (SELECT id, resident_id, kind, start_date, last_day FROM episodes WHERE id = i.id OFFSET 0) AS e
    CROSS JOIN LATERAL (SELECT id, name, phone, community_id, household_id FROM residents WHERE id = e.resident_id OFFSET 0) AS r
    CROSS JOIN LATERAL (SELECT compound_id, room_id, address FROM households WHERE id = r.household_id OFFSET 0) AS h
    CROSS JOIN LATERAL (SELECT name FROM places WHERE id = r.community_id OFFSET 0) AS c
    CROSS JOIN LATERAL (SELECT name FROM places WHERE id = h.compound_id OFFSET 0) AS p
    CROSS JOIN LATERAL (SELECT name, parent_id FROM places WHERE id = h.room_id OFFSET 0) AS rm
    CROSS JOIN LATERAL (SELECT id, name, parent_id FROM places WHERE id = rm.parent_id OFFSET 0) AS u
    CROSS JOIN LATERAL (SELECT id, name FROM places WHERE id = u.parent_id OFFSET 0) AS b
    LEFT JOIN LATERAL (SELECT id, version, temperature, symptoms, abnormal, recorded_by FROM checkins
      WHERE resident_id = e.resident_id AND date = ${date} AND slot = ${slot} OFFSET 0) AS k ON true
    ORDER BY i.n`.execute(ctx.db);
  return rows;
}

/** One unit's counts, with the names and ids of its building, compound and community. Declared here, below
 * checkins-groups.ts (which exports it with the groups), so that this file's counts and the portable ones are one type. */
export interface DueGroup {
  communityId: number;
  community: string;
  compoundId: number;
  compound: string;
  buildingId: number;
  building: string;
  unitId: number;
  unit: string;
  due: number;
  done: number;
  abnormal: number;
}

/** Per unit of `buildingIds`: due, done, abnormal, in GROUP_ORDER (counted first, then named and sorted: a few rows). */
export async function pgUnitCounts(ctx: Ctx, q: Scope, buildingIds: readonly number[]): Promise<DueGroup[]> {
  if (!buildingIds.length) return [];
  const order = [
    sql`p.name`,
    sql`g."compoundId"`,
    ...naturalKeyPg(sql.ref('g.building')),
    sql`g."buildingId"`,
    ...naturalKeyPg(sql.ref('g.unit')),
    sql`g."unitId"`,
  ];
  const { rows } = await sql<DueGroup>`SELECT g."communityId", c.name AS community, g."compoundId", p.name AS compound, g."buildingId",
      g.building, g."unitId", g.unit, g.due, g.done, g.abnormal
    FROM (SELECT r.community_id AS "communityId", h.compound_id AS "compoundId", pl.b_id AS "buildingId", pl.b_name AS building,
        pl.u_id AS "unitId", pl.u_name AS unit, count(*) AS due, count(k.id) AS done, coalesce(sum(k.abnormal), 0) AS abnormal
      ${dueFrom(ctx, q, buildingIds)}
      GROUP BY pl.u_id, pl.u_name, pl.b_id, pl.b_name, h.compound_id, r.community_id OFFSET 0) AS g
    CROSS JOIN LATERAL (SELECT name FROM places WHERE id = g."compoundId" OFFSET 0) AS p
    CROSS JOIN LATERAL (SELECT name FROM places WHERE id = g."communityId" OFFSET 0) AS c
    ORDER BY ${sql.join(order)}`.execute(ctx.db);
  return rows.map((r) => ({ ...r, due: Number(r.due), done: Number(r.done), abnormal: Number(r.abnormal) }));
}

/** Abnormal check-ins of the slot per building, from the slot's abnormal check-ins up (few), of people covered that day. */
export async function pgAbnormalByBuilding(ctx: Ctx, q: Scope): Promise<Map<number, number>> {
  const parts: RawBuilder<unknown>[] = [sql`k.date = ${q.date}`, sql`k.slot = ${q.slot}`, sql`k.abnormal = 1`, ...placeParts(ctx, q)];
  // A person counts once whatever their episodes: coveredOn keeps only the newest covering one.
  parts.push(sql`EXISTS (SELECT 1 FROM episodes AS e WHERE e.resident_id = k.resident_id AND ${coversDateSql('e', q.date)})`);
  const { rows } = await sql<{ buildingId: number; n: number }>`SELECT u.parent_id AS "buildingId", count(*) AS n
    FROM checkins AS k
    JOIN residents AS r ON r.id = k.resident_id
    JOIN households AS h ON h.id = r.household_id
    JOIN places AS rm ON rm.id = h.room_id
    JOIN places AS u ON u.id = rm.parent_id
    WHERE ${sql.join(parts, sql` AND `)}
    GROUP BY u.parent_id`.execute(ctx.db);
  return new Map(rows.map((r) => [Number(r.buildingId), Number(r.n)]));
}
