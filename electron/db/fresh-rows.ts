// Writing many NEW residents with their first episodes (the import) without running the per-row triggers for each:
// inside the caller's transaction the INSERT triggers of residents and episodes — the change feed's (change-log.ts)
// and the counters' (counters.ts) — are dropped, the rows written, then the same effects are added in a few
// set-based statements and the triggers created again. DDL is transactional in SQLite: other connections never see
// the triggers missing (they read the last commit; no other writer can run while this transaction holds the lock),
// and a rollback puts everything back. On 50,000 rows the triggers' work per row was about half the import's
// writing time.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { sqliteActor } from './acting-user.ts';
import type { Database } from './schema.ts';
import { CHANGE_TRIGGERS, insertedRowsLogSql, LOGGED_AT } from './change-log.ts';
import { isPostgres } from './engine.ts';
import { COUNTER_TRIGGERS, NEED_COUNTER_TRIGGERS, VERSION_TRIGGERS, POSTGRES, freshEpisodesCoverageSql } from './counters.ts';
import { CHANGE_CHANNEL } from './pg/change-log.ts';

const OFF: Record<string, string> = {
  change_log_residents_insert: CHANGE_TRIGGERS.change_log_residents_insert,
  change_log_episodes_insert: CHANGE_TRIGGERS.change_log_episodes_insert,
  counters_episodes_insert: COUNTER_TRIGGERS.counters_episodes_insert,
  counters_version_episodes_insert: VERSION_TRIGGERS.counters_version_episodes_insert,
  // New residents carry no flag yet: their episodes make no (flag, episode) pair, nothing to catch up (migration 0018).
  need_counts_episodes_insert: NEED_COUNTER_TRIGGERS.need_counts_episodes_insert,
};

/** Id ranges [lo, hi] of the rows `fn` inserted (empty when hi < lo). */
export interface FreshRows {
  residents: [number, number];
  episodes: [number, number];
}

/**
 * New episodes whose coverage counts are still to be added (SQLite): an import of many parts adds them all at once at
 * its end instead of once a part — the same sums with ~10× fewer upserts into coverage_counts (a part's episodes
 * touch most of the same days and buildings as the next one's): on 50,000 rows 0.07 s instead of 0.18 s. The caller
 * must flush before anything changes those episodes (an update's trigger subtracts what their insert added) and
 * before its transaction ends.
 */
export class PendingCoverage {
  private ranges: [number, number][] = [];

  add(lo: number, hi: number): void {
    const last = this.ranges[this.ranges.length - 1];
    if (last && last[1] + 1 === lo) last[1] = hi;
    else this.ranges.push([lo, hi]);
  }

  /** Adds the coverage of every episode noted so far (one statement per run of consecutive ids), then forgets them. */
  async flush(db: Kysely<Database>): Promise<void> {
    const ranges = this.ranges;
    this.ranges = [];
    for (const [lo, hi] of ranges) await sql.raw(freshEpisodesCoverageSql(lo, hi)).execute(db);
  }
}

/**
 * Runs `fn`, which inserts new residents and their first episodes only (no check-ins, no other episodes, no other
 * tables' triggers involved), with those tables' INSERT triggers off, then catches up: the change-log rows in the
 * order the triggers would have written them (residents, then episodes), the coverage counts (or, given `coverage`,
 * notes the episodes there for the caller to add later; SQLite only), the counter version.
 */
export async function withFreshRows<T extends FreshRows>(db: Kysely<Database>, fn: () => Promise<T>, coverage?: PendingCoverage): Promise<T> {
  if (!db.isTransaction) throw new Error('withFreshRows needs a transaction');
  if (isPostgres(db)) return withFreshRowsPg(db, fn);
  const present = (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(db)).rows.map((r) => r.name);
  const dropped = Object.keys(OFF).filter((n) => present.includes(n));
  for (const name of dropped) await sql.raw(`DROP TRIGGER ${name}`).execute(db);
  let out: T;
  try {
    out = await fn();
  } finally {
    for (const name of dropped) await sql.raw(OFF[name]).execute(db);
  }
  const [rLo, rHi] = out.residents;
  const [eLo, eHi] = out.episodes;
  // Stamped with the acting user as they are written (else actingAs stamps them at the end, rewriting each row).
  const actor = sqliteActor(db);
  if (dropped.includes('change_log_residents_insert') && rHi >= rLo) {
    await sql`INSERT INTO change_log (tbl, row_id, community_id, at, actor) SELECT 'residents', id, community_id, ${sql.raw(LOGGED_AT)}, ${actor} FROM residents WHERE id BETWEEN ${rLo} AND ${rHi} ORDER BY id`.execute(db);
  }
  if (eHi >= eLo) {
    if (dropped.includes('change_log_episodes_insert')) {
      await sql`INSERT INTO change_log (tbl, row_id, community_id, at, actor)
        SELECT 'episodes', e.id, r.community_id, ${sql.raw(LOGGED_AT)}, ${actor} FROM episodes e LEFT JOIN residents r ON r.id = e.resident_id WHERE e.id BETWEEN ${eLo} AND ${eHi} ORDER BY e.id`.execute(db);
    }
    if (dropped.includes('counters_episodes_insert')) {
      if (coverage) coverage.add(eLo, eHi);
      else await sql.raw(freshEpisodesCoverageSql(eLo, eHi)).execute(db);
    }
    if (dropped.includes('counters_version_episodes_insert')) await sql`UPDATE counter_version SET n = n + 1`.execute(db);
  }
  return out;
}

/** The PostgreSQL triggers withFreshRowsPg switches off: [table, trigger]. */
const PG_OFF: [string, string][] = [
  ['residents', 'change_log_residents'],
  ['episodes', 'change_log_episodes'],
  ['episodes', 'counters_episodes_insert'],
  ['episodes', 'counters_version_episodes_insert'],
  ['episodes', 'need_counts_episodes_insert'],
];

/**
 * withFreshRows on PostgreSQL. There the per-row triggers cost more than SQLite's, and worse than linearly: every
 * new episode updates the same few coverage_counts rows and the one counter_version row, and each update inside one
 * transaction leaves a row version the next one steps over (20,000 episodes took 6.5× as long as 5,000). So, where
 * this role may (only a table's owner may switch its triggers off; an office server's own role writes with them on),
 * the same four triggers are disabled for the inserts and the same effects added set-based afterwards, as on SQLite.
 * ALTER TABLE … DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock, the lock the import already holds on residents
 * and episodes (engine.ts takeIds: no other server writes them until this transaction ends), so no one waits longer;
 * readers are not blocked, and see neither the disabled triggers nor the rows until the commit. A failure leaves the
 * transaction to be rolled back, which puts the triggers back on.
 */
async function withFreshRowsPg<T extends FreshRows>(db: Kysely<Database>, fn: () => Promise<T>): Promise<T> {
  const mine = (
    await sql<{ t: string; name: string }>`SELECT c.relname AS t, g.tgname AS name FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND g.tgenabled = 'O' AND NOT g.tgisinternal
        AND pg_has_role(c.relowner, 'USAGE') AND (c.relname, g.tgname) IN (${sql.join(PG_OFF.map(([t, n]) => sql`(${t}, ${n})`))})`.execute(db)
  ).rows;
  if (mine.length !== PG_OFF.length) return fn();
  for (const [t, name] of PG_OFF) await sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER ${name}`).execute(db);
  const out = await fn();
  for (const [t, name] of PG_OFF) await sql.raw(`ALTER TABLE ${t} ENABLE TRIGGER ${name}`).execute(db);
  const [rLo, rHi] = out.residents;
  const [eLo, eHi] = out.episodes;
  if (rHi >= rLo) await sql`INSERT INTO change_log (tbl, row_id, community_id) SELECT 'residents', id, community_id FROM residents WHERE id BETWEEN ${rLo} AND ${rHi} ORDER BY id`.execute(db);
  if (eHi >= eLo) {
    await sql`INSERT INTO change_log (tbl, row_id, community_id)
      SELECT 'episodes', e.id, r.community_id FROM episodes e LEFT JOIN residents r ON r.id = e.resident_id AND r.id BETWEEN ${rLo} AND ${rHi}
      WHERE e.id BETWEEN ${eLo} AND ${eHi} ORDER BY e.id`.execute(db);
    // Only new residents' first episodes are written here, so their residents are those of [rLo, rHi].
    await sql.raw(freshEpisodesCoverageSql(eLo, eHi, POSTGRES, rHi >= rLo ? [rLo, rHi] : undefined)).execute(db);
    await sql`UPDATE counter_version SET n = n + 1`.execute(db);
  }
  if (rHi >= rLo || eHi >= eLo) await sql`SELECT pg_notify(${CHANGE_CHANNEL}, '')`.execute(db);
  return out;
}

/** Fewer new rows than this keep their change-log trigger on: dropping and re-creating it would cost more. */
export const LOG_AFTER_MIN_ROWS = 64;

/**
 * Runs `insert`, which inserts `rows` new rows into `table` (places, households: the import's new addresses) and
 * returns their ids in insertion order, with the table's change-log INSERT trigger off, then writes the change-log
 * rows the trigger would have written — one per row, in id order, with the same community — in one statement
 * (~5 µs a row less on 50,000 rooms and households). Only inside the caller's transaction, and only for many rows;
 * otherwise the trigger stays on. The ids must be consecutive (AUTOINCREMENT inside one transaction: nobody else
 * can insert in between).
 */
export async function insertLoggedAfter(db: Kysely<Database>, table: 'places' | 'households', rows: number, insert: () => Promise<number[]>): Promise<number[]> {
  const trigger = `change_log_${table}_insert`;
  // PostgreSQL: the trigger stays on (as in withFreshRows: dropping it there would lock the table for every server).
  if (!db.isTransaction || rows < LOG_AFTER_MIN_ROWS || isPostgres(db)) return insert();
  const present = (await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name = ${trigger}`.execute(db)).rows[0].n > 0;
  if (!present) return insert();
  await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);
  let ids: number[];
  try {
    ids = await insert();
  } finally {
    await sql.raw(CHANGE_TRIGGERS[trigger]).execute(db);
  }
  if (ids.length === 0) return ids;
  const lo = ids[0];
  const hi = ids[ids.length - 1];
  // Anything else would log rows this call did not insert, or miss some: a fault, and the transaction is rolled back.
  if (hi - lo + 1 !== ids.length || ids.some((id, i) => id !== lo + i)) throw new Error(`insertLoggedAfter: ${table} ids are not consecutive`);
  const actor = sqliteActor(db);
  await db.executeQuery(CompiledQuery.raw(insertedRowsLogSql(table, lo, hi, actor !== null), actor === null ? [] : [actor]));
  return ids;
}
