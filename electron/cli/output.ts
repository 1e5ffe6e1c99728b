// What a command returns and how it is printed: one JSON object with --json, Chinese text otherwise; exit codes
// 0 ok, 1 rejected input (nothing written), 2 usage error or a missing/unreadable/damaged file, a missing or wrong key.
import { AppError } from '../shared/errors.ts';

export type ExitCode = 0 | 1 | 2;

export interface CommandResult {
  code: ExitCode;
  /** Printed as-is with --json: {ok: true, ...} or {ok: false, error: {code, message}}. */
  json: Record<string, unknown>;
  /** Printed without --json (stdout when code is 0, stderr otherwise). */
  text: string;
  /** Already printed by the command itself (serve prints its address line while it runs): print nothing more. */
  printed?: boolean;
}

/** A failure the command line reports with a chosen exit code and error code (usage, file problems). */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  constructor(exitCode: ExitCode, code: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

export const usageError = (message: string) => new CliError(2, 'USAGE', message);

export function ok(json: Record<string, unknown>, text: string): CommandResult {
  return { code: 0, json: { ok: true, ...json }, text };
}

export function failure(code: ExitCode, errorCode: string, message: string, extra: Record<string, unknown> = {}): CommandResult {
  return { code, json: { ok: false, error: { code: errorCode, message }, ...extra }, text: message };
}

/** Exit-2 error codes of db/sqlite.ts DatabaseOpenError (matched by name: this module stays free of the driver). */
export const OPEN_ERROR_CODES: Record<string, string> = {
  missing: 'DB_MISSING',
  unreadable: 'DB_UNREADABLE',
  damaged: 'DB_DAMAGED',
  too_new: 'DB_TOO_NEW',
  key: 'DB_KEY',
};

/**
 * Any thrown value as a result: rejections (the API's refusals: validation, permission, a rule) exit 1; usage, file
 * problems and program errors 2; never a stack trace.
 */
export function errorResult(e: unknown): CommandResult {
  if (e instanceof CliError) return failure(e.exitCode, e.code, e.message);
  const open = e as { name?: unknown; code?: unknown; message?: unknown };
  if (open?.name === 'DatabaseOpenError' && typeof open.code === 'string' && OPEN_ERROR_CODES[open.code]) {
    return failure(2, OPEN_ERROR_CODES[open.code], String(open.message));
  }
  if (e instanceof AppError) {
    const fields = e.fields?.length ? { fields: e.fields } : {};
    return { code: e.code === 'STORAGE' || e.code === 'INTERNAL' ? 2 : 1, json: { ok: false, error: { code: e.code, key: e.key, ...(e.params ? { params: e.params } : {}), message: e.message, ...fields } }, text: e.message };
  }
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  if (err?.name === 'ZodError') return failure(1, 'VALIDATION', `输入不正确：${String(err.message)}`);
  if (err?.code === 'SQLITE_CORRUPT' || err?.code === 'SQLITE_NOTADB') {
    return failure(2, 'DB_DAMAGED', '数据库文件已损坏，操作未完成。请从最近一次经过校验的备份恢复。');
  }
  if (err?.code === 'SQLITE_FULL') return failure(2, 'STORAGE', '磁盘空间已满，操作未完成，数据未改动。请清理磁盘空间后重试。');
  if (err?.code === 'SQLITE_BUSY') return failure(2, 'DB_BUSY', '数据库正被其他程序使用（如正在运行的居家隔离管理台），请稍后重试。');
  const detail = typeof err?.message === 'string' ? `（${err.message}）` : '';
  return failure(2, 'INTERNAL', `程序内部错误，操作未完成${detail}。`);
}

/** Prints a result: with --json exactly one JSON object on stdout; otherwise text (stderr when it failed). */
export function emit(result: CommandResult, json: boolean): void {
  if (result.printed) return;
  if (json) {
    process.stdout.write(JSON.stringify(result.json) + '\n');
    return;
  }
  if (!result.text) return;
  const text = result.text.endsWith('\n') ? result.text : result.text + '\n';
  (result.code === 0 ? process.stdout : process.stderr).write(text);
}
