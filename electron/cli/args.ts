// The shape of a command module and the parsing of its options (node:util parseArgs, strict: unknown options are
// usage errors). Kept free of heavy imports: main.ts loads it before knowing which command runs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError, type CommandResult } from './output.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface CommandArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
  /** --json was given: the command's result is printed as one JSON object. */
  json: boolean;
}

/**
 * One command of `isolation-desk`. A module in electron/cli/commands/ default-exports one of these and is
 * registered by one line in commands/index.ts. Import heavy modules (database, API) inside run(), so that
 * `--help` and other commands stay fast.
 */
export interface CommandModule {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and option descriptions, shown by `<command> --help` and on usage errors. */
  usage: string;
  /** Options besides --json and --help (added to every command). */
  options: OptionSpec;
  /** Whether positional arguments are accepted (default: no). */
  positionals?: boolean;
  /** The command reads --key-file itself (init --encrypt and encrypt may create it); run.ts leaves the key alone. */
  ownKey?: boolean;
  run(args: CommandArgs): Promise<CommandResult>;
}

export const COMMON_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * The usual --db option, with --key-file: the key of an encrypted database (else ISOLATION_DESK_DB_KEY). run.ts
 * resolves the key before the command runs (electron/db/keys.ts), unless the command says `ownKey`.
 */
export const DB_OPTION: OptionSpec = { db: { type: 'string' }, 'key-file': { type: 'string' } };

/** Appended to the usage of every command with DB_OPTION. */
export const KEY_USAGE = [
  '',
  '加密的数据库：用 --key-file <文件> 指定密钥文件（64 位十六进制，仅所有者可读），',
  '或设置环境变量 ISOLATION_DESK_DB_KEY；没有密钥或密钥不正确时退出码为 2，文件不会被改动。',
].join('\n');

export function parseCommandArgs(mod: CommandModule, argv: string[]): CommandArgs & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...mod.options, ...COMMON_OPTIONS }, strict: true, allowPositionals: true });
  } catch (e) {
    throw usageError(`参数不正确：${describeParseError(e)}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length && !mod.positionals && !values.help) throw usageError(`多余的参数：${positionals.join(' ')}`);
  return { values: values as Record<string, OptionValue>, positionals, json: values.json === true, help: values.help === true };
}

function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const m = /'([^']+)'/.exec(err.message ?? '');
  const opt = m?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `未知的选项 ${opt}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `选项 ${opt} 缺少值或值不正确`;
  return err.message ?? String(e);
}

export function optionalString(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw usageError(`选项 --${name} 需要一个值`);
  return v;
}

export function requireString(args: CommandArgs, name: string, what: string): string {
  const v = optionalString(args, name);
  if (v === undefined || v.trim() === '') throw usageError(`请用 --${name} 指定${what}`);
  return v;
}

/** An integer option within bounds; missing → the default (or a usage error when there is none). */
export function intOption(args: CommandArgs, name: string, opts: { min: number; max: number; default?: number }): number {
  const v = optionalString(args, name);
  if (v === undefined) {
    if (opts.default === undefined) throw usageError(`请用 --${name} 指定一个整数`);
    return opts.default;
  }
  if (!/^-?\d+$/.test(v.trim())) throw usageError(`选项 --${name} 应为整数，实际为“${v}”`);
  const n = Number(v);
  if (n < opts.min || n > opts.max) throw usageError(`选项 --${name} 应在 ${opts.min} 到 ${opts.max} 之间，实际为 ${n}`);
  return n;
}
