// Errors are values the user can act on: a code for programs, a Chinese message for people, details for forms.
export type ErrorCode =
  | 'VALIDATION' // input is malformed or breaks a rule; nothing written
  | 'NOT_FOUND'
  | 'CONFLICT' // someone else changed the record (version mismatch) or a uniqueness rule
  | 'FORBIDDEN' // role or community scope does not allow it
  | 'UNAUTHENTICATED' // no session, or it expired
  | 'BLOCKED' // a rule blocks the action (e.g. release without a negative test); may be overridden with a reason
  | 'LOCKED' // account locked after failed logins
  | 'STORAGE' // disk full, damaged file
  | 'INTERNAL';

export interface FieldIssue {
  field: string;
  message: string;
}

export interface AppErrorData {
  code: ErrorCode;
  message: string;
  fields?: FieldIssue[];
  details?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldIssue[];
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, extra: { fields?: FieldIssue[]; details?: unknown } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = extra.fields;
    this.details = extra.details;
  }
  toJSON(): AppErrorData {
    return { code: this.code, message: this.message, fields: this.fields, details: this.details };
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `找不到${what}，可能已被删除。请刷新后重试。`);
export const conflict = (what = '此记录') =>
  new AppError('CONFLICT', `${what}已被其他人修改，您的修改未保存。请刷新查看最新内容后再改。`);
export const forbidden = (message = '您没有权限进行此操作。如需办理，请联系系统管理员。') => new AppError('FORBIDDEN', message);
export const invalid = (message: string, fields?: FieldIssue[]) => new AppError('VALIDATION', message, { fields });

/** Turns any thrown value into data safe to send to the renderer (never a stack trace). */
export function toErrorData(e: unknown): AppErrorData {
  if (e instanceof AppError) return e.toJSON();
  const err = e as { code?: string; message?: string };
  if (err?.code === 'SQLITE_FULL') {
    return { code: 'STORAGE', message: '磁盘空间已满，操作未完成，数据未改动。请清理磁盘空间后重试。' };
  }
  if (err?.code === 'SQLITE_CORRUPT' || err?.code === 'SQLITE_NOTADB') {
    return { code: 'STORAGE', message: '数据库文件已损坏。请联系管理员从最近的备份恢复。' };
  }
  if (err?.code === 'SQLITE_BUSY') {
    return { code: 'CONFLICT', message: '数据库正忙（另一个操作尚未完成），请稍后重试。' };
  }
  return { code: 'INTERNAL', message: '程序内部错误，操作未完成。请重试；若反复出现，请联系管理员并提供日志。' };
}
