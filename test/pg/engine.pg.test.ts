// PostgreSQL as an engine: the migrations from the one list (every one with a PostgreSQL form; a missing form or
// SQLite-only SQL fails before anything is written), the same tables, columns and indexes as a SQLite file, refusals
// of a too-new database, two servers migrating at once, the audit trail's protections and its chain under concurrent
// writers on two pools, ids set by writers, and the change log's NOTIFY.
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../../electron/db/open.ts';
import { openPostgres, type PgHandle } from '../../electron/db/postgres.ts';
import { latestVersion, migrations } from '../../electron/db/migrations/index.ts';
import { missingPgForms, PG_FORMS } from '../../electron/db/pg/migrations.ts';
import { viaSchemaBuilder } from '../../electron/db/pg/translate.ts';
import { CHANGE_CHANNEL } from '../../electron/db/pg/change-log.ts';
import { detailsCommit, rowHash, verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { takeIds } from '../../electron/db/engine.ts';
import { audit } from '../../electron/domain/audit.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { pgDatabaseUrl, testPgUrl } from '../helpers/pg-db.ts';
import { PG_ONLY_SCHEMA } from '../../electron/db/pg/district.ts';

const admin = () => new pg.Client({ connectionString: testPgUrl()! });
let made: string[] = [];
let open: PgHandle[] = [];

/** A new, empty database (no migrations). */
async function emptyDb(): Promise<string> {
  const name = `idesk_e${process.pid}_${made.length}_${Date.now() % 100000}`;
  const c = admin();
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  made.push(name);
  return pgDatabaseUrl(name);
}

async function openPg(url: string, opts?: Parameters<typeof openPostgres>[1]) {
  const h = await openPostgres(url, opts);
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open) await h.close().catch(() => undefined);
  open = [];
  const c = admin();
  await c.connect();
  for (const name of made) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
  made = [];
});

const tableNames = async (db: PgHandle['db']) =>
  (await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`.execute(db)).rows.map((r) => r.t);

describe('migrations on PostgreSQL', () => {
  it('every migration of the one list has a PostgreSQL form, and a new database reaches the latest version', async () => {
    expect(missingPgForms()).toEqual([]);
    expect(Object.keys(PG_FORMS).map(Number).sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
    const h = await openPg(await emptyDb());
    expect(h.schemaVersion).toBe(latestVersion);
    const applied = (await sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`.execute(h.db)).rows.map((r) => r.version);
    expect(applied).toEqual(migrations.map((m) => m.version));
    expect((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM database_identity`.execute(h.db)).rows[0].n).toBe(1);
  });

  it('a migration without a PostgreSQL form fails loudly, naming it, and leaves the database empty', async () => {
    const url = await emptyDb();
    const last = migrations[migrations.length - 1];
    const saved = PG_FORMS[last.version];
    delete PG_FORMS[last.version];
    try {
      await expect(openPostgres(url)).rejects.toThrow(new RegExp(`${String(last.version).padStart(4, '0')}（${last.name}）.*PostgreSQL`));
    } finally {
      PG_FORMS[last.version] = saved;
    }
    const h = await openPg(url, { migrate: false });
    expect(await tableNames(h.db)).toEqual([]);
  });

  it('SQLite-only SQL in a migration run through the translation is refused, and nothing of it stays', async () => {
    const h = await openPg(await emptyDb(), { migrate: false });
    await expect(
      h.db.transaction().execute((trx) =>
        viaSchemaBuilder(trx, 'migration 99', async (db) => {
          await db.schema.createTable('t99').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()).execute();
          await sql`CREATE TRIGGER t99_x AFTER INSERT ON t99 BEGIN SELECT 1; END`.execute(db);
        }),
      ),
    ).rejects.toThrow(/migration 99: SQLite-only SQL without a PostgreSQL form: CREATE TRIGGER t99_x/);
    expect(await tableNames(h.db)).toEqual([]);
  });

  it('has the same tables, columns (and their NOT NULL), indexes and triggers as a SQLite file', async () => {
    const lite = await openDatabase(':memory:', { create: true });
    const h = await openPg(await emptyDb());
    try {
      const liteCols = lite.sqlite
        .prepare("SELECT m.name || '.' || p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' ORDER BY 1")
        .pluck()
        .all() as string[];
      const pgCols = (
        await sql<{ c: string }>`SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`.execute(h.db)
      ).rows.map((r) => r.c);
      // Migration 0015's district binding is PostgreSQL's alone (db/pg/district.ts): listed, and left out here.
      const pgOnly = (list: string[], only: string[]) => {
        for (const x of only) expect(list, x).toContain(x);
        return list.filter((x) => !only.includes(x));
      };
      expect(pgOnly(pgCols, PG_ONLY_SCHEMA.columns).sort()).toEqual(liteCols.sort());
      // NOT NULL the same (primary-key columns left out: SQLite's INTEGER PRIMARY KEY reports nullable, PostgreSQL's not).
      const liteNotNull = lite.sqlite
        .prepare("SELECT m.name || '.' || p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.pk = 0 AND p.\"notnull\" = 1 ORDER BY 1")
        .pluck()
        .all() as string[];
      const pgNotNull = (
        await sql<{ c: string }>`SELECT c.table_name || '.' || c.column_name AS c FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.is_nullable = 'NO' AND NOT EXISTS (
            SELECT 1 FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
            WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = 'public' AND k.table_name = c.table_name AND k.column_name = c.column_name)
          ORDER BY 1`.execute(h.db)
      ).rows.map((r) => r.c);
      expect(pgOnly(pgNotNull, PG_ONLY_SCHEMA.notNull).sort()).toEqual(liteNotNull.sort());
      const liteIdx = lite.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1").pluck().all() as string[];
      // PostgreSQL also lists the indexes behind primary keys and UNIQUE columns (SQLite's are implicit): left out.
      const pgIdx = (
        await sql<{ n: string }>`SELECT indexname AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY 1`.execute(h.db)
      ).rows.map((r) => r.n);
      expect(pgOnly(pgIdx, PG_ONLY_SCHEMA.indexes).sort()).toEqual(liteIdx.sort());
      const liteTrig = lite.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
      const pgTrig = new Set((await sql<{ n: string }>`SELECT DISTINCT trigger_name AS n FROM information_schema.triggers`.execute(h.db)).rows.map((r) => r.n));
      // One PostgreSQL trigger per watched table stands for SQLite's three change_log_<table>_<event> triggers.
      for (const t of liteTrig) expect(pgTrig.has(t) || pgTrig.has(t.replace(/_(insert|update|delete)$/, '')), t).toBe(true);
    } finally {
      await lite.close();
    }
  });

  it('a database at version 10 with tests is upgraded in place: rows, ids and the alerts pointing at them kept', async () => {
    const url = await emptyDb();
    const h = await openPg(url, { migrate: false });
    await h.db.transaction().execute(async (trx) => {
      await sql`CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`.execute(trx);
      for (const m of migrations.filter((x) => x.version <= 10)) {
        await PG_FORMS[m.version](trx as never);
        await sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, 'x')`.execute(trx);
      }
      await sql`INSERT INTO database_identity (id, database_id, created_at) VALUES (1, 'before-0011', 'x')`.execute(trx);
      const levels = ['community', 'compound', 'building', 'unit', 'room'];
      for (const [i, level] of levels.entries())
        await sql`INSERT INTO places (id, parent_id, level, name, created_at, updated_at) VALUES (${i + 1}, ${i ? i : null}, ${level}, ${`p${i + 1}`}, 'x', 'x')`.execute(trx);
      await sql`INSERT INTO households (id, community_id, compound_id, room_id, address, created_at, updated_at) VALUES (1, 1, 2, 5, 'a', 'x', 'x')`.execute(trx);
      await sql`INSERT INTO residents (id, household_id, community_id, name, name_pinyin, name_initials, doc_type, category, created_at, updated_at)
        VALUES (1, 1, 1, '甲', 'jia', 'j', '居民身份证', '其他', 'x', 'x')`.execute(trx);
      await sql`INSERT INTO episodes (id, resident_id, kind, start_date, last_day, release_date, test_days, monitoring_days, status, created_at, updated_at)
        VALUES (1, 1, 'home', '2022-01-10', '2022-01-16', '2022-01-17', '[]', 0, 'active', 'x', 'x')`.execute(trx);
      for (const id of [1, 2, 3])
        await sql`INSERT INTO tests (id, resident_id, episode_id, sample_date, test_type, result, source, created_at, updated_at)
          VALUES (${id}, 1, 1, '2022-01-11', '核酸', '阴性', 'manual', 'x', 'x')`.execute(trx);
      await sql`DELETE FROM tests WHERE id = 3`.execute(trx);
      await sql`SELECT setval(pg_get_serial_sequence('tests', 'id'), 3)`.execute(trx);
      await sql`INSERT INTO alerts (id, resident_id, community_id, test_id, date, reason, status, created_at, updated_at) VALUES (1, 1, 1, 2, '2022-01-11', 'r', 'open', 'x', 'x')`.execute(trx);
    });
    const up = await openPg(url);
    expect(up.schemaVersion).toBe(latestVersion);
    const tests = await up.db.selectFrom('tests').select(['id', 'episodeId', 'roundId', 'pooled']).orderBy('id').execute();
    expect(tests).toEqual([
      { id: 1, episodeId: 1, roundId: null, pooled: 0 },
      { id: 2, episodeId: 1, roundId: null, pooled: 0 },
    ]);
    // A new test of a round, without an episode, gets an id never handed out (3 was, and was deleted).
    await sql`INSERT INTO test_rounds (id, name, start_date, end_date, whole_subdistrict, created_by, created_at, updated_at) VALUES (1, 'r', '2022-01-19', '2022-01-19', 1, 'x', 'x', 'x')`.execute(up.db);
    const added = (await sql<{ id: number }>`INSERT INTO tests (resident_id, round_id, sample_date, test_type, result, source, tube_no, created_at, updated_at)
      VALUES (1, 1, '2022-01-19', '核酸', '阴性', 'round', 'T1', 'x', 'x') RETURNING id`.execute(up.db)).rows[0];
    expect(added.id).toBe(4);
    // Neither an episode nor a round: refused by the CHECK, as on SQLite.
    await expect(sql`INSERT INTO tests (resident_id, sample_date, test_type, result, source, created_at, updated_at) VALUES (1, '2022-01-19', '核酸', '阴性', 'x', 'x', 'x')`.execute(up.db)).rejects.toThrow(/check constraint/);
    // The alert still points at its test (the foreign key kept), and the change log saw the new test.
    await expect(sql`DELETE FROM tests WHERE id = 2`.execute(up.db)).rejects.toThrow(/foreign key/);
    const logged = await up.db.selectFrom('changeLog').select('rowId').where('tbl', '=', 'tests').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(logged.rowId).toBe(4);
  });

  it('refuses a database made by a newer program, unchanged', async () => {
    const url = await emptyDb();
    const h = await openPg(url);
    await sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latestVersion + 1}, 'future', 'x')`.execute(h.db);
    await expect(openPostgres(url)).rejects.toMatchObject({ code: 'too_new', message: expect.stringContaining(`数据结构版本 ${latestVersion + 1}`) });
    expect((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM schema_migrations`.execute(h.db)).rows[0].n).toBe(migrations.length + 1);
  });

  it('two servers opening a new database at once migrate it once', async () => {
    const url = await emptyDb();
    const [a, b] = await Promise.all([openPg(url), openPg(url)]);
    expect([a.schemaVersion, b.schemaVersion]).toEqual([latestVersion, latestVersion]);
    expect((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM schema_migrations`.execute(a.db)).rows[0].n).toBe(migrations.length);
  });

  it('an unreachable server is a clear error naming the database without its password', async () => {
    const u = new URL(testPgUrl()!);
    u.port = '1';
    await expect(openPostgres(u.toString(), { connectTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'unreadable',
      message: expect.stringMatching(/^无法连接 PostgreSQL 数据库 postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres/),
    });
  });
});

describe('audit trail on PostgreSQL', () => {
  it('refuses UPDATE, DELETE outside a purge, and a row without its chain hash', async () => {
    const h = await openPg(await emptyDb());
    const ctx = { db: h.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T01:00:00.000Z') };
    await audit(ctx, { action: 'demo.seed', entity: 'database' });
    await expect(sql`UPDATE audit_log SET user_name = 'x'`.execute(h.db)).rejects.toThrow(/audit log is append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(h.db)).rejects.toThrow(/audit log is append-only/);
    await expect(sql`INSERT INTO audit_log (at, user_name, action) VALUES ('x', 'x', 'x')`.execute(h.db)).rejects.toThrow(/must carry their chain hash/);
    // A purge's own transaction may delete while it holds the gate.
    await h.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO audit_purge_gate (id) VALUES (1)`.execute(trx);
      await sql`DELETE FROM audit_log`.execute(trx);
      await sql`DELETE FROM audit_purge_gate`.execute(trx);
    });
    expect((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM audit_log`.execute(h.db)).rows[0].n).toBe(0);
  });

  it('two servers (two pools) appending at once keep one unbroken chain, and plain INSERTs after them get fresh ids', async () => {
    const url = await emptyDb();
    const a = await openPg(url, { max: 4 });
    const b = await openPg(url, { max: 4 });
    const clock = fixedClock('2022-01-20T01:00:00.000Z');
    const writes = Array.from({ length: 40 }, (_, i) => audit({ db: (i % 2 ? a : b).db, actor: CLI_ACTOR, clock }, { action: 'demo.seed', entity: 'database', extra: { i } }));
    await Promise.all(writes);
    const rows = await a.db.selectFrom('auditLog').selectAll().orderBy('id').execute();
    expect(rows.length).toBe(40);
    let prev = '';
    for (const r of rows) {
      expect(r.hash, `row ${r.id}`).toBe(rowHash(prev, r, detailsCommit(r.nonce!, r.details)));
      prev = r.hash!;
    }
    // Ids taken by a writer move the sequence: a plain INSERT afterwards does not collide.
    const first = await a.db.transaction().execute((trx) => takeIds(trx, 'import_batches', 3));
    await sql`INSERT INTO import_batches (id, kind, file_name, user_name, at, counts) VALUES (${first + 2}, 'x', 'x', 'x', 'x', '{}')`.execute(a.db);
    const next = (await sql<{ id: number }>`INSERT INTO import_batches (kind, file_name, user_name, at, counts) VALUES ('x', 'x', 'x', 'x', '{}') RETURNING id`.execute(a.db)).rows[0].id;
    expect(next).toBe(first + 3);
  });
});

describe('audit chain verification on PostgreSQL', () => {
  it('verify finds the chain and its triggers sound, then reports a disabled, altered or dropped trigger and an edited row', async () => {
    const h = await openPg(await emptyDb());
    const ctx = { db: h.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T01:00:00.000Z') };
    for (let i = 0; i < 5; i++) await audit(ctx, { action: 'demo.seed', entity: 'database', extra: { i } });
    const sound = await verifyAuditChain(h.db);
    expect(sound).toMatchObject({ checked: true, ok: true, rows: 5, firstBrokenId: null, problems: [] });
    expect(sound.triggers.map((t) => [t.name, t.status]).sort()).toEqual([
      ['audit_log_chained', 'ok'],
      ['audit_log_hash_checked', 'ok'],
      ['audit_log_no_delete', 'ok'],
      ['audit_log_no_update', 'ok'],
    ]);
    // Disabled to edit a row quietly: both the trigger and the row are reported.
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(h.db);
    await sql`UPDATE audit_log SET user_name = 'someone' WHERE id = 3`.execute(h.db);
    const edited = await verifyAuditChain(h.db);
    expect(edited.ok).toBe(false);
    expect(edited.firstBrokenId).toBe(3);
    expect(edited.triggers.find((t) => t.name === 'audit_log_no_update')?.status).toBe('altered');
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(h.db);
    await sql`CREATE OR REPLACE FUNCTION audit_log_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`.execute(h.db);
    await sql`DROP TRIGGER audit_log_chained ON audit_log`.execute(h.db);
    await sql`CREATE FUNCTION extra_t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`.execute(h.db);
    await sql`CREATE TRIGGER extra_t BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION extra_t()`.execute(h.db);
    const statuses = Object.fromEntries((await verifyAuditChain(h.db)).triggers.map((t) => [t.name, t.status]));
    expect(statuses).toEqual({ audit_log_no_update: 'ok', audit_log_no_delete: 'altered', audit_log_chained: 'missing', audit_log_hash_checked: 'ok', extra_t: 'unexpected' });
  });
});

describe('change log on PostgreSQL', () => {
  it('triggers log every write with its community and NOTIFY listeners once the transaction commits', async () => {
    const url = await emptyDb();
    const h = await openPg(url);
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.channel));
    await listener.query(`LISTEN ${CHANGE_CHANNEL}`);
    try {
      await h.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO places (level, name, created_at, updated_at) VALUES ('community', '西大街社区', 'x', 'x')`.execute(trx);
        await sql`INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 'x')`.execute(trx);
        await new Promise((r) => setTimeout(r, 200));
        expect(heard).toEqual([]);
      });
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([CHANGE_CHANNEL]);
      const log = await h.db.selectFrom('changeLog').select(['tbl', 'rowId', 'communityId', 'at']).orderBy('seq').execute();
      expect(log.map((r) => [r.tbl, r.rowId, r.communityId])).toEqual([
        ['places', 1, null],
        ['settings', 0, null],
      ]);
      expect(log[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    } finally {
      await listener.end();
    }
  });
});
