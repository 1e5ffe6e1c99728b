// Printable notices (告知书/通知书): their kinds, Chinese titles and the placeholders a template may use. One copy for
// the core (template check, rendering), the command line and the renderer (设置 › 文书模板's table; its descriptions
// are i18n keys named after the placeholders).

export const NOTICE_KINDS = ['isolation', 'release', 'monitoring'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_TITLES: Record<NoticeKind, string> = {
  isolation: '居家隔离告知书',
  release: '解除居家隔离通知书',
  monitoring: '居家健康监测告知书',
};

/** Placeholders of a page (one household): `{name}` and so on. Dates read 2022年1月14日. */
export const NOTICE_FIELDS = [
  'name',
  'address',
  'community',
  'startDate',
  'lastDay',
  'releaseDate',
  'days',
  'monitoringDays',
  'policy',
  'officeName',
  'officePhone',
  'district',
  'subdistrict',
  'date',
] as const;
export type NoticeField = (typeof NOTICE_FIELDS)[number];

/** The loop over the household's people: {#people}{name}：{startDate}至{lastDay}{/people}. */
export const NOTICE_LOOP = 'people';
/** What each person of the loop has. */
export const NOTICE_PERSON_FIELDS = ['name', 'startDate', 'lastDay', 'releaseDate', 'days'] as const;

/** Every name a template may use (a tag not in here is refused when a template is uploaded). */
export const NOTICE_PLACEHOLDERS: readonly string[] = [...new Set<string>([...NOTICE_FIELDS, NOTICE_LOOP, ...NOTICE_PERSON_FIELDS])];

export function isNoticeKind(k: unknown): k is NoticeKind {
  return typeof k === 'string' && (NOTICE_KINDS as readonly string[]).includes(k);
}
