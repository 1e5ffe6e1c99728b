// 全员核酸 test rounds (issue 14 §1): a round (its date or dates, its scope — the whole subdistrict or some communities —
// who created it, open or closed), the communities of a round with a scope, exemptions per round and person (外出,
// 卧床上门采样, 婴幼儿, 其他 with a note), and tests that belong to a round and to no episode: tests.episode_id becomes
// nullable, which SQLite can only do by rebuilding the table. A test also gets its tube number (试管号), the sample
// time as the list gave it, and whether its tube was pooled (10混1).
//
// The rebuild runs inside the migrations' one transaction with foreign keys on: PRAGMA foreign_keys cannot change
// there, so the checks are deferred to the commit (defer_foreign_keys, reset at the end of the transaction). The rows
// are kept in a temporary table, tests is dropped (alerts.test_id now points at nothing: counted as deferred
// violations), created again under its own name and the rows put back (each row inserted into the parent table
// settles the alerts that point at it), so alerts' REFERENCES tests(id) never has to be rewritten. The indexes and
// every trigger on tests (the change_log triggers of 0006, anything added since) are read from sqlite_master first
// and created again from their own text.
//
// 应检 (due) is not stored: it is counted when read, from the residents living in scope now, minus the round's
// exemptions (domain/rounds.ts says exactly who).
import { sql, type Kysely } from 'kysely';

export const version = 11;
export const name = 'test-rounds';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('test_rounds')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    // 1 = the whole subdistrict; 0 = the communities listed in test_round_communities.
    .addColumn('whole_subdistrict', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('test_rounds_start').on('test_rounds').columns(['start_date', 'id']).execute();

  await db.schema
    .createTable('test_round_communities')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('test_rounds.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addPrimaryKeyConstraint('test_round_communities_pk', ['round_id', 'community_id'])
    .execute();

  await db.schema
    .createTable('round_exemptions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('round_id', 'integer', (c) => c.notNull().references('test_rounds.id'))
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('round_exemptions_person').unique().on('round_exemptions').columns(['round_id', 'resident_id']).execute();

  // ---- tests: episode_id nullable, round_id, tube_no, sample_time, pooled ----
  const kept = await sql<{ type: string; name: string; sql: string | null }>`
    SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'tests' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`.execute(db);
  const seq = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = 'tests'`.execute(db);
  await sql`PRAGMA defer_foreign_keys = ON`.execute(db);
  await sql`CREATE TEMP TABLE tests_0011 AS SELECT * FROM tests`.execute(db);
  await sql`DROP TABLE tests`.execute(db);
  await sql`CREATE TABLE tests (
    id integer PRIMARY KEY AUTOINCREMENT,
    resident_id integer NOT NULL REFERENCES residents(id),
    episode_id integer REFERENCES episodes(id),
    round_id integer REFERENCES test_rounds(id),
    sample_date text NOT NULL,
    sample_time text,
    test_type text NOT NULL,
    result text NOT NULL,
    tube_no text,
    pooled integer NOT NULL DEFAULT 0,
    source text NOT NULL,
    checkin_id integer REFERENCES checkins(id),
    import_batch_id integer REFERENCES import_batches(id),
    version integer NOT NULL DEFAULT 1,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    CHECK (episode_id IS NOT NULL OR round_id IS NOT NULL)
  )`.execute(db);
  await sql`INSERT INTO tests (id, resident_id, episode_id, sample_date, test_type, result, source, checkin_id, import_batch_id, version, created_at, updated_at)
    SELECT id, resident_id, episode_id, sample_date, test_type, result, source, checkin_id, import_batch_id, version, created_at, updated_at FROM tests_0011 ORDER BY id`.execute(db);
  await sql`DROP TABLE tests_0011`.execute(db);
  // AUTOINCREMENT never gives an id twice: the counter goes on from where it was (deleted last rows included).
  if (seq.rows[0]) {
    const last = seq.rows[0].seq;
    await sql`INSERT INTO sqlite_sequence (name, seq) SELECT 'tests', ${last} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tests')`.execute(db);
    await sql`UPDATE sqlite_sequence SET seq = max(seq, ${last}) WHERE name = 'tests'`.execute(db);
  }
  // Indexes first, then triggers (the rows put back above must not fire the change_log triggers again).
  for (const k of kept.rows) await sql.raw(k.sql!).execute(db);
  await db.schema.createIndex('tests_round').on('tests').columns(['round_id', 'resident_id']).where(sql.ref('round_id'), 'is not', null).execute();
  await db.schema.createIndex('tests_round_tube').on('tests').columns(['round_id', 'tube_no']).where(sql.ref('tube_no'), 'is not', null).execute();
}
