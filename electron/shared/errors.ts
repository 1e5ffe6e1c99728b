// Errors are values the user can act on: a code for programs, a message key + parameters that the renderer puts into
// the interface language, the Chinese text of that message (CLI, logs), and details for forms.
import { msg, renderMessage, type Message, type MessageKey, type Params, type ThingKey, type WithParams } from './messages/index.ts';

export type { Message, MessageKey, Params } from './messages/index.ts';

export type ErrorCode =
  | 'VALIDATION' // input is malformed or breaks a rule; nothing written
  | 'NOT_FOUND'
  | 'CONFLICT' // someone else changed the record (version mismatch) or a uniqueness rule
  | 'FORBIDDEN' // role or community scope does not allow it
  | 'UNAUTHENTICATED' // no session, or it expired
  | 'THROTTLED' // a login too soon after failures for that user name from that source (device): wait a few seconds
  | 'BLOCKED' // a rule blocks the action (e.g. release without a negative test); may be overridden with a reason
  | 'LOCKED' // account locked after failed logins
  | 'READ_ONLY' // a district reader's server (区级只读): every write is refused; it is done at the subdistrict's own server
  | 'DEVICE_UNPAIRED' // the office server does not know this device (never paired, or revoked): pair it with a code
  | 'STORAGE' // disk full, damaged file
  | 'INTERNAL';

/** A problem with one input field: `key`/`params` for the interface language, `message` its Chinese text. */
export interface FieldIssue {
  field: string;
  key: MessageKey;
  params?: Params;
  message: string;
}

export interface AppErrorData {
  code: ErrorCode;
  key: MessageKey;
  params?: Params;
  /** The Chinese text of key + params. */
  message: string;
  fields?: FieldIssue[];
  details?: unknown;
}

export interface ErrorExtra {
  fields?: FieldIssue[];
  details?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly key: MessageKey;
  readonly params?: Params;
  readonly fields?: FieldIssue[];
  readonly details?: unknown;
  constructor(code: ErrorCode, m: Message, extra: ErrorExtra = {}) {
    super(renderMessage('zh', m.key, m.params));
    this.name = 'AppError';
    this.code = code;
    this.key = m.key;
    this.params = m.params;
    this.fields = extra.fields;
    this.details = extra.details;
  }
  /** The error again from its data (an answer of dispatch, a worker's outcome). */
  static from(d: AppErrorData): AppError {
    return new AppError(d.code, { key: d.key, params: d.params }, { fields: d.fields, details: d.details });
  }
  toJSON(): AppErrorData {
    const d: AppErrorData = { code: this.code, key: this.key, message: this.message };
    if (this.params) d.params = this.params;
    if (this.fields) d.fields = this.fields;
    if (this.details !== undefined) d.details = this.details;
    return d;
  }
}

/** An error with a catalog message; tsc checks the key and its parameters. */
export function fail<K extends MessageKey>(code: ErrorCode, key: K, ...[params, extra]: WithParams<K, ErrorExtra>): AppError {
  return new AppError(code, { key, params: params as Params | undefined }, extra);
}

/** A field problem with a catalog message. */
export function issue<K extends MessageKey>(field: string, key: K, ...[params]: WithParams<K>): FieldIssue {
  return issueOf(field, params ? { key, params: params as Params } : { key });
}

/** A field problem from a message already made (a rule's answer, a schema's key): its Chinese text added. */
export function issueOf(field: string, m: Message): FieldIssue {
  return m.params ? { field, key: m.key, params: m.params, message: renderMessage('zh', m.key, m.params) } : { field, key: m.key, message: renderMessage('zh', m.key) };
}

/** The message of a field problem (to list it in an error's text). */
export const asMessage = (f: FieldIssue): Message => (f.params ? { key: f.key, params: f.params } : { key: f.key });

export const notFound = (what: ThingKey) => fail('NOT_FOUND', 'common.notFound', { what: msg(what) });
export const conflict = (what: ThingKey = 'thing.record') => fail('CONFLICT', 'common.conflict', { what: msg(what) });
export function forbidden<K extends MessageKey = 'common.forbidden'>(key?: K, ...[params]: WithParams<K>): AppError {
  return new AppError('FORBIDDEN', { key: key ?? 'common.forbidden', params: params as Params | undefined });
}
export function invalid<K extends MessageKey>(key: K, ...[params, fields]: WithParams<K, FieldIssue[]>): AppError {
  return new AppError('VALIDATION', { key, params: params as Params | undefined }, { fields });
}

/** Turns any thrown value into data safe to send to the renderer (never a stack trace). */
export function toErrorData(e: unknown): AppErrorData {
  if (e instanceof AppError) return e.toJSON();
  const err = e as { code?: string; message?: string };
  if (err?.code === 'SQLITE_FULL') return fail('STORAGE', 'storage.diskFull').toJSON();
  if (err?.code === 'SQLITE_CORRUPT' || err?.code === 'SQLITE_NOTADB') return fail('STORAGE', 'storage.corrupt').toJSON();
  if (err?.code === 'SQLITE_BUSY') return fail('CONFLICT', 'storage.busy').toJSON();
  // PostgreSQL's row-level security refused a row of another subdistrict (a district's database): to the caller it is
  // a record that does not exist, as when the database hides it from a read.
  if (err?.code === '42501' && /row-level security/.test(err.message ?? '')) return notFound('thing.record').toJSON();
  return fail('INTERNAL', 'common.internal').toJSON();
}
