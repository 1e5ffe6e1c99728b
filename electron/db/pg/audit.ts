// The audit trail's protecting triggers on PostgreSQL (the SQLite ones are db/audit-chain.ts AUDIT_TRIGGERS): the log
// is append-only (UPDATE refused; DELETE refused unless a purge holds a row in audit_purge_gate inside its own
// transaction) and every row must carry its chain hash. Each trigger calls a PL/pgSQL function of the same name;
// pgAuditTriggerRows reads back what the database has, so verify can say whether one is missing, altered or disabled.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

interface AuditTrigger {
  /** BEFORE … ON audit_log */
  event: string;
  when?: string;
  /** The function's body (between the $$). */
  body: string;
  /** The migration that creates it. */
  migration: 1 | 5;
}

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
};

function create(name: string, t: AuditTrigger): string[] {
  return [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ ${t.body} $$`,
    `CREATE TRIGGER ${name} ${t.event} FOR EACH ROW${t.when ? ` WHEN (${t.when})` : ''} EXECUTE FUNCTION ${name}()`,
  ];
}

const forMigration = (m: 1 | 5) => Object.entries(PG_AUDIT_TRIGGER_SPECS).filter(([, t]) => t.migration === m).flatMap(([name, t]) => create(name, t));

/** Migration 0001's two triggers. */
export const PG_AUDIT_PROTECT: string[] = forMigration(1);

/** Migration 0005's trigger. */
export const PG_AUDIT_CHAINED: string[] = forMigration(5);

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
  return rows.map((r) => {
    const spec = PG_AUDIT_TRIGGER_SPECS[r.name];
    const expected = spec ? `${spec.event} ${spec.when ?? ''} ${spec.body}` : null;
    // pg_get_triggerdef: CREATE TRIGGER name BEFORE UPDATE ON public.audit_log FOR EACH ROW [WHEN ((…))] EXECUTE FUNCTION name()
    const m = /^CREATE TRIGGER \S+ (.*?) ON (?:\w+\.)?(\w+) FOR EACH ROW(?: WHEN \((.*)\))? EXECUTE FUNCTION (\S+)\(\)$/.exec(r.def);
    const whenOk = m && norm((m[3] ?? '').replace(/[()]/g, '')) === norm((spec?.when ?? '').replace(/[()]/g, ''));
    const same = !!spec && !!m && norm(`${m[1]} ON ${m[2]}`) === norm(spec.event) && whenOk && m[4] === r.name && norm(r.src) === norm(spec.body) && r.enabled === 'O';
    return { name: r.name, sql: same ? expected! : `${r.def} /* ${r.enabled === 'O' ? '' : 'disabled '}${r.src} */`, expected };
  });
}

/** The expected "sql" of each protecting trigger, in the form pgAuditTriggerRows reports an intact one. */
export const PG_AUDIT_EXPECTED: Record<string, string> = Object.fromEntries(
  Object.entries(PG_AUDIT_TRIGGER_SPECS).map(([name, t]) => [name, `${t.event} ${t.when ?? ''} ${t.body}`]),
);
