// The 工作台's 特殊需求 counts kept by triggers (db/counters.ts need_coverage, need_registered), like the coverage
// counts of migration 0007: right after a write that moved counter_version (an episode, a flag, a move) the dashboard
// read every flagged person's episodes afresh — ~14,000 flags at 100,000 residents, about 30 ms of its 50–58 ms; it
// now sums a few hundred kept rows. And coverage_counts summed per community (coverage_by_community), kept by
// triggers on coverage_counts: the dashboard's coverage sums and 30-day chart read a few rows per day instead of one
// per building. Filled from the existing rows once, here. Also indexes by community of the kept
// counters and of the supply requests' creation day, for a subdistrict's server reading its own part of a district
// (PostgreSQL; the same indexes on SQLite, where they cost little and keep the two schemas alike).
import { sql, type Kysely } from 'kysely';
import { COMMUNITY_COUNTER_TRIGGERS, COUNTER_INDEXES_0018, NEED_COUNTER_DDL, NEED_COUNTER_TRIGGERS, needRebuildSql, SQLITE } from '../counters.ts';

export const version = 18;
export const name = 'need-counts';

export async function up(db: Kysely<any>): Promise<void> {
  for (const text of NEED_COUNTER_DDL) await sql.raw(text).execute(db);
  for (const text of needRebuildSql(SQLITE)) await sql.raw(text).execute(db);
  for (const text of Object.values(NEED_COUNTER_TRIGGERS)) await sql.raw(text).execute(db);
  for (const text of Object.values(COMMUNITY_COUNTER_TRIGGERS)) await sql.raw(text).execute(db);
  for (const text of COUNTER_INDEXES_0018) await sql.raw(text).execute(db);
}
