// Building blocks of the IPC contract: a channel is a zod input schema, the permission it needs, and (as a type) its output.
import type { z } from 'zod';
import type { Permission } from '../domain/actor.ts';

/** 'public' needs no session (login, first-run setup); 'session' needs any logged-in user. */
export type Access = Permission | 'public' | 'session';

export interface ChannelDef<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  access: Access;
  /** Phantom: carries the output type only. */
  readonly output?: O;
}

/** channel<Output>()(inputSchema, access) — the output is named explicitly so the renderer sees it as a type. */
export function channel<O>() {
  return <I extends z.ZodType>(input: I, access: Access): ChannelDef<I, O> => ({ input, access });
}
