// Searching the whole subdistrict's list (a clerk's; status "active" by default) by a name, initials or pinyin prefix:
// the prefix indexes also carry id, status and last_day, so counting the matches and picking a page sorted by last
// day read the index alone instead of looking up every matching row (a common surname matches ~10% of a million
// people: ~420 ms per query before, ~10 ms after). The leading columns are unchanged, so every query that used
// these indexes still can (ORDER BY name, id included).
import type { Kysely } from 'kysely';

export const version = 2;
export const name = 'residents-search-cover';

export async function up(db: Kysely<any>): Promise<void> {
  for (const [index, column] of [
    ['residents_name', 'name'],
    ['residents_initials', 'name_initials'],
    ['residents_pinyin', 'name_pinyin'],
  ] as const) {
    await db.schema.dropIndex(index).execute();
    await db.schema.createIndex(index).on('residents').columns([column, 'id', 'status', 'last_day']).execute();
  }
}
