// The single entry point of every API call, from IPC, browser mode or tests:
// look up the channel → validate input (zod) → check session and permission → run the handler → typed result.
import type { z } from 'zod';
import { contract, type Channel, type InputOf, type OutputOf } from './contract.ts';
import { handlers } from './handlers.ts';
import { staleAfter, type ChannelDef } from './define.ts';
import type { ApiEnv, HandlerCtx } from './env.ts';
import { AppError, toErrorData, type AppErrorData } from '../shared/errors.ts';
import { can } from '../domain/actor.ts';
import { getSettings } from '../domain/settings.ts';

/** `invalidates`: the read channels this call made stale (the contract's declaration), for the caller to refresh. */
export type ApiResult<T> = { ok: true; data: T; invalidates?: Channel[] } | { ok: false; error: AppErrorData };

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

function zodToAppError(err: z.ZodError): AppError {
  const fields = err.issues.map((i) => ({ field: i.path.join('.') || '(输入)', message: i.message }));
  return new AppError('VALIDATION', `输入不正确：${fields.map((f) => `${f.field} ${f.message}`).join('；')}`, { fields });
}

export async function dispatch<C extends Channel>(
  env: ApiEnv,
  channelName: C | string,
  rawInput: unknown,
  sessionKey: string,
): Promise<ApiResult<OutputOf<C>>> {
  try {
    if (!isChannel(channelName)) throw new AppError('NOT_FOUND', `未知的接口：${String(channelName)}`);
    const def = contract[channelName];
    const now = env.clock.now().getTime();
    let session = env.sessions.get(sessionKey);
    if (def.access !== 'public') {
      if (!session) throw new AppError('UNAUTHENTICATED', '请先登录。');
      const { sessionIdleMinutes } = await getSettings(env);
      if (now - session.lastSeen > sessionIdleMinutes * 60_000) {
        env.sessions.delete(sessionKey);
        throw new AppError('UNAUTHENTICATED', `您已超过 ${sessionIdleMinutes} 分钟未操作，为保护居民信息已自动退出，请重新登录。`);
      }
      if (def.access !== 'session' && !can(session.actor, def.access)) {
        throw new AppError('FORBIDDEN', '您的角色没有此项权限。如需办理，请联系系统管理员。');
      }
      env.sessions.touch(sessionKey, now);
    }
    // Validated after the session check, so a caller without a session learns nothing about any channel's input.
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw zodToAppError(parsed.error);
    const ctx: HandlerCtx = {
      db: env.db,
      clock: env.clock,
      env,
      sessionKey,
      actor: session?.actor ?? { userId: null, username: 'anonymous', displayName: '未登录', role: 'official', communityId: -1 },
    };
    const handler = handlers[channelName] as (ctx: HandlerCtx, input: unknown) => Promise<OutputOf<C>>;
    const data = await handler(ctx, parsed.data);
    const stale = staleAfter(def as ChannelDef, data) as Channel[];
    return stale.length ? { ok: true, data, invalidates: stale } : { ok: true, data };
  } catch (e) {
    if (!(e instanceof AppError) && process.env.ISOLATION_DESK_DEBUG) console.error(e);
    return { ok: false, error: toErrorData(e) };
  }
}

/** Throws the AppError instead of returning it: for tests and the CLI. */
export async function call<C extends Channel>(env: ApiEnv, channelName: C, input: InputOf<C>, sessionKey: string): Promise<OutputOf<C>> {
  const r = await dispatch(env, channelName, input, sessionKey);
  if (!r.ok) throw new AppError(r.error.code, r.error.message, { fields: r.error.fields, details: r.error.details });
  return r.data;
}
