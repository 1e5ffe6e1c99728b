// Runs one command line: picks the command, parses its options, runs it, turns any error into a result.
// In-process entry for tests (runCli) and the body of main.ts (cliMain).
import { commands } from './commands/index.ts';
import { KEY_USAGE, optionalString, parseCommandArgs, type CommandArgs, type CommandModule } from './args.ts';
import { CliError, emit, errorResult, failure, ok, type CommandResult, type ExitCode } from './output.ts';

export interface CliOutcome {
  result: CommandResult;
  json: boolean;
}

/** Every command's name and summary; a module that fails to load is still listed, so --help always works. */
async function loadAll(): Promise<Pick<CommandModule, 'name' | 'summary'>[]> {
  return Promise.all(
    Object.entries(commands).map(async ([name, load]) => {
      try {
        return (await load()).default;
      } catch (e) {
        return { name, summary: `（无法加载：${(e as Error).message}）` };
      }
    }),
  );
}

export async function generalUsage(): Promise<{ text: string; list: { name: string; summary: string }[] }> {
  const mods = await loadAll();
  const width = Math.max(...mods.map((m) => m.name.length)) + 2;
  const list = mods.map((m) => ({ name: m.name, summary: m.summary }));
  const text = [
    '居家隔离管理台 命令行',
    '',
    '用法：isolation-desk <命令> [选项]      （或 npm run cli -- <命令> [选项]）',
    '',
    '命令：',
    ...list.map((m) => `  ${m.name.padEnd(width)}${m.summary}`),
    '',
    '每个命令都接受 --json（只输出一个 JSON 对象）和 --help（该命令的用法）。',
    '命令行以内置的“命令行”(cli) 身份、按管理员权限操作，每次写入都记入审计日志。',
    '退出码：0 成功；1 输入被拒绝（未写入任何数据）；2 用法错误，或数据库文件不存在、无法读取、已损坏，或缺少密钥、密钥不正确。',
    '加密的数据库：--key-file <密钥文件>，或环境变量 ISOLATION_DESK_DB_KEY（64 位十六进制）。',
  ].join('\n');
  return { text, list };
}

export async function runCli(argv: string[]): Promise<CliOutcome> {
  const json = argv.includes('--json');
  const at = argv.findIndex((a) => !a.startsWith('-'));
  const name = at >= 0 ? argv[at] : undefined;
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 1)] : argv;
  const wantsHelp = argv.includes('--help') || argv.includes('-h') || name === 'help';
  if (!name || name === 'help') {
    const u = await generalUsage();
    if (wantsHelp) return { json, result: ok({ usage: u.text, commands: u.list }, u.text) };
    return { json, result: withUsage(failure(2, 'USAGE', '请指定一个命令。'), u.text) };
  }
  const load = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!load) {
    const u = await generalUsage();
    return { json, result: withUsage(failure(2, 'USAGE', `未知的命令：${name}`), u.text) };
  }
  let mod: CommandModule | undefined;
  try {
    mod = (await load()).default;
    const args = parseCommandArgs(mod, rest);
    const usage = 'key-file' in mod.options ? `${mod.usage}\n${KEY_USAGE}` : mod.usage;
    if (args.help) return { json, result: ok({ command: mod.name, usage }, `${mod.summary}\n\n${usage}`) };
    const restoreKey = 'key-file' in mod.options ? await useCommandKey(args, !mod.ownKey) : null;
    try {
      return { json, result: await mod.run(args) };
    } finally {
      restoreKey?.();
    }
  } catch (e) {
    const result = errorResult(e);
    if (e instanceof CliError && e.code === 'USAGE' && mod) return { json, result: withUsage(result, mod.usage) };
    return { json, result };
  }
}

/**
 * Sets the process's database key from --key-file or ISOLATION_DESK_DB_KEY for one command (unless the command reads
 * its key itself); returns the undo, so commands run in one process (tests) never share a key.
 */
async function useCommandKey(args: CommandArgs, resolve: boolean): Promise<() => void> {
  const { resolveKey } = await import('../db/keys.ts');
  const { databaseKey, setDatabaseKey } = await import('../db/sqlite.ts');
  const before = databaseKey();
  const restore = () => setDatabaseKey(before);
  if (resolve) setDatabaseKey(resolveKey(optionalString(args, 'key-file')));
  return restore;
}

function withUsage(result: CommandResult, usage: string): CommandResult {
  return { ...result, json: { ...result.json, usage }, text: `${result.text}\n\n${usage}` };
}

/** Runs, prints and returns the exit code. */
export async function cliMain(argv: string[]): Promise<ExitCode> {
  const { result, json } = await runCli(argv);
  emit(result, json);
  return result.code;
}
