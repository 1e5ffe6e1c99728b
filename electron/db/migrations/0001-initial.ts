// The whole domain schema of domain.md. Indexes serve the lists the UI pages through.
import { sql, type Kysely } from 'kysely';

export const version = 1;
export const name = 'initial';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('places')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('parent_id', 'integer', (c) => c.references('places.id'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('places_parent_name').unique().on('places').columns(['parent_id', 'level', 'name']).execute();
  await db.schema.createIndex('places_level').on('places').columns(['level', 'name']).execute();

  await db.schema
    .createTable('households')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('room_id', 'integer', (c) => c.notNull().unique().references('places.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('households_compound').on('households').columns(['compound_id', 'address']).execute();
  await db.schema.createIndex('households_community').on('households').columns(['community_id']).execute();

  await db.schema
    .createTable('import_batches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('undone_at', 'text')
    .execute();

  await db.schema
    .createTable('residents')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('household_id', 'integer', (c) => c.notNull().references('households.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_pinyin', 'text', (c) => c.notNull())
    .addColumn('name_initials', 'text', (c) => c.notNull())
    .addColumn('sex', 'text')
    .addColumn('birth_date', 'text')
    .addColumn('doc_type', 'text', (c) => c.notNull())
    .addColumn('doc_number', 'text')
    .addColumn('phone', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('guardian_id', 'integer', (c) => c.references('residents.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('current_episode_id', 'integer')
    .addColumn('start_date', 'text')
    .addColumn('last_day', 'text')
    .addColumn('release_date', 'text')
    .addColumn('latest_temperature', 'real')
    .addColumn('import_batch_id', 'integer', (c) => c.references('import_batches.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('residents_document')
    .unique()
    .on('residents')
    .columns(['doc_type', 'doc_number'])
    .where(sql.ref('doc_number'), 'is not', null)
    .execute();
  await db.schema.createIndex('residents_doc_number').on('residents').column('doc_number').execute();
  await db.schema.createIndex('residents_household').on('residents').column('household_id').execute();
  // status last: the 在管 list (status NOT IN …) filters inside the index while walking it in last-day order.
  await db.schema.createIndex('residents_community_last_day').on('residents').columns(['community_id', 'last_day', 'id', 'status']).execute();
  // last_day and name_pinyin ride along so a name or pinyin search within a community is answered from these
  // indexes alone (the lastDay sort of a surname's few thousand rows, the count of a pinyin prefix).
  await db.schema.createIndex('residents_community_name').on('residents').columns(['community_id', 'name', 'id', 'last_day']).execute();
  await db.schema.createIndex('residents_community_initials').on('residents').columns(['community_id', 'name_initials', 'name_pinyin']).execute();
  // Keyset pages of one community in id order (the 台账 export): a range scan, no sort of the whole community per page.
  await db.schema.createIndex('residents_community_id').on('residents').columns(['community_id', 'id']).execute();
  await db.schema.createIndex('residents_status_last_day').on('residents').columns(['status', 'last_day', 'id']).execute();
  await db.schema.createIndex('residents_name').on('residents').columns(['name', 'id']).execute();
  await db.schema.createIndex('residents_initials').on('residents').columns(['name_initials']).execute();
  await db.schema.createIndex('residents_pinyin').on('residents').columns(['name_pinyin']).execute();
  await db.schema.createIndex('residents_phone').on('residents').column('phone').execute();
  await db.schema.createIndex('residents_last_day').on('residents').columns(['last_day', 'id', 'status']).execute();

  await db.schema
    .createTable('episodes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('last_day', 'text', (c) => c.notNull())
    .addColumn('release_date', 'text', (c) => c.notNull())
    .addColumn('test_days', 'text', (c) => c.notNull())
    .addColumn('monitoring_days', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ended_on', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('override_reason', 'text')
    .addColumn('previous_episode_id', 'integer', (c) => c.references('episodes.id'))
    .addColumn('import_batch_id', 'integer', (c) => c.references('import_batches.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('episodes_resident').on('episodes').columns(['resident_id', 'start_date']).execute();
  await db.schema.createIndex('episodes_status_last_day').on('episodes').columns(['status', 'last_day']).execute();
  await db.schema.createIndex('episodes_dates').on('episodes').columns(['start_date', 'ended_on']).execute();
  // At most one running episode per person.
  await db.schema
    .createIndex('episodes_one_active')
    .unique()
    .on('episodes')
    .column('resident_id')
    .where(sql.ref('status'), '=', 'active')
    .execute();

  await db.schema
    .createTable('episode_extensions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('episode_id', 'integer', (c) => c.notNull().references('episodes.id'))
    .addColumn('previous_last_day', 'text', (c) => c.notNull())
    .addColumn('new_last_day', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('episode_extensions_episode').on('episode_extensions').column('episode_id').execute();

  await db.schema
    .createTable('checkins')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id'))
    .addColumn('episode_id', 'integer', (c) => c.notNull().references('episodes.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('temperature', 'real')
    .addColumn('symptoms', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('symptom_other', 'text')
    .addColumn('test_type', 'text')
    .addColumn('test_result', 'text')
    .addColumn('health_code', 'text')
    .addColumn('contact_method', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('abnormal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkins_person_slot').unique().on('checkins').columns(['resident_id', 'date', 'slot']).execute();
  await db.schema.createIndex('checkins_date_slot').on('checkins').columns(['date', 'slot', 'community_id']).execute();
  await db.schema.createIndex('checkins_episode').on('checkins').column('episode_id').execute();

  await db.schema
    .createTable('tests')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id'))
    .addColumn('episode_id', 'integer', (c) => c.notNull().references('episodes.id'))
    .addColumn('sample_date', 'text', (c) => c.notNull())
    .addColumn('test_type', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('checkin_id', 'integer', (c) => c.references('checkins.id'))
    .addColumn('import_batch_id', 'integer', (c) => c.references('import_batches.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tests_episode').on('tests').columns(['episode_id', 'sample_date']).execute();
  await db.schema.createIndex('tests_resident').on('tests').column('resident_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('residents.id'))
    .addColumn('episode_id', 'integer', (c) => c.references('episodes.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('checkin_id', 'integer', (c) => c.references('checkins.id'))
    .addColumn('test_id', 'integer', (c) => c.references('tests.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('action_note', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alerts_status').on('alerts').columns(['status', 'community_id', 'created_at']).execute();
  await db.schema.createIndex('alerts_resident').on('alerts').column('resident_id').execute();
  await db.schema.createIndex('alerts_checkin').on('alerts').column('checkin_id').execute();

  await db.schema
    .createTable('cadres')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('home_unit', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('phone', 'text')
    .addColumn('community_id', 'integer', (c) => c.references('places.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('duty_from', 'text')
    .addColumn('duty_to', 'text')
    .addColumn('notes', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cadres_community').on('cadres').columns(['community_id', 'status']).execute();

  await db.schema
    .createTable('cadre_compounds')
    .addColumn('cadre_id', 'integer', (c) => c.notNull().references('cadres.id'))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('places.id'))
    .addPrimaryKeyConstraint('cadre_compounds_pk', ['cadre_id', 'compound_id'])
    .execute();

  await db.schema
    .createTable('supply_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('household_id', 'integer', (c) => c.notNull().references('households.id'))
    .addColumn('community_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('places.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('notes', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cadre_id', 'integer', (c) => c.references('cadres.id'))
    .addColumn('amount_cents', 'integer')
    .addColumn('paid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('status_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('supply_requests_status_compound').on('supply_requests').columns(['status', 'compound_id', 'created_at']).execute();
  await db.schema.createIndex('supply_requests_community').on('supply_requests').columns(['community_id', 'status']).execute();
  await db.schema.createIndex('supply_requests_household').on('supply_requests').column('household_id').execute();
  await db.schema.createIndex('supply_requests_created').on('supply_requests').column('created_at').execute();
  await db.schema.createIndex('supply_requests_cadre').on('supply_requests').column('cadre_id').execute();

  await db.schema
    .createTable('supply_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('request_id', 'integer', (c) => c.notNull().references('supply_requests.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('supply_items_request').on('supply_items').column('request_id').execute();

  await db.schema
    .createTable('supply_transitions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('request_id', 'integer', (c) => c.notNull().references('supply_requests.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('supply_transitions_request').on('supply_transitions').column('request_id').execute();
  await db.schema.createIndex('supply_transitions_to_at').on('supply_transitions').columns(['to_status', 'at']).execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('community_id', 'integer', (c) => c.references('places.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text')
    .addColumn('entity_id', 'integer')
    .addColumn('resident_id', 'integer')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_user').on('audit_log').columns(['user_name', 'at']).execute();
  await db.schema.createIndex('audit_log_resident').on('audit_log').columns(['resident_id']).execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id']).execute();

  // The audit log is append-only: the database itself refuses UPDATE, and DELETE unless a purge
  // has opened the gate (a row in audit_purge_gate inside the purge's own transaction).
  await db.schema.createTable('audit_purge_gate').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_gate)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`.execute(db);

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
