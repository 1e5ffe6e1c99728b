// What cadres do (issue 14 §4): 包联组 (a department's group bound to a community, with its leader), the duty roster
// (posts and shifts per day), door-visit records (planned for a cadre, then recorded with a result and a follow-up),
// and the link from a login account to a cadre record (the `cadre` role sees only that cadre's assignments).
import { sql, type Kysely } from 'kysely';

export const version = 14;
export const name = 'cadre-work';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cadre_groups')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    // The department that sends the group (派出单位), as on the cadres' records.
    .addColumn('home_unit', 'text', (c) => c.notNull())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('leader_id', 'integer', (c) => c.references('cadres.id'))
    .addColumn('notes', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cadre_groups_name').on('cadre_groups').column('name').unique().execute();
  await sql`ALTER TABLE cadres ADD COLUMN group_id INTEGER REFERENCES cadre_groups(id)`.execute(db);

  await db.schema
    .createTable('cadre_shifts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('cadre_id', 'integer', (c) => c.notNull().references('cadres.id'))
    // The community the shift is in (the cadre's when it was made): a committee member's scope.
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    // HH:MM, office time; an end at or before the start ends on the next day (a night at the gate).
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('post', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cadre_shifts_date').on('cadre_shifts').columns(['date', 'community_id']).execute();
  await db.schema.createIndex('cadre_shifts_cadre').on('cadre_shifts').columns(['cadre_id', 'date']).execute();

  await db.schema
    .createTable('door_visits')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('cadre_id', 'integer', (c) => c.notNull().references('cadres.id'))
    .addColumn('household_id', 'integer', (c) => c.notNull().references('households.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    // The day the visit is to be made; visited_at (ISO, office time) and result once it was made.
    .addColumn('planned_date', 'text', (c) => c.notNull())
    .addColumn('visited_at', 'text')
    .addColumn('result', 'text')
    .addColumn('note', 'text')
    .addColumn('follow_up_note', 'text')
    .addColumn('follow_up_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('door_visits_cadre').on('door_visits').columns(['cadre_id', 'planned_date']).execute();
  await db.schema.createIndex('door_visits_community').on('door_visits').columns(['community_id', 'planned_date']).execute();
  await db.schema.createIndex('door_visits_household').on('door_visits').column('household_id').execute();

  await sql`ALTER TABLE users ADD COLUMN cadre_id INTEGER REFERENCES cadres(id)`.execute(db);
}
