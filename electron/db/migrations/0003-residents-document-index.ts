// One index for ID numbers instead of two: the unique (doc_type, doc_number) index and a plain doc_number index
// become one unique index led by doc_number, which serves the lookups by number alone (imports, test results) and
// by type + number, and still refuses a second person with the same document. Rows without a number (无证件) stay
// allowed any number of times: SQLite treats NULLs in a unique index as distinct, so the old partial WHERE is not
// needed. Every new resident (50,000 in an import) then updates one index fewer.
import type { Kysely } from 'kysely';

export const version = 3;
export const name = 'residents-document-index';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('residents_doc_number').execute();
  await db.schema.dropIndex('residents_document').execute();
  await db.schema.createIndex('residents_document').unique().on('residents').columns(['doc_number', 'doc_type']).execute();
}
