// The counters of db/counters.ts on PostgreSQL: the same tables, view and statements, rendered in the POSTGRES
// dialect, with each SQLite trigger as a PL/pgSQL function of the same statements (NEW and OLD mean the same there)
// and a row-level trigger calling it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { COMMUNITY_TRIGGER_SPECS, counterCheckSql, counterTriggerSpecs, needCheckSql, needRebuildSql, needTriggerSpecs, POSTGRES, rebuildSql, type TriggerSpec } from '../counters.ts';

/** A PL/pgSQL function running `t`'s statements and the trigger that calls it once per row. */
export function pgTrigger(name: string, t: TriggerSpec, lockResidents: string[] = []): string[] {
  return [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    ${[...residentLocks(lockResidents), ...t.body].join(';\n    ')};
    RETURN NULL;
  END $$`,
    `CREATE TRIGGER ${name} ${t.event} FOR EACH ROW${t.when ? ` WHEN (${t.when})` : ''} EXECUTE FUNCTION ${name}()`,
  ];
}

/** Migration 0007's tables, view and index. */
export const PG_COUNTER_DDL: string[] = [
  `CREATE TABLE coverage_counts (
    day TEXT NOT NULL, community_id BIGINT NOT NULL, compound_id BIGINT NOT NULL, building_id BIGINT NOT NULL, kind TEXT NOT NULL,
    covered BIGINT NOT NULL DEFAULT 0, releasable BIGINT NOT NULL DEFAULT 0, started BIGINT NOT NULL DEFAULT 0, released BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, community_id, compound_id, building_id, kind))`,
  `CREATE TABLE checkin_counts (
    day TEXT NOT NULL, slot TEXT NOT NULL, community_id BIGINT NOT NULL, compound_id BIGINT NOT NULL, building_id BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, slot, community_id, compound_id, building_id))`,
  `CREATE TABLE coverage_overlaps (resident_id BIGINT PRIMARY KEY)`,
  `CREATE VIEW resident_places AS
  SELECT r.id AS resident_id, r.community_id AS community_id, h.compound_id AS compound_id, COALESCE(u.parent_id, 0) AS building_id
  FROM residents r
  JOIN households h ON h.id = r.household_id
  LEFT JOIN places rm ON rm.id = h.room_id
  LEFT JOIN places u ON u.id = rm.parent_id`,
  `CREATE INDEX checkins_date_abnormal ON checkins (date, abnormal, community_id)`,
];

export const PG_REBUILD_SQL: string[] = rebuildSql(POSTGRES);

/**
 * SQLite has one writer at a time; PostgreSQL runs transactions side by side, and a trigger reads only what is
 * committed. Were one transaction to start a person's episode while another records that person's check-in, each
 * trigger would miss the other's row and the check-in would never be counted. So every counters trigger first takes a
 * transaction-scoped advisory lock per resident it touches (two in a fixed order when a row moves between residents):
 * writes about one person wait for each other, and the waiting trigger's statements then see the other's commit
 * (PL/pgSQL takes a new snapshot per statement under READ COMMITTED). Writes about different people never wait.
 */
export const COUNTER_LOCK_CLASS = 0x1de5_c0;

function residentLocks(residents: string[]): string[] {
  if (residents.length === 2) {
    const [a, b] = residents;
    return [
      `PERFORM pg_advisory_xact_lock(${COUNTER_LOCK_CLASS}, hashint8(LEAST(${a}, ${b})))`,
      `PERFORM pg_advisory_xact_lock(${COUNTER_LOCK_CLASS}, hashint8(GREATEST(${a}, ${b})))`,
    ];
  }
  return residents.map((r) => `PERFORM pg_advisory_xact_lock(${COUNTER_LOCK_CLASS}, hashint8(${r}))`);
}

/** The residents each counters trigger locks (residentLocks). */
const LOCKS: Record<string, string[]> = {
  counters_episodes_insert: ['NEW.resident_id'],
  counters_episodes_update: ['OLD.resident_id', 'NEW.resident_id'],
  counters_episodes_delete: ['OLD.resident_id'],
  counters_checkins_insert: ['NEW.resident_id'],
  counters_checkins_delete: ['OLD.resident_id'],
  counters_checkins_update: ['OLD.resident_id', 'NEW.resident_id'],
  counters_residents_move: ['NEW.id'],
};

export const PG_COUNTER_TRIGGERS: string[] = Object.entries(counterTriggerSpecs(POSTGRES)).flatMap(([name, t]) => {
  if (!LOCKS[name]) throw new Error(`counters trigger ${name}: which residents it locks on PostgreSQL is not said (LOCKS)`);
  return pgTrigger(name, t, LOCKS[name]);
});

/** Migration 0009: the counters' version and the triggers that move it. */
export const PG_VERSION_DDL: string[] = ['CREATE TABLE counter_version (n BIGINT NOT NULL)', 'INSERT INTO counter_version (n) VALUES (1)'];

const EPISODE_EVENTS = 'start_date, ended_on, status, last_day, kind, resident_id';
const bump = (name: string, event: string, when?: string) => pgTrigger(name, { event, when, body: ['UPDATE counter_version SET n = n + 1'] });

export const PG_VERSION_TRIGGERS: string[] = [
  ...bump('counters_version_episodes_insert', 'AFTER INSERT ON episodes'),
  ...bump('counters_version_episodes_update', `AFTER UPDATE OF ${EPISODE_EVENTS} ON episodes`),
  ...bump('counters_version_episodes_delete', 'AFTER DELETE ON episodes'),
  ...bump(
    'counters_version_residents_move',
    'AFTER UPDATE OF community_id, household_id ON residents',
    'OLD.community_id IS DISTINCT FROM NEW.community_id OR OLD.household_id IS DISTINCT FROM NEW.household_id',
  ),
];

/** Migration 0017: the special-need flags move counter_version (once per statement: an import sets many at once). */
export const PG_NEEDS_VERSION_TRIGGERS: string[] = ['insert', 'update', 'delete'].flatMap((event) => {
  const name = `counters_version_needs_${event}`;
  return [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE counter_version SET n = n + 1;
    RETURN NULL;
  END $$`,
    `CREATE TRIGGER ${name} AFTER ${event.toUpperCase()} ON resident_needs FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
  ];
});

/** Migration 0018: the need counters' tables (db/counters.ts need_coverage, need_registered). */
export const PG_NEED_COUNTER_DDL: string[] = [
  `CREATE TABLE need_coverage (
    day TEXT NOT NULL, community_id BIGINT NOT NULL, need TEXT NOT NULL, covered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, day, need))`,
  `CREATE TABLE need_registered (
    community_id BIGINT NOT NULL, need TEXT NOT NULL, registered BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, need))`,
  `CREATE TABLE coverage_by_community (
    day TEXT NOT NULL, community_id BIGINT NOT NULL, kind TEXT NOT NULL,
    covered BIGINT NOT NULL DEFAULT 0, releasable BIGINT NOT NULL DEFAULT 0, started BIGINT NOT NULL DEFAULT 0, released BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, day, kind))`,
];

export const PG_NEED_REBUILD_SQL: string[] = needRebuildSql(POSTGRES);

/** The residents each need counters trigger locks (as LOCKS: writes about one person wait for each other). */
const NEED_LOCKS: Record<string, string[]> = {
  need_counts_episodes_insert: ['NEW.resident_id'],
  need_counts_episodes_update: ['OLD.resident_id', 'NEW.resident_id'],
  need_counts_episodes_delete: ['OLD.resident_id'],
  need_counts_needs_insert: ['NEW.resident_id'],
  need_counts_needs_update: ['OLD.resident_id', 'NEW.resident_id'],
  need_counts_needs_delete: ['OLD.resident_id'],
  need_counts_residents_move: ['NEW.id'],
  need_counts_residents_delete: ['OLD.id'],
};

export const PG_NEED_COUNTER_TRIGGERS: string[] = Object.entries(needTriggerSpecs(POSTGRES)).flatMap(([name, t]) => {
  if (!NEED_LOCKS[name]) throw new Error(`need counters trigger ${name}: which residents it locks on PostgreSQL is not said (NEED_LOCKS)`);
  const [fn, trigger] = pgTrigger(name, t, NEED_LOCKS[name]);
  // A BEFORE trigger that returns NULL would cancel the delete: this one lets it go on.
  return t.event.startsWith('BEFORE DELETE') ? [fn.replace('RETURN NULL;', 'RETURN OLD;'), trigger] : [fn, trigger];
});

/** coverage_by_community's triggers: pure deltas of coverage_counts rows, which their writers already lock. */
export const PG_COMMUNITY_COUNTER_TRIGGERS: string[] = Object.entries(COMMUNITY_TRIGGER_SPECS).flatMap(([name, t]) => pgTrigger(name, t));

async function hasNeedCounters(db: Kysely<Database>): Promise<boolean> {
  return !!(await sql<{ t: string | null }>`SELECT to_regclass('need_coverage')::text AS t`.execute(db)).rows[0]?.t;
}

/** rebuildCounters on a PostgreSQL database (in one transaction). */
export async function rebuildCountersPg(db: Kysely<Database>): Promise<void> {
  const go = async (trx: Kysely<Database>) => {
    for (const text of PG_REBUILD_SQL) await sql.raw(text).execute(trx);
    if (await hasNeedCounters(trx)) for (const text of PG_NEED_REBUILD_SQL) await sql.raw(text).execute(trx);
    await sql`UPDATE counter_version SET n = n + 1`.execute(trx);
  };
  if (db.isTransaction) await go(db);
  else await db.transaction().execute(go);
}

/** checkCounters on a PostgreSQL database: differences between the counters and a recount; empty when they agree. */
export async function checkCountersPg(db: Kysely<Database>): Promise<string[]> {
  const out: string[] = [];
  const [coverage, done, overlaps] = counterCheckSql(POSTGRES);
  for (const text of [coverage, done]) for (const r of (await sql.raw<Record<string, unknown>>(text).execute(db)).rows) out.push(JSON.stringify(r));
  for (const r of (await sql.raw<{ residentId: unknown }>(overlaps).execute(db)).rows) out.push(JSON.stringify({ t: 'coverage_overlaps (missing)', resident_id: r.residentId }));
  if (await hasNeedCounters(db)) for (const text of needCheckSql(POSTGRES)) for (const r of (await sql.raw<Record<string, unknown>>(text).execute(db)).rows) out.push(JSON.stringify(r));
  return out;
}
