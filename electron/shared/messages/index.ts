// The catalog of every message that reaches a person (errors, field problems): a stable key, its Chinese and English
// text, `{name}` placeholders for parameters. Pure data + a renderer; the core renders Chinese (CLI, logs), the window
// renders the interface language from the same key and parameters.
import { common } from './common.ts';
import { validation } from './validation.ts';
import { people } from './people.ts';
import { daily } from './daily.ts';
import { admin } from './admin.ts';
import { excel } from './excel.ts';
import { office } from './office.ts';
import { rounds } from './rounds.ts';
import { notices } from './notices.ts';
import { needs } from './needs.ts';
import { fieldwork } from './fieldwork.ts';

export type Lang = 'zh' | 'en';

/** key → [中文, English]. Areas are split by file; a key appears in one area only (checked by test/unit/messages.test.ts). */
export const CATALOG = { ...common, ...validation, ...people, ...daily, ...admin, ...excel, ...office, ...rounds, ...notices, ...needs, ...fieldwork } as const;
export const CATALOG_AREAS: Record<string, Record<string, readonly [string, string]>> = { common, validation, people, daily, admin, excel, office, rounds, notices, needs, fieldwork };

export type MessageKey = keyof typeof CATALOG;
/** The keys that name a thing ('该人员' / 'this person'), for notFound/conflict. */
export type ThingKey = Extract<MessageKey, `thing.${string}`>;

export type ParamValue = string | number | Message | readonly Message[];
export type Params = Record<string, ParamValue>;
/** A message before it is put into words: the key and its parameters. Nested messages render in the same language. */
export interface Message {
  key: MessageKey;
  params?: Params;
}

type Names<S> = S extends `${string}{${infer P}}${infer R}` ? P | Names<R> : never;
export type ParamNames<K extends MessageKey> = Names<(typeof CATALOG)[K][0]>;
export type ParamsOf<K extends MessageKey> = { [P in ParamNames<K>]: ParamValue };
/** The rest arguments after a key: its parameters (required when the text has placeholders), then one optional extra. */
export type WithParams<K extends MessageKey, Extra = never> = [ParamNames<K>] extends [never]
  ? [params?: undefined, extra?: Extra]
  : [params: ParamsOf<K>, extra?: Extra];

export function isMessageKey(s: unknown): s is MessageKey {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, s);
}

/** Builds a message; tsc checks the key and that every placeholder gets a parameter. */
export function msg<K extends MessageKey>(key: K, ...[params]: WithParams<K>): Message {
  return params ? { key, params: params as Params } : { key };
}

/** A zod message that is a catalog key (dispatch turns it back into the key's message). */
export const zodKey = (key: MessageKey): string => key;

export function langOf(language: string | undefined | null): Lang {
  return language && language.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

const LIST_SEP: Record<Lang, string> = { zh: '；', en: '; ' };

function renderParam(lang: Lang, v: ParamValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return (v as readonly Message[]).map((m) => renderMessage(lang, m.key, m.params)).join(LIST_SEP[lang]);
  const m = v as Message;
  return renderMessage(lang, m.key, m.params);
}

/** The words of a message in a language ('zh', 'en', or an i18n code such as 'zh-CN'). An unknown key shows as is. */
export function renderMessage(lang: Lang | string, key: string, params?: Params): string {
  const l = lang === 'zh' || lang === 'en' ? lang : langOf(lang);
  const entry = (CATALOG as Record<string, readonly [string, string]>)[key];
  if (!entry) return key;
  const text = entry[l === 'en' ? 1 : 0];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params && name in params ? renderParam(l, params[name]!) : whole));
}
