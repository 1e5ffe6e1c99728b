// A district on one PostgreSQL database (issue 17): the binding of office servers to subdistricts and row-level
// security on every table holding a subdistrict's data. All of it is PostgreSQL's (db/pg/district.ts, run as this
// version's PostgreSQL form); a SQLite file is one subdistrict, so there this migration changes nothing but its
// version number.
import type { Kysely } from 'kysely';

export const version = 15;
export const name = 'district';

export async function up(_db: Kysely<any>): Promise<void> {}
