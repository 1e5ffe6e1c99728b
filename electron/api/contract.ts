// The whole IPC contract in one table: channel → zod input, required permission, output type.
// Main, preload, browser mode and the renderer all derive from it; the renderer imports its types only.
import type { z } from 'zod';
import type { ChannelDef, Stale } from './define.ts';
import { coreContract } from './contract/core.ts';
import { trustContract } from './contract/trust.ts';
import { reportsContract } from './contract/reports.ts';
import { suppliesContract } from './contract/supplies.ts';
import { dailyContract } from './contract/daily.ts';
import { importsContract } from './contract/imports.ts';
import { jobsContract } from './contract/jobs.ts';
import { officeContract } from './contract/office.ts';
import { placesContract } from './contract/places.ts';
import { roundsContract } from './contract/rounds.ts';
import { noticesContract } from './contract/notices.ts';
import { needsContract } from './contract/needs.ts';
import { fieldworkContract } from './contract/fieldwork.ts';

export const contract = {
  ...coreContract,
  ...trustContract,
  ...reportsContract,
  ...suppliesContract,
  ...dailyContract,
  ...importsContract,
  ...jobsContract,
  ...officeContract,
  ...placesContract,
  ...roundsContract,
  ...noticesContract,
  ...needsContract,
  ...fieldworkContract,
};

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> = Exclude<Contract[C]['output'], undefined>;

export const channels = Object.keys(contract) as Channel[];

/** The channel names a def declares stale. */
type StaleNames<D> = D extends ChannelDef<z.ZodType, infer O, infer K> ? (Stale<O, K> extends infer S ? (S extends { channel: infer N } ? N : S) : never) : never;
/** Any name in an `invalidates` list that is not a channel (never when all are real). */
type UnknownStale = { [C in Channel]: Exclude<StaleNames<Contract[C]>, Channel> }[Channel];
/** Compile-time check: a misspelt or removed channel in an `invalidates` list fails here, naming it. */
export const invalidatesOnlyRealChannels: [UnknownStale] extends [never] ? true : `not a channel: ${UnknownStale}` = true;
