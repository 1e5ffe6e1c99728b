// "Day N of M" of an isolation or monitoring period, shared by the domain, the Excel reports and the renderer. Past the
// last day a running period is 待解除: "第10天/共7天" read as nonsense to clerks, so it says "超期 3 天（待解除）".
import type { LabelLang } from './labels.ts';

/** Day n (the start date is day 1) of a period of `of` days. */
export interface DayCount {
  n: number;
  of: number;
}

/** Days past the last day (0 while within the period): day 10 of 7 is 3 days over. */
export function daysOver(d: DayCount): number {
  return Math.max(0, d.n - d.of);
}

/**
 * The words in both languages, as i18next templates: the renderer's resources (i18n/enums.ts, key `day`) are built
 * from them and `dayText` fills them for the Excel reports and the API's zh label.
 */
export const DAY_WORDS = {
  zh: { of: '第{{n}}天/共{{of}}天', over: '超期 {{count}} 天（待解除）', overShort: '超期 {{count}} 天' },
  en: {
    of: 'Day {{n}} of {{of}}',
    over_one: '{{count}} day over (due for release)',
    over_other: '{{count}} days over (due for release)',
    // Beside the 待解除 tag (the residents grid), the bracket would say it twice.
    overShort_one: '{{count}} day over',
    overShort_other: '{{count}} days over',
  },
} as const;

/** "第6天/共7天", or past the last day "超期 3 天（待解除）" (English: "3 days over (due for release)"). */
export function dayText(d: DayCount, lang: LabelLang = 'zh'): string {
  const over = daysOver(d);
  const w = DAY_WORDS[lang];
  if (over === 0) return w.of.replace('{{n}}', String(d.n)).replace('{{of}}', String(d.of));
  const template = 'over' in w ? w.over : over === 1 ? w.over_one : w.over_other;
  return template.replace('{{count}}', String(over));
}
