// Turning an audit entry's details ({ ...extra, before, after }) into readable text in the interface language: one
// line per changed field ("Fever threshold: 37.3 → 37.5") for the list, rows of (field, before, after) for the detail
// drawer, and the other details as label: value pairs. Field names, reason codes and coded values (slots, kinds,
// statuses, roles, stored codes) are worded through i18n; a key without a label is shown as it is.
import type { TFunction } from 'i18next';
import type { OutputOf } from '../../api.ts';
import { codeLabel, pair, punct, type CodeKind } from '../../i18n/codes.ts';

export type AuditRow = OutputOf<'audit.list'>['rows'][number];
type T = TFunction<'admin'>;

export interface Change {
  key: string;
  label: string;
  before: string;
  after: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The field's name when known (audit.field.<key>, audit.moreField.<key>), else the key itself. */
export function fieldLabel(key: string, t: T): string {
  return t(`audit.field.${key}`, { defaultValue: t(`audit.moreField.${key}`, { defaultValue: key }) });
}

/** Keys whose values are codes with words of their own. */
const CODED: Record<string, string> = { reason: 'audit.reason', slot: 'audit.value.slot', kind: 'audit.value.kind', status: 'audit.value.status', role: 'audit.value.role' };
const STORED: Record<string, CodeKind> = {
  category: 'category',
  docType: 'docType',
  symptoms: 'symptom',
  testType: 'testType',
  testResult: 'testResult',
  result: 'testResult',
  healthCode: 'healthCode',
  contactMethod: 'contact',
  action: 'alertAction',
};

export function valueText(v: unknown, t: T, key?: string): string {
  if (v === undefined) return '';
  if (v === null || v === '') return t('audit.blank');
  if (v === true) return t('audit.yes');
  if (v === false) return t('audit.no');
  if (v === 'last') return t('audit.lastDay');
  if (Array.isArray(v)) return v.map((x) => valueText(x, t, key)).join(punct(t, 'list'));
  if (isObj(v)) {
    return Object.entries(v)
      .map(([k, x]) => `${fieldLabel(k, t)} ${valueText(x, t, k)}`)
      .join(punct(t, 'comma'));
  }
  if (typeof v === 'string' && key) {
    if (key === 'source') return sourceText(v, t);
    if (key === 'lockedUntil') return v.slice(0, 16).replace('T', ' '); // office time, as written by login
    if (CODED[key]) return t(`${CODED[key]}.${v}`, { defaultValue: v });
    if (STORED[key]) return codeLabel(t, STORED[key], v);
  }
  return String(v);
}

/** Where a login came from: 'local' (this PC) or 'device:<id>' (a paired device of the office server). */
function sourceText(v: string, t: T): string {
  const device = /^device:(.+)$/.exec(v);
  return device ? t('audit.value.source.device', { id: device[1] }) : t(`audit.value.source.${v}`, { defaultValue: v });
}

/** Changed fields of an entry: keys of before ∪ after, in the order they appear. */
export function changesOf(details: unknown, t: T): Change[] {
  if (!isObj(details)) return [];
  const before = isObj(details.before) ? details.before : {};
  const after = isObj(details.after) ? details.after : {};
  if (!isObj(details.before) && !isObj(details.after)) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((k) => ({ key: k, label: fieldLabel(k, t), before: valueText(before[k], t, k), after: valueText(after[k], t, k) }));
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
    return changes.map((c) => pair(t, c.label, c.before && c.after ? `${c.before} → ${c.after}` : c.after || c.before)).join(punct(t, 'items'));
  }
  return extrasOf(row.details)
    .map(([k, v]) => pair(t, fieldLabel(k, t), valueText(v, t, k)))
    .join(punct(t, 'items'));
}

/** The action in the interface language (the core's Chinese label when the renderer has no words for it). */
export function actionText(row: Pick<AuditRow, 'action' | 'actionLabel'>, t: T): string {
  return t(`audit.action.${row.action}`, { defaultValue: row.actionLabel });
}

/** Who acted: the account's name with its user name, or the built-in cli/system user in words. */
export function userText(row: Pick<AuditRow, 'userName' | 'userDisplayName'>, t: T): string {
  if (row.userName === 'cli') return t('audit.cli');
  if (row.userName === 'system') return t('audit.system');
  return row.userDisplayName ? t('audit.named.user', { name: row.userDisplayName, username: row.userName }) : row.userName;
}

/** The record: its kind in words and its name when the core found one, else its number. */
export function entityText(row: Pick<AuditRow, 'entity' | 'entityId' | 'entityName'>, t: T): string {
  if (!row.entity) return '';
  const entity = t(`audit.entity.${row.entity}`, { defaultValue: row.entity });
  if (row.entityName) return t('audit.named.entity', { entity, name: row.entityName });
  return row.entityId ? `${entity} #${row.entityId}` : entity;
}

/** The person: their name, or the number when the core did not name them (purged, or outside the reader's scope). */
export function residentText(row: Pick<AuditRow, 'residentId' | 'residentName'>, t: T): string {
  if (!row.residentId) return '';
  return row.residentName ?? t('audit.named.residentPurged', { id: row.residentId });
}

/** '2022-01-20T09:00:00+08:00' → '2022-01-20 09:00:00' (the office's own time, as stored). */
export function atText(at: string): string {
  return at.slice(0, 19).replace('T', ' ');
}
