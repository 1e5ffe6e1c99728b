// Building blocks of the IPC contract: a channel is a zod input schema, the permission it needs, (as a type) its
// output, and for a write the read channels whose answers it makes stale.
import type { z } from 'zod';
import type { Permission } from '../domain/actor.ts';

/** 'public' needs no session (login, first-run setup); 'session' needs any logged-in user. */
export type Access = Permission | 'public' | 'session';

/**
 * A read channel a write makes stale: its name, or its name and a test on the write's output (alerts.list only when
 * the check-in opened an alert). contract.ts checks that every name is a real channel.
 */
export type Stale<O, K extends string = string> = K | { channel: K; if(output: O): boolean };

export interface ChannelDef<I extends z.ZodType = z.ZodType, O = unknown, K extends string = string> {
  input: I;
  access: Access;
  /** What a successful call changes, as the read channels to refresh (dispatch answers them with the data). */
  invalidates?: readonly Stale<O, K>[];
  /**
   * The call changes something (a write): the office server keeps its answer under the caller's Idempotency-Key, so a
   * retry after a lost reply is answered, not applied twice. Defaults to true when the channel declares `invalidates`.
   */
  write?: boolean;
  /**
   * A write that changes no one's data: it makes a file (an export) or records a check of the audit chain, and audits
   * that. A district reader's server (区级只读, db/engine.ts connectionKind) allows these and refuses every other write.
   */
  changesNoData?: boolean;
  /** Phantom: carries the output type only. */
  readonly output?: O;
}

/** channel<Output>()(inputSchema, access, { invalidates }) — the output is named explicitly so the renderer sees it as a type. */
export function channel<O>() {
  return <I extends z.ZodType, const K extends string = never>(input: I, access: Access, opts: { invalidates?: readonly Stale<O, K>[]; write?: boolean; changesNoData?: boolean } = {}): ChannelDef<I, O, K> => ({
    input,
    access,
    ...opts,
  });
}

/** The read channels a successful call of `def` made stale, given its output. */
export function staleAfter<O>(def: Pick<ChannelDef<z.ZodType, O>, 'invalidates'>, output: O): string[] {
  return (def.invalidates ?? []).flatMap((s) => (typeof s === 'string' ? [s] : s.if(output) ? [s.channel] : []));
}

/** Whether a call of `def` writes (see ChannelDef.write). */
export function isWrite(def: Pick<ChannelDef, 'invalidates' | 'write'>): boolean {
  return def.write ?? (def.invalidates?.length ?? 0) > 0;
}

/** Whether a call of `def` changes data: a write that is not an export or a chain check (ChannelDef.changesNoData). */
export function changesData(def: Pick<ChannelDef, 'invalidates' | 'write' | 'changesNoData'>): boolean {
  return isWrite(def) && !def.changesNoData;
}
