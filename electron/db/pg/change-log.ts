// The change feed's triggers on PostgreSQL (the SQLite ones are db/change-log.ts CHANGE_TRIGGERS): one PL/pgSQL
// function per watched table appends (table, row id, community) to change_log on INSERT, UPDATE and DELETE, whoever
// writes, and signals the office servers listening on channel CHANGE_CHANNEL (NOTIFY is delivered at commit, once per
// transaction and payload, so a 50,000-row import wakes a listener once, not 50,000 times).
import { WATCHED_COMMUNITY } from '../change-log.ts';

export const CHANGE_CHANNEL = 'idesk_change_log';

export function pgChangeTriggers(): string[] {
  const out: string[] = [];
  for (const [table, community] of Object.entries(WATCHED_COMMUNITY)) {
    const fn = `change_log_${table}`;
    const rowId = (r: 'NEW' | 'OLD') => (table === 'settings' ? '0' : `${r}.id`);
    out.push(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (tbl, row_id, community_id) VALUES ('${table}', ${rowId('OLD')}, ${community('OLD')});
      ELSE
        INSERT INTO change_log (tbl, row_id, community_id) VALUES ('${table}', ${rowId('NEW')}, ${community('NEW')});
      END IF;
      PERFORM pg_notify('${CHANGE_CHANNEL}', '');
      RETURN NULL;
    END $$`);
    out.push(`CREATE TRIGGER ${fn} AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  }
  return out;
}
