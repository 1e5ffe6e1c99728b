// A server on the district reader (issue 17, "a district role reads all"): the reader writes the traces of its own
// logins and reads (audit rows in its own chain, the login throttle, its accounts' saved sessions) and nothing else.
// All of it is PostgreSQL's (db/pg/district.ts PG_DISTRICT_READER_DDL, run as this version's PostgreSQL form); a SQLite
// file is one subdistrict with no reader, so there this migration changes nothing but its version number.
import type { Kysely } from 'kysely';

export const version = 19;
export const name = 'district-reader';

export async function up(_db: Kysely<any>): Promise<void> {}
