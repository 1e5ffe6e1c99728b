// `needs`: special needs from the command line — run the recurring-need schedules (定期需求) for a date: each
// schedule due that day creates its supply request once (a second run creates nothing), as the app does at start
// and every hour.
import { DB_OPTION, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';

const needs: CommandModule = {
  name: 'needs',
  summary: '特殊需求：按定期需求生成当天的物资需求（run-schedules）',
  usage: [
    '用法：isolation-desk needs run-schedules --db <文件> [--date YYYY-MM-DD] [--json]',
    '',
    '  run-schedules  为该日期（默认今天）到期的每条定期需求（如每周二、四、六透析）登记一条物资需求；',
    '                 同一条定期需求同一天只生成一次，重复运行不会重复登记。只为当天在隔离或监测中的人员生成。',
  ].join('\n'),
  positionals: true,
  options: { ...DB_OPTION, date: { type: 'string' } },
  async run(args) {
    const action = args.positionals[0];
    if (action !== 'run-schedules') throw usageError(action ? `未知的操作：${action}（应为 run-schedules）` : '请指定操作：run-schedules');
    const file = requireString(args, 'db', '数据库文件');
    const date = typeof args.values.date === 'string' ? args.values.date.trim() : undefined;
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw usageError(`日期“${date}”不正确，请写成 2022-01-20 这样的格式`);
    const { withApi } = await import('../context.ts');
    return withApi(file, {}, async (api) => {
      const r = await api.call('needs.runSchedules', date ? { date } : {});
      return ok({ date: r.date, created: r.created.length, requestIds: r.created.map((c) => c.requestId), alreadyDone: r.alreadyDone, notUnderControl: r.notUnderControl }, `${r.date}：新建物资需求 ${r.created.length} 条，此前已生成 ${r.alreadyDone} 条，当天不在隔离或监测中而跳过 ${r.notUnderControl} 条`);
    });
  },
};

export default needs;
