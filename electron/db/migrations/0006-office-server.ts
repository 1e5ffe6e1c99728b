// The shared office (electron/server): paired devices and their single-use pairing codes, the idempotency store of
// writes sent over the network, per-user-and-device login throttling, and the change log that feeds live updates.
// change_log is written by triggers, so every writer (the server, a job worker, the CLI) feeds it without knowing.
import { sql, type Kysely } from 'kysely';
import { CHANGE_TRIGGERS } from '../change-log.ts';

export const version = 6;
export const name = 'office-server';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    // SHA-256 of the device credential (the cookie); the credential itself is never stored.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('paired_by', 'text', (c) => c.notNull())
    .addColumn('paired_at', 'text', (c) => c.notNull())
    .addColumn('paired_address', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('last_address', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createTable('pairing_codes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    // SHA-256 of the 8-digit code.
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('device_id', 'integer', (c) => c.references('devices.id'))
    .execute();
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('device_id', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['device_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
  await db.schema
    .createTable('login_throttle')
    .addColumn('username', 'text', (c) => c.notNull())
    // Where the attempts come from: 'device:<id>' over the network, 'local' for the window and browser mode.
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failure_at', 'text')
    .addColumn('locked_until', 'text')
    .addPrimaryKeyConstraint('login_throttle_pk', ['username', 'source'])
    .execute();
  // The office server's sessions, so a restart (or a power cut) does not send every PC back to 登录 with what it typed
  // lost. Only a hash of the session id is kept; the account is read again from users when a session is taken up.
  await db.schema
    .createTable('server_sessions')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('last_seen', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('change_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tbl', 'text', (c) => c.notNull())
    .addColumn('row_id', 'integer', (c) => c.notNull())
    // The community the row belongs to (null: not one community's), so a committee member hears only their own.
    .addColumn('community_id', 'integer')
    .addColumn('at', 'text', (c) => c.notNull().defaultTo(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`))
    .execute();
  for (const text of Object.values(CHANGE_TRIGGERS)) await sql.raw(text).execute(db);
}
