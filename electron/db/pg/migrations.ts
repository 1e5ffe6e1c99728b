// The PostgreSQL form of every migration in migrations/index.ts, by version. The list of migrations stays one list:
// a PostgreSQL database is migrated by the same versions, in the same order, recorded in the same schema_migrations.
// A form is either the SQLite migration run through the schema-builder translation (translate.ts: portable DDL, raw
// SQL listed) or that plus the PostgreSQL counterparts of its SQLite-only statements (PL/pgSQL triggers…).
//
// Adding a migration: add its form here. A version without one makes every PostgreSQL open fail before anything is
// written (missingPgForms), and test/pg checks that every migration has one.
import { sql, type Kysely } from 'kysely';
import { migrations } from '../migrations/index.ts';
import * as m0001 from '../migrations/0001-initial.ts';
import * as m0002 from '../migrations/0002-residents-search-cover.ts';
import * as m0003 from '../migrations/0003-residents-document-index.ts';
import * as m0004 from '../migrations/0004-database-identity.ts';
import * as m0006 from '../migrations/0006-office-server.ts';
import * as m0008 from '../migrations/0008-checkin-batches.ts';
import * as m0010 from '../migrations/0010-dashboard-indexes.ts';
import * as m0011 from '../migrations/0011-test-rounds.ts';
import * as m0012 from '../migrations/0012-notice-templates.ts';
import * as m0013 from '../migrations/0013-special-needs.ts';
import * as m0014 from '../migrations/0014-cadre-work.ts';
import * as m0017 from '../migrations/0017-needs-version.ts';
import { viaSchemaBuilder } from './translate.ts';
import { PG_AUDIT_CHAINED, PG_AUDIT_HASH_CHECKED, PG_AUDIT_PROTECT } from './audit.ts';
import { pgChangeTriggers } from './change-log.ts';
import { PG_COUNTER_DDL, PG_COUNTER_TRIGGERS, PG_REBUILD_SQL, PG_VERSION_DDL, PG_VERSION_TRIGGERS, PG_NEEDS_VERSION_TRIGGERS, PG_NEED_COUNTER_DDL, PG_NEED_COUNTER_TRIGGERS, PG_NEED_REBUILD_SQL, PG_COMMUNITY_COUNTER_TRIGGERS } from './counters.ts';
import { detailsCommit, newNonces, rowHash } from '../audit-chain.ts';
import { COUNTER_INDEXES_0018 } from '../counters.ts';
import { grantRole, listBindings, PG_DISTRICT_DDL, PG_DISTRICT_READER_DDL, scopeDdl, scopedBy } from './district.ts';
import { ACTOR_SETTING } from '../acting-user.ts';

export type PgForm = (db: Kysely<any>) => Promise<void>;

/** Runs each text (DDL, PL/pgSQL) in order. */
async function run(db: Kysely<any>, texts: string[]): Promise<void> {
  for (const text of texts) await sql.raw(text).execute(db);
}

/** An ISO 8601 UTC time with milliseconds, as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ','now') writes it. */
export const PG_NOW_ISO = `(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;

/** The transaction's acting user (db/acting-user.ts), NULL when none was set. */
export const PG_ACTOR = `NULLIF(current_setting('${ACTOR_SETTING}', true), '')`;

export const PG_FORMS: Record<number, PgForm> = {
  1: async (db) => {
    await viaSchemaBuilder(db, 'migration 1', m0001.up, { skip: [/^CREATE TRIGGER audit_log_no_(update|delete) /] });
    await run(db, PG_AUDIT_PROTECT);
  },
  2: (db) => viaSchemaBuilder(db, 'migration 2', m0002.up),
  3: (db) => viaSchemaBuilder(db, 'migration 3', m0003.up),
  4: (db) => viaSchemaBuilder(db, 'migration 4', m0004.up, { keep: ['id = 1'] }),
  5: async (db) => {
    // The SQLite form's columns and audit_chain_checks, without its SQLite-only trigger and temp-table statements.
    await db.schema.alterTable('audit_log').addColumn('nonce', 'text').execute();
    await db.schema.alterTable('audit_log').addColumn('details_hash', 'text').execute();
    await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(db);
    let prev = '';
    let after = 0;
    for (;;) {
      const rows = (
        await sql<{ id: number; at: string; u: string; action: string; entity: string | null; eid: number | null; rid: number | null; details: string | null }>`
          SELECT id, at, user_name AS u, action, entity, entity_id AS eid, resident_id AS rid, details
          FROM audit_log WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db)
      ).rows;
      if (!rows.length) break;
      after = Number(rows[rows.length - 1].id);
      const nonces = newNonces(rows.length);
      const fill = rows.map((r, i) => {
        const row = { id: Number(r.id), at: r.at, userName: r.u, action: r.action, entity: r.entity, entityId: r.eid === null ? null : Number(r.eid), residentId: r.rid === null ? null : Number(r.rid) };
        const hash = rowHash(prev, row, detailsCommit(nonces[i], r.details));
        prev = hash;
        return sql`(${row.id}::bigint, ${nonces[i]}, ${hash})`;
      });
      await sql`UPDATE audit_log SET nonce = f.nonce, hash = f.hash FROM (VALUES ${sql.join(fill)}) AS f (id, nonce, hash) WHERE f.id = audit_log.id`.execute(db);
    }
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(db);
    await run(db, PG_AUDIT_CHAINED);
    await viaSchemaBuilder(db, 'migration 5', async (t) => {
      await t.schema
        .createTable('audit_chain_checks')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('head_id', 'integer')
        .addColumn('head_hash', 'text')
        .addColumn('broken_id', 'integer')
        .addColumn('problems', 'text', (c) => c.notNull())
        .execute();
    });
  },
  6: async (db) => {
    await viaSchemaBuilder(db, 'migration 6', m0006.up, {
      replace: { "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))": PG_NOW_ISO },
      skip: [/^CREATE TRIGGER change_log_/],
    });
    await run(db, pgChangeTriggers());
  },
  7: async (db) => {
    await run(db, PG_COUNTER_DDL);
    await run(db, PG_REBUILD_SQL);
    await run(db, PG_COUNTER_TRIGGERS);
  },
  8: (db) =>
    viaSchemaBuilder(db, 'migration 8', m0008.up, {
      replace: { 'ALTER TABLE checkins ADD COLUMN batch_id INTEGER REFERENCES checkin_batches(id)': 'ALTER TABLE checkins ADD COLUMN batch_id BIGINT REFERENCES checkin_batches(id)' },
    }),
  9: async (db) => {
    await run(db, PG_VERSION_DDL);
    await run(db, PG_VERSION_TRIGGERS);
  },
  10: (db) => viaSchemaBuilder(db, 'migration 10', m0010.up),
  // SQLite rebuilds tests to make episode_id nullable; PostgreSQL alters it in place, so its rows, ids (the identity
  // sequence), indexes, change-log trigger and alerts' foreign key stay as they are: the catalogue reads, the copy to
  // a temporary table and back, and the sqlite_sequence carry-over are not run, and the CREATE TABLE becomes one
  // ALTER TABLE with the same new columns and CHECK. The new tables and indexes go through the translation.
  11: (db) =>
    viaSchemaBuilder(db, 'migration 11', m0011.up, {
      skip: [
        /^SELECT type, name, sql FROM sqlite_master /,
        /^SELECT seq FROM sqlite_sequence /,
        /^PRAGMA defer_foreign_keys = ON$/,
        /^CREATE TEMP TABLE tests_0011 AS SELECT \* FROM tests$/,
        /^DROP TABLE tests$/,
        /^INSERT INTO tests \(.*\) SELECT .* FROM tests_0011 ORDER BY id$/,
        /^DROP TABLE tests_0011$/,
      ],
      instead: [
        [
          /^CREATE TABLE tests \(/,
          `ALTER TABLE tests
            ALTER COLUMN episode_id DROP NOT NULL,
            ADD COLUMN round_id bigint REFERENCES test_rounds(id),
            ADD COLUMN sample_time text,
            ADD COLUMN tube_no text,
            ADD COLUMN pooled bigint NOT NULL DEFAULT 0,
            ADD CHECK (episode_id IS NOT NULL OR round_id IS NOT NULL)`,
        ],
      ],
    }),
  12: (db) => viaSchemaBuilder(db, 'migration 12', m0012.up),
  // WITHOUT ROWID (a table stored as its primary key's b-tree) has no PostgreSQL counterpart: a plain table.
  13: (db) => viaSchemaBuilder(db, 'migration 13', m0013.up, { replace: { 'WITHOUT ROWID': '' } }),
  14: (db) =>
    viaSchemaBuilder(db, 'migration 14', m0014.up, {
      replace: {
        'ALTER TABLE cadres ADD COLUMN group_id INTEGER REFERENCES cadre_groups(id)': 'ALTER TABLE cadres ADD COLUMN group_id BIGINT REFERENCES cadre_groups(id)',
        'ALTER TABLE users ADD COLUMN cadre_id INTEGER REFERENCES cadres(id)': 'ALTER TABLE users ADD COLUMN cadre_id BIGINT REFERENCES cadres(id)',
      },
    }),
  // The district binding: roles, row-level security, an audit chain per subdistrict (pg/district.ts).
  15: (db) => run(db, PG_DISTRICT_DDL),
  // The change log's actor defaults to the transaction's acting user (db/acting-user.ts sets it; '' once a session
  // has had it set in an earlier transaction, hence NULLIF). The audit chain is checked by the database from here on
  // (pg/audit.ts audit_log_hash_checked); the rows already there were checked by their writers and stay as they are.
  16: async (db) => {
    await sql.raw(`ALTER TABLE change_log ADD COLUMN actor text DEFAULT ${PG_ACTOR}`).execute(db);
    await run(db, PG_AUDIT_HASH_CHECKED);
  },
  // The triggers are statement-level here (one bump for an import's many flags); the index goes through the translation.
  17: async (db) => {
    await viaSchemaBuilder(db, 'migration 17', m0017.up, { skip: [/^CREATE TRIGGER counters_version_needs_/] });
    await run(db, PG_NEEDS_VERSION_TRIGGERS);
  },
  // The need counters (db/counters.ts): the tables, filled from the rows, their triggers (with the per-resident
  // locks of the other counters), row-level security by community like coverage_counts, and the bound roles granted
  // the new tables (their writes run these triggers).
  18: async (db) => {
    await run(db, PG_NEED_COUNTER_DDL);
    await run(db, PG_NEED_REBUILD_SQL);
    await run(db, PG_NEED_COUNTER_TRIGGERS);
    await run(db, PG_COMMUNITY_COUNTER_TRIGGERS);
    await run(db, COUNTER_INDEXES_0018);
    await run(db, scopeDdl(scopedBy(18)));
    for (const b of await listBindings(db)) await grantRole(db, b.role, b.subdistrictId === null ? 'reader' : 'subdistrict');
  },
  // A server on the district reader: its own traces' writes, its own audit chain (pg/district.ts).
  19: (db) => run(db, PG_DISTRICT_READER_DDL),
};

/** Migrations that have no PostgreSQL form yet (empty when every one has). */
export function missingPgForms(): Array<{ version: number; name: string }> {
  return migrations.filter((m) => !PG_FORMS[m.version]).map((m) => ({ version: m.version, name: m.name }));
}
