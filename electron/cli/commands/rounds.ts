// `rounds create|coverage|list`: test rounds (全员核酸) through the 'rounds.*' channels as the cli user.
//   rounds create --db F --date YYYY-MM-DD [--end-date YYYY-MM-DD] [--community NAME] [--name 名称] → {"id":N,"due":N}
//   rounds coverage --db F --round N → {"due","tested","untested","positive","byCompound":[{compound,due,tested,untested,positive}]}
//   rounds list --db F → the rounds with their totals
// A round's results are imported with `import tests FILE --round N`.
import { DB_OPTION, intOption, optionalString, requireString, type CommandModule } from '../args.ts';
import { ok, usageError, type CommandResult } from '../output.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `create` and `coverage` print exactly the documented object (tests outside the project read it), without `ok`. */
function exact(json: Record<string, unknown>, text: string): CommandResult {
  return { code: 0, json, text };
}

const rounds: CommandModule = {
  name: 'rounds',
  summary: '全员核酸轮次：新建轮次、查看应检/已检/未检/阳性（按小区）、列出轮次',
  usage: [
    '用法：isolation-desk rounds create --db <文件> --date YYYY-MM-DD [--end-date YYYY-MM-DD] [--community 名称] [--name 名称] [--json]',
    '      isolation-desk rounds coverage --db <文件> --round <编号> [--json]',
    '      isolation-desk rounds list --db <文件> [--json]',
    '',
    '  --date YYYY-MM-DD      轮次的（第一天）日期',
    '  --end-date YYYY-MM-DD  多天的轮次的最后一天（默认与 --date 相同）',
    '  --community <名称>     只在此社区组织（默认全街道）',
    '  --round <编号>         轮次编号（rounds list 或 rounds create 给出）',
    '',
    '应检 = 范围内登记居住的全部居民（不只是隔离人员），去掉已转运和登记免检的人；随时按当前数据计算。',
    '导入检测结果：isolation-desk import tests <文件> --db <文件> --round <编号>',
  ].join('\n'),
  options: { ...DB_OPTION, date: { type: 'string' }, 'end-date': { type: 'string' }, community: { type: 'string' }, name: { type: 'string' }, round: { type: 'string' } },
  positionals: true,
  async run(args): Promise<CommandResult> {
    const [sub, ...extra] = args.positionals;
    if (sub !== 'create' && sub !== 'coverage' && sub !== 'list') throw usageError('请指定：create（新建轮次）、coverage（查看完成情况）或 list（列出轮次）');
    if (extra.length) throw usageError(`多余的参数：${extra.join(' ')}`);
    const dbFile = requireString(args, 'db', '数据库文件');
    const { withApi } = await import('../context.ts');
    if (sub === 'create') {
      const date = requireString(args, 'date', '轮次日期（YYYY-MM-DD）');
      if (!DATE.test(date)) throw usageError(`--date 应为 YYYY-MM-DD，实际为“${date}”`);
      const endDate = optionalString(args, 'end-date');
      if (endDate !== undefined && !DATE.test(endDate)) throw usageError(`--end-date 应为 YYYY-MM-DD，实际为“${endDate}”`);
      const community = optionalString(args, 'community');
      const name = optionalString(args, 'name');
      return withApi(dbFile, {}, async (api) => {
        const r = await api.call('rounds.create', { startDate: date, endDate, community, name });
        const scope = r.round.wholeSubdistrict ? '全街道' : r.round.communities.map((c) => c.name).join('、');
        return exact({ id: r.round.id, due: r.due }, `已新建核酸轮次 ${r.round.id}：${r.round.name}（${scope}），应检 ${r.due} 人。`);
      });
    }
    if (sub === 'list') {
      return withApi(dbFile, { readonly: true }, async (api) => {
        const list = await api.call('rounds.list', {});
        const lines = list.map((r) => `${r.id}  ${r.name}  ${r.status === 'open' ? '进行中' : '已结束'}  应检 ${r.due}  已检 ${r.tested}  未检 ${r.untested}  阳性 ${r.positive}`);
        return ok({ rounds: list }, lines.length ? lines.join('\n') : '还没有核酸轮次。');
      });
    }
    const roundId = intOption(args, 'round', { min: 1, max: 2 ** 31 - 1 });
    return withApi(dbFile, { readonly: true }, async (api) => {
      const c = await api.call('rounds.coverage', { roundId });
      const byCompound = c.communities.flatMap((m) => m.compounds.map((p) => ({ compound: p.compound, due: p.due, tested: p.tested, untested: p.untested, positive: p.positive })));
      const text = [
        `${c.round.name}：应检 ${c.due}，已检 ${c.tested}，未检 ${c.untested}，阳性 ${c.positive}${c.retest ? `，混管阳性待复核 ${c.retest}` : ''}`,
        ...byCompound.map((p) => `  ${p.compound}：应检 ${p.due}，已检 ${p.tested}，未检 ${p.untested}，阳性 ${p.positive}`),
      ].join('\n');
      return exact({ due: c.due, tested: c.tested, untested: c.untested, positive: c.positive, byCompound }, text);
    });
  },
};

export default rounds;
