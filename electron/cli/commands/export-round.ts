// `export round-report` (核酸检测轮次报告, .xlsx): part of the export command (export.ts hands it over), through the
// 'rounds.exportReport' channel as the cli user (audited); the bytes it returns are written to --out (overwritten).
import fs from 'node:fs';
import path from 'node:path';
import { intOption, requireString, type CommandArgs } from '../args.ts';
import { ok, usageError, type CommandResult } from '../output.ts';

export const ROUND_REPORT_USAGE = [
  '核酸检测轮次报告（按小区、按楼栋：应检/免检/已检/未检/阳性/混管待复核/覆盖率，含合计）：',
  '  isolation-desk export round-report --db <文件> --round <编号> --out <文件.xlsx> [--json]',
];

export async function runRoundReport(file: string, args: CommandArgs): Promise<CommandResult> {
  const out = requireString(args, 'out', '导出文件（.xlsx）');
  if (!/\.xlsx$/i.test(out)) throw usageError(`导出文件应以 .xlsx 结尾：${out}`);
  const roundId = intOption(args, 'round', { min: 1, max: 2 ** 31 - 1 });
  const { withApi } = await import('../context.ts');
  return withApi(file, {}, async (api) => {
    const r = await api.call('rounds.exportReport', { roundId });
    const target = path.resolve(out);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, Buffer.from(r.dataBase64, 'base64'));
    const t = r.totals;
    const text = `已导出${r.title}：${r.compounds} 个小区、${r.buildings} 栋楼 → ${target}（应检 ${t.due}，免检 ${t.exempt}，已检 ${t.tested}，未检 ${t.untested}，阳性 ${t.positive}，混管待复核 ${t.retest}）`;
    return ok({ file: target, title: r.title, compounds: r.compounds, buildings: r.buildings, ...t }, text);
  });
}
