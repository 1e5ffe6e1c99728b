// Backups of a PostgreSQL database (db/pg/dump.ts: pg_dump custom format, verified by a restore into a scratch
// database) recorded in the database itself: each one is an audit entry ('backup.create', or 'backup.verify_failed',
// or 'backup.failed') with its file, size, row counts, chain head and how it was verified — in the hash-chained,
// append-only log, so the record cannot be quietly edited. `verify` and `stats` report the newest and its age.
import type { Ctx } from './context.ts';
import type { Db } from '../db/open.ts';
import { audit } from './audit.ts';
import { dumpPostgres, PgBackupError, type PgBackupResult } from '../db/pg/dump.ts';

/** Older than this, verify and stats warn that a backup is due. */
export const BACKUP_DUE_HOURS = 24;

export async function backupPostgres(ctx: Ctx, url: string, out: string): Promise<PgBackupResult> {
  let r: PgBackupResult;
  try {
    r = await dumpPostgres(url, out);
  } catch (e) {
    // A missing or too old pg_dump, an existing --out, no connection: nothing was attempted, nothing to record.
    if (!(e instanceof PgBackupError) || e.code !== 'PG_DUMP_FAILED') throw e;
    await audit(ctx, { action: 'backup.failed', entity: 'backup', extra: { engine: 'postgres', reason: 'cli', file: out, error: (e as Error).message.slice(0, 500) } });
    throw e;
  }
  await audit(ctx, {
    action: r.ok ? 'backup.create' : 'backup.verify_failed',
    entity: 'backup',
    extra: {
      engine: 'postgres',
      reason: 'cli',
      format: 'pg_dump custom',
      file: r.file,
      size: r.size,
      ok: r.ok,
      verified: r.verified,
      problems: r.problems,
      counts: r.counts,
      chainHead: r.chainHead,
      schemaVersion: r.schemaVersion,
      pgDump: r.tools.version,
    },
  });
  return r;
}

export interface LastBackup {
  at: string;
  file: string;
  size: number | null;
  ok: boolean;
  verified: 'restored' | 'listed' | null;
  /** Hours since it was taken (one decimal). */
  ageHours: number;
  /** Older than BACKUP_DUE_HOURS. */
  due: boolean;
}

/** The newest backup recorded in this database (verified or not), or null. */
export async function lastRecordedBackup(db: Db, now: Date): Promise<LastBackup | null> {
  const row = await db
    .selectFrom('auditLog')
    .select(['at', 'action', 'details'])
    .where('action', 'in', ['backup.create', 'backup.verify_failed'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  let d: { file?: string; size?: number; ok?: boolean; verified?: 'restored' | 'listed' } = {};
  try {
    d = JSON.parse(row.details ?? '{}') as typeof d;
  } catch {
    d = {};
  }
  const ageHours = Math.round(((now.getTime() - Date.parse(row.at)) / 3600_000) * 10) / 10;
  return { at: row.at, file: d.file ?? '', size: d.size ?? null, ok: row.action === 'backup.create', verified: d.verified ?? null, ageHours, due: ageHours > BACKUP_DUE_HOURS };
}

/** One line for people: the last backup and its age, or that there is none; `warn` when one is due. */
export function lastBackupLine(b: LastBackup | null): { text: string; warn: string | null } {
  const how = 'isolation-desk backup --db postgres://… --out <文件>';
  if (!b) return { text: '备份：数据库中没有备份记录', warn: `没有 pg_dump 备份的记录，请尽快备份：${how}` };
  const age = b.ageHours < 1 ? '不到 1 小时前' : b.ageHours < 48 ? `${Math.floor(b.ageHours)} 小时前` : `${Math.floor(b.ageHours / 24)} 天前`;
  const check = !b.ok ? '校验未通过' : b.verified === 'listed' ? '只检查了内容列表' : '已恢复校验';
  const size = b.size === null ? '' : `，${(b.size / 1024 / 1024).toFixed(1)} MB`;
  const text = `备份：最近一次 ${b.at}（${age}，${check}）：${b.file}${size}`;
  if (!b.ok) return { text, warn: `最近一次备份未通过校验，请重新备份：${how}` };
  return { text, warn: b.due ? `最近一次备份已是 ${age}（超过 ${BACKUP_DUE_HOURS} 小时），请尽快备份：${how}` : null };
}
