// Turning an audit entry's details ({ ...extra, before, after }) into readable Chinese: one line per changed field
// ("发热阈值：37.3 → 37.5") for the list, and rows of (field, before, after) for the detail drawer.
import type { TFunction } from 'i18next';
import type { OutputOf } from '../../api.ts';

export type AuditRow = OutputOf<'audit.list'>['rows'][number];
type T = TFunction<'admin'>;

export interface Change {
  key: string;
  label: string;
  before: string;
  after: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The field's Chinese name when known (audit.field.<key>), else the key itself. */
export function fieldLabel(key: string, t: T): string {
  return t(`audit.field.${key}`, { defaultValue: key });
}

export function valueText(v: unknown, t: T): string {
  if (v === undefined) return '';
  if (v === null || v === '') return t('audit.blank');
  if (v === true) return t('audit.yes');
  if (v === false) return t('audit.no');
  if (v === 'last') return t('audit.lastDay');
  if (Array.isArray(v)) return v.map((x) => valueText(x, t)).join('、');
  if (isObj(v)) {
    return Object.entries(v)
      .map(([k, x]) => `${fieldLabel(k, t)} ${valueText(x, t)}`)
      .join('，');
  }
  return String(v);
}

/** Changed fields of an entry: keys of before ∪ after, in the order they appear. */
export function changesOf(details: unknown, t: T): Change[] {
  if (!isObj(details)) return [];
  const before = isObj(details.before) ? details.before : {};
  const after = isObj(details.after) ? details.after : {};
  if (!isObj(details.before) && !isObj(details.after)) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((k) => ({ key: k, label: fieldLabel(k, t), before: valueText(before[k], t), after: valueText(after[k], t) }));
}

/** Everything in details besides before/after (file names, counts, reasons…). */
export function extrasOf(details: unknown): [string, unknown][] {
  if (!isObj(details)) return details === null || details === undefined ? [] : [['details', details]];
  return Object.entries(details).filter(([k]) => k !== 'before' && k !== 'after');
}

/** One line for the list. */
export function summaryOf(row: AuditRow, t: T): string {
  if (row.purged) return t('audit.purged');
  const changes = changesOf(row.details, t);
  if (changes.length) {
    return changes.map((c) => (c.before && c.after ? `${c.label}：${c.before} → ${c.after}` : `${c.label}：${c.after || c.before}`)).join('；');
  }
  return extrasOf(row.details)
    .map(([k, v]) => `${fieldLabel(k, t)}：${valueText(v, t)}`)
    .join('；');
}

/** '2022-01-20T09:00:00+08:00' → '2022-01-20 09:00:00' (the office's own time, as stored). */
export function atText(at: string): string {
  return at.slice(0, 19).replace('T', ' ');
}
