// Notice templates an admin uploaded in 设置 › 文书模板 (one per kind; without a row the built-in default is used).
// Kept in the database, not as a file in the data folder: it travels with the backups and the restore, is encrypted
// with the database when the file is, and the export worker reads it through its own connection.
import type { Kysely } from 'kysely';

export const version = 12;
export const name = 'notice-templates';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notice_templates')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('data', 'blob', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    // The placeholders it uses (JSON array), as checked when uploaded.
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
}
