// Typed client of the API contract. Electron: window.api[channel](input); browser mode: POST /api/<channel>.
// Both return an ApiResult; a failure becomes an ApiError with the server's Chinese message.
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';
import type { ErrorCode, FieldIssue } from '../../electron/shared/errors.ts';

export type { Channel, InputOf, OutputOf };
export type ApiErrorCode = ErrorCode | 'NETWORK';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly fields: FieldIssue[];
  readonly details?: unknown;
  constructor(code: ApiErrorCode, message: string, fields: FieldIssue[] = [], details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
    this.details = details;
  }
}

/** Channels whose input is an empty object may be called without one. */
export type ArgsOf<C extends Channel> = {} extends InputOf<C> ? [input?: InputOf<C>] : [input: InputOf<C>];

type Listener = (err: ApiError, channel: Channel) => void;
let unauthenticated: Listener | null = null;

/** The session layer registers here: any UNAUTHENTICATED answer (idle timeout, reset password) sends the user back to 登录. */
export function onUnauthenticated(fn: Listener | null): void {
  unauthenticated = fn;
}

async function overHttp<C extends Channel>(channel: C, input: unknown): Promise<ApiResult<OutputOf<C>>> {
  let res: Response;
  try {
    res = await fetch(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError('NETWORK', '无法连接到本机服务，请确认居家隔离管理台仍在运行后重试。');
  }
  const body = (await res.json().catch(() => null)) as ApiResult<OutputOf<C>> | null;
  if (!body || typeof body !== 'object' || !('ok' in body)) {
    throw new ApiError('NETWORK', `本机服务返回了无法识别的应答（HTTP ${res.status}），请重试。`);
  }
  return body;
}

export async function api<C extends Channel>(channel: C, ...args: ArgsOf<C>): Promise<OutputOf<C>> {
  return (await apiAnswer(channel, ...args)).data;
}

/** The answer and the read channels the call made stale (the contract's `invalidates`, sent back by the core). */
export async function apiAnswer<C extends Channel>(channel: C, ...args: ArgsOf<C>): Promise<{ data: OutputOf<C>; invalidates: Channel[] }> {
  const input = (args[0] ?? {}) as InputOf<C>;
  const bridge = typeof window !== 'undefined' ? window.api : undefined;
  const result = bridge ? await (bridge[channel] as (i: InputOf<C>) => Promise<ApiResult<OutputOf<C>>>)(input) : await overHttp<C>(channel, input);
  if (result.ok) return { data: result.data, invalidates: result.invalidates ?? [] };
  const err = new ApiError(result.error.code, result.error.message, result.error.fields ?? [], result.error.details);
  if (err.code === 'UNAUTHENTICATED' && unauthenticated) unauthenticated(err, channel);
  throw err;
}

/** The message to show for any thrown value (API errors carry their Chinese text as is). */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return '操作未完成，请重试。';
}
