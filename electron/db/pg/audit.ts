// The audit trail's protecting triggers on PostgreSQL (the SQLite ones are db/audit-chain.ts AUDIT_TRIGGERS): the log
// is append-only (UPDATE refused; DELETE refused unless a purge holds a row in audit_purge_gate inside its own
// transaction) and every row must carry its chain hash. Each trigger calls a PL/pgSQL function of the same name;
// pgAuditTriggerRows reads back what the database has, so verify can say whether one is missing, altered or disabled.
//
// Since migration 0016 the database checks the chain itself: audit_log_hash_checked recomputes each new row's hash
// exactly as db/audit-chain.ts rowHash() does — SHA-256 of the canonical JSON (JSON.stringify's bytes: the pieces are
// to_json(x)::text joined by bare commas, since json_build_array would put spaces after them; to_json escapes a
// string's quotes, backslashes and control characters as JSON.stringify does and leaves the rest, U+2028 and emoji
// included, as they are) — from the previous row's hash, and refuses a row whose hash is not that, whose nonce and
// scrub digest do not fit, that is not appended after the newest row (except a purge's re-inserted scrubbed rows,
// while it holds audit_purge_gate), or whose user is not the transaction's acting user (db/acting-user.ts) when one
// is set. The previous row of the chain, and the lock that keeps two writers off the same head, are one SQL
// function, audit_chain_prev: a chain split another way (per subdistrict) changes only it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { AUDIT_LOCK } from '../engine.ts';
import { ACTOR_SETTING } from '../acting-user.ts';

interface AuditTrigger {
  /** BEFORE … ON audit_log */
  event: string;
  when?: string;
  /** The function's body (between the $$). */
  body: string;
  /** The migration that creates it. */
  migration: 1 | 5 | 16;
  /** SQL functions it calls, by name: their arguments and bodies (verify checks them with the trigger). */
  helpers?: Record<string, { args: string; returns: string; body: string }>;
}

// Literals of db/audit-chain.ts (CHAIN_VERSION, SCRUBBED_DETAILS), spelled out: that module imports this one. The
// PostgreSQL tests compare the database's hashes with rowHash(), so a change there fails them.
const CHAIN_VERSION_JSON = '"idesk-audit-chain-v1"';
const SCRUBBED = '{"purged":true}';

/** A value as JSON.stringify writes it (a text, a bigint, or null). */
const j = (x: string) => `coalesce(to_json(${x})::text, 'null')`;
const sha = (x: string) => `encode(sha256(convert_to(${x}, 'UTF8')), 'hex')`;

/**
 * The previous row of this row's chain (and the chains' lock). A district database keeps one chain per subdistrict
 * (migration 0015: audit_log.chain, the writing role's subdistrict; 0 for the owner and every older row), so the
 * previous row is the last one of the same chain — as audit-chain.ts chainPrevHash reads it (idesk_audit_chain_prev).
 */
export const PG_CHAIN_PREV = {
  args: 'r audit_log',
  returns: 'text',
  body: `SELECT pg_advisory_xact_lock(${AUDIT_LOCK});
    SELECT hash FROM audit_log WHERE chain = r.chain AND id < r.id ORDER BY id DESC LIMIT 1;`,
};

const HASH_CHECKED_BODY = `DECLARE
      prev text := coalesce(audit_chain_prev(NEW), '');
      actor text := NULLIF(current_setting('${ACTOR_SETTING}', true), '');
      inside boolean := coalesce((SELECT max(id) FROM audit_log) > NEW.id, false);
      c text;
    BEGIN
      IF inside AND NOT EXISTS (SELECT 1 FROM audit_purge_gate) THEN
        RAISE EXCEPTION 'audit row %: rows are appended after the newest one', NEW.id;
      END IF;
      IF NEW.nonce IS NULL THEN
        IF NEW.details IS DISTINCT FROM '${SCRUBBED}' OR NEW.details_hash IS NULL OR NEW.details_hash !~ '^[0-9a-f]{64}$' THEN
          RAISE EXCEPTION 'audit row %: neither a nonce nor a purge''s scrub', NEW.id;
        END IF;
        c := NEW.details_hash;
      ELSIF NEW.details_hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit row %: a nonce and a scrub digest together', NEW.id;
      ELSE
        c := ${sha(`'[' || ${j('NEW.nonce')} || ',' || ${j('NEW.details')} || ']'`)};
      END IF;
      IF NEW.hash IS DISTINCT FROM ${sha(
        `'[${CHAIN_VERSION_JSON},' || ${['prev', 'NEW.id', 'NEW.at', 'NEW.user_name', 'NEW.action', 'NEW.entity', 'NEW.entity_id', 'NEW.resident_id', 'c'].map(j).join(" || ',' || ")} || ']'`,
      )} THEN
        RAISE EXCEPTION 'audit row %: its hash does not follow the chain', NEW.id;
      END IF;
      IF actor IS NOT NULL AND NEW.user_name IS DISTINCT FROM actor AND NOT (inside AND NEW.nonce IS NULL) THEN
        RAISE EXCEPTION 'audit row %: written as % by a transaction acting for %', NEW.id, NEW.user_name, actor;
      END IF;
      RETURN NEW;
    END`;

export const PG_AUDIT_TRIGGER_SPECS: Record<string, AuditTrigger> = {
  audit_log_no_update: { migration: 1, event: 'BEFORE UPDATE ON audit_log', body: `BEGIN RAISE EXCEPTION 'audit log is append-only'; END` },
  audit_log_no_delete: {
    migration: 1,
    event: 'BEFORE DELETE ON audit_log',
    body: `BEGIN
      IF NOT EXISTS (SELECT 1 FROM audit_purge_gate) THEN RAISE EXCEPTION 'audit log is append-only'; END IF;
      RETURN OLD;
    END`,
  },
  audit_log_chained: {
    migration: 5,
    event: 'BEFORE INSERT ON audit_log',
    when: 'NEW.hash IS NULL OR length(NEW.hash) <> 64',
    body: `BEGIN RAISE EXCEPTION 'audit rows must carry their chain hash'; END`,
  },
  audit_log_hash_checked: {
    migration: 16,
    event: 'BEFORE INSERT ON audit_log',
    body: HASH_CHECKED_BODY,
    helpers: { audit_chain_prev: PG_CHAIN_PREV },
  },
};

function create(name: string, t: AuditTrigger): string[] {
  return [
    ...Object.entries(t.helpers ?? {}).map(([fn, h]) => `CREATE FUNCTION ${fn}(${h.args}) RETURNS ${h.returns} LANGUAGE sql VOLATILE AS $$ ${h.body} $$`),
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ ${t.body} $$`,
    `CREATE TRIGGER ${name} ${t.event} FOR EACH ROW${t.when ? ` WHEN (${t.when})` : ''} EXECUTE FUNCTION ${name}()`,
  ];
}

const forMigration = (m: AuditTrigger['migration']) => Object.entries(PG_AUDIT_TRIGGER_SPECS).filter(([, t]) => t.migration === m).flatMap(([name, t]) => create(name, t));

/** Migration 0001's two triggers. */
export const PG_AUDIT_PROTECT: string[] = forMigration(1);

/** Migration 0005's trigger. */
export const PG_AUDIT_CHAINED: string[] = forMigration(5);

/** Migration 0016's: the chain checked by the database (and its helper). */
export const PG_AUDIT_HASH_CHECKED: string[] = forMigration(16);

const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')').trim().toLowerCase();

/**
 * The triggers on audit_log and audit_purge_gate as the database has them, each with `sql` equal to its expected
 * definition when, and only when, it is unchanged and enabled (so checkTriggers' comparison works as on SQLite).
 */
export async function pgAuditTriggerRows(db: Kysely<Database>): Promise<Array<{ name: string; sql: string; expected: string | null }>> {
  const rows = (
    await sql<{ name: string; def: string; src: string; enabled: string }>`
      SELECT t.tgname AS name, pg_get_triggerdef(t.oid) AS def, p.prosrc AS src, t.tgenabled AS enabled
      FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND t.tgrelid IN ('audit_log'::regclass, 'audit_purge_gate'::regclass)`.execute(db)
  ).rows;
  const helperNames = Object.values(PG_AUDIT_TRIGGER_SPECS).flatMap((t) => Object.keys(t.helpers ?? {}));
  const helpers = new Map(
    (await sql<{ name: string; src: string; volatile: string }>`SELECT proname AS name, prosrc AS src, provolatile AS volatile FROM pg_proc
      WHERE proname = ANY(${helperNames}) AND pronamespace = current_schema()::regnamespace`.execute(db)).rows.map((h) => [h.name, h]),
  );
  return rows.map((r) => {
    const spec = PG_AUDIT_TRIGGER_SPECS[r.name];
    const expected = spec ? `${spec.event} ${spec.when ?? ''} ${spec.body}` : null;
    // pg_get_triggerdef: CREATE TRIGGER name BEFORE UPDATE ON public.audit_log FOR EACH ROW [WHEN ((…))] EXECUTE FUNCTION name()
    const m = /^CREATE TRIGGER \S+ (.*?) ON (?:\w+\.)?(\w+) FOR EACH ROW(?: WHEN \((.*)\))? EXECUTE FUNCTION (\S+)\(\)$/.exec(r.def);
    const whenOk = m && norm((m[3] ?? '').replace(/[()]/g, '')) === norm((spec?.when ?? '').replace(/[()]/g, ''));
    // A helper it calls (the chain's previous row) counts as part of it: dropped or changed, the trigger is altered.
    const helpersOk = Object.entries(spec?.helpers ?? {}).every(([fn, h]) => helpers.get(fn)?.volatile === 'v' && norm(helpers.get(fn)!.src) === norm(h.body));
    const same = !!spec && !!m && norm(`${m[1]} ON ${m[2]}`) === norm(spec.event) && whenOk && m[4] === r.name && norm(r.src) === norm(spec.body) && r.enabled === 'O' && helpersOk;
    return { name: r.name, sql: same ? expected! : `${r.def} /* ${r.enabled === 'O' ? '' : 'disabled '}${r.src}${helpersOk ? '' : ' (helper changed)'} */`, expected };
  });
}

/** The expected "sql" of each protecting trigger, in the form pgAuditTriggerRows reports an intact one. */
export const PG_AUDIT_EXPECTED: Record<string, string> = Object.fromEntries(
  Object.entries(PG_AUDIT_TRIGGER_SPECS).map(([name, t]) => [name, `${t.event} ${t.when ?? ''} ${t.body}`]),
);
