// The audit trail's protecting triggers on PostgreSQL (the SQLite ones are db/audit-chain.ts AUDIT_TRIGGERS): the log
// is append-only (UPDATE refused; DELETE refused unless a purge holds a row in audit_purge_gate inside its own
// transaction) and every row must carry its chain hash.

/** Migration 0001's two triggers. */
export const PG_AUDIT_PROTECT: string[] = [
  `CREATE FUNCTION audit_log_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_no_update()`,
  `CREATE FUNCTION audit_log_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM audit_purge_gate) THEN RAISE EXCEPTION 'audit log is append-only'; END IF;
      RETURN OLD;
    END $$`,
  `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_no_delete()`,
];

/** Migration 0005's trigger. */
export const PG_AUDIT_CHAINED: string[] = [
  `CREATE FUNCTION audit_log_chained() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit rows must carry their chain hash'; END $$`,
  `CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log FOR EACH ROW
    WHEN (NEW.hash IS NULL OR length(NEW.hash) <> 64) EXECUTE FUNCTION audit_log_chained()`,
];
