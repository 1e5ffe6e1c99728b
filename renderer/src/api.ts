// Typed client of the API contract. Electron: window.api[channel](input); browser mode: POST /api/<channel>.
// Both return an ApiResult; a failure becomes an ApiError with the server's message key and parameters, which
// errorMessage/fieldMessage put into the interface language from the shared catalog.
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';
import i18n from 'i18next';
import type { ErrorCode, FieldIssue } from '../../electron/shared/errors.ts';
import { msg, renderMessage, type Message, type MessageKey, type Params } from '../../electron/shared/messages/index.ts';

export type { Channel, InputOf, OutputOf };
export type ApiErrorCode = ErrorCode | 'NETWORK';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** The catalog message: stable key and its parameters (`message` is its Chinese text). */
  readonly key: MessageKey;
  readonly params?: Params;
  readonly fields: FieldIssue[];
  readonly details?: unknown;
  constructor(code: ApiErrorCode, m: Message, fields: FieldIssue[] = [], details?: unknown) {
    super(renderMessage('zh', m.key, m.params));
    this.name = 'ApiError';
    this.code = code;
    this.key = m.key;
    this.params = m.params;
    this.fields = fields;
    this.details = details;
  }
}

/** Channels whose input is an empty object may be called without one. */
export type ArgsOf<C extends Channel> = Record<never, never> extends InputOf<C> ? [input?: InputOf<C>] : [input: InputOf<C>];

/** `channel` is the call that was refused, or 'live' when the live feed was closed because the session ended. */
type Listener = (err: ApiError, channel: Channel | 'live') => void;
let unauthenticated: Listener | null = null;

/** The session layer registers here: any UNAUTHENTICATED answer (idle timeout, reset password) sends the user back to 登录. */
export function onUnauthenticated(fn: Listener | null): void {
  unauthenticated = fn;
}
let unpaired: Listener | null = null;
/** The session layer registers here: DEVICE_UNPAIRED (an unknown or revoked device of the office server) shows 配对. */
export const onUnpaired = (fn: Listener | null): void => void (unpaired = fn);

/** A fresh idempotency key (8–100 of [A-Za-z0-9_-], as the office server wants). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Outside a secure context randomUUID is missing; 16 random bytes in hex do the same job.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** How long to wait before the one retry of a call whose request or reply was lost. */
export const RETRY_AFTER_MS = 500;

type NetworkListener = (e: ApiError) => void;
const networkListeners = new Set<NetworkListener>();

/** Hears every call that could not reach the server (NETWORK): the offline banner (connection.ts) starts from here. */
export function onNetworkFailure(fn: NetworkListener): () => void {
  networkListeners.add(fn);
  return () => networkListeners.delete(fn);
}

/**
 * Browser mode and the office server: POST /api/<channel>. Every call carries an Idempotency-Key; when the request or
 * its reply is lost (fetch threw) it is sent once more, ~500 ms later, with the SAME key, so a write whose reply was
 * lost is applied once (the server answers the retry with the first result). A second loss is NETWORK.
 */
async function overHttp<C extends Channel>(channel: C, input: unknown): Promise<ApiResult<OutputOf<C>>> {
  const key = newIdempotencyKey();
  const send = () =>
    fetch(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
  let res: Response;
  try {
    res = await send().catch(async () => {
      await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
      return send();
    });
  } catch {
    throw new ApiError('NETWORK', msg('network.unreachable'));
  }
  const body = (await res.json().catch(() => null)) as ApiResult<OutputOf<C>> | null;
  if (!body || typeof body !== 'object' || !('ok' in body)) {
    throw new ApiError('NETWORK', msg('network.badAnswer', { status: res.status }));
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
  let result: ApiResult<OutputOf<C>>;
  try {
    result = bridge ? await (bridge[channel] as (i: InputOf<C>) => Promise<ApiResult<OutputOf<C>>>)(input) : await overHttp<C>(channel, input);
  } catch (e) {
    // Only an unreachable server: an answer that could not be read came from a server that is there.
    if (e instanceof ApiError && e.key === 'network.unreachable') for (const l of networkListeners) l(e);
    throw e;
  }
  if (result.ok) return { data: result.data, invalidates: result.invalidates ?? [] };
  const err = new ApiError(result.error.code, { key: result.error.key, params: result.error.params }, result.error.fields ?? [], result.error.details);
  if (err.code === 'UNAUTHENTICATED' && unauthenticated) unauthenticated(err, channel);
  if (err.code === 'DEVICE_UNPAIRED' && unpaired) unpaired(err, channel);
  throw err;
}

/** The session ended outside a call (the live feed was closed with 4401): the same way back to 登录 as a call's. */
export function sessionEnded(): void {
  unauthenticated?.(new ApiError('UNAUTHENTICATED', msg('session.required')), 'live');
}

/** A catalog message in the interface language. */
export function messageText(m: Message): string {
  return renderMessage(i18n.language, m.key, m.params);
}

/** The message to show for any thrown value, in the interface language. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return messageText(e);
  return messageText(msg('common.failed'));
}

/** The words of one field problem (ApiError.fields, a save's warnings, a release blocker) in the interface language. */
export function fieldMessage(f: { key: MessageKey; params?: Params }): string {
  return messageText(f);
}
