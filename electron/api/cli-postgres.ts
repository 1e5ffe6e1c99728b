// The command line's work on a PostgreSQL database that no channel carries, as the cli user of its session (like
// recordFileRestore in cli-session.ts): pg_dump backups need the URL with its password (the API's env holds it
// without), a restore writes into a database no server has open, and migrate-to-pg reads a SQLite file beside it.
// Each is audited in the database as the cli user.
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../db/open.ts';
import { CLI_ACTOR } from '../domain/actor.ts';
import { audit } from '../domain/audit.ts';
import { cleanPlaceName, getOrgRoot } from '../domain/places.ts';
import { createUser } from '../domain/users.ts';
import { nowIso, systemClock } from '../domain/clock.ts';
import { sql } from 'kysely';
import { AppError } from '../shared/errors.ts';
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

/**
 * district add-subdistrict: the subdistrict under the database's district, its login role (createRole, bound to it)
 * and its first admin account, in one transaction, audited as the command line. Refusals come back as values.
 */
export async function addSubdistrictPg(
  db: Db,
  o: {
    name: string;
    adminName?: string;
    adminUser: string;
    adminPassword: string;
    roleFor: (subdistrictId: number) => string;
    createRole: (trx: Db, role: string, subdistrictId: number) => Promise<void>;
  },
): Promise<{ ok: true; name: string; out: { subdistrictId: number; role: string; adminId: number } } | { ok: false; code: 'VALIDATION' | 'NOT_FOUND'; message: string }> {
  const name = cleanPlaceName(o.name);
  if (!name || name.length > 40) return { ok: false, code: 'VALIDATION', message: '街道名不能为空，最长 40 个字。 / The subdistrict name must be 1–40 characters.' };
  const clock = systemClock();
  const refused = (code: 'VALIDATION' | 'NOT_FOUND', message: string) => Object.assign(new Error(message), { refusal: { ok: false as const, code, message } });
  try {
    const out = await db.transaction().execute(async (trx) => {
      const ctx = { db: trx, actor: CLI_ACTOR, clock };
      const root = await getOrgRoot(ctx).catch(() => null);
      if (!root) throw refused('NOT_FOUND', '数据库中还没有区：请先运行 init --db … --district <区名> --subdistrict <第一个街道名>。');
      const dup = (await sql<{ n: number }>`SELECT count(*) AS n FROM places WHERE parent_id = ${root.districtId} AND level = 'subdistrict' AND name = ${name}`.execute(trx)).rows[0];
      if (Number(dup.n) > 0) throw refused('VALIDATION', `区内已有名为 ${name} 的街道。`);
      const at = nowIso(clock);
      const s = await trx.insertInto('places').values({ parentId: root.districtId, level: 'subdistrict', name, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      const role = o.roleFor(s.id);
      await audit(ctx, { action: 'org.create', entity: 'place', entityId: s.id, after: { district: root.district, subdistrict: name, role } });
      const user = await createUser(ctx, { username: o.adminUser, displayName: o.adminName ?? `${name}管理员`, role: 'admin', password: o.adminPassword });
      await sql`UPDATE users SET subdistrict_id = ${s.id} WHERE id = ${user.id}`.execute(trx);
      await o.createRole(trx, role, s.id);
      return { subdistrictId: s.id, role, adminId: user.id };
    });
    return { ok: true, name, out };
  } catch (e) {
    const r = (e as { refusal?: { ok: false; code: 'VALIDATION' | 'NOT_FOUND'; message: string } }).refusal;
    if (r) return r;
    throw e;
  }
}

/**
 * district add-user: a district-level account (users.subdistrict_id = the district place): only a district reader's
 * server takes it (db/engine.ts userInBoundSubdistrict), read only there; no subdistrict's server does. Audited as the
 * command line. A taken username (anywhere in the district) or a weak password come back as refusals.
 */
export async function addDistrictUserPg(
  db: Db,
  o: { username: string; displayName: string; role: 'official' | 'clerk' | 'admin'; password: string },
): Promise<{ ok: true; userId: number; districtId: number; district: string } | { ok: false; code: 'VALIDATION' | 'NOT_FOUND'; message: string }> {
  const clock = systemClock();
  try {
    return await db.transaction().execute(async (trx) => {
      const ctx = { db: trx, actor: CLI_ACTOR, clock };
      const root = await getOrgRoot(ctx).catch(() => null);
      if (!root) return { ok: false as const, code: 'NOT_FOUND' as const, message: '数据库中还没有区：请先运行 init --db … --district <区名> --subdistrict <第一个街道名>。' };
      const user = await createUser(ctx, { username: o.username, displayName: o.displayName, role: o.role, password: o.password });
      await sql`UPDATE users SET subdistrict_id = ${root.districtId} WHERE id = ${user.id}`.execute(trx);
      await audit(ctx, { action: 'user.update', entity: 'user', entityId: user.id, after: { district: root.district, districtAccount: true } });
      return { ok: true as const, userId: user.id, districtId: root.districtId, district: root.district };
    });
  } catch (e) {
    if (e instanceof AppError) return { ok: false, code: e.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'VALIDATION', message: e.message };
    throw e;
  }
}
