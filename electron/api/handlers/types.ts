// The shape of a handler table for a slice of the contract.
import type { z } from 'zod';
import type { ChannelDef } from '../define.ts';
import type { HandlerCtx } from '../env.ts';

export type HandlersFor<T extends Record<string, ChannelDef>> = {
  [C in keyof T]: (ctx: HandlerCtx, input: z.output<T[C]['input']>) => Promise<Exclude<T[C]['output'], undefined>>;
};
