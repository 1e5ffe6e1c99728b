// `verify` on a PostgreSQL database: the checks of db/verify.ts that mean something there — schema version, row counts
// of every table, the counters against a recount, the audit trail's hash chain and its protecting triggers. Page-level
// integrity is the database server's (data checksums, amcheck), so it is a note, not a check (the CLI adds the last
// pg_dump backup recorded in the database, domain/pg-backups.ts);
// foreign keys are enforced by the server on every write (none is created NOT VALID here), so there is nothing to
// re-check.
import { sql } from 'kysely';
import type { Db } from '../open.ts';
import type { VerifyReport } from '../verify.ts';
import { latestVersion } from '../migrations/index.ts';
import { readPgSchemaVersion } from '../postgres.ts';
import { checkCountersPg } from './counters.ts';
import { lastCheckedHead, verifyAuditChain, type AuditChainReport } from '../audit-chain.ts';
import { checkDistrictPolicies } from './district.ts';

const errorText = (e: unknown) => (e as Error)?.message ?? String(e);

export async function verifyPostgres(db: Db): Promise<VerifyReport & { auditChain: AuditChainReport | null }> {
  const problems: string[] = [];
  const notes: string[] = ['PostgreSQL 数据库：页面完整性由数据库服务器负责（数据校验和、amcheck），此处不检查。'];
  let schemaVersion = 0;
  try {
    schemaVersion = await readPgSchemaVersion(db);
  } catch (e) {
    problems.push(`无法读取数据结构版本：${errorText(e)}`);
  }
  if (schemaVersion === 0) problems.push('数据库中没有本软件的数据结构（不是居家隔离管理台的数据库，或尚未 init）。');
  else if (schemaVersion < latestVersion) notes.push(`数据结构版本 ${schemaVersion} 低于本程序的 ${latestVersion}，运行 init 会升级。`);
  else if (schemaVersion > latestVersion) notes.push(`数据结构版本 ${schemaVersion} 高于本程序的 ${latestVersion}，请用新版本软件打开。`);
  const counts: Record<string, number | null> = {};
  const bindingsReadable = !!(
    await sql<{ ok: boolean | null }>`SELECT CASE WHEN to_regclass('idesk_bindings') IS NULL THEN true ELSE has_table_privilege('idesk_bindings', 'SELECT') END AS ok`.execute(db)
  ).rows[0]?.ok;
  if (!bindingsReadable) notes.push('以街道的数据库角色连接：只检查本街道可见的数据和本街道的审计链；全区的检查请用数据表所有者的账号。');
  const tables = (
    await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`.execute(db)
  ).rows
    .map((r) => r.t)
    // A subdistrict's role (a district's database, migration 0015) may not read the binding table: not a problem.
    .filter((t) => t !== 'idesk_bindings' || bindingsReadable);
  for (const t of tables) {
    try {
      counts[t] = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(db)).rows[0].n);
    } catch {
      counts[t] = null;
    }
  }
  const unreadable = tables.filter((t) => counts[t] === null);
  if (unreadable.length) problems.push(`以下表无法读取：${unreadable.join('、')}`);
  if (schemaVersion >= 7 && !unreadable.length) {
    try {
      const drift = await checkCountersPg(db);
      if (drift.length) problems.push(`统计计数与原始记录有 ${drift.length} 处不一致（工作台和今日监测的数字可能不准）：运行 isolation-desk init --db <数据库> 会按原始记录重新计算。`);
    } catch (e) {
      problems.push(`统计计数无法核对：${errorText(e)}`);
    }
  }
  // The district binding (migration 0015): row-level security on, its policies unchanged, no bound role above it.
  if (schemaVersion >= 15 && bindingsReadable) {
    try {
      problems.push(...(await checkDistrictPolicies(db)));
    } catch (e) {
      problems.push(`行级安全无法检查：${errorText(e)}`);
    }
  }
  let auditChain: AuditChainReport | null = null;
  if (schemaVersion > 0) {
    try {
      auditChain = await verifyAuditChain(db, await lastCheckedHead(db));
      problems.push(...auditChain.problems);
    } catch (e) {
      problems.push(`审计日志无法校验：${errorText(e)}`);
    }
  }
  return { sound: problems.length === 0, integrity: [], foreignKeyViolations: [], schemaVersion, latestVersion, counts, problems, notes, auditChain };
}
