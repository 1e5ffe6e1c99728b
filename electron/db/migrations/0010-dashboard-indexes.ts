// Two indexes for the dashboard's counts, which otherwise read every supply request and every alert the office ever
// had:
// - the supply charts count the requests on a date's board: still open, created on the date, or delivered /
//   cancelled on the date. supply_requests_status_at covers the open ones and those closed on the date (status, the
//   time of the status, category and community are all in it);
// - "open at the end of the date" counts the alerts still open (alerts_status covers them) and those closed after
//   the date: alerts_closed_at covers these.
import type { Kysely } from 'kysely';

export const version = 10;
export const name = 'dashboard-indexes';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('supply_requests_status_at').on('supply_requests').columns(['status', 'status_at', 'category', 'community_id']).execute();
  await db.schema.createIndex('alerts_closed_at').on('alerts').columns(['closed_at', 'status', 'created_at', 'community_id']).execute();
}
