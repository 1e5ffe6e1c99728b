// `stats`: how much is in a database file (read-only), through the 'stats.counts' channel as the cli user.
import { DB_OPTION, requireString, type CommandModule } from '../args.ts';
import { ok } from '../output.ts';

const stats: CommandModule = {
  name: 'stats',
  summary: '统计居民、户、在管隔离、监测记录、待处理告警、物资需求和下沉干部的数量（只读）',
  usage: ['用法：isolation-desk stats --db <文件> [--json]', '', '  --db <文件>  数据库文件（只读打开，不会修改），或 PostgreSQL 数据库 postgres://用户:密码@主机:端口/库名'].join('\n'),
  options: { ...DB_OPTION },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const { withApi } = await import('../context.ts');
    const { isPostgresUrl, shownDb } = await import('../../db/engine.ts');
    const shown = shownDb(file);
    const pg = isPostgresUrl(file);
    return withApi(file, { readonly: true }, async (api) => {
      const s = await api.call('stats.counts', {});
      // PostgreSQL: the last pg_dump backup recorded in the database (backup --db postgres://…) and its age.
      const line = pg ? await (await import('../../api/cli-postgres.ts')).lastBackupOf(api.handle.db, new Date()) : null;
      const lastBackup = line?.lastBackup ?? null;
      const text = [
        `数据库：${shown}`,
        `居民 ${s.residents} 人，${s.households} 户`,
        `进行中的隔离/监测 ${s.activeEpisodes} 个`,
        `健康监测记录 ${s.checkins} 条，待处理异常告警 ${s.openAlerts} 条`,
        `物资需求 ${s.supplyRequests} 条`,
        `下沉干部 ${s.cadres} 名`,
        ...(line ? [line.text, ...(line.warn ? [`提示：${line.warn}`] : [])] : []),
      ].join('\n');
      return ok({ file: shown, ...s, ...(pg ? { lastBackup, backupWarning: line?.warn ?? null } : {}) }, text);
    });
  },
};

export default stats;
