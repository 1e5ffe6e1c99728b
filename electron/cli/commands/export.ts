// `export REPORT`: writes one of the five Excel reports to --out through 'reports.export' and its job, as the built-in
// cli user (audited). Masked unless --unmasked: the operator holds the database file anyway, so they may; the audit
// log records which it was.
import path from 'node:path';
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';
import { invalid } from '../../shared/errors.ts';
import type { InputOf } from '../../api/contract.ts';
import type { ExportResult } from '../../api/contract/reports.ts';
import { NOTICE_USAGE, runDoorSheet, runNotices } from './export-notices.ts';
import { ROUND_REPORT_USAGE, runRoundReport } from './export-round.ts';

type ReportName = InputOf<'reports.export'>['report'];
type SupplyStatusFilter = NonNullable<InputOf<'reports.export'>['status']>;

/** A community name as the office writes it, compared without spaces and with full-width letters and digits as ASCII. */
const isReport = (r: string): r is ReportName => Object.prototype.hasOwnProperty.call(REPORTS, r);

const placeName = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

const REPORTS: Record<ReportName, string> = {
  'daily-report': '每日工作日报',
  roster: '隔离人员台账',
  checkins: '健康监测记录（可用 --from/--to 指定日期范围）',
  supplies: '物资需求清单（可用 --status 指定状态）',
  cadres: '下沉干部名册',
  'cadre-work': '下沉干部工作量统计：按干部、按派出单位的班次时长、走访、送达（可用 --from/--to 指定日期范围）',
};

/** --status accepts the code or the Chinese label the clerks use. */
const STATUS: Record<string, SupplyStatusFilter> = {
  new: 'new',
  待处理: 'new',
  assigned: 'assigned',
  已分派: 'assigned',
  delivering: 'delivering',
  配送中: 'delivering',
  delivered: 'delivered',
  已送达: 'delivered',
  cancelled: 'cancelled',
  已取消: 'cancelled',
  open: 'open',
  待配送: 'open',
};

/** --layout: the code or its Chinese name. */
const LAYOUTS: Record<string, NonNullable<InputOf<'reports.export'>['layout']>> = { print: 'print', 打印版: 'print', table: 'table', 完整版: 'table' };

const exportCommand: CommandModule = {
  name: 'export',
  summary: '导出 Excel 报表（日报、台账、监测记录、物资需求清单、干部名册、干部工作量、核酸检测轮次报告），默认脱敏',
  usage: [
    '用法：isolation-desk export <报表> --db <文件> --date YYYY-MM-DD --out <文件.xlsx> [选项] [--json]',
    '',
    '报表：',
    ...Object.entries(REPORTS).map(([k, v]) => `  ${k.padEnd(14)}${v}`),
    '',
    '  --db <文件>          数据库文件，或 PostgreSQL 数据库 postgres://用户:密码@主机:端口/库名（密码不会显示）',
    '  --date YYYY-MM-DD    统计日期（不能晚于今天）',
    '  --out <文件.xlsx>    导出到此文件（已存在则覆盖）',
    '  --community <名称>   只导出一个社区，如 西大街社区',
    '  --from/--to <日期>   健康监测记录、干部工作量的日期范围（含两端），默认为 --date 当天',
    '  --status <状态>      物资需求清单：待处理/已分派/配送中/已送达/已取消/待配送（不填则为 --date 当天登记的）',
    '  --unmasked           含完整身份证号和电话（记入审计日志，请妥善保管文件）',
    '  --layout <版式>      roster：print（打印版：12 列、按小区分组，A4 横向可读）或 table（完整表格，默认）',
    '',
    ...NOTICE_USAGE,
    ...ROUND_REPORT_USAGE,
  ].join('\n'),
  options: {
    ...DB_OPTION,
    date: { type: 'string' },
    out: { type: 'string' },
    community: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    status: { type: 'string' },
    unmasked: { type: 'boolean' },
    kind: { type: 'string' },
    compound: { type: 'string' },
    building: { type: 'string' },
    layout: { type: 'string' },
    round: { type: 'string' },
  },
  positionals: true,
  async run(args) {
    if (args.positionals.length !== 1) throw usageError(args.positionals.length ? `只能指定一个报表，实际为：${args.positionals.join(' ')}` : '请指定要导出的报表');
    const report = args.positionals[0];
    if (report === 'notices' || report === 'door-sheet') {
      const db = requireString(args, 'db', '数据库文件');
      return report === 'notices' ? runNotices(db, args) : runDoorSheet(db, args);
    }
    if (report === 'round-report') return runRoundReport(requireString(args, 'db', '数据库文件'), args);
    if (args.values.round !== undefined) throw usageError('--round 只用于 round-report（核酸检测轮次报告）');
    if (args.values.kind !== undefined || args.values.compound !== undefined || args.values.building !== undefined) throw usageError('--kind/--compound/--building 只用于 notices（告知书）和 door-sheet（入户排查登记表）');
    if (!isReport(report)) throw usageError(`未知的报表：${report}。可选：${Object.keys(REPORTS).join('、')}`);
    const file = requireString(args, 'db', '数据库文件');
    const date = requireString(args, 'date', '统计日期（YYYY-MM-DD）');
    const out = requireString(args, 'out', '导出文件（.xlsx）');
    if (!/\.xlsx$/i.test(out)) throw usageError(`导出文件应以 .xlsx 结尾：${out}`);
    const statusText = optionalString(args, 'status');
    if (statusText !== undefined && report !== 'supplies') throw usageError('--status 只用于 supplies（物资需求清单）');
    if ((args.values.from !== undefined || args.values.to !== undefined) && report !== 'checkins' && report !== 'cadre-work') throw usageError('--from/--to 只用于 checkins（健康监测记录）和 cadre-work（下沉干部工作量统计）');
    const status = statusText !== undefined && Object.prototype.hasOwnProperty.call(STATUS, statusText.trim()) ? STATUS[statusText.trim()] : undefined;
    if (statusText !== undefined && !status) throw usageError(`未知的状态：${statusText}。可选：${Object.keys(STATUS).join('、')}`);
    const layoutText = optionalString(args, 'layout')?.trim();
    const layout = layoutText === undefined ? undefined : LAYOUTS[layoutText];
    if (layoutText !== undefined && !layout) throw usageError(`未知的版式：${layoutText}。可选：${Object.keys(LAYOUTS).join('、')}`);
    if (layout === 'print' && report !== 'roster') throw usageError('--layout print（打印版）只用于 roster（隔离人员台账）');
    const communityName = optionalString(args, 'community');
    const { withApi } = await import('../context.ts');
    return withApi(file, {}, async (api) => {
      let communityId: number | undefined;
      if (communityName !== undefined) {
        const communities = await api.call('places.communities', {});
        const wanted = placeName(communityName);
        communityId = communities.find((c) => placeName(c.name) === wanted)?.id;
        if (communityId === undefined) {
          throw invalid('export.noCommunityNamed', { name: communityName, names: communities.map((c) => c.name).join('、') || '（无）' });
        }
      }
      // 'reports.export' checks the request (dates, masking, scope) and starts the job; the job writes --out.
      const { jobId } = await api.call('reports.export', {
        report,
        date,
        from: optionalString(args, 'from'),
        to: optionalString(args, 'to'),
        communityId,
        status,
        unmasked: args.values.unmasked === true,
        layout,
        outFile: path.resolve(out),
      });
      const r = await api.waitForJob<ExportResult>(jobId);
      const text = `已导出${r.title}：${r.rows} 行 → ${r.path}（${r.masked ? '证件号码、电话已脱敏' : '含完整证件号码和电话，请妥善保管'}）`;
      return ok({ file: r.path, rows: r.rows, masked: r.masked, report: r.report, title: r.title }, text);
    });
  },
};

export default exportCommand;
