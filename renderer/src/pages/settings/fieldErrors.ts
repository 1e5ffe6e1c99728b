// Puts the server's field messages (ApiError.fields, in the interface language) next to the form fields of my admin/Excel pages.
// Server paths like 'policy.isolationDays' or 'categoryPolicies.密接.testDays' become antd name paths.
import type { FormInstance } from 'antd';
import { ApiError, fieldMessage } from '../../api.ts';

type NamePath = (string | number)[];

function toPath(field: string): NamePath {
  return field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Sets the errors of fields the form has (`known` lists their top-level names) and returns the messages left over
 * (to show in the form's alert). Nothing is set when the error carries no fields.
 */
export function applyFieldErrors(form: FormInstance, e: unknown, known: readonly string[]): string[] {
  if (!(e instanceof ApiError) || e.fields.length === 0) return [];
  const leftover: string[] = [];
  const byPath = new Map<string, { name: NamePath; errors: string[] }>();
  for (const f of e.fields) {
    const name = toPath(f.field);
    if (!known.includes(String(name[0]))) {
      leftover.push(fieldMessage(f));
      continue;
    }
    // Array items (testDays.0) show on the array field itself.
    while (name.length > 1 && typeof name[name.length - 1] === 'number') name.pop();
    const key = name.join('\u0000');
    const entry = byPath.get(key) ?? { name, errors: [] };
    entry.errors.push(fieldMessage(f));
    byPath.set(key, entry);
  }
  form.setFields([...byPath.values()].map(({ name, errors }) => ({ name, errors })));
  return leftover;
}
