// The body of dispatch over any slice of the contract and its handlers: look up the channel → check session and
// permission → validate input (zod) → run the handler → typed result. dispatch.ts runs it over the whole API; the
// command line's import runs it over the import and job channels only (import-slice.ts), so a command does not load
// every area's handlers and domain code to make three calls.
import type { Channel, OutputOf } from './contract.ts';
import { changesData, staleAfter, type ChannelDef } from './define.ts';
import type { ApiEnv, HandlerCtx } from './env.ts';
import { AppError, fail, type AppErrorData } from '../shared/errors.ts';
import { toErrorData } from '../shared/errors.ts';
import { zodToAppError } from './zod-errors.ts';
import { can } from '../domain/actor.ts';
import { getSettings } from '../domain/settings.ts';
import { isDistrictReader } from '../db/engine.ts';

/** `invalidates`: the read channels this call made stale (the contract's declaration), for the caller to refresh. */
export type ApiResult<T> = { ok: true; data: T; invalidates?: Channel[] } | { ok: false; error: AppErrorData };

/** Where a call came from, beyond its session: the paired device over the office server. */
export interface CallerInfo {
  deviceId?: number;
  /** Told of an error that is not the API's own (a database's, say) before it becomes the INTERNAL answer. */
  onUnexpected?: (e: unknown) => void;
}

/** Channels with their handlers: the whole API (dispatch.ts) or a part of it. */
export interface ApiSlice {
  contract: Record<string, ChannelDef>;
  handlers: Record<string, (ctx: HandlerCtx, input: never) => Promise<unknown>>;
}

export async function dispatchIn<C extends Channel>(
  api: ApiSlice,
  env: ApiEnv,
  channelName: C | string,
  rawInput: unknown,
  sessionKey: string,
  caller: CallerInfo = {},
): Promise<ApiResult<OutputOf<C>>> {
  try {
    if (!Object.prototype.hasOwnProperty.call(api.contract, channelName)) throw fail('NOT_FOUND', 'common.unknownChannel', { channel: String(channelName) });
    const def = api.contract[channelName];
    // A district reader's server (区级只读) reads every subdistrict and changes nothing: every write that changes data is
    // refused here, before the session, the permission or the input is looked at and before any handler runs (the
    // database refuses it too: migration 0019).
    if (changesData(def) && (await isDistrictReader(env.db))) throw fail('READ_ONLY', 'common.districtReadOnly');
    const now = env.clock.now().getTime();
    const session = env.sessions.get(sessionKey);
    if (def.access !== 'public') {
      if (!session) throw fail('UNAUTHENTICATED', 'session.required');
      const { sessionIdleMinutes } = await getSettings(env);
      if (now - session.lastSeen > sessionIdleMinutes * 60_000) {
        env.sessions.delete(sessionKey);
        throw fail('UNAUTHENTICATED', 'session.idle', { minutes: sessionIdleMinutes });
      }
      if (def.access !== 'session' && !can(session.actor, def.access)) {
        throw fail('FORBIDDEN', 'common.roleForbidden');
      }
      env.sessions.touch(sessionKey, now);
    }
    // Validated after the session check, so a caller without a session learns nothing about any channel's input.
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw zodToAppError(parsed.error, rawInput ?? {});
    const ctx: HandlerCtx = {
      db: env.db,
      clock: env.clock,
      env,
      sessionKey,
      deviceId: caller.deviceId,
      actor: session?.actor ?? { userId: null, username: 'anonymous', displayName: '未登录', role: 'official', communityId: -1 },
    };
    const handler = api.handlers[channelName] as (ctx: HandlerCtx, input: unknown) => Promise<OutputOf<C>>;
    const data = await handler(ctx, parsed.data);
    const stale = staleAfter(def as ChannelDef, data) as Channel[];
    return stale.length ? { ok: true, data, invalidates: stale } : { ok: true, data };
  } catch (e) {
    if (!(e instanceof AppError)) {
      if (process.env.ISOLATION_DESK_DEBUG) console.error(e);
      caller.onUnexpected?.(e);
    }
    return { ok: false, error: toErrorData(e) };
  }
}
