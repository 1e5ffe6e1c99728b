// Bulk loading on PostgreSQL (the demo seed at 100,000 residents and more): the SQLite bulk load (db/bulk.ts) drops
// the counters' triggers and rebuilds the counters at the end; here the same is done inside the load's own
// transaction. With the triggers on, each counters trigger takes an advisory lock per resident it touches, held to
// the end of the transaction: a 100,000-person seed in one transaction runs out of the server's lock table ("out of
// shared memory") and every check-in pays a PL/pgSQL call.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { rebuildCountersPg } from './counters.ts';

/**
 * Runs `fn` in one transaction with the counters' and the change log's row triggers disabled on the tables this role
 * owns (ALTER TABLE … DISABLE TRIGGER: only the owner may; it locks each table against other writers until the
 * commit — a bulk load writes them all anyway), then rebuilds the counters from the rows and enables the triggers
 * again before the commit. The change log gets no rows for the load (a new demo database has no history for office
 * PCs to catch up on; the seed clears it anyway). Other sessions never see the triggers off. Where the role owns no
 * such table, `fn` runs with the triggers on.
 */
export async function withBulkLoadPg<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const off = (
      await sql<{ t: string; name: string }>`SELECT c.relname AS t, g.tgname AS name FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND g.tgenabled = 'O' AND NOT g.tgisinternal
          AND pg_has_role(c.relowner, 'USAGE') AND (g.tgname LIKE 'counters\\_%' OR g.tgname LIKE 'change\\_log\\_%')
        ORDER BY 1, 2`.execute(trx)
    ).rows;
    for (const { t, name } of off) await sql`ALTER TABLE ${sql.table(t)} DISABLE TRIGGER ${sql.ref(name)}`.execute(trx);
    const out = await fn(trx);
    for (const { t, name } of off) await sql`ALTER TABLE ${sql.table(t)} ENABLE TRIGGER ${sql.ref(name)}`.execute(trx);
    if (off.some((o) => o.name.startsWith('counters_'))) await rebuildCountersPg(trx);
    return out;
  });
}
