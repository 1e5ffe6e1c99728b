// Counters kept by triggers (db/counters.ts): who is under control per day and place, who has reported per slot, and
// the residents whose episodes overlap. Filled from the existing rows once, here.
import { sql, type Kysely } from 'kysely';
import { COUNTER_DDL, COUNTER_TRIGGERS, REBUILD_SQL } from '../counters.ts';

export const version = 7;
export const name = 'counters';

export async function up(db: Kysely<any>): Promise<void> {
  for (const text of COUNTER_DDL) await sql.raw(text).execute(db);
  for (const text of REBUILD_SQL) await sql.raw(text).execute(db);
  for (const text of Object.values(COUNTER_TRIGGERS)) await sql.raw(text).execute(db);
}
