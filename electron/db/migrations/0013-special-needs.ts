// 特殊需求 (issue 14 §3): special-need flags per resident, and recurring-need schedules that create supply requests.
//
// Flags are rows, not a bitmask on residents: resident_needs(resident_id, need, note), one row per flag, with the
// primary key (resident_id, need) for a person's flags and an index on (need, resident_id) for the filter. Only the
// flagged few (a few per cent of 100,000 residents) have rows, so "everyone with 行动不便" is an index range over
// those rows alone, and a count per need is a GROUP BY over the index. A bitmask column could not be indexed for
// "has bit N" (each flag would need an expression index of its own), would add a column to the busiest table and its
// triggers and import path, and would still need somewhere for 其他's note.
//
// need_schedules: a person's recurring need (透析 every Tue/Thu/Sat, a weekly prescription): what to ask for, on which
// weekdays, from when to when. need_schedule_runs: one row per schedule and date that has been run, the primary key
// guaranteeing a schedule never creates two requests for one date, whoever runs it and however often.
import { sql, type Kysely } from 'kysely';

export const version = 13;
export const name = 'special-needs';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resident_needs')
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('need', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resident_needs_pk', ['resident_id', 'need'])
    .modifyEnd(sql`WITHOUT ROWID`)
    .execute();
  await db.schema.createIndex('resident_needs_need').on('resident_needs').columns(['need', 'resident_id']).execute();

  await db.schema
    .createTable('need_schedules')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    // A supply category (药品, 就医, …): the kind of request it creates.
    .addColumn('kind', 'text', (c) => c.notNull())
    // What to ask for, one line per item as the clerk typed it (血液透析, 二甲双胍 2盒).
    .addColumn('items', 'text', (c) => c.notNull())
    // ISO weekdays 1 (Mon) … 7 (Sun), comma-separated and sorted: '2,4,6'.
    .addColumn('weekdays', 'text', (c) => c.notNull())
    // The appointment or delivery time (HH:MM), shown on the request; null when any time that day will do.
    .addColumn('time', 'text')
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('need_schedules_resident').on('need_schedules').column('resident_id').execute();
  await db.schema.createIndex('need_schedules_active').on('need_schedules').columns(['active', 'start_date']).execute();

  await db.schema
    .createTable('need_schedule_runs')
    .addColumn('schedule_id', 'integer', (c) => c.notNull().references('need_schedules.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('request_id', 'integer', (c) => c.references('supply_requests.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('need_schedule_runs_pk', ['schedule_id', 'date'])
    .execute();
}
