// Puts the server's field messages (ApiError.fields, in the interface language) next to their form fields. Server names map to form
// names (`address.compound` → `compound`); a message with no matching field stays in the form's top alert.
import type { FormInstance } from 'antd';
import { ApiError, fieldMessage } from '../../api.ts';

const ALIASES: Record<string, string> = {
  address: 'compound',
  'address.compound': 'compound',
  'address.communityId': 'communityId',
  'address.building': 'building',
  'address.unit': 'unit',
  'address.room': 'room',
  startEpisode: 'startDate',
};

/** Returns the messages that found no field (to show with the form's error alert). */
export function applyFieldErrors(form: FormInstance, e: unknown, fieldNames: readonly string[]): string[] {
  if (!(e instanceof ApiError) || e.fields.length === 0) return [];
  const leftover: string[] = [];
  const byField = new Map<string, string[]>();
  for (const f of e.fields) {
    const name = ALIASES[f.field] ?? f.field;
    if (fieldNames.includes(name)) byField.set(name, [...(byField.get(name) ?? []), fieldMessage(f)]);
    else leftover.push(fieldMessage(f));
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return leftover;
}
