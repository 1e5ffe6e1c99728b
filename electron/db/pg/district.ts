// A district on one PostgreSQL database (issue 17): several subdistricts side by side, each office server bound to its
// own, a district role that reads all. Migration 0015's PostgreSQL form, the roles, and the checks verify makes.
//
// Who is who is fixed in the database, not sent by the server:
// - idesk_bindings (role_name → subdistrict_id; NULL = a district reader) is readable only by its owner. A server
//   connects as its own login role (idesk_sub_<id>: LOGIN, NOBYPASSRLS, not the owner, no CREATEROLE).
// - idesk_bound_subdistrict(), idesk_reads_all() and idesk_visible_communities() are SECURITY DEFINER functions
//   keyed on session_user: `SET ROLE` changes current_user, not session_user, and there is no setting to SET.
// - Every table that holds a subdistrict's data has row-level security with one policy, idesk_scope, reading those
//   functions through scalar sub-selects (`= ANY ((SELECT idesk_visible_communities())::bigint[])`), which the planner runs once
//   per statement as an init plan; the comparison itself is an ordinary indexable `community_id = ANY (array)`.
// - The table owner (migrations, init, the command line given the owner's URL) is not subject to row-level security
//   (it is not FORCEd) and sees everything, as before this migration.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

const ALL = `(SELECT idesk_reads_all())`;
const COMM = (t: string) => `${t}.community_id = ANY ((SELECT idesk_visible_communities())::bigint[])`;
const OWN = (t: string) => `${t}.subdistrict_id = (SELECT idesk_bound_subdistrict())`;

interface Policy {
  using: string;
  check: string;
}

// The district reader's idesk_visible_communities() is every community, so a NOT NULL community_id needs no
// `reads_all OR …`: the bare `community_id = ANY (…)` lets the planner use the community indexes (a whole subdistrict's
// count as a bitmap index scan rather than a filter over every row). Only a nullable one keeps the OR.
const byCommunity = (t: string, nullable = false): Policy => ({ using: nullable ? `${ALL} OR ${COMM(t)}` : COMM(t), check: COMM(t) });
const byOwn = (t: string): Policy => ({ using: `${ALL} OR ${OWN(t)}`, check: OWN(t) });
/** A row belongs to its parent's subdistrict: visible when the parent row is (the parent's own policy decides). */
const byParent = (t: string, fk: string, parent: string): Policy => {
  const exists = `EXISTS (SELECT 1 FROM ${parent} p WHERE p.id = ${t}.${fk})`;
  return { using: `${ALL} OR ${exists}`, check: exists };
};
const CHAIN = (t: string) => `${t}.chain = (SELECT idesk_bound_subdistrict())`;
/** The place a connection writes as (migration 0019): its subdistrict, or the district for a district reader. */
const WRITER_CHAIN = (t: string) => `${t}.chain = (SELECT idesk_writer_place())`;
const OWN_SESSION = `EXISTS (SELECT 1 FROM users p WHERE p.id = server_sessions.user_id AND p.subdistrict_id = (SELECT idesk_writer_place()))`;

/** Every table holding a subdistrict's data, with its policy (test/pg/district.pg.test.ts walks them all). */
export const SCOPED_TABLES: Record<string, Policy> = {
  places: {
    using: `${ALL} OR places.level = 'district' OR ${OWN('places')}`,
    check: OWN('places'),
  },
  households: byCommunity('households'),
  residents: byCommunity('residents'),
  checkins: byCommunity('checkins'),
  alerts: byCommunity('alerts'),
  supply_requests: byCommunity('supply_requests'),
  cadres: byCommunity('cadres', true),
  cadre_groups: byCommunity('cadre_groups'),
  cadre_shifts: byCommunity('cadre_shifts'),
  door_visits: byCommunity('door_visits'),
  checkin_batches: byCommunity('checkin_batches'),
  coverage_counts: byCommunity('coverage_counts'),
  checkin_counts: byCommunity('checkin_counts'),
  need_coverage: byCommunity('need_coverage'),
  need_registered: byCommunity('need_registered'),
  coverage_by_community: byCommunity('coverage_by_community'),
  need_schedules: byCommunity('need_schedules'),
  test_round_communities: byCommunity('test_round_communities'),
  episodes: byParent('episodes', 'resident_id', 'residents'),
  tests: byParent('tests', 'resident_id', 'residents'),
  round_exemptions: byParent('round_exemptions', 'resident_id', 'residents'),
  resident_needs: byParent('resident_needs', 'resident_id', 'residents'),
  coverage_overlaps: byParent('coverage_overlaps', 'resident_id', 'residents'),
  episode_extensions: byParent('episode_extensions', 'episode_id', 'episodes'),
  supply_items: byParent('supply_items', 'request_id', 'supply_requests'),
  supply_transitions: byParent('supply_transitions', 'request_id', 'supply_requests'),
  cadre_compounds: byParent('cadre_compounds', 'cadre_id', 'cadres'),
  need_schedule_runs: byParent('need_schedule_runs', 'schedule_id', 'need_schedules'),
  idempotency_keys: byParent('idempotency_keys', 'device_id', 'devices'),
  // Migration 0019: a server's saved sessions are its own accounts' only (a district reader sees every account, yet
  // must neither load nor clear a subdistrict server's sessions).
  server_sessions: { using: OWN_SESSION, check: OWN_SESSION },
  users: byOwn('users'),
  test_rounds: byOwn('test_rounds'),
  import_batches: byOwn('import_batches'),
  devices: byOwn('devices'),
  pairing_codes: byOwn('pairing_codes'),
  // Migration 0019: a row is written into the writer's own chain (a subdistrict's, or the district readers' one, whose
  // chain is the district place's id); everyone reads as before.
  audit_log: { using: `${ALL} OR ${CHAIN('audit_log')}`, check: WRITER_CHAIN('audit_log') },
  audit_chain_checks: { using: `${ALL} OR ${CHAIN('audit_chain_checks')}`, check: WRITER_CHAIN('audit_chain_checks') },
  // The change feed: a community's rows go to that community's subdistrict; rows without one (users, places,
  // settings) to the subdistrict whose server wrote them, or to everyone when the owner did.
  change_log: {
    using: `${ALL} OR ${COMM('change_log')} OR (change_log.community_id IS NULL AND (change_log.subdistrict_id IS NULL OR ${OWN('change_log')}))`,
    check: `change_log.community_id IS NULL OR ${COMM('change_log')}`,
  },
};

/** Scoped tables made by a later migration (their policy is created there, not by 0015's DDL). */
const SCOPED_LATER: Record<string, number> = { need_coverage: 18, need_registered: 18, coverage_by_community: 18 };

/** Row-level security and the policy of the scoped tables `tables`. */
export function scopeDdl(tables: string[]): string[] {
  return tables.flatMap((t) => [`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`, `CREATE POLICY ${POLICY} ON ${t} USING (${SCOPED_TABLES[t].using}) WITH CHECK (${SCOPED_TABLES[t].check})`]);
}

/** The scoped tables migration `version` creates (after 0015). */
export const scopedBy = (version: number) => Object.keys(SCOPED_LATER).filter((t) => SCOPED_LATER[t] === version);

/** The policies of 0015 that migration 0019 replaces (0015 creates them as they were; 0019 recreates them). */
const POLICIES_BEFORE_0019: Record<string, Policy> = {
  audit_log: { using: `${ALL} OR ${CHAIN('audit_log')}`, check: CHAIN('audit_log') },
  audit_chain_checks: { using: `${ALL} OR ${CHAIN('audit_chain_checks')}`, check: CHAIN('audit_chain_checks') },
  server_sessions: byParent('server_sessions', 'user_id', 'users'),
};

/** Tables every role shares (district-wide): named here so verify can tell a new unscoped table from these. */
export const SHARED_TABLES = ['settings', 'database_identity', 'schema_migrations', 'counter_version', 'login_throttle', 'notice_templates', 'audit_purge_gate'];

/** Tables that get a subdistrict_id column (the subdistrict of the role that wrote the row, or the only one). */
const OWN_COLUMN = ['users', 'test_rounds', 'import_batches', 'devices', 'pairing_codes'];

export const POLICY = 'idesk_scope';

/** What migration 0015 adds on PostgreSQL only (a SQLite file has none of it): the schema comparison leaves it out. */
export const PG_ONLY_SCHEMA = {
  columns: [
    'idesk_bindings.role_name',
    'idesk_bindings.subdistrict_id',
    'idesk_bindings.created_at',
    'places.subdistrict_id',
    'change_log.subdistrict_id',
    'audit_log.chain',
    'audit_chain_checks.chain',
    ...OWN_COLUMN.map((t) => `${t}.subdistrict_id`),
  ],
  notNull: ['idesk_bindings.created_at', 'audit_log.chain', 'audit_chain_checks.chain'],
  indexes: ['places_subdistrict', 'audit_log_chain', ...OWN_COLUMN.map((t) => `${t}_subdistrict`)],
};

const DEFINER = 'LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT';

/** Migration 0015 on PostgreSQL. */
export const PG_DISTRICT_DDL: string[] = [
  `CREATE TABLE idesk_bindings (
    role_name text PRIMARY KEY,
    subdistrict_id bigint REFERENCES places(id),
    created_at text NOT NULL)`,
  `ALTER TABLE places ADD COLUMN subdistrict_id bigint REFERENCES places(id)`,
  `CREATE FUNCTION idesk_bound_subdistrict() RETURNS bigint ${DEFINER} AS $$
    SELECT subdistrict_id FROM idesk_bindings WHERE role_name = session_user::text $$`,
  `CREATE FUNCTION idesk_reads_all() RETURNS boolean ${DEFINER} AS $$
    SELECT EXISTS (SELECT 1 FROM idesk_bindings WHERE role_name = session_user::text AND subdistrict_id IS NULL) $$`,
  `CREATE FUNCTION idesk_visible_communities() RETURNS bigint[] ${DEFINER} AS $$
    SELECT CASE WHEN idesk_reads_all()
      THEN (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM places WHERE level = 'community')
      ELSE (SELECT coalesce(array_agg(p.id ORDER BY p.id), '{}') FROM places p
        JOIN idesk_bindings b ON b.subdistrict_id = p.subdistrict_id
        WHERE b.role_name = session_user::text AND p.level = 'community') END $$`,
  // A row written by a bound role belongs to its subdistrict; by the owner, to the only subdistrict when there is one.
  `CREATE FUNCTION idesk_default_subdistrict() RETURNS bigint ${DEFINER} AS $$
    SELECT coalesce(idesk_bound_subdistrict(), (SELECT min(id) FROM places WHERE level = 'subdistrict' HAVING count(*) = 1)) $$`,
  // The audit chain a connection appends to: its subdistrict's, or 0 (the district's: the owner, the command line).
  `CREATE FUNCTION idesk_audit_chain() RETURNS bigint ${DEFINER} AS $$ SELECT coalesce(idesk_bound_subdistrict(), 0) $$`,
  // A place's subdistrict, from its parent (SECURITY DEFINER: the parent is read whatever the writer may see).
  `CREATE FUNCTION idesk_place_subdistrict() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    BEGIN
      -- A place's level is fixed (else a server could turn the district into a community of its own).
      IF TG_OP = 'UPDATE' AND NEW.level IS DISTINCT FROM OLD.level THEN RAISE EXCEPTION 'a place''s level cannot change'; END IF;
      NEW.subdistrict_id := CASE NEW.level WHEN 'district' THEN NULL WHEN 'subdistrict' THEN NEW.id
        ELSE (SELECT subdistrict_id FROM places WHERE id = NEW.parent_id) END;
      RETURN NEW;
    END $$`,
  `ALTER TABLE places DISABLE TRIGGER USER`,
  `WITH RECURSIVE t (id, sid) AS (
      SELECT id, id FROM places WHERE level = 'subdistrict'
      UNION ALL SELECT p.id, t.sid FROM places p JOIN t ON p.parent_id = t.id)
    UPDATE places SET subdistrict_id = t.sid FROM t WHERE places.id = t.id`,
  `ALTER TABLE places ENABLE TRIGGER USER`,
  `CREATE TRIGGER idesk_place_subdistrict BEFORE INSERT OR UPDATE OF parent_id, level, subdistrict_id ON places FOR EACH ROW EXECUTE FUNCTION idesk_place_subdistrict()`,
  `CREATE INDEX places_subdistrict ON places (subdistrict_id, level)`,
  ...OWN_COLUMN.flatMap((t) => [
    `ALTER TABLE ${t} ADD COLUMN subdistrict_id bigint REFERENCES places(id) DEFAULT idesk_default_subdistrict()`,
    `CREATE INDEX ${t}_subdistrict ON ${t} (subdistrict_id)`,
  ]),
  `ALTER TABLE change_log ADD COLUMN subdistrict_id bigint DEFAULT idesk_bound_subdistrict()`,
  // Existing rows stay in one chain (0), so their hashes verify as before.
  `ALTER TABLE audit_log ADD COLUMN chain bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE audit_log ALTER COLUMN chain SET DEFAULT idesk_audit_chain()`,
  `CREATE INDEX audit_log_chain ON audit_log (chain, id)`,
  // THE prev-hash lookup (db/audit-chain.ts chainPrevHash calls it; a trigger recomputing hashes should too).
  `CREATE FUNCTION idesk_audit_chain_prev(p_chain bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT hash FROM audit_log WHERE chain = p_chain ORDER BY id DESC LIMIT 1 $$`,
  `ALTER TABLE audit_chain_checks ADD COLUMN chain bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE audit_chain_checks ALTER COLUMN chain SET DEFAULT idesk_audit_chain()`,
  // A view runs with its owner's rights unless told otherwise: without this, a bound role would read every
  // subdistrict's residents through it.
  `ALTER VIEW resident_places SET (security_invoker = true)`,
  ...Object.entries({ ...SCOPED_TABLES, ...POLICIES_BEFORE_0019 })
    .filter(([t]) => !SCOPED_LATER[t])
    .flatMap(([t, p]) => [`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`, `CREATE POLICY ${POLICY} ON ${t} USING (${p.using}) WITH CHECK (${p.check})`]),
];

/**
 * What a district reader writes (migration 0019): the traces of its own logins and reads — audit rows in its own chain
 * (logins, exports, reveals; INSERT, and UPDATE only because appending takes a SHARE ROW EXCLUSIVE lock on the table:
 * the table's own trigger refuses every UPDATE), its chain checks, the login throttle (shared by the district, as for
 * every server) and its own accounts' saved sessions. Row-level security confines each (policies above); every other
 * table stays SELECT only, so the database refuses any other write by the reader.
 */
export const READER_WRITES: Record<string, string> = {
  audit_log: 'INSERT, UPDATE',
  audit_chain_checks: 'INSERT',
  login_throttle: 'INSERT, UPDATE, DELETE',
  server_sessions: 'INSERT, UPDATE, DELETE',
};
/** The tables of READER_WRITES with an id sequence (audit rows take their ids themselves: engine.ts takeIds). */
const READER_SEQUENCES = ['audit_log', 'audit_chain_checks'];

/** Migration 0019 on PostgreSQL: a server can run on the district reader (db/engine.ts connectionKind 'reader'). */
export const PG_DISTRICT_READER_DDL: string[] = [
  // The place a connection writes as: its subdistrict, or (a district reader) the district; NULL for the owner.
  `CREATE FUNCTION idesk_writer_place() RETURNS bigint ${DEFINER} AS $$
    SELECT coalesce(idesk_bound_subdistrict(), CASE WHEN idesk_reads_all() THEN (SELECT min(id) FROM places WHERE level = 'district') END) $$`,
  // The district readers' audit chain is the district place's id (0 stays the owner's, a subdistrict's its id).
  `CREATE OR REPLACE FUNCTION idesk_audit_chain() RETURNS bigint ${DEFINER} AS $$ SELECT coalesce(idesk_writer_place(), 0) $$`,
  ...Object.keys(POLICIES_BEFORE_0019).flatMap((t) => [
    `DROP POLICY ${POLICY} ON ${t}`,
    `CREATE POLICY ${POLICY} ON ${t} USING (${SCOPED_TABLES[t].using}) WITH CHECK (${SCOPED_TABLES[t].check})`,
  ]),
  // The readers bound before this migration: their writes, and no longer every transaction read-only (the grants
  // and the policies are what keep them from writing). ALTER ROLE needs CREATEROLE: without it, a notice says which
  // role an administrator must change.
  `DO $$ DECLARE r text; BEGIN
    FOR r IN SELECT role_name FROM idesk_bindings WHERE subdistrict_id IS NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) LOOP
      ${Object.entries(READER_WRITES)
        .map(([t, w]) => `EXECUTE format('GRANT ${w} ON ${t} TO %I', r);`)
        .join(' ')}
      EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE ${READER_SEQUENCES.map((t) => `${t}_id_seq`).join(', ')} TO %I', r);
      BEGIN
        EXECUTE format('ALTER ROLE %I RESET default_transaction_read_only', r);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'ALTER ROLE % RESET default_transaction_read_only: not allowed to this role; ask an administrator', r;
      END;
    END LOOP;
  END $$`,
];

/** A role name as the database spells it (lower case letters, digits and _; at most 63 bytes). */
export function checkRoleName(name: string): boolean {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name);
}

export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

export type BindingKind = 'subdistrict' | 'reader';

/**
 * (Re)grants a bound role what it needs on every table and sequence of the schema (run by add-subdistrict,
 * add-reader and init, so tables of later migrations are granted too). A subdistrict role reads and writes
 * (row-level security confines it); a reader only reads. idesk_bindings is granted to nobody.
 */
export async function grantRole(db: Kysely<Database>, role: string, kind: BindingKind): Promise<void> {
  const r = quoteIdent(role);
  const tables = (
    await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'idesk_bindings' ORDER BY 1`.execute(db)
  ).rows.map((x) => quoteIdent(x.t));
  // Identity columns' sequences too (information_schema.sequences leaves them out).
  const seqs = (await sql<{ s: string }>`SELECT relname AS s FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'S' ORDER BY 1`.execute(db)).rows.map((x) => quoteIdent(x.s));
  await sql.raw(`GRANT USAGE ON SCHEMA ${quoteIdent(await currentSchema(db))} TO ${r}`).execute(db);
  if (tables.length) await sql.raw(`GRANT ${kind === 'reader' ? 'SELECT' : 'SELECT, INSERT, UPDATE, DELETE'} ON ${tables.join(', ')} TO ${r}`).execute(db);
  if (seqs.length) await sql.raw(`GRANT ${kind === 'reader' ? 'SELECT' : 'USAGE, SELECT, UPDATE'} ON SEQUENCE ${seqs.join(', ')} TO ${r}`).execute(db);
  // A district reader writes its own traces only (READER_WRITES, migration 0019; before it, nothing).
  if (kind === 'reader' && (await sql<{ f: string | null }>`SELECT to_regprocedure('idesk_writer_place()')::text AS f`.execute(db)).rows[0]?.f) {
    for (const [t, w] of Object.entries(READER_WRITES)) {
      await sql.raw(`GRANT ${w} ON ${quoteIdent(t)} TO ${r}`).execute(db);
    }
    await sql.raw(`GRANT USAGE, SELECT, UPDATE ON SEQUENCE ${READER_SEQUENCES.map((t) => quoteIdent(`${t}_id_seq`)).join(', ')} TO ${r}`).execute(db);
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  return (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0].s;
}

export interface Binding {
  role: string;
  subdistrictId: number | null;
}

export async function listBindings(db: Kysely<Database>): Promise<Binding[]> {
  const rows = (await sql<{ role: string; sid: number | null }>`SELECT role_name AS role, subdistrict_id AS sid FROM idesk_bindings ORDER BY role_name`.execute(db)).rows;
  return rows.map((r) => ({ role: r.role, subdistrictId: r.sid === null ? null : Number(r.sid) }));
}

/**
 * Creates login role `role` (or takes an existing one that is not a superuser, owner or BYPASSRLS role), binds it in
 * idesk_bindings and grants it. Run by the owner, inside the caller's transaction.
 */
export async function createBoundRole(db: Kysely<Database>, role: string, password: string, subdistrictId: number | null): Promise<void> {
  const exists = (await sql<{ n: number }>`SELECT count(*) AS n FROM pg_roles WHERE rolname = ${role}`.execute(db)).rows[0];
  if (Number(exists.n) > 0) throw new Error(`数据库角色 ${role} 已存在，请换一个名字（--role）。 / Role ${role} exists already.`);
  await sql
    .raw(`CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD ${quoteLiteral(password)}`)
    .execute(db);
  await sql`INSERT INTO idesk_bindings (role_name, subdistrict_id, created_at) VALUES (${role}, ${subdistrictId}, ${new Date().toISOString()})`.execute(db);
  await grantRole(db, role, subdistrictId === null ? 'reader' : 'subdistrict');
  // A reader is not made read-only by a default any more (migration 0019): it writes its logins' and reads' traces,
  // and its grants and the row-level security are what refuse every other write.
}

/** What the connection is bound to: a subdistrict, the district (reads all), or nothing (the owner; before 0015). */
export interface ConnectionBinding {
  subdistrictId: number | null;
  readsAll: boolean;
  /** The connection is the tables' owner or a superuser: row-level security does not apply to it. */
  owner: boolean;
}

export async function readBinding(db: Kysely<Database>): Promise<ConnectionBinding> {
  const has = (await sql<{ t: string | null }>`SELECT to_regprocedure('idesk_bound_subdistrict()')::text AS t`.execute(db)).rows[0];
  const owner = (
    await sql<{ o: boolean }>`SELECT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user)
      OR pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass('residents')), 'USAGE') AS o`.execute(db)
  ).rows[0];
  if (!has?.t) return { subdistrictId: null, readsAll: false, owner: !!owner?.o };
  const r = (await sql<{ s: number | null; a: boolean }>`SELECT idesk_bound_subdistrict() AS s, idesk_reads_all() AS a`.execute(db)).rows[0];
  return { subdistrictId: r.s === null ? null : Number(r.s), readsAll: !!r.a, owner: !!owner?.o };
}

/** The functions, tables and columns a policy expression names (PostgreSQL prints it back reformatted, not these). */
const marks = (text: string) => new Set(text.match(/idesk_\w+|FROM \w+|\b[a-z]\w*_id\b|\bchain\b|\blevel\b|'\w+'/g) ?? []);
function sameMarks(expected: string, actual: string | null): boolean {
  const a = marks(actual ?? '');
  const e = marks(expected);
  return [...e].every((m) => a.has(m)) && [...a].every((m) => e.has(m));
}

/**
 * The database's side of the binding as verify sees it: every scoped table has row-level security on and exactly
 * its one policy with the expected functions; no bound role may bypass it or own the tables. Chinese sentences.
 */
export async function checkDistrictPolicies(db: Kysely<Database>): Promise<string[]> {
  const problems: string[] = [];
  const has = (await sql<{ t: string | null }>`SELECT to_regclass('idesk_bindings')::text AS t`.execute(db)).rows[0];
  if (!has?.t) return problems;
  const rls = new Map(
    (await sql<{ t: string; on: boolean; force: boolean }>`SELECT relname AS t, relrowsecurity AS on, relforcerowsecurity AS force FROM pg_class
      WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'`.execute(db)).rows.map((r) => [r.t, r.on]),
  );
  const policies = (
    await sql<{ t: string; name: string; qual: string | null; check: string | null; permissive: string; cmd: string }>`
      SELECT tablename AS t, policyname AS name, qual, with_check AS check, permissive, cmd FROM pg_policies WHERE schemaname = current_schema()`.execute(db)
  ).rows;
  for (const t of Object.keys(SCOPED_TABLES)) {
    if (!rls.has(t)) continue;
    if (!rls.get(t)) problems.push(`表 ${t} 的行级安全（row-level security）被关闭：各街道的服务器可以读写其他街道的数据`);
    const mine = policies.filter((p) => p.t === t);
    const own = mine.find((p) => p.name === POLICY);
    if (!own) problems.push(`表 ${t} 缺少行级安全策略 ${POLICY}（被删除）：街道的服务器在此表中看不到任何数据，或权限被改动`);
    else if (own.cmd !== 'ALL' || own.permissive !== 'PERMISSIVE' || !sameMarks(SCOPED_TABLES[t].using, own.qual) || !sameMarks(SCOPED_TABLES[t].check, own.check)) {
      problems.push(`表 ${t} 的行级安全策略 ${POLICY} 被改动`);
    }
    for (const p of mine) if (p.name !== POLICY) problems.push(`表 ${t} 上多出一个本软件未创建的行级安全策略 ${p.name}（可能放开了其他街道的数据）`);
  }
  for (const t of rls.keys()) {
    if (t === 'idesk_bindings' || t in SCOPED_TABLES || SHARED_TABLES.includes(t)) continue;
    if (!rls.get(t)) problems.push(`表 ${t} 没有行级安全，也不在各街道共用的表之列`);
  }
  const roles = (
    await sql<{ role: string; sid: number | null; exists: boolean; bypass: boolean | null; owner: boolean | null }>`
      SELECT b.role_name AS role, b.subdistrict_id AS sid, r.oid IS NOT NULL AS exists, (r.rolsuper OR r.rolbypassrls) AS bypass,
        (SELECT bool_or(c.relowner = r.oid) FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace) AS owner
      FROM idesk_bindings b LEFT JOIN pg_roles r ON r.rolname = b.role_name ORDER BY 1`.execute(db)
  ).rows;
  for (const r of roles) {
    if (!r.exists) problems.push(`绑定表中的数据库角色 ${r.role} 不存在`);
    else if (r.bypass) problems.push(`数据库角色 ${r.role} 是超级用户或有 BYPASSRLS 权限：行级安全对它无效`);
    else if (r.owner) problems.push(`数据库角色 ${r.role} 拥有数据表：行级安全对它无效`);
  }
  return problems;
}

/**
 * A demo fill on PostgreSQL (seed-demo), inside the caller's transaction: the tables' own triggers (change log,
 * counters and their version, the place tree's subdistrict) are off while `fn` writes — one UPDATE of counter_version
 * per episode row and a change-log row per row made a 100,000-resident seed take many minutes —, then each place's
 * subdistrict is filled from the tree and the counters are rebuilt from the rows, as the triggers would have left them.
 * The audit log keeps its triggers. Run by the tables' owner (ALTER TABLE); a failure rolls everything back.
 */
export async function withPgSeedLoad<T>(trx: Kysely<Database>, fn: () => Promise<T>): Promise<T> {
  if (!trx.isTransaction) throw new Error('withPgSeedLoad needs a transaction');
  // A million-resident fill: the pool's per-statement and idle-in-transaction limits are for servers, not for this.
  await sql`SET LOCAL statement_timeout = 0`.execute(trx);
  await sql`SET LOCAL idle_in_transaction_session_timeout = 0`.execute(trx);
  // The commit waits for its WAL even on a server run with synchronous_commit off (the test and bench servers): until
  // then no row of the fill can be hinted committed, and the VACUUM after it (vacuumAfterPgSeedLoad) could not mark
  // a single page all-visible.
  await sql`SET LOCAL synchronous_commit = on`.execute(trx);
  const tables = (
    await sql<{ t: string }>`SELECT DISTINCT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
      WHERE NOT g.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND c.relname NOT IN ('audit_log', 'audit_purge_gate') ORDER BY 1`.execute(trx)
  ).rows.map((r) => r.t);
  for (const t of tables) await sql.raw(`ALTER TABLE ${quoteIdent(t)} DISABLE TRIGGER USER`).execute(trx);
  const out = await fn();
  if (await hasDistrictSchema(trx)) {
    await sql`WITH RECURSIVE t (id, sid) AS (
        SELECT id, id FROM places WHERE level = 'subdistrict'
        UNION ALL SELECT p.id, t.sid FROM places p JOIN t ON p.parent_id = t.id)
      UPDATE places SET subdistrict_id = t.sid FROM t WHERE places.id = t.id AND places.subdistrict_id IS DISTINCT FROM t.sid`.execute(trx);
  }
  // Rebuilt while the triggers are still off: coverage_by_community's triggers on coverage_counts would otherwise run
  // once per counter row the rebuild deletes and inserts (300,000 at 1,000,000 residents) for a table it rebuilds anyway.
  const { rebuildCountersPg } = await import('./counters.ts');
  await rebuildCountersPg(trx);
  for (const t of tables) await sql.raw(`ALTER TABLE ${quoteIdent(t)} ENABLE TRIGGER USER`).execute(trx);
  return out;
}

async function hasDistrictSchema(db: Kysely<Database>): Promise<boolean> {
  return !!(await sql<{ t: string | null }>`SELECT to_regclass('idesk_bindings')::text AS t`.execute(db)).rows[0]?.t;
}

/**
 * After a demo fill has committed (outside any transaction): VACUUM ANALYZE, the statistics and the visibility map
 * autovacuum would write later on a database in use. A freshly loaded table has no visibility map, so until then every
 * count answered from an index (a whole subdistrict's residents total: 100,000 index entries) visits each row's heap
 * page too — as slow as reading the table.
 */
export async function vacuumAfterPgSeedLoad(db: Kysely<Database>): Promise<void> {
  if (db.isTransaction) throw new Error('VACUUM cannot run inside a transaction');
  // INDEX_CLEANUP ON: the fill updates rows it inserted (a resident's current episode, the places' subdistricts), and
  // when such dead versions are few VACUUM by default leaves them, and their pages not all-visible, for a later run.
  // On one connection of the pool, without its per-statement limit (a million-resident database takes minutes).
  await db.connection().execute(async (c) => {
    await sql`SET statement_timeout = 0`.execute(c);
    try {
      await sql`VACUUM (ANALYZE, INDEX_CLEANUP ON)`.execute(c);
    } finally {
      await sql`RESET statement_timeout`.execute(c);
    }
  });
}
