// Two things the 100,000-resident screens showed after the field work landed (issues 14 and 15):
// - the 工作台's 特殊需求 counts (domain/needs-counts.ts) look up every flagged person's episodes — ~14,000 flags at
//   100,000 residents, a third of dashboard.get. They change only when a flag or an episode does (or a person moves),
//   so they are kept like the coverage sums while counter_version stays: these triggers move it when a flag is set,
//   changed or cleared (episodes and moves already move it, migration 0009).
// - tests.checkin_id had no index, so deleting a check-in (undoing a whole-building entry) read every test result to
//   check the foreign key: 50–120 ms a check-in at 100,000 residents. Only check-ins' own tests carry one.
import { sql, type Kysely } from 'kysely';
import { NEEDS_VERSION_TRIGGERS } from '../counters.ts';

export const version = 17;
export const name = 'needs-version';

export async function up(db: Kysely<any>): Promise<void> {
  for (const text of Object.values(NEEDS_VERSION_TRIGGERS)) await sql.raw(text).execute(db);
  await db.schema.createIndex('tests_checkin').on('tests').column('checkin_id').where(sql.ref('checkin_id'), 'is not', null).execute();
}
