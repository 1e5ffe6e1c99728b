// Soundness checks of a database file: SQLite's integrity and foreign-key checks, the schema version, row counts of
// every table, and the trigger-kept counters against a recount (db/counters.ts). SQLite-specific on purpose (it is the file format); used by the CLI's `verify`.
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { latestVersion, readSchemaVersion } from './migrations/index.ts';
import type { Db } from './open.ts';
import { lastCheckedHead, verifyAuditChain, type AuditChainReport, type ChainAnchor } from './audit-chain.ts';
import { listBackups } from './backup.ts';
import { checkCounters } from './counters.ts';

export interface VerifyReport {
  sound: boolean;
  /** integrity_check messages; empty when SQLite answered "ok". */
  integrity: string[];
  foreignKeyViolations: { table: string; rowid: number | null; parent: string }[];
  schemaVersion: number;
  latestVersion: number;
  /** Rows per table (snake_case names as in the file); null when the table could not be read. */
  counts: Record<string, number | null>;
  /** What is wrong, in sentences for the operator; empty when sound. */
  problems: string[];
  /** Not wrong, worth knowing (e.g. an older schema that `init` will upgrade). */
  notes: string[];
}

const MAX_MESSAGES = 100;

export function integrityCheck(sqlite: SqliteDatabase.Database): string[] {
  const rows = sqlite.prepare(`PRAGMA integrity_check(${MAX_MESSAGES})`).pluck().all() as string[];
  return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
}

export function foreignKeyCheck(sqlite: SqliteDatabase.Database): VerifyReport['foreignKeyViolations'] {
  const rows = sqlite.prepare('PRAGMA foreign_key_check').all() as { table: string; rowid: number | null; parent: string }[];
  return rows.slice(0, MAX_MESSAGES).map((r) => ({ table: r.table, rowid: r.rowid, parent: r.parent }));
}

export function tableCounts(sqlite: SqliteDatabase.Database): Record<string, number | null> {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const counts: Record<string, number | null> = {};
  for (const t of tables) {
    try {
      counts[t] = Number(sqlite.prepare(`SELECT COUNT(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get());
    } catch {
      counts[t] = null;
    }
  }
  return counts;
}

function errorText(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

/** Runs every check; never throws for a damaged file, it reports it. */
export function verifySqlite(sqlite: SqliteDatabase.Database): VerifyReport {
  const problems: string[] = [];
  const notes: string[] = [];
  let integrity: string[];
  try {
    integrity = integrityCheck(sqlite);
  } catch (e) {
    integrity = [errorText(e)];
  }
  if (integrity.length) problems.push(`完整性检查未通过（${integrity.length} 条）：${integrity.slice(0, 3).join('；')}${integrity.length > 3 ? '……' : ''}`);
  let foreignKeyViolations: VerifyReport['foreignKeyViolations'] = [];
  try {
    foreignKeyViolations = foreignKeyCheck(sqlite);
  } catch (e) {
    problems.push(`外键检查无法完成：${errorText(e)}`);
  }
  if (foreignKeyViolations.length) {
    problems.push(`有 ${foreignKeyViolations.length} 条记录指向不存在的记录，如 ${foreignKeyViolations[0].table} 第 ${foreignKeyViolations[0].rowid} 行 → ${foreignKeyViolations[0].parent}`);
  }
  let schemaVersion = 0;
  try {
    schemaVersion = readSchemaVersion(sqlite);
  } catch (e) {
    problems.push(`无法读取数据结构版本：${errorText(e)}`);
  }
  if (schemaVersion === 0) problems.push('文件中没有本软件的数据结构（不是居家隔离管理台的数据文件，或尚未 init）。');
  else if (schemaVersion < latestVersion) notes.push(`数据结构版本 ${schemaVersion} 低于本程序的 ${latestVersion}，运行 init 或打开程序时会自动升级。`);
  else if (schemaVersion > latestVersion) notes.push(`数据结构版本 ${schemaVersion} 高于本程序的 ${latestVersion}，请用新版本软件打开。`);
  let counts: Record<string, number | null> = {};
  try {
    counts = tableCounts(sqlite);
  } catch (e) {
    problems.push(`无法读取表清单：${errorText(e)}`);
  }
  const unreadable = Object.keys(counts).filter((t) => counts[t] === null);
  if (unreadable.length) problems.push(`以下表无法读取：${unreadable.join('、')}`);
  if (schemaVersion >= 7 && !unreadable.length && !integrity.length) {
    try {
      const drift = checkCounters(sqlite);
      if (drift.length) problems.push(`统计计数与原始记录有 ${drift.length} 处不一致（工作台和今日监测的数字可能不准）：运行 isolation-desk init --db <文件> 会按原始记录重新计算。`);
    } catch (e) {
      problems.push(`统计计数无法核对：${errorText(e)}`);
    }
  }
  return { sound: problems.length === 0, integrity, foreignKeyViolations, schemaVersion, latestVersion, counts, problems, notes };
}

/**
 * verifySqlite plus the audit trail's hash chain and protecting triggers (db/audit-chain.ts), checked against the
 * head the last successful check recorded and any `anchors` given (e.g. from backups). A broken chain makes the
 * file unsound.
 */
export async function verifyDatabase(
  sqlite: SqliteDatabase.Database,
  db: Db,
  anchors: ChainAnchor[] = [],
): Promise<VerifyReport & { auditChain: AuditChainReport | null }> {
  const report = verifySqlite(sqlite);
  if (report.schemaVersion === 0) return { ...report, auditChain: null };
  let auditChain: AuditChainReport | null = null;
  try {
    auditChain = await verifyAuditChain(db, [...(await lastCheckedHead(db)), ...anchors]);
  } catch (e) {
    report.problems.push(`审计日志无法校验：${errorText(e)}`);
  }
  if (auditChain) {
    report.problems.push(...auditChain.problems);
    if (!auditChain.checked) report.notes.push('审计日志尚未建立哈希链（数据结构版本低于 5），运行 init 升级后即可校验。');
  }
  return { ...report, sound: report.problems.length === 0, auditChain };
}

/**
 * The chain heads this database's backups in `dir` recorded (sidecars written since migration 0005): anchors outside
 * the file. Another database's backups in the same folder are not looked at.
 */
export function backupAnchors(dir: string, databaseId: string | null): ChainAnchor[] {
  const out: ChainAnchor[] = [];
  for (const b of listBackups(dir, databaseId)) {
    const r = b.verification?.auditHead;
    if (r && typeof r.id === 'number' && typeof r.hash === 'string') out.push({ id: r.id, hash: r.hash, record: r, label: `备份 ${b.name} ` });
  }
  return out;
}
