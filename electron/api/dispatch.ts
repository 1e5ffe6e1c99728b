// The single entry point of every API call, from IPC, browser mode or tests:
// look up the channel → validate input (zod) → check session and permission → run the handler → typed result.
import { contract, type Channel, type InputOf, type OutputOf } from './contract.ts';
import { handlers } from './handlers.ts';
import type { ApiEnv } from './env.ts';
import { AppError } from '../shared/errors.ts';
import { dispatchIn, type ApiResult, type ApiSlice, type CallerInfo } from './dispatch-core.ts';

export type { ApiResult, CallerInfo } from './dispatch-core.ts';

const WHOLE: ApiSlice = { contract, handlers: handlers as unknown as ApiSlice['handlers'] };

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

export async function dispatch<C extends Channel>(
  env: ApiEnv,
  channelName: C | string,
  rawInput: unknown,
  sessionKey: string,
  caller: CallerInfo = {},
): Promise<ApiResult<OutputOf<C>>> {
  return dispatchIn<C>(WHOLE, env, channelName, rawInput, sessionKey, caller);
}

/** Throws the AppError instead of returning it: for tests and the CLI. */
export async function call<C extends Channel>(env: ApiEnv, channelName: C, input: InputOf<C>, sessionKey: string): Promise<OutputOf<C>> {
  const r = await dispatch(env, channelName, input, sessionKey);
  if (!r.ok) throw AppError.from(r.error);
  return r.data;
}
