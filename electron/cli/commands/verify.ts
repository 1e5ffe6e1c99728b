// `verify`: is the file sound? SQLite integrity and foreign-key checks, schema version, the audit hash chain and its
// triggers, row counts. Read-only.
// Exit 0 when sound, 1 when not, 2 when the file is missing or cannot be opened at all.
import { DB_OPTION, requireString, type CommandModule } from '../args.ts';
import { failure, ok } from '../output.ts';
import type { AuditChainReport } from '../../db/audit-chain.ts';
import type { CliApi } from '../context.ts';

/** Chinese labels of the main tables, for the text report (others are shown by their table name). */
const TABLE_LABELS: Record<string, string> = {
  residents: '居民',
  households: '户',
  places: '地点',
  episodes: '隔离/监测期',
  checkins: '健康监测记录',
  tests: '检测结果',
  alerts: '异常告警',
  supply_requests: '物资需求',
  cadres: '下沉干部',
  users: '账号',
  audit_log: '审计日志',
};

interface BackupSummary {
  dir: string;
  /** The database's identity (null: a file made before identities, not migrated yet). */
  databaseId: string | null;
  count: number;
  newestVerified: string | null;
  failed: string[];
  /** Backups of other databases (or of unknown origin) in the same folder: not counted as this file's. */
  foreign: { name: string; why: string }[];
}

/** The backup folder as the app sees it: this database's backups, the newest that verified, those that did not. */
async function backupSummary(file: string, api: CliApi): Promise<BackupSummary> {
  const { backupDirFor, backupsInFolder } = await import('../../db/backup.ts');
  const { readDatabaseId } = await import('../../db/identity.ts');
  const dir = backupDirFor(file, (await api.call('settings.get', {})).backupDir);
  const databaseId = readDatabaseId(api.handle.sqlite);
  const { own, foreign } = backupsInFolder(dir, databaseId);
  return {
    dir,
    databaseId,
    count: own.length,
    newestVerified: own.find((b) => b.status === 'verified')?.name ?? null,
    failed: own.filter((b) => b.status === 'failed').map((b) => b.name),
    foreign: foreign.map((f) => ({ name: f.name, why: f.why })),
  };
}

function backupLines(b: BackupSummary): string[] {
  const others = b.foreign.length ? [`另有 ${b.foreign.length} 个其他数据库的备份（不计入、不处理）：${b.foreign.map((f) => `${f.name}（${f.why}）`).join('、')}`] : [];
  const id = b.databaseId ? `数据库标识：${b.databaseId}（备份文件名中为 ${b.databaseId.slice(0, 8)}）` : '数据库标识：无（旧版本文件，用 init 升级后生成）';
  if (!b.count) return [id, `备份：${b.dir} 中没有本数据库的备份。建议立即备份：isolation-desk backup --db <文件>`, ...others];
  const failed = b.failed.length ? `；${b.failed.length} 个未通过校验：${b.failed.join('、')}` : '';
  return [id, `备份：${b.dir} 中本数据库的备份 ${b.count} 个，最近一个校验通过的是 ${b.newestVerified ?? '（无）'}${failed}`, ...others];
}

function chainLine(c: AuditChainReport | null): string {
  if (!c) return '审计链：未检查';
  const triggers = c.triggers.filter((t) => t.status !== 'ok').length ? '保护触发器有问题' : '保护触发器齐全';
  if (!c.checked) return `审计链：尚未建立；${triggers}`;
  if (c.firstBrokenId !== null) return `审计链：第 ${c.firstBrokenId} 条起校验未通过（共检查 ${c.rows} 条）；${triggers}`;
  if (!c.ok) return `审计链：校验未通过（共 ${c.rows} 条）；${triggers}`;
  return `审计链：完好，共 ${c.rows} 条${c.head ? `，链尾第 ${c.head.id} 条` : ''}；${triggers}`;
}

const verify: CommandModule = {
  name: 'verify',
  summary: '检查数据库文件是否完好：完整性、外键、数据结构版本、审计日志哈希链与保护触发器、各表记录数、备份情况（只读）',
  usage: ['用法：isolation-desk verify --db <文件> [--json]', '', '  --db <文件>  要检查的数据库文件（只读打开，不会修改），或 PostgreSQL 数据库 postgres://用户:密码@主机:端口/库名', '', '退出码：0 完好；1 发现问题（含审计日志被改动、删除、调换或保护触发器被删改）；2 文件不存在或无法打开。'].join('\n'),
  options: { ...DB_OPTION },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const { withApi } = await import('../context.ts');
    const { verifyDatabase, backupAnchors } = await import('../../db/verify.ts');
    // The file's checks are file-level (db/verify.ts); the backup folder is the one the settings name ('settings.get').
    const { isPostgresUrl, shownDb } = await import('../../db/engine.ts');
    const pg = isPostgresUrl(file);
    return withApi(file, { readonly: true }, async (api) => {
      const { handle } = api;
      const backups = pg ? null : await backupSummary(file, api).catch(() => null);
      let anchors: ReturnType<typeof backupAnchors>;
      try {
        anchors = backups ? backupAnchors(backups.dir, backups.databaseId) : [];
      } catch {
        anchors = [];
      }
      const report = pg ? await (await import('../../db/pg/verify.ts')).verifyPostgres(handle.db) : await verifyDatabase(handle.sqlite, handle.db, anchors);
      // PostgreSQL: the backups are pg_dump files recorded in the database (backup --db postgres://…).
      const last = pg ? await (await import('../../api/cli-postgres.ts')).lastBackupOf(handle.db, new Date()) : null;
      const lastBackup = last?.lastBackup ?? null;
      const backupLine = last;
      const countText = Object.entries(report.counts)
        .filter(([t]) => TABLE_LABELS[t])
        .map(([t, n]) => `${TABLE_LABELS[t]} ${n ?? '无法读取'}`)
        .join('，');
      const lines = [
        `数据库：${shownDb(file)}`,
        ...(pg
          ? []
          : [`完整性检查：${report.integrity.length ? '未通过' : '通过'}`, `外键检查：${report.foreignKeyViolations.length ? `${report.foreignKeyViolations.length} 处问题` : '通过'}`]),
        `数据结构版本：${report.schemaVersion}（本程序 ${report.latestVersion}）`,
        chainLine(report.auditChain),
        `记录数：${countText}`,
        ...report.notes.map((n) => `提示：${n}`),
        ...(backups ? backupLines(backups) : []),
        ...(backupLine ? [backupLine.text, ...(backupLine.warn ? [`提示：${backupLine.warn}`] : [])] : []),
      ];
      const data = { file: shownDb(file), ...report, backups, ...(pg ? { lastBackup, backupWarning: backupLine?.warn ?? null } : {}) };
      if (report.sound) return ok(data, [...lines, '结论：数据库完好。'].join('\n'));
      const message = `数据库有问题：${report.problems.join('；')}。请勿继续写入，从最近一次经过校验的备份恢复。`;
      return { ...failure(1, 'DB_UNSOUND', message, data), text: [...lines, ...report.problems.map((p) => `问题：${p}`), `结论：${message}`].join('\n') };
    });
  },
};

export default verify;
