// The acting user of the transaction that wrote each change-log row (issue 17): on PostgreSQL the column's default
// reads the transaction's setting (db/acting-user.ts, pg/migrations.ts), on SQLite the domain stamps its rows.
// Older rows keep NULL (not known).
import { sql, type Kysely } from 'kysely';

export const version = 16;
export const name = 'acting-user';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE change_log ADD COLUMN actor TEXT`.execute(db);
}
