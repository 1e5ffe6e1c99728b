// The punctuation that differs by language, a few words every page uses, and the short health-code chips (namespace
// 'codes'). The words for the codes the core stores (symptoms, tests, categories…) come from the shared rulebook through
// the 'enums' namespace (enums.ts); codeLabel() reads them from there by the stored value.
import type { TFunction } from 'i18next';
import { daysOver } from '../../../electron/shared/days.ts';

const zhCN = {
  healthCodeShort: { 绿: '绿', 黄: '黄', 红: '红' },
  // Punctuation between words, which differs by language: lists, label: value pairs, a note in brackets.
  punct: { list: '、', items: '；', comma: '，', pair: '{{label}}：{{value}}', paren: '{{text}}（{{note}}）', space: '　' },
  /** The language itself, for the few widths that differ (English words run longer than Chinese). */
  lang: 'zh-CN',
  words: {
    maxChars: '不能超过 {{n}} 个字',
    removeRow: '删除此行',
    dateLong: 'YYYY年M月D日 dddd',
    pageError: '此页面出错了',
    pageErrorText: '页面显示时发生错误，数据未受影响。请重试；若反复出现，请联系管理员。',
    retry: '重试',
  },
};

const en: typeof zhCN = {
  healthCodeShort: { 绿: 'Green', 黄: 'Yellow', 红: 'Red' },
  punct: { list: ', ', items: '; ', comma: ', ', pair: '{{label}}: {{value}}', paren: '{{text}} ({{note}})', space: '  ' },
  lang: 'en',
  words: {
    maxChars: 'At most {{n}} characters',
    removeRow: 'Remove this line',
    dateLong: 'ddd D MMM YYYY',
    pageError: 'This page ran into an error',
    pageErrorText: 'Something went wrong while showing the page; no data was affected. Retry; if it keeps happening, tell the administrator.',
    retry: 'Retry',
  },
};

/** The stored-code lists a screen words, and the 'enums' list of each (healthCodeShort: the chips' one-word form). */
const ENUM_LISTS = {
  symptom: 'symptom',
  testType: 'testType',
  testResult: 'testResult',
  healthCode: 'healthCode',
  contact: 'contactMethod',
  supplyCategory: 'supplyCategory',
  category: 'category',
  docType: 'docType',
  alertAction: 'alertAction',
} as const;
export type CodeKind = keyof typeof ENUM_LISTS | 'healthCodeShort';

/** The word for a stored code in the interface language; an unknown code is shown as it is. */
export function codeLabel(t: TFunction, kind: CodeKind, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  const ns = kind === 'healthCodeShort' ? `codes:${kind}` : `enums:${ENUM_LISTS[kind]}`;
  return t(`${ns}.${code}`, { defaultValue: code });
}

/**
 * 第N天/共M天, or past the last day 超期 N 天（待解除） (the rule: electron/shared/days.ts); '' outside a period.
 * `short` drops （待解除） where a 待解除 tag stands beside it.
 */
export function dayLabel(t: TFunction, d: { dayN: number | null; totalDays: number | null }, opts: { short?: boolean } = {}): string {
  if (d.dayN === null || d.totalDays === null) return '';
  const over = daysOver({ n: d.dayN, of: d.totalDays });
  if (!over) return t('enums:day.of', { n: d.dayN, of: d.totalDays });
  return t(opts.short ? 'enums:day.overShort' : 'enums:day.over', { count: over });
}

/** Punctuation of the interface language: punct(t, 'list') → '、' or ', '. */
export function punct(t: TFunction, which: 'list' | 'items' | 'comma' | 'space'): string {
  return t(`codes:punct.${which}`);
}

/** A width (px) by interface language: English labels run longer than Chinese ones. */
export function byLang(t: TFunction, zh: number, en: number): number {
  return t('codes:lang') === 'en' ? en : zh;
}

/** 'label：value' or 'label: value'. */
export function pair(t: TFunction, label: string, value: string | number): string {
  return t('codes:punct.pair', { label, value });
}

/** 'text（note）' or 'text (note)'. */
export function paren(t: TFunction, text: string | number, note: string | number): string {
  return t('codes:punct.paren', { text, note });
}

export default { 'zh-CN': zhCN, en };
