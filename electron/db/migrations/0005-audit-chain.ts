// The audit trail becomes tamper-evident (db/audit-chain.ts): every row gets a nonce and a chain hash, the existing
// rows are chained in id order here (same transaction as the rest of the migration), an INSERT trigger refuses an
// unchained row, and audit_chain_checks keeps the result of each check for the audit viewer. The UPDATE trigger must
// be dropped for the backfill; all the protecting triggers are then created again with the SQL verify expects.
import { sql, type Kysely } from 'kysely';
import { AUDIT_TRIGGERS, detailsCommit, newNonces, rowHash } from '../audit-chain.ts';

export const version = 5;
export const name = 'audit-chain';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('nonce', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('details_hash', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
  for (const t of Object.keys(AUDIT_TRIGGERS)) await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);

  // Backfill through a scratch table: one UPDATE … FROM instead of an UPDATE per row.
  await sql`CREATE TEMP TABLE audit_chain_fill (id INTEGER PRIMARY KEY, nonce TEXT NOT NULL, hash TEXT NOT NULL)`.execute(db);
  let prev = '';
  let after = 0;
  for (;;) {
    const rows = (
      // One-word aliases: the connection's CamelCasePlugin would rename snake_case result keys.
      await sql<{ id: number; at: string; u: string; action: string; entity: string | null; eid: number | null; rid: number | null; details: string | null }>`
        SELECT id, at, user_name AS u, action, entity, entity_id AS eid, resident_id AS rid, details
        FROM audit_log WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db)
    ).rows;
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    const nonces = newNonces(rows.length);
    const fill = rows.map((r, i) => {
      const hash = rowHash(
        prev,
        { id: r.id, at: r.at, userName: r.u, action: r.action, entity: r.entity, entityId: r.eid, residentId: r.rid },
        detailsCommit(nonces[i], r.details),
      );
      prev = hash;
      return sql`(${r.id}, ${nonces[i]}, ${hash})`;
    });
    await sql`INSERT INTO temp.audit_chain_fill (id, nonce, hash) VALUES ${sql.join(fill)}`.execute(db);
  }
  await sql`UPDATE audit_log SET nonce = f.nonce, hash = f.hash FROM temp.audit_chain_fill AS f WHERE f.id = audit_log.id`.execute(db);
  await sql`DROP TABLE temp.audit_chain_fill`.execute(db);

  for (const text of Object.values(AUDIT_TRIGGERS)) await sql.raw(text).execute(db);

  await db.schema
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
}
