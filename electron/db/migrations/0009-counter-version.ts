// A version number of the coverage counters (db/counters.ts VERSION_TRIGGERS): moved by every write that may change
// who is under control, so readers can keep their sums while it stays.
import { sql, type Kysely } from 'kysely';
import { VERSION_DDL, VERSION_TRIGGERS } from '../counters.ts';

export const version = 9;
export const name = 'counter-version';

export async function up(db: Kysely<any>): Promise<void> {
  for (const text of VERSION_DDL) await sql.raw(text).execute(db);
  for (const text of Object.values(VERSION_TRIGGERS)) await sql.raw(text).execute(db);
}
