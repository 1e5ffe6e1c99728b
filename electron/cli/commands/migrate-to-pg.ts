// `migrate-to-pg --db F.db --to postgres://…`: moves a subdistrict's SQLite file (encrypted too: --key-file or
// ISOLATION_DESK_DB_KEY, as for every command) into a PostgreSQL database (domain/migrate-to-pg.ts). The file is opened
// read-only and never changed; the target is written in one transaction, verified table by table, or left as it was.
// Exit 0 migrated; 1 refused (nothing written); 2 usage, or a file or database that cannot be opened.
import { DB_OPTION, requireString, type CommandModule } from '../args.ts';
import { CliError, failure, ok, usageError } from '../output.ts';

const migrateToPg: CommandModule = {
  name: 'migrate-to-pg',
  summary: '把一个街道的 SQLite 数据文件迁入 PostgreSQL 数据库（源文件只读；一次事务写入；逐表核对记录数和内容校验值；保留审计链）',
  usage: [
    '用法：isolation-desk migrate-to-pg --db <文件> --to postgres://用户:密码@主机:端口/库名 [--key-file <密钥文件>] [--json]',
    '',
    '  --db <文件>     要迁移的 SQLite 数据文件（只读打开，不会修改）；加密的文件用 --key-file 或 ISOLATION_DESK_DB_KEY 给出密钥',
    '  --to <URL>      目标 PostgreSQL 数据库（空库时用本程序的迁移建好数据结构；密码不会显示）',
    '',
    '先检查源文件：数据结构须与本程序一致（旧文件请先用本程序打开一次升级），审计日志哈希链须完好。',
    '然后在一个事务中写入目标库：目标库为空时编号不变；已有其他数据时每张表的编号整体后移、外键随之对应，',
    '原审计链（原编号、原哈希）另存于归档表 idesk_archive_<标识>.audit_log，仍可校验。',
    '写入后逐表核对记录数和内容校验值、统计计数与重新计算一致、审计链完好，再记一条迁移审计记录',
    '（源文件 SHA-256、审计链尾、各表记录数）；任何一项不通过则全部撤销，目标库不变。',
    '目标库中已有同一街道（或同一文件已迁入过）时拒绝。',
    '',
    '退出码：0 已迁移；1 被拒绝（目标库未改动）；2 用法错误，或文件、数据库无法打开。',
  ].join('\n'),
  options: { ...DB_OPTION, to: { type: 'string' } },
  async run(args) {
    const file = requireString(args, 'db', '要迁移的 SQLite 数据文件');
    const to = requireString(args, 'to', '目标 PostgreSQL 数据库（postgres://…）');
    const { isPostgresUrl, shownDb } = await import('../../db/engine.ts');
    if (isPostgresUrl(file)) throw usageError('--db 应为 SQLite 数据文件；目标 PostgreSQL 数据库用 --to 指定。');
    if (!isPostgresUrl(to)) throw usageError(`--to 应为 PostgreSQL 数据库 postgres://用户:密码@主机:端口/库名，实际为“${shownDb(to)}”`);
    const { withApi, withDb } = await import('../context.ts');
    const { migrateToPg: migrate, MigrateRefusal } = await import('../../api/cli-postgres.ts');
    // The source first, read-only and not migrated (a refused file stays byte for byte as it was).
    return withDb(file, { readonly: true, migrate: false }, (source) =>
      withApi(to, { migrate: false }, async (target) => {
        let r;
        try {
          r = await migrate(target, { sqlite: source.sqlite, db: source.db, file, schemaVersion: source.schemaVersion });
        } catch (e) {
          if (e instanceof MigrateRefusal) return failure(1, 'MIGRATE_REFUSED', e.message);
          if (e instanceof CliError) throw e;
          throw new CliError(2, 'MIGRATE_FAILED', `迁移失败，已全部撤销，目标库未改动：${(e as Error).message}`);
        }
        const w = Math.max(...r.tables.map((t) => t.table.length), 4);
        const table = [
          `${'表'.padEnd(w - 1)}  ${'源行数'.padStart(6)}  ${'目标行数'.padStart(6)}  内容校验值（SHA-256 前 12 位）  结果  说明`,
          ...r.tables.map((t) => `${t.table.padEnd(w)}  ${String(t.source).padStart(8)}  ${String(t.target).padStart(8)}  ${t.targetChecksum.slice(0, 12)}${t.sourceChecksum === t.targetChecksum ? ' = 源' : ` ≠ 源 ${t.sourceChecksum.slice(0, 12)}`}        ${t.ok ? '一致' : '不一致'}  ${t.note ?? ''}`),
        ];
        const lines = [
          `源文件：${r.source.file}（只读，未改动；SHA-256 ${r.source.sha256}；${r.source.district ?? ''}${r.source.subdistrict ?? ''}）`,
          `源审计链：完好，共 ${r.source.chain.rows} 条${r.source.chain.head ? `，链尾第 ${r.source.chain.head.id} 条 ${r.source.chain.head.hash.slice(0, 16)}…` : ''}`,
          `目标库：${shownDb(to)}（${r.targetWasEmpty ? '迁移前为空，编号保持不变' : '已有其他数据，编号整体后移、外键随之对应'}）`,
          '',
          ...table,
          '',
          `未迁移的表：${r.skipped.map((s) => `${s.table}（${s.rows} 行；${s.why}）`).join('；')}`,
          ...(r.renamedUsers.length ? [`目标库已有同名账号，迁入的账号改名：${r.renamedUsers.map((u) => `${u.from} → ${u.to}`).join('、')}（登录时用新名）`] : []),
          ...(r.keptSettings.length ? [`目标库已有的设置保留不变：${r.keptSettings.join('、')}`] : []),
          ...(r.archive ? [`原审计链另存于 ${r.archive}.audit_log（原编号、原哈希），校验通过，链尾与源文件一致`] : []),
          `统计计数：${r.countersRebuilt ? `写入后有 ${r.countersRebuilt} 处与重新计算不同，已按原始记录重建，` : ''}与重新计算的结果一致`,
          `目标库审计链：完好，共 ${r.targetChain.rows} 条（最后一条为本次迁移的记录）`,
          `结论：已迁移，用时 ${r.seconds.toFixed(1)} 秒。请用 isolation-desk verify --db postgres://… 复查。`,
        ];
        return ok({ ...r, target: shownDb(to) }, lines.join('\n'));
      }),
    );
  },
};

export default migrateToPg;
