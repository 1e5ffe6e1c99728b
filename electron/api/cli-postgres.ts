// The command line's work on a PostgreSQL database that no channel carries, as the cli user of its session (like
// recordFileRestore in cli-session.ts): pg_dump backups need the URL with its password (the API's env holds it
// without), a restore writes into a database no server has open, and migrate-to-pg reads a SQLite file beside it.
// Each is audited in the database as the cli user.
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../db/open.ts';
import { CLI_ACTOR } from '../domain/actor.ts';
import { audit } from '../domain/audit.ts';
import { backupPostgres, lastBackupLine, lastRecordedBackup, type LastBackup } from '../domain/pg-backups.ts';
import { migrateSqliteToPg, MigrateRefusal, type MigrateReport } from '../domain/migrate-to-pg.ts';
import type { PgBackupResult, PgRestoreResult } from '../db/pg/dump.ts';
import type { CliSession } from './cli-session.ts';

export { MigrateRefusal };
export type { MigrateReport, LastBackup };

function ctxOf(session: CliSession) {
  const actor = session.env.sessions.get(session.sessionKey)?.actor ?? CLI_ACTOR;
  return { db: session.env.db, actor, clock: session.env.clock };
}

/** backup --db postgres://… --out F: pg_dump, verified, recorded (domain/pg-backups.ts). */
export function backupPg(session: CliSession, url: string, out: string): Promise<PgBackupResult> {
  return backupPostgres(ctxOf(session), url, out);
}

/** The last backup recorded in the database and the line verify and stats print. */
export async function lastBackupOf(db: Db, now: Date): Promise<{ lastBackup: LastBackup | null; text: string; warn: string | null }> {
  const lastBackup = await lastRecordedBackup(db, now);
  return { lastBackup, ...lastBackupLine(lastBackup) };
}

/** Records a pg_restore into an empty database, in it. */
export async function recordPgRestore(session: CliSession, r: PgRestoreResult): Promise<void> {
  await audit(ctxOf(session), { action: 'backup.restore', entity: 'backup', extra: { engine: 'postgres', file: path.basename(r.file), sha256: r.sha256, chainHead: r.chainHead, counts: r.counts } });
}

/** migrate-to-pg: the SQLite file `sqlite` into the session's PostgreSQL database (domain/migrate-to-pg.ts). */
export function migrateToPg(session: CliSession, source: { sqlite: SqliteDatabase.Database; db: Db; file: string; schemaVersion: number }): Promise<MigrateReport> {
  const { actor, clock, db } = ctxOf(session);
  return migrateSqliteToPg({ sqlite: source.sqlite, sourceDb: source.db, sourceFile: source.file, sourceVersion: source.schemaVersion, target: db, actor, clock });
}
