// `import residents FILE` / `import tests FILE`: the import wizard's channels as the cli user — 'import.upload' the file,
// 'import.commit' (the import job — every row checked, written in one transaction — run in this process on the file
// the command opened, ApiEnv.inlineJobs: no worker thread), awaited, then 'jobs.status' for its answer,
// 'import.errorReport' for --errors-out, 'import.cancel' to drop the upload. Exit 0 written, 1 rejected (nothing
// written), 2 unreadable file.
import { DB_OPTION, intOption, optionalString, requireString, type CommandModule } from '../args.ts';
import { failure, ok, usageError, type CommandResult } from '../output.ts';
import type { ImportCommitResult, RowIssue } from '../../api/contract/imports.ts';
import { AppError } from '../../shared/errors.ts';

const KINDS = { residents: '隔离人员名单', tests: '检测结果名单' } as const;

/** The flag that gives each choice an import may need (the 'confirm' of import.commit). */
const CONFIRM_FLAGS: Record<string, string> = {
  otherSubdistrict: '--other-subdistrict',
  stale: '--stale ended（按已结束导入）或 --stale active（仍按隔离中导入）',
  createCommunities: '--create-communities',
};

function fileErrorOf(e: AppError): string | undefined {
  return (e.details as { fileError?: string } | undefined)?.fileError;
}

function issueLine(i: RowIssue): string {
  const where = i.row === null ? '' : `第${i.row}行${i.column ? ` ${i.column}` : ''}${i.value ? `（${i.value}）` : ''}：`;
  return `  ${where}${i.reason}`;
}

function listText(title: string, issues: RowIssue[], max = 50): string[] {
  if (!issues.length) return [];
  const lines = issues.slice(0, max).map(issueLine);
  if (issues.length > max) lines.push(`  ……共 ${issues.length} 条（用 --json 或 --errors-out 查看全部）`);
  return [`${title}（${issues.length}）：`, ...lines];
}

const importCommand: CommandModule = {
  name: 'import',
  summary: '导入上级下发的隔离人员名单或检测结果名单（.xlsx/.csv），逐行校验，一次事务写入',
  usage: [
    '用法：isolation-desk import residents <文件> --db <文件> [选项] [--json]',
    '      isolation-desk import tests <文件> --db <文件> [--round 编号] [--mode ...] [--sheet 名称] [--json]',
    '',
    '  --db <文件>                数据库文件，或 PostgreSQL 数据库 postgres://用户:密码@主机:端口/库名（密码不会显示）',
    '  --mode all-or-nothing      默认：有任何一行被拒绝则全部不写入',
    '  --mode valid-only          只导入通过校验的行，被拒绝的行列出原因',
    '  --community <名称>         名单没有“社区”列时，所有人员归入此社区',
    '  --start-date YYYY-MM-DD    名单没有隔离开始日期时使用的日期',
    '  --sheet <名称>             指定工作表（默认第一个有内容的可见工作表）',
    '  --create-communities       名单中系统没有的社区予以新建（不加此项：这些行被拒绝，并提示相近的社区名称）',
    '  --stale ended              隔离期在今天以前已结束的人员按已结束导入（登记真实日期，于解除日期记为已解除）',
    '  --stale active             仍按隔离中导入（计入在管、待解除和应报人数）；名单中有这样的人员时须选其一',
    '  --other-subdistrict        名单标题写的是其他街道时，确认仍要导入',
    '  --round <编号>             检测结果属于该全员核酸轮次（rounds create 给出编号）：按任一证件号码或电话+姓名',
    '                             匹配轮次范围内的全部居民；同一试管号的多行为混管（10混1）',
    '  --errors-out <文件.xlsx>   把未导入的行（原内容 + 原因）写到此文件',
    '',
    '退出码：0 已写入；1 名单被拒绝（未写入任何数据）；2 用法错误或文件无法读取。',
  ].join('\n'),
  options: {
    ...DB_OPTION,
    mode: { type: 'string' },
    community: { type: 'string' },
    'start-date': { type: 'string' },
    sheet: { type: 'string' },
    'errors-out': { type: 'string' },
    'create-communities': { type: 'boolean' },
    stale: { type: 'string' },
    'other-subdistrict': { type: 'boolean' },
    round: { type: 'string' },
  },
  positionals: true,
  async run(args): Promise<CommandResult> {
    const [kind, file, ...extra] = args.positionals;
    if (!kind || !Object.prototype.hasOwnProperty.call(KINDS, kind)) throw usageError(`请指定导入的种类：residents（${KINDS.residents}）或 tests（${KINDS.tests}）`);
    if (!file) throw usageError('请指定要导入的文件');
    if (extra.length) throw usageError(`多余的参数：${extra.join(' ')}`);
    const dbFile = requireString(args, 'db', '数据库文件');
    const mode = optionalString(args, 'mode') ?? 'all-or-nothing';
    if (mode !== 'all-or-nothing' && mode !== 'valid-only') throw usageError(`--mode 应为 all-or-nothing 或 valid-only，实际为“${mode}”`);
    const startDate = optionalString(args, 'start-date');
    if (startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(startDate)) throw usageError(`--start-date 应为 YYYY-MM-DD，实际为“${startDate}”`);
    const community = optionalString(args, 'community');
    if (kind === 'tests' && (community !== undefined || startDate !== undefined)) throw usageError('--community 和 --start-date 只用于 residents');
    const stale = optionalString(args, 'stale');
    if (stale !== undefined && stale !== 'ended' && stale !== 'active') throw usageError(`--stale 应为 ended 或 active，实际为“${stale}”`);
    const roundId = optionalString(args, 'round') === undefined ? undefined : intOption(args, 'round', { min: 1, max: 2 ** 31 - 1 });
    if (kind === 'residents' && roundId !== undefined) throw usageError('--round 只用于 tests');
    const createCommunities = args.values['create-communities'] === true;
    const otherSubdistrict = args.values['other-subdistrict'] === true;
    if (kind === 'tests' && (stale !== undefined || createCommunities || otherSubdistrict)) throw usageError('--create-communities、--stale 和 --other-subdistrict 只用于 residents');
    const choices = {
      ...(stale ? { stale: stale === 'ended' ? ('import-ended' as const) : ('import-active' as const) } : {}),
      ...(otherSubdistrict ? { otherSubdistrict: true } : {}),
    };
    const errorsOut = optionalString(args, 'errors-out');
    if (errorsOut !== undefined && !/\.xlsx$/i.test(errorsOut)) throw usageError(`--errors-out 应以 .xlsx 结尾：${errorsOut}`);

    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const { withApi } = await import('../context.ts');
    // Only the import and job channels: the command loads their code, not every area's.
    const { importSlice } = await import('../../api/import-slice.ts');
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : (e as Error).message;
      return failure(2, 'FILE_UNREADABLE', `无法读取文件 ${file}：${why}。请检查文件名和位置。`);
    }
    const progress = process.stderr.isTTY && !args.json ? (p: { done: number; total: number; phase: string }) => process.stderr.write(`\r${p.phase} ${p.done}/${p.total}   `) : undefined;
    const kindName = kind as keyof typeof KINDS;
    // A missing or damaged database is exit 2 with its reason (opening it); the job's worker opens its own connection.
    type Outcome = { s: ImportCommitResult; errorsFile?: string } | { refused: AppError };
    const outcome: Outcome = await withApi(dbFile, {}, async (api): Promise<Outcome> => {
      const { fileId } = await api.call('import.upload', { fileName: path.basename(file), dataBase64: data.toString('base64') });
      try {
        const base = { fileId, kind: kindName, community, startDate, roundId, sheet: optionalString(args, 'sheet') };
        // --create-communities: the API takes the names it creates, so the preview names them first (as the wizard shows them).
        const preview = createCommunities ? await api.call('import.preview', { ...base, confirm: choices }) : null;
        const newCommunities = preview?.kind === 'residents' ? preview.confirmations.newCommunities.map((c) => c.name) : [];
        const list = { ...base, confirm: { ...choices, ...(newCommunities.length ? { createCommunities: newCommunities } : {}) } };
        const { jobId } = await api.call('import.commit', { ...list, mode });
        const s = await api.waitForJob<ImportCommitResult>(jobId, progress);
        if (progress) process.stderr.write('\r\x1b[K');
        let errorsFile: string | undefined;
        if (errorsOut && (s.errors.length || ('unmatched' in s && s.unmatched.length))) {
          const report = await api.call('import.errorReport', list).catch(() => null);
          if (report) {
            await fs.writeFile(errorsOut, Buffer.from(report.dataBase64, 'base64'));
            errorsFile = path.resolve(errorsOut);
          }
        }
        return { s, errorsFile };
      } catch (e) {
        if (progress) process.stderr.write('\r\x1b[K');
        if (e instanceof AppError) return { refused: e };
        throw e;
      } finally {
        await api.call('import.cancel', { fileId }).catch(() => undefined);
      }
    }, importSlice).catch((e: unknown): Outcome => {
      // The upload itself refused the file (wrong kind, empty, too large): the same as the job refusing it.
      if (e instanceof AppError && fileErrorOf(e)) return { refused: e };
      throw e;
    });
    if ('refused' in outcome) {
      const err = outcome.refused;
      const fileError = !!fileErrorOf(err);
      const code = fileError || err.code === 'STORAGE' || err.code === 'INTERNAL' ? 2 : 1;
      const needed = (err.details as { confirmationRequired?: string[] } | undefined)?.confirmationRequired ?? [];
      const flags = needed.map((c) => CONFIRM_FLAGS[c]).filter(Boolean);
      const message = flags.length ? `${err.message.replace(/请在导入向导中作出选择后再导入。$/, '')}确认后请加上 ${flags.join('、')} 重新导入。` : err.message;
      return failure(code, fileError ? 'FILE_UNREADABLE' : err.code, message);
    }
    const { s, errorsFile } = outcome;
    const written = s.status === 'written';
    const head =
      'recorded' in s
        ? `${written ? '已导入' : '未写入任何数据'}：登记检测结果 ${s.recorded} 条（阳性告警 ${s.alerts} 条${'retest' in s && s.retest ? `，其中混管阳性待单管复核 ${s.retest} 人` : ''}），已登记过跳过 ${s.skipped} 条，未匹配 ${s.unmatched.length} 条，被拒绝 ${s.errors.length} 条问题。`
        : `${written ? '已导入' : '未写入任何数据'}：新增 ${s.imported} 人，更新 ${s.updated} 人，已在隔离中跳过 ${s.skipped} 人，共 ${s.households} 户；被拒绝的问题 ${s.errors.length} 条，提醒 ${s.warnings.length} 条。` +
          (written && s.endedOnImport ? `其中 ${s.endedOnImport} 人的隔离期已结束，按已结束导入。` : '') +
          (written && s.newPlaces.some((p) => p.level === 'community') ? `新建社区：${s.newPlaces.filter((p) => p.level === 'community').map((p) => p.name).join('、')}。` : '');
    const unknownCommunity = s.errors.some((e) => e.code === 'community-unknown');
    const why = written
      ? []
      : [
          s.errors.length ? '名单中有被拒绝的行（默认全部不写入）。改正后重新导入，或用 --mode valid-only 只导入通过校验的行。' : '名单中没有可导入的行。',
          ...(unknownCommunity ? ['名单中有系统没有的社区（见下）：如确属本街道新的社区，请加 --create-communities 重新导入；否则请改正社区名称。'] : []),
        ];
    const text = [
      head,
      ...why,
      ...listText('被拒绝', s.errors),
      ...('unmatched' in s ? listText(roundId === undefined ? '未匹配（不在在管人员中）' : '未匹配（不在本轮次的居民中）', s.unmatched) : []),
      ...listText('提醒', s.warnings),
      ...(errorsFile ? [`未导入的行已写到：${errorsFile}`] : []),
    ].join('\n');
    const json = { ...s, ...(errorsFile ? { errorsFile } : {}) };
    if (!written) return { code: 1, json: { ok: false, error: { code: 'REJECTED', message: why[0] }, ...json }, text };
    return ok(json, text);
  },
};

export default importCommand;
