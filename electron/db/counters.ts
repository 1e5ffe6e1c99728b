// Counters of who is under control and who has reported, kept by triggers in the same transaction as every write
// (whoever writes: a handler, an import job, the CLI, a purge), so the dashboard and the slot counters read a few
// hundred rows instead of every episode and check-in of the subdistrict.
//
// coverage_counts holds a difference array per place (community, compound, building) and episode kind: an episode
// that covers [start, end) adds +1 at its start day and −1 at its end day (none while it runs), so the people
// covered on D are the sum of the rows with day ≤ D. `releasable` does the same for the part of an episode after its
// last day (待解除); `started` and `released` count the episodes that started or were released on the day itself
// (今日新增, 今日解除). checkin_counts holds, per day, slot and place, the check-ins of people covered on that day.
// Both follow the rule of domain/episodes-days.ts coversDate: started on or before the day, and still active or ended
// after it. Both use the resident's current place; a move re-files that person's rows.
//
// One rule cannot be a sum: when a person's episodes overlap, only the newest covering one counts. Overlaps are rare
// (back-dated data), so coverage_overlaps lists the residents who ever had two overlapping episodes, and the reader
// (domain/counters.ts) corrects the sums for those few people from their episodes.
//
// checkCounters compares the tables with a rebuild from the raw rows (verify reports drift); rebuildCounters repairs.
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';

/** The resident's place as the counters file it: community, compound and building (0 when the room has no unit). */
const PLACES_VIEW = `CREATE VIEW resident_places AS
  SELECT r.id AS resident_id, r.community_id AS community_id, h.compound_id AS compound_id, COALESCE(u.parent_id, 0) AS building_id
  FROM residents r
  JOIN households h ON h.id = r.household_id
  LEFT JOIN places rm ON rm.id = h.room_id
  LEFT JOIN places u ON u.id = rm.parent_id`;

/** The place of a household for a given community (the old place of a resident who moved). */
function householdPlace(householdId: string, communityId: string): string {
  return `SELECT ${communityId} AS community_id, h.compound_id AS compound_id, COALESCE(u.parent_id, 0) AS building_id
    FROM households h LEFT JOIN places rm ON rm.id = h.room_id LEFT JOIN places u ON u.id = rm.parent_id WHERE h.id = ${householdId}`;
}

/** SQL: episode `x` covers day `d` (coversDate, end day excluded). */
function covers(x: string, d: string): string {
  return `(${x}.start_date <= ${d} AND (${x}.status = 'active' OR ${x}.ended_on > ${d}))`;
}

/** SQL: episode `x` covers at least one day. */
function coversSome(x: string): string {
  return `(${x}.status = 'active' OR (${x}.ended_on IS NOT NULL AND ${x}.ended_on > ${x}.start_date))`;
}

/**
 * What SQLite and PostgreSQL spell differently in the counters' SQL. SQLITE is the form every SQLite file has (its
 * texts must never change: verify compares them); db/pg/counters.ts renders the same statements with POSTGRES.
 */
export interface CounterDialect {
  /** The first day that counts as 待解除 for episode `x`: the day after its last day, not before its start. */
  releasableFrom(x: string): string;
  /** INSERT … that skips rows already there (coverage_overlaps). */
  insertIgnore(into: string, select: string): string;
  /** A join without a condition. */
  crossJoin: string;
  /** The alias a derived table needs (PostgreSQL 15 requires one). */
  derived: string;
  /** An always-true condition. */
  true: string;
  /** The place columns a GROUP BY of one person's check-ins lists too (SQLite takes them bare: one person, one place). */
  groupPlace: string;
}

export const SQLITE: CounterDialect = {
  releasableFrom: (x) => `max(${x}.start_date, date(${x}.last_day, '+1 day'))`,
  insertIgnore: (into, select) => `INSERT OR IGNORE INTO ${into}
    ${select}`,
  crossJoin: 'JOIN',
  derived: '',
  true: '1',
  groupPlace: '',
};

export const POSTGRES: CounterDialect = {
  releasableFrom: (x) => `GREATEST(${x}.start_date, to_char(${x}.last_day::date + 1, 'YYYY-MM-DD'))`,
  insertIgnore: (into, select) => `INSERT INTO ${into}
    ${select} ON CONFLICT DO NOTHING`,
  crossJoin: 'CROSS JOIN',
  derived: ' AS d',
  true: 'TRUE',
  groupPlace: ', p.community_id, p.compound_id, p.building_id',
};

/**
 * The rows an episode adds to coverage_counts, times `sign`: `source` yields episodes as `x` with their place as `p`
 * (columns community_id, compound_id, building_id). Up to six points per episode: start (+covered), end (−covered),
 * releasable start (+releasable), end (−releasable) — for an episode that covers any day — and two events counted on
 * their own day: it started (every episode), it was released (released ones).
 */
function coverageRows(source: string, sign: 1 | -1, d: CounterDialect = SQLITE, grouped?: { weight: string; place: string }): string {
  const r = d.releasableFrom('x');
  // Grouped: each source row stands for `weight` alike episodes and carries its place itself (alias `place`); it is
  // read once, outside the six points (CROSS JOIN keeps that order: the other way the grouping would run six times).
  const w = grouped ? ` * ${grouped.weight}` : '';
  const p = grouped?.place ?? 'p';
  const some = coversSome('x');
  return `SELECT
      CASE n.n WHEN 1 THEN x.start_date WHEN 3 THEN ${r} WHEN 5 THEN x.start_date ELSE x.ended_on END AS day,
      ${p}.community_id, ${p}.compound_id, ${p}.building_id, x.kind,
      SUM(CASE n.n WHEN 1 THEN ${sign}${w} WHEN 2 THEN ${-sign}${w} ELSE 0 END) AS covered,
      SUM(CASE n.n WHEN 3 THEN ${sign}${w} WHEN 4 THEN ${-sign}${w} ELSE 0 END) AS releasable,
      SUM(CASE n.n WHEN 5 THEN ${sign}${w} ELSE 0 END) AS started,
      SUM(CASE n.n WHEN 6 THEN ${sign}${w} ELSE 0 END) AS released
    FROM ${source}${grouped ? ' CROSS JOIN' : ','} (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6) n
    WHERE (n.n = 1 AND ${some})
      OR (n.n = 2 AND ${some} AND x.status <> 'active')
      OR (n.n = 3 AND ${some} AND (x.status = 'active' OR ${r} < x.ended_on))
      OR (n.n = 4 AND ${some} AND x.status <> 'active' AND ${r} < x.ended_on)
      OR n.n = 5
      OR (n.n = 6 AND x.status = 'released' AND x.ended_on IS NOT NULL)
    GROUP BY 1, 2, 3, 4, 5`;
}

const UPSERT_COVERAGE = `INSERT INTO coverage_counts (day, community_id, compound_id, building_id, kind, covered, releasable, started, released)`;
const SQLITE_ON_COVERAGE = `ON CONFLICT (day, community_id, compound_id, building_id, kind) DO UPDATE SET covered = covered + excluded.covered,
  releasable = releasable + excluded.releasable, started = started + excluded.started, released = released + excluded.released`;
// PostgreSQL wants the kept row's columns qualified in DO UPDATE (an unqualified one is ambiguous with excluded's).
const onCoverage = (d: CounterDialect) =>
  d === SQLITE
    ? SQLITE_ON_COVERAGE
    : SQLITE_ON_COVERAGE.replace(/= (covered|releasable|started|released) \+/g, '= coverage_counts.$1 +');
const UPSERT_DONE = `INSERT INTO checkin_counts (day, slot, community_id, compound_id, building_id, done)`;
const SQLITE_ON_DONE = `ON CONFLICT (day, slot, community_id, compound_id, building_id) DO UPDATE SET done = done + excluded.done`;
const onDone = (d: CounterDialect) => (d === SQLITE ? SQLITE_ON_DONE : SQLITE_ON_DONE.replace('= done +', '= checkin_counts.done +'));

/** One episode row (NEW or OLD of a trigger) as a source named x, joined to its resident's current place p. */
function episodeSource(row: 'NEW' | 'OLD'): string {
  return `(SELECT ${row}.start_date AS start_date, ${row}.ended_on AS ended_on, ${row}.status AS status, ${row}.last_day AS last_day,
      ${row}.kind AS kind, ${row}.resident_id AS resident_id) x JOIN resident_places p ON p.resident_id = x.resident_id`;
}

/** SQL: some episode of resident `resident` other than `except` covers day `d`. */
function someCovers(resident: string, d: string, except?: string): string {
  return `EXISTS (SELECT 1 FROM episodes e WHERE e.resident_id = ${resident}${except ? ` AND e.id <> ${except}` : ''} AND ${covers('e', d)})`;
}

/** SQL: episode row `row` (NEW/OLD) covers day `d`. */
function rowCovers(row: 'NEW' | 'OLD', d: string): string {
  return covers(row, d);
}

/** Check-ins of `resident` whose covered state changed from `before` to `after`, added to checkin_counts. */
function doneShift(resident: string, before: string, after: string, when?: string, d: CounterDialect = SQLITE): string {
  const change = `(CASE WHEN ${after} THEN 1 ELSE 0 END - CASE WHEN ${before} THEN 1 ELSE 0 END)`;
  return `${UPSERT_DONE}
    SELECT k.date, k.slot, p.community_id, p.compound_id, p.building_id, SUM(${change})
    FROM checkins k JOIN resident_places p ON p.resident_id = k.resident_id
    WHERE k.resident_id = ${resident} AND ${when ?? d.true}
    GROUP BY k.date, k.slot${d.groupPlace} HAVING SUM(${change}) <> 0
    ${onDone(d)}`;
}

/** A resident gets into coverage_overlaps when episode `row` overlaps another of theirs (kept for good: rare). */
function overlapMark(row: 'NEW', d: CounterDialect = SQLITE): string {
  const end = (x: string) => `CASE WHEN ${x}.status = 'active' THEN '9999-12-31' ELSE ${x}.ended_on END`;
  return d.insertIgnore(
    'coverage_overlaps (resident_id)',
    `SELECT ${row}.resident_id WHERE ${coversSome(row)} AND EXISTS (
      SELECT 1 FROM episodes o WHERE o.resident_id = ${row}.resident_id AND o.id <> ${row}.id AND ${coversSome('o')}
        AND o.start_date < ${end(row)} AND ${row}.start_date < ${end('o')})`,
  );
}

const EPISODE_COLUMNS = 'start_date, ended_on, status, last_day, kind';

/** A trigger as both engines need it: its event (`AFTER … ON table`), an optional condition and its statements. */
export interface TriggerSpec {
  event: string;
  when?: string;
  body: string[];
}

/** The counters' triggers, by name, in dialect `d`. */
export function counterTriggerSpecs(d: CounterDialect): Record<string, TriggerSpec> {
  const someCoversIn = (resident: string, day: string, except?: string) => someCovers(resident, day, except);
  return {
    counters_episodes_insert: {
      event: 'AFTER INSERT ON episodes',
      body: [
        `${UPSERT_COVERAGE} ${coverageRows(episodeSource('NEW'), 1, d)} ${onCoverage(d)}`,
        doneShift('NEW.resident_id', someCoversIn('k.resident_id', 'k.date', 'NEW.id'), someCoversIn('k.resident_id', 'k.date'), undefined, d),
        overlapMark('NEW', d),
      ],
    },
    counters_episodes_update: {
      event: `AFTER UPDATE OF ${EPISODE_COLUMNS}, resident_id ON episodes`,
      body: [
        `${UPSERT_COVERAGE} ${coverageRows(episodeSource('OLD'), -1, d)} ${onCoverage(d)}`,
        `${UPSERT_COVERAGE} ${coverageRows(episodeSource('NEW'), 1, d)} ${onCoverage(d)}`,
        doneShift('NEW.resident_id', `(${someCoversIn('k.resident_id', 'k.date', 'NEW.id')} OR (OLD.resident_id = NEW.resident_id AND ${rowCovers('OLD', 'k.date')}))`, someCoversIn('k.resident_id', 'k.date'), undefined, d),
        doneShift('OLD.resident_id', `(${someCoversIn('k.resident_id', 'k.date')} OR ${rowCovers('OLD', 'k.date')})`, someCoversIn('k.resident_id', 'k.date'), 'OLD.resident_id <> NEW.resident_id', d),
        overlapMark('NEW', d),
      ],
    },
    counters_episodes_delete: {
      event: 'AFTER DELETE ON episodes',
      body: [
        `${UPSERT_COVERAGE} ${coverageRows(episodeSource('OLD'), -1, d)} ${onCoverage(d)}`,
        doneShift('OLD.resident_id', `(${someCoversIn('k.resident_id', 'k.date')} OR ${rowCovers('OLD', 'k.date')})`, someCoversIn('k.resident_id', 'k.date'), undefined, d),
      ],
    },
    counters_checkins_insert: {
      event: 'AFTER INSERT ON checkins',
      body: [
        `${UPSERT_DONE} SELECT NEW.date, NEW.slot, p.community_id, p.compound_id, p.building_id, 1 FROM resident_places p
      WHERE p.resident_id = NEW.resident_id AND ${someCoversIn('NEW.resident_id', 'NEW.date')} ${onDone(d)}`,
      ],
    },
    counters_checkins_delete: {
      event: 'AFTER DELETE ON checkins',
      body: [
        `${UPSERT_DONE} SELECT OLD.date, OLD.slot, p.community_id, p.compound_id, p.building_id, -1 FROM resident_places p
      WHERE p.resident_id = OLD.resident_id AND ${someCoversIn('OLD.resident_id', 'OLD.date')} ${onDone(d)}`,
      ],
    },
    counters_checkins_update: {
      event: 'AFTER UPDATE OF resident_id, date, slot ON checkins',
      body: [
        `${UPSERT_DONE} SELECT OLD.date, OLD.slot, p.community_id, p.compound_id, p.building_id, -1 FROM resident_places p
      WHERE p.resident_id = OLD.resident_id AND ${someCoversIn('OLD.resident_id', 'OLD.date')} ${onDone(d)}`,
        `${UPSERT_DONE} SELECT NEW.date, NEW.slot, p.community_id, p.compound_id, p.building_id, 1 FROM resident_places p
      WHERE p.resident_id = NEW.resident_id AND ${someCoversIn('NEW.resident_id', 'NEW.date')} ${onDone(d)}`,
      ],
    },
    // A resident who moves (another household or community) takes their counts along.
    counters_residents_move: {
      event: 'AFTER UPDATE OF community_id, household_id ON residents',
      when: d === SQLITE ? 'OLD.community_id IS NOT NEW.community_id OR OLD.household_id IS NOT NEW.household_id' : 'OLD.community_id IS DISTINCT FROM NEW.community_id OR OLD.household_id IS DISTINCT FROM NEW.household_id',
      body: [
        `${UPSERT_COVERAGE} ${coverageRows(`episodes x JOIN (${householdPlace('OLD.household_id', 'OLD.community_id')}) p ON x.resident_id = NEW.id`, -1, d)} ${onCoverage(d)}`,
        `${UPSERT_COVERAGE} ${coverageRows(`episodes x JOIN resident_places p ON p.resident_id = x.resident_id AND x.resident_id = NEW.id`, 1, d)} ${onCoverage(d)}`,
        `${UPSERT_DONE} SELECT k.date, k.slot, p.community_id, p.compound_id, p.building_id, -COUNT(*)
      FROM checkins k ${d.crossJoin} (${householdPlace('OLD.household_id', 'OLD.community_id')}) p
      WHERE k.resident_id = NEW.id AND ${someCoversIn('k.resident_id', 'k.date')} GROUP BY k.date, k.slot${d.groupPlace} ${onDone(d)}`,
        `${UPSERT_DONE} SELECT k.date, k.slot, p.community_id, p.compound_id, p.building_id, COUNT(*)
      FROM checkins k JOIN resident_places p ON p.resident_id = k.resident_id
      WHERE k.resident_id = NEW.id AND ${someCoversIn('k.resident_id', 'k.date')} GROUP BY k.date, k.slot${d.groupPlace} ${onDone(d)}`,
      ],
    },
  };
}

/** The SQLite text of a trigger (the layout every existing file has). */
function sqliteTrigger(name: string, t: TriggerSpec): string {
  const head = t.when ? `CREATE TRIGGER ${name} ${t.event}\n    WHEN ${t.when} BEGIN` : `CREATE TRIGGER ${name} ${t.event} BEGIN`;
  return `${head}\n    ${t.body.join(';\n    ')};\n  END`;
}

/** Trigger name → CREATE TRIGGER text. */
export const COUNTER_TRIGGERS: Record<string, string> = Object.fromEntries(
  Object.entries(counterTriggerSpecs(SQLITE)).map(([name, t]) => [name, sqliteTrigger(name, t)]),
);

/**
 * SQL adding the counts of NEW residents' first episodes with ids in [lo, hi] (fresh-rows.ts): what
 * counters_episodes_insert adds for each, in one statement. Only for residents created together with these episodes:
 * they have no check-ins and no other episode, so the trigger's other two steps (check-ins now covered, overlaps)
 * have nothing to do.
 */
export function freshEpisodesCoverageSql(lo: number, hi: number, d: CounterDialect = SQLITE, residents?: [number, number]): string {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error('freshEpisodesCoverageSql: integer ids only');
  if (residents && !residents.every(Number.isSafeInteger)) throw new Error('freshEpisodesCoverageSql: integer ids only');
  // The new residents' id range, when given, lets PostgreSQL's planner read just them (without it, it hashes every
  // resident for each part of an import: 95 ms instead of 18 ms a part of 2,000 at 100,000 residents).
  const people = residents ? ` AND p.resident_id BETWEEN ${residents[0]} AND ${residents[1]}` : '';
  // The episodes alike in every column the counts read (an import's part: a few start dates, places and kinds) are
  // counted once, with their number as the weight: the same sums as one row per episode, from far fewer rows.
  const alike = `(SELECT e.start_date, e.ended_on, e.status, e.last_day, e.kind, p.community_id, p.compound_id, p.building_id, COUNT(*) AS n
    FROM episodes e JOIN resident_places p ON p.resident_id = e.resident_id AND e.id BETWEEN ${lo} AND ${hi}${people}
    GROUP BY e.start_date, e.ended_on, e.status, e.last_day, e.kind, p.community_id, p.compound_id, p.building_id) x`;
  return `${UPSERT_COVERAGE} ${coverageRows(alike, 1, d, { weight: 'x.n', place: 'x' })} ${onCoverage(d)}`;
}

/**
 * counter_version (migration 0009) moves whenever the people under control may have changed (an episode written, a
 * resident moved, a rebuild): readers keep their sums of coverage_counts for as long as it stays (domain/counters.ts).
 * Check-ins do not move it — the sums of who reported are read fresh, and cheaply, every time.
 */
export const VERSION_TRIGGERS: Record<string, string> = {
  counters_version_episodes_insert: `CREATE TRIGGER counters_version_episodes_insert AFTER INSERT ON episodes BEGIN UPDATE counter_version SET n = n + 1; END`,
  counters_version_episodes_update: `CREATE TRIGGER counters_version_episodes_update AFTER UPDATE OF ${EPISODE_COLUMNS}, resident_id ON episodes BEGIN UPDATE counter_version SET n = n + 1; END`,
  counters_version_episodes_delete: `CREATE TRIGGER counters_version_episodes_delete AFTER DELETE ON episodes BEGIN UPDATE counter_version SET n = n + 1; END`,
  counters_version_residents_move: `CREATE TRIGGER counters_version_residents_move AFTER UPDATE OF community_id, household_id ON residents
    WHEN OLD.community_id IS NOT NEW.community_id OR OLD.household_id IS NOT NEW.household_id BEGIN UPDATE counter_version SET n = n + 1; END`,
};

/** Migration 0017: a special-need flag set, changed or cleared moves counter_version too (the dashboard keeps its
 * need counts while it stays, domain/needs-counts.ts). */
export const NEEDS_VERSION_TRIGGERS: Record<string, string> = {
  counters_version_needs_insert: `CREATE TRIGGER counters_version_needs_insert AFTER INSERT ON resident_needs BEGIN UPDATE counter_version SET n = n + 1; END`,
  counters_version_needs_update: `CREATE TRIGGER counters_version_needs_update AFTER UPDATE ON resident_needs BEGIN UPDATE counter_version SET n = n + 1; END`,
  counters_version_needs_delete: `CREATE TRIGGER counters_version_needs_delete AFTER DELETE ON resident_needs BEGIN UPDATE counter_version SET n = n + 1; END`,
};

export const VERSION_DDL: string[] = ['CREATE TABLE counter_version (n INTEGER NOT NULL)', 'INSERT INTO counter_version (n) VALUES (1)'];

/** Tables, view and indexes (migration 0007), then the triggers. */
export const COUNTER_DDL: string[] = [
  `CREATE TABLE coverage_counts (
    day TEXT NOT NULL, community_id INTEGER NOT NULL, compound_id INTEGER NOT NULL, building_id INTEGER NOT NULL, kind TEXT NOT NULL,
    covered INTEGER NOT NULL DEFAULT 0, releasable INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL DEFAULT 0, released INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, community_id, compound_id, building_id, kind)) WITHOUT ROWID`,
  `CREATE TABLE checkin_counts (
    day TEXT NOT NULL, slot TEXT NOT NULL, community_id INTEGER NOT NULL, compound_id INTEGER NOT NULL, building_id INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, slot, community_id, compound_id, building_id)) WITHOUT ROWID`,
  `CREATE TABLE coverage_overlaps (resident_id INTEGER PRIMARY KEY)`,
  PLACES_VIEW,
  // The day's abnormal check-ins are few: counted from this index without touching the rest.
  `CREATE INDEX checkins_date_abnormal ON checkins (date, abnormal, community_id)`,
];

/** The counters recomputed from the raw rows, in the tables' own shape (for rebuild and check), in dialect `d`. */
export function recountSql(d: CounterDialect): { coverage: string; done: string; overlaps: string } {
  return {
    coverage: `SELECT day, community_id, compound_id, building_id, kind, SUM(covered) AS covered, SUM(releasable) AS releasable,
    SUM(started) AS started, SUM(released) AS released
  FROM (${coverageRows('episodes x JOIN resident_places p ON p.resident_id = x.resident_id', 1, d)})${d.derived}
  GROUP BY 1, 2, 3, 4, 5 HAVING SUM(covered) <> 0 OR SUM(releasable) <> 0 OR SUM(started) <> 0 OR SUM(released) <> 0`,
    done: `SELECT k.date AS day, k.slot AS slot, p.community_id, p.compound_id, p.building_id, COUNT(*) AS done
  FROM checkins k JOIN resident_places p ON p.resident_id = k.resident_id
  WHERE ${someCovers('k.resident_id', 'k.date')}
  GROUP BY 1, 2, 3, 4, 5`,
    overlaps: `SELECT DISTINCT a.resident_id FROM episodes a JOIN episodes b ON b.resident_id = a.resident_id AND b.id > a.id
  WHERE ${coversSome('a')} AND ${coversSome('b')}
    AND a.start_date < (CASE WHEN b.status = 'active' THEN '9999-12-31' ELSE b.ended_on END)
    AND b.start_date < (CASE WHEN a.status = 'active' THEN '9999-12-31' ELSE a.ended_on END)`,
  };
}

/** The statements that recompute every counter from the raw rows (in a transaction), in dialect `d`. */
export function rebuildSql(d: CounterDialect): string[] {
  const r = recountSql(d);
  return [
    'DELETE FROM coverage_counts',
    'DELETE FROM checkin_counts',
    `INSERT INTO coverage_counts (day, community_id, compound_id, building_id, kind, covered, releasable, started, released) ${r.coverage}`,
    `INSERT INTO checkin_counts (day, slot, community_id, compound_id, building_id, done) ${r.done}`,
    // Kept, not replaced: a resident once marked stays (the reader corrects them exactly either way).
    d === SQLITE ? `INSERT OR IGNORE INTO coverage_overlaps (resident_id) ${r.overlaps}` : `INSERT INTO coverage_overlaps (resident_id) ${r.overlaps} ON CONFLICT DO NOTHING`,
  ];
}

/** The statements that recompute every counter from the raw rows (in a transaction). */
export const REBUILD_SQL: string[] = rebuildSql(SQLITE);

/**
 * The queries checkCounters runs: differences between the kept counters and a recount, as rows (at most 20 each),
 * in dialect `d`.
 */
export function counterCheckSql(d: CounterDialect): string[] {
  const r = recountSql(d);
  const diff = (table: string, kept: string, fresh: string, key: string, values: string[]) => {
    const nonZero = values.map((v) => `${v} <> 0`).join(' OR ');
    const cols = `${key}, ${values.join(', ')}`;
    const a = d === SQLITE ? '' : ' AS a';
    const b = d === SQLITE ? '' : ' AS b';
    return `SELECT '${table}' AS t, * FROM (SELECT ${cols} FROM (${kept})${a} WHERE ${nonZero} EXCEPT SELECT ${cols} FROM (${fresh})${b} WHERE ${nonZero})${a}
        UNION ALL SELECT '${table} (missing)' AS t, * FROM (SELECT ${cols} FROM (${fresh})${a} WHERE ${nonZero} EXCEPT SELECT ${cols} FROM (${kept})${b} WHERE ${nonZero})${b} LIMIT 20`;
  };
  return [
    diff('coverage_counts', 'SELECT * FROM coverage_counts', r.coverage, 'day, community_id, compound_id, building_id, kind', ['covered', 'releasable', 'started', 'released']),
    diff('checkin_counts', 'SELECT * FROM checkin_counts', r.done, 'day, slot, community_id, compound_id, building_id', ['done']),
    `SELECT resident_id FROM (${r.overlaps})${d.derived} WHERE resident_id NOT IN (SELECT resident_id FROM coverage_overlaps) LIMIT 20`,
  ];
}

/** Recomputes every counter from the raw rows (after a bulk fill, or to repair drift). */
export function rebuildCounters(sqlite: SqliteDatabase.Database): void {
  sqlite.transaction(() => {
    for (const text of REBUILD_SQL) sqlite.exec(text);
    if (hasNeedCounters(sqlite)) for (const text of needRebuildSql(SQLITE)) sqlite.exec(text);
    if (sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'counter_version'").get()) sqlite.exec('UPDATE counter_version SET n = n + 1');
  })();
}

/**
 * Differences between the counters and a recount from the raw rows (rows with zero sums are ignored); empty when
 * they agree. Each line names the table and key.
 */
export function checkCounters(sqlite: SqliteDatabase.Database): string[] {
  const out: string[] = [];
  const [coverage, done, overlaps] = counterCheckSql(SQLITE);
  for (const text of [coverage, done]) for (const r of sqlite.prepare(text).all() as Record<string, unknown>[]) out.push(JSON.stringify(r));
  const missing = sqlite.prepare(overlaps).pluck().all();
  for (const id of missing) out.push(JSON.stringify({ t: 'coverage_overlaps (missing)', resident_id: id }));
  if (hasNeedCounters(sqlite)) for (const text of needCheckSql(SQLITE)) for (const r of sqlite.prepare(text).all() as Record<string, unknown>[]) out.push(JSON.stringify(r));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Migration 0018: the 特殊需求 counts of the 工作台 (domain/needs-counts.ts), kept like coverage_counts.
//
// need_registered holds, per community and need, the people carrying the flag (登记). need_coverage holds a difference
// array per community and need over the PAIRS (flag, episode) of one person: an episode that covers [start, end) adds
// +1 at its start day and −1 at its end day (none while it runs), so the sum of the rows with day ≤ D counts, per
// need, the covering episodes of the people carrying it. That is the number of people carrying it who are under
// control on D (在管) except for a person with two covering episodes at once — the residents of coverage_overlaps, a
// handful: the reader corrects those from their episodes. Each trigger adds or removes exactly the pairs its row makes
// with the other table's current rows (a flag with the person's episodes, an episode with the person's flags), in the
// community the person lives in now; a move re-files them. Recount and check as for the other counters.

/** Pairs (flag nd, episode x, community c) of `source` as need_coverage rows, times `sign`. */
function needPairRows(source: string, sign: 1 | -1, d: CounterDialect): string {
  return `SELECT CASE k.k WHEN 1 THEN x.start_date ELSE x.ended_on END AS day, c.community_id AS community_id, nd.need AS need,
      SUM(CASE k.k WHEN 1 THEN ${sign} ELSE ${-sign} END) AS covered
    FROM ${source} ${d.crossJoin} (SELECT 1 AS k UNION ALL SELECT 2) k
    WHERE ${coversSome('x')} AND (k.k = 1 OR x.status <> 'active')
    GROUP BY 1, 2, 3`;
}

const UPSERT_NEED_COVERAGE = `INSERT INTO need_coverage (day, community_id, need, covered)`;
const ON_NEED_COVERAGE = `ON CONFLICT (community_id, day, need) DO UPDATE SET covered = need_coverage.covered + excluded.covered`;
const UPSERT_NEED_REGISTERED = `INSERT INTO need_registered (community_id, need, registered)`;
const ON_NEED_REGISTERED = `ON CONFLICT (community_id, need) DO UPDATE SET registered = need_registered.registered + excluded.registered`;

/** One episode row (NEW/OLD) with its person's flags and community. */
function needEpisodeSource(row: 'NEW' | 'OLD'): string {
  return `(SELECT ${row}.start_date AS start_date, ${row}.ended_on AS ended_on, ${row}.status AS status, ${row}.resident_id AS resident_id) x
      JOIN resident_needs nd ON nd.resident_id = x.resident_id JOIN residents c ON c.id = x.resident_id`;
}

/** One flag row (NEW/OLD) with its person's episodes and community. */
function needFlagSource(row: 'NEW' | 'OLD'): string {
  return `(SELECT ${row}.resident_id AS resident_id, ${row}.need AS need) nd
      JOIN episodes x ON x.resident_id = nd.resident_id JOIN residents c ON c.id = nd.resident_id`;
}

function needFlagStatements(row: 'NEW' | 'OLD', sign: 1 | -1, d: CounterDialect): string[] {
  return [
    `${UPSERT_NEED_REGISTERED} SELECT c.community_id, nd.need, ${sign === 1 ? '' : '-'}COUNT(*)
      FROM (SELECT ${row}.resident_id AS resident_id, ${row}.need AS need) nd JOIN residents c ON c.id = nd.resident_id
      WHERE ${d.true} GROUP BY c.community_id, nd.need ${ON_NEED_REGISTERED}`,
    `${UPSERT_NEED_COVERAGE} ${needPairRows(needFlagSource(row), sign, d)} ${ON_NEED_COVERAGE}`,
  ];
}

/** A person's flags and pairs, filed under community `community` (a move: OLD.community_id −, NEW +; a delete: OLD −). */
function needMoveStatements(community: 'OLD' | 'NEW', sign: 1 | -1, d: CounterDialect, person: 'OLD' | 'NEW' = 'NEW'): string[] {
  const c = `(SELECT ${person}.id AS resident_id, ${community}.community_id AS community_id) c`;
  return [
    `${UPSERT_NEED_REGISTERED} SELECT c.community_id, nd.need, ${sign === 1 ? '' : '-'}COUNT(*)
      FROM ${c} JOIN resident_needs nd ON nd.resident_id = c.resident_id
      WHERE ${d.true} GROUP BY c.community_id, nd.need ${ON_NEED_REGISTERED}`,
    `${UPSERT_NEED_COVERAGE} ${needPairRows(`${c} JOIN episodes x ON x.resident_id = c.resident_id JOIN resident_needs nd ON nd.resident_id = c.resident_id`, sign, d)} ${ON_NEED_COVERAGE}`,
  ];
}

/** The need counters' triggers, by name, in dialect `d`. */
export function needTriggerSpecs(d: CounterDialect): Record<string, TriggerSpec> {
  const pairs = (row: 'NEW' | 'OLD', sign: 1 | -1) => `${UPSERT_NEED_COVERAGE} ${needPairRows(needEpisodeSource(row), sign, d)} ${ON_NEED_COVERAGE}`;
  return {
    need_counts_episodes_insert: { event: 'AFTER INSERT ON episodes', body: [pairs('NEW', 1)] },
    need_counts_episodes_update: { event: 'AFTER UPDATE OF start_date, ended_on, status, resident_id ON episodes', body: [pairs('OLD', -1), pairs('NEW', 1)] },
    need_counts_episodes_delete: { event: 'AFTER DELETE ON episodes', body: [pairs('OLD', -1)] },
    need_counts_needs_insert: { event: 'AFTER INSERT ON resident_needs', body: needFlagStatements('NEW', 1, d) },
    need_counts_needs_update: { event: 'AFTER UPDATE OF resident_id, need ON resident_needs', body: [...needFlagStatements('OLD', -1, d), ...needFlagStatements('NEW', 1, d)] },
    need_counts_needs_delete: { event: 'AFTER DELETE ON resident_needs', body: needFlagStatements('OLD', -1, d) },
    need_counts_residents_move: {
      event: 'AFTER UPDATE OF community_id ON residents',
      when: d === SQLITE ? 'OLD.community_id IS NOT NEW.community_id' : 'OLD.community_id IS DISTINCT FROM NEW.community_id',
      body: [...needMoveStatements('OLD', -1, d), ...needMoveStatements('NEW', 1, d)],
    },
    // A person deleted (a purge, an undone import) takes their flags along by ON DELETE CASCADE, which runs once the
    // person's row is gone — when the flags' own trigger no longer finds their community. So everything the person
    // counts for is taken off here, BEFORE the row goes, and the cascaded deletes then find nothing to take off.
    need_counts_residents_delete: { event: 'BEFORE DELETE ON residents', body: needMoveStatements('OLD', -1, d, 'OLD') },
  };
}

/** Trigger name → CREATE TRIGGER text (SQLite). */
export const NEED_COUNTER_TRIGGERS: Record<string, string> = Object.fromEntries(
  Object.entries(needTriggerSpecs(SQLITE)).map(([name, t]) => [name, sqliteTrigger(name, t)]),
);

/**
 * Migration 0018's indexes, the same on both engines: a subdistrict's server on a district database reads its own
 * communities' rows of the kept counters and of the day's supply requests (row-level security adds
 * `community_id = ANY (…)`), which the primary keys and indexes led by the day or status could only filter out of the
 * whole district's (at 1,000,000 residents: the coverage sums 17 ms each over 157,000 rows, 2.4 ms with their index;
 * the open supply requests 7 ms over 43,000, 1.5 ms).
 */
export const COUNTER_INDEXES_0018: string[] = [
  'CREATE INDEX coverage_counts_community_day ON coverage_counts (community_id, day)',
  'CREATE INDEX checkin_counts_community_day ON checkin_counts (community_id, day)',
  // The day's supply numbers of a subdistrict, each from one of these alone (index-only on PostgreSQL): created on the
  // date; open now, delivered or closed on the date (supplyBoard.ts, dashboard.ts supplyCharts).
  'CREATE INDEX supply_requests_community_created ON supply_requests (community_id, created_at, status, category)',
  'CREATE INDEX supply_requests_community_status_at ON supply_requests (community_id, status, status_at, category, created_at)',
  // The same for the whole office (SQLite, a district's owner): the requests created on the date per community
  // without a lookup of each (2.8 → 0.5 ms of the dashboard at 100,000 residents).
  'CREATE INDEX supply_requests_created_cover ON supply_requests (created_at, status, category, community_id)',
];

/**
 * Migration 0018: coverage_counts summed per community (no compound, no building), kept by triggers on
 * coverage_counts itself — so by every writer of it: the episode triggers, the import's catch-up, a rebuild. The
 * dashboard's and the daily report's sums (per community, and the 30-day chart) read these few rows per day instead
 * of one per building and kind: a sum up to a date reads days × communities × 2 rows.
 */
const COMMUNITY_COLUMNS = ['covered', 'releasable', 'started', 'released'] as const;
function communityShift(row: 'NEW' | 'OLD', sign: 1 | -1): string {
  const v = (c: string) => (sign === 1 ? `${row}.${c}` : `-${row}.${c}`);
  return `INSERT INTO coverage_by_community (day, community_id, kind, ${COMMUNITY_COLUMNS.join(', ')})
      VALUES (${row}.day, ${row}.community_id, ${row}.kind, ${COMMUNITY_COLUMNS.map(v).join(', ')})
      ON CONFLICT (community_id, day, kind) DO UPDATE SET ${COMMUNITY_COLUMNS.map((c) => `${c} = coverage_by_community.${c} + excluded.${c}`).join(', ')}`;
}

export const COMMUNITY_TRIGGER_SPECS: Record<string, TriggerSpec> = {
  community_counts_insert: { event: 'AFTER INSERT ON coverage_counts', body: [communityShift('NEW', 1)] },
  community_counts_update: { event: 'AFTER UPDATE ON coverage_counts', body: [communityShift('OLD', -1), communityShift('NEW', 1)] },
  community_counts_delete: { event: 'AFTER DELETE ON coverage_counts', body: [communityShift('OLD', -1)] },
};

export const COMMUNITY_COUNTER_TRIGGERS: Record<string, string> = Object.fromEntries(
  Object.entries(COMMUNITY_TRIGGER_SPECS).map(([name, t]) => [name, sqliteTrigger(name, t)]),
);

const COMMUNITY_RECOUNT = `SELECT day, community_id, kind, ${COMMUNITY_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM coverage_counts GROUP BY 1, 2, 3`;

/** Migration 0018's tables (SQLite). */
export const NEED_COUNTER_DDL: string[] = [
  `CREATE TABLE need_coverage (
    day TEXT NOT NULL, community_id INTEGER NOT NULL, need TEXT NOT NULL, covered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, day, need)) WITHOUT ROWID`,
  `CREATE TABLE need_registered (
    community_id INTEGER NOT NULL, need TEXT NOT NULL, registered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, need)) WITHOUT ROWID`,
  `CREATE TABLE coverage_by_community (
    day TEXT NOT NULL, community_id INTEGER NOT NULL, kind TEXT NOT NULL,
    covered INTEGER NOT NULL DEFAULT 0, releasable INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL DEFAULT 0, released INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community_id, day, kind)) WITHOUT ROWID`,
];

/** The need counters recomputed from the raw rows, in the tables' own shape. */
export function needRecountSql(d: CounterDialect): { coverage: string; registered: string } {
  return {
    coverage: `SELECT day, community_id, need, SUM(covered) AS covered
  FROM (${needPairRows('episodes x JOIN resident_needs nd ON nd.resident_id = x.resident_id JOIN residents c ON c.id = x.resident_id', 1, d)})${d.derived}
  GROUP BY 1, 2, 3 HAVING SUM(covered) <> 0`,
    registered: `SELECT r.community_id, n.need, COUNT(*) AS registered FROM resident_needs n JOIN residents r ON r.id = n.resident_id GROUP BY 1, 2`,
  };
}

export function needRebuildSql(d: CounterDialect): string[] {
  const r = needRecountSql(d);
  return [
    'DELETE FROM need_coverage',
    'DELETE FROM need_registered',
    `INSERT INTO need_coverage (day, community_id, need, covered) ${r.coverage}`,
    `INSERT INTO need_registered (community_id, need, registered) ${r.registered}`,
    // After coverage_counts (rebuilt first by rebuildSql): whatever its triggers did meanwhile is replaced.
    'DELETE FROM coverage_by_community',
    `INSERT INTO coverage_by_community (day, community_id, kind, ${COMMUNITY_COLUMNS.join(', ')}) ${COMMUNITY_RECOUNT}`,
  ];
}

/** Differences between the kept need counters and a recount (at most 20 rows each); empty when they agree. */
export function needCheckSql(d: CounterDialect): string[] {
  const r = needRecountSql(d);
  const a = d === SQLITE ? '' : ' AS a';
  const b = d === SQLITE ? '' : ' AS b';
  const diff = (table: string, kept: string, fresh: string, cols: string, value: string) =>
    `SELECT '${table}' AS t, * FROM (SELECT ${cols} FROM (${kept})${a} WHERE ${value} <> 0 EXCEPT SELECT ${cols} FROM (${fresh})${b} WHERE ${value} <> 0)${a}
        UNION ALL SELECT '${table} (missing)' AS t, * FROM (SELECT ${cols} FROM (${fresh})${a} WHERE ${value} <> 0 EXCEPT SELECT ${cols} FROM (${kept})${b} WHERE ${value} <> 0)${b} LIMIT 20`;
  const communityCols = `day, community_id, kind, ${COMMUNITY_COLUMNS.join(', ')}`;
  const communityNonZero = COMMUNITY_COLUMNS.map((c) => `${c} <> 0`).join(' OR ');
  return [
    diff('need_coverage', 'SELECT * FROM need_coverage', r.coverage, 'day, community_id, need, covered', 'covered'),
    diff('need_registered', 'SELECT * FROM need_registered', r.registered, 'community_id, need, registered', 'registered'),
    // coverage_by_community against coverage_counts (itself checked against the raw rows above).
    `SELECT 'coverage_by_community' AS t, * FROM (SELECT ${communityCols} FROM coverage_by_community WHERE ${communityNonZero}
        EXCEPT SELECT ${communityCols} FROM (${COMMUNITY_RECOUNT})${a} WHERE ${communityNonZero})${a}
      UNION ALL SELECT 'coverage_by_community (missing)' AS t, * FROM (SELECT ${communityCols} FROM (${COMMUNITY_RECOUNT})${a} WHERE ${communityNonZero}
        EXCEPT SELECT ${communityCols} FROM coverage_by_community WHERE ${communityNonZero})${b} LIMIT 20`,
  ];
}

const hasNeedCounters = (sqlite: SqliteDatabase.Database) => !!sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'need_coverage'").get();
