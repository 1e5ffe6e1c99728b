// Whole-building entry (整栋正常，除了…): a batch of "normal" check-ins recorded at once for everyone in a building or
// unit who was due and not yet recorded. The batch is one row (who, when, scope, how many) and its check-ins point at
// it, so it can be undone within the slot.
import { sql, type Kysely } from 'kysely';

export const version = 8;
export const name = 'checkin-batches';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('checkin_batches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    // The building or unit (a place) the batch was for.
    .addColumn('place_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('undone_at', 'text')
    .addColumn('undone_by', 'text')
    .execute();
  await db.schema.createIndex('checkin_batches_date').on('checkin_batches').columns(['date', 'slot', 'community_id']).execute();
  await sql`ALTER TABLE checkins ADD COLUMN batch_id INTEGER REFERENCES checkin_batches(id)`.execute(db);
  await db.schema.createIndex('checkins_batch').on('checkins').column('batch_id').where(sql.ref('batch_id'), 'is not', null).execute();
}
