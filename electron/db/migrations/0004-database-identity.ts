// Every database gets an identity: a random id stored in the file (one row). Backups carry it in their name and their
// sidecar, and a copy of the database carries it inside, so a purge, retention, verify and restore touch only the
// backups of their own database even when two databases share a backup folder. The row itself is written by
// migrate() in open.ts, in the same transaction, so that the verified backup taken before this migration can be named
// with the id the file is about to get.
import { sql, type Kysely } from 'kysely';

export const version = 4;
export const name = 'database-identity';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('database_identity')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('database_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

