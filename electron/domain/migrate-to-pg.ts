// migrate-to-pg: a subdistrict's SQLite file into a PostgreSQL database built by the real migrations.
// Source: opened read-only, its schema exactly this program's, its audit chain verified first. Target: one
// transaction — the copy (db/pg/from-sqlite.ts), id sequences synced, counters checked against a recount (rebuilt
// when they differ, then checked again), the target's chain and the archived original chain verified, every table's
// count and checksum equal, then one audit entry naming the source file's hash, its chain head and the counts. Any
// problem rolls everything back: the target is as it was.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Db } from '../db/open.ts';
import { latestVersion } from '../db/migrations/index.ts';
import { readDatabaseId } from '../db/identity.ts';
import { lastCheckedHead, verifyAuditChain, type ChainHead } from '../db/audit-chain.ts';
import { syncIdSequences } from '../db/engine.ts';
import { checkCountersPg, rebuildCountersPg } from '../db/pg/counters.ts';
import { migratePg, readPgSchemaVersion } from '../db/postgres.ts';
import { copySqliteToPg, MigrateRefusal, type CopyOutcome } from '../db/pg/from-sqlite.ts';
import { audit } from './audit.ts';
import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';

export { MigrateRefusal };

export interface MigrateReport extends CopyOutcome {
  source: { file: string; sha256: string; databaseId: string; schemaVersion: number; district: string | null; subdistrict: string | null; chain: { rows: number; head: ChainHead | null } };
  /** Counter rows that differed from a recount after the copy (then rebuilt and checked again). */
  countersRebuilt: number;
  targetChain: { rows: number; head: ChainHead | null };
  seconds: number;
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

function settingOf(src: SqliteDatabase.Database, key: string): string | null {
  const row = src.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return null;
  try {
    return JSON.parse(row.value) as string;
  } catch {
    return row.value;
  }
}

export interface MigrateInput {
  sqlite: SqliteDatabase.Database;
  sourceDb: Db;
  sourceFile: string;
  sourceVersion: number;
  target: Db;
  actor: Actor;
  clock: Clock;
}

export async function migrateSqliteToPg(input: MigrateInput): Promise<MigrateReport> {
  const started = Date.now();
  const { sqlite, sourceDb, target } = input;
  if (input.sourceVersion < latestVersion) {
    throw new MigrateRefusal(
      `源文件的数据结构版本是 ${input.sourceVersion}，本程序是 ${latestVersion}：请先用本程序打开一次（或运行 isolation-desk init --db ${input.sourceFile}）完成升级，再迁移。未做任何改动。`,
    );
  }
  const databaseId = readDatabaseId(sqlite);
  if (!databaseId) throw new MigrateRefusal('源文件没有数据库标识（旧版本文件）：请先用本程序打开一次完成升级，再迁移。未做任何改动。');
  const chain = await verifyAuditChain(sourceDb, await lastCheckedHead(sourceDb));
  if (!chain.ok) throw new MigrateRefusal(`源文件的审计日志哈希链校验未通过：${chain.problems.join('；')}。请先查明原因（isolation-desk verify），未做任何改动。`);
  const sha256 = await sha256File(input.sourceFile);
  const district = settingOf(sqlite, 'district');
  const subdistrict = settingOf(sqlite, 'subdistrict');
  const source = { file: path.resolve(input.sourceFile), sha256, databaseId, schemaVersion: input.sourceVersion, district, subdistrict, chain: { rows: chain.rows, head: chain.head } };

  // An empty target is built now by the real migrations (after the source passed its checks: a refused source leaves
  // the target untouched); an older or newer one is refused.
  let tv = await readPgSchemaVersion(target);
  if (tv === 0) tv = await migratePg(target);
  if (tv !== latestVersion) throw new MigrateRefusal(`目标库的数据结构版本是 ${tv}，本程序是 ${latestVersion}：请先运行 isolation-desk init --db postgres://… 。未做任何改动。`);

  return target.transaction().execute(async (trx) => {
    // Already here: this very file migrated before, or this subdistrict's data.
    const earlier = await trx
      .selectFrom('auditLog')
      .select(['id', 'at', 'details'])
      .where('action', '=', 'backup.migrate_to_pg')
      .where(sql<boolean>`details LIKE ${`%"databaseId":"${databaseId}"%`}`)
      .executeTakeFirst();
    if (earlier) throw new MigrateRefusal(`这个数据文件（标识 ${databaseId.slice(0, 8)}）已于 ${earlier.at} 迁入目标库（审计日志第 ${earlier.id} 条），不能再次迁入。未做任何改动。`);
    const hasData = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM residents`.execute(trx)).rows[0].n) > 0;
    const targetSub = (await trx.selectFrom('settings').select('value').where('key', '=', 'subdistrict').executeTakeFirst())?.value;
    if (hasData && subdistrict && targetSub && JSON.parse(targetSub) === subdistrict) {
      throw new MigrateRefusal(`目标库中已有“${subdistrict}”的数据，不能再迁入同一个街道。如确需重新迁移，请由数据库管理员先清空目标库。未做任何改动。`);
    }

    const copy = await copySqliteToPg(sqlite, trx, { subdistrict: subdistrict ?? databaseId.slice(0, 8), sourceDatabaseId: databaseId });
    await syncIdSequences(trx);
    const drift = await checkCountersPg(trx);
    if (drift.length) await rebuildCountersPg(trx);
    const after = await checkCountersPg(trx);
    const problems: string[] = [];
    if (after.length) problems.push(`统计计数与重新计算的结果有 ${after.length} 处不同`);
    for (const t of copy.tables) if (!t.ok) problems.push(`表 ${t.table}：源 ${t.source} 行，目标 ${t.target} 行${t.sourceChecksum !== t.targetChecksum ? '，内容校验值不同' : ''}`);
    if (copy.archive) {
      const archived = await verifyAuditChain(trx.withSchema(copy.archive));
      if (!archived.ok) problems.push(`归档的原审计链校验未通过：${archived.problems.join('；')}`);
      else if (JSON.stringify(archived.head) !== JSON.stringify(chain.head)) problems.push('归档的原审计链链尾与源文件不同');
    }
    if (problems.length) throw new MigrateRefusal(`迁移后的核对未通过：${problems.join('；')}。已全部撤销，目标库未改动。`);
    const counts = Object.fromEntries(copy.tables.map((t) => [t.table, t.target]));
    await audit(
      { db: trx, actor: input.actor, clock: input.clock },
      {
        action: 'backup.migrate_to_pg',
        entity: 'database',
        extra: {
          source: { ...source, file: path.basename(source.file) },
          counts,
          checksums: Object.fromEntries(copy.tables.map((t) => [t.table, t.targetChecksum])),
          offsets: Object.fromEntries(Object.entries(copy.offsets).filter(([, o]) => o !== 0)),
          archive: copy.archive,
          renamedUsers: copy.renamedUsers,
          keptSettings: copy.keptSettings,
          countersRebuilt: drift.length,
        },
      },
    );
    const targetChain = await verifyAuditChain(trx);
    if (!targetChain.ok) throw new MigrateRefusal(`迁移后目标库的审计链校验未通过：${targetChain.problems.join('；')}。已全部撤销，目标库未改动。`);
    return { ...copy, source, countersRebuilt: drift.length, targetChain: { rows: targetChain.rows, head: targetChain.head }, seconds: (Date.now() - started) / 1000 };
  });
}
