// The change feed's source of truth: triggers append (seq, table, row id, community) to change_log on every insert,
// update and delete of the tables the screens show, whoever writes (server, job worker, CLI). The office server reads
// it by seq and pushes small notices; a client that reconnects asks for everything after its last seq.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Table → how a row finds its community (a column of the row, a lookup through the resident, or none). */
const WATCHED: Record<string, (row: 'NEW' | 'OLD') => string> = {
  residents: (r) => `${r}.community_id`,
  households: (r) => `${r}.community_id`,
  checkins: (r) => `${r}.community_id`,
  alerts: (r) => `${r}.community_id`,
  supply_requests: (r) => `${r}.community_id`,
  cadres: (r) => `${r}.community_id`,
  episodes: (r) => `(SELECT community_id FROM residents WHERE id = ${r}.resident_id)`,
  tests: (r) => `(SELECT community_id FROM residents WHERE id = ${r}.resident_id)`,
  supply_items: (r) => `(SELECT community_id FROM supply_requests WHERE id = ${r}.request_id)`,
  users: () => 'NULL',
  places: () => 'NULL',
  settings: () => 'NULL',
};

/** The same map for the PostgreSQL triggers (db/pg/change-log.ts). */
export const WATCHED_COMMUNITY: Readonly<Record<string, (row: 'NEW' | 'OLD') => string>> = WATCHED;

/** The watched tables, by their SQL names (as notices name them). */
export const WATCHED_TABLES = Object.keys(WATCHED);

function triggers(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, community] of Object.entries(WATCHED)) {
    for (const [event, row] of [
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['DELETE', 'OLD'],
    ] as const) {
      const name = `change_log_${table}_${event.toLowerCase()}`;
      // settings is keyed by name, not id: its notices say only "the settings changed" (id 0).
      const rowId = table === 'settings' ? '0' : `${row}.id`;
      out[name] = `CREATE TRIGGER ${name} AFTER ${event} ON ${table} BEGIN INSERT INTO change_log (tbl, row_id, community_id) VALUES ('${table}', ${rowId}, ${community(row)}); END`;
    }
  }
  return out;
}

/** Trigger name → its CREATE TRIGGER text (migration 0006). */
export const CHANGE_TRIGGERS = triggers();

/**
 * The change log's `at` for the rows of one INSERT … SELECT: its column default (migration 0006), worked out once for
 * the statement instead of once a row (SQLite gives 'now' one value within a statement anyway; ~0.4 µs a row less).
 */
export const LOGGED_AT = "(SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now'))";

/**
 * The change-log rows the INSERT trigger of `table` would have written for its rows with ids lo..hi, in id order (the
 * order they were inserted in), as one INSERT … SELECT: for bulk writers that turn the trigger off (fresh-rows.ts).
 * With `actor`, the rows carry the acting user's name as its one parameter (acting-user.ts sqliteActor).
 */
export function insertedRowsLogSql(table: string, lo: number, hi: number, actor = false): string {
  const community = Object.prototype.hasOwnProperty.call(WATCHED, table) ? WATCHED[table] : undefined;
  if (!community || table === 'settings') throw new Error(`insertedRowsLogSql: ${table} is not logged by row id`);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error('insertedRowsLogSql: integer ids only');
  return `INSERT INTO change_log (tbl, row_id, community_id, at${actor ? ', actor' : ''}) SELECT '${table}', NEW.id, ${community('NEW')}, ${LOGGED_AT}${actor ? ', ?' : ''} FROM ${table} NEW WHERE NEW.id BETWEEN ${lo} AND ${hi} ORDER BY NEW.id`;
}

export interface ChangeNotice {
  seq: number;
  table: string;
  id: number;
  communityId: number | null;
}

/** The newest seq (0 for an empty log) and the oldest one kept (a client behind it must reload everything). */
export async function changeLogBounds(db: Kysely<Database>): Promise<{ head: number; tail: number }> {
  const r = await db.selectFrom('changeLog').select((eb) => [eb.fn.max('seq').as('head'), eb.fn.min('seq').as('tail')]).executeTakeFirst();
  return { head: Number(r?.head ?? 0), tail: Number(r?.tail ?? 0) };
}

/** Changes after `since`, oldest first, at most `limit`. */
export async function changesSince(db: Kysely<Database>, since: number, limit: number): Promise<ChangeNotice[]> {
  const rows = await db.selectFrom('changeLog').select(['seq', 'tbl', 'rowId', 'communityId']).where('seq', '>', since).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ seq: r.seq, table: r.tbl, id: r.rowId, communityId: r.communityId }));
}

/** Drops changes older than `keepMs`, but always keeps the newest `keepRows` (a reconnecting client's catch-up). */
export async function pruneChangeLog(db: Kysely<Database>, nowMs: number, keepMs = 24 * 3600_000, keepRows = 200_000): Promise<number> {
  const { head } = await changeLogBounds(db);
  const r = await db
    .deleteFrom('changeLog')
    .where('at', '<', new Date(nowMs - keepMs).toISOString())
    .where('seq', '<=', head - keepRows)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Empties the log (a freshly filled demo file). */
export async function clearChangeLog(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('changeLog').execute();
}
