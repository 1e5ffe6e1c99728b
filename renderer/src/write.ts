// One hook for every write of the renderer (dialogs, forms, the check-in table, action buttons): it calls the
// channel, keeps the submitting flag, says what happened (errorMessage), puts the server's field errors on the form's
// fields, and refreshes what the contract declares the write made stale — nothing more. A page that can update a
// cached answer from the write's result (the one row a check-in changed) patches it instead of refetching it.
import { useCallback, useRef, useState } from 'react';
import { App, type FormInstance } from 'antd';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiAnswer, ApiError, errorMessage, fieldMessage, type ArgsOf, type Channel, type InputOf, type OutputOf } from './api.ts';
import i18n from './i18n/index.ts';

type NamePath = (string | number)[];

/** Updates one cached answer of a read channel (asked with `asked`) from a write's result and input. */
export type Patch<R extends Channel, C extends Channel> = (old: OutputOf<R>, data: OutputOf<C>, input: InputOf<C>, asked: InputOf<R>) => OutputOf<R>;
export type Patches<C extends Channel> = { [R in Channel]?: Patch<R, C> };

/** Refreshes the channels a write made stale: patched ones from its result, the others refetched if on screen. */
export async function refreshStale<C extends Channel>(qc: QueryClient, stale: readonly Channel[], data: OutputOf<C>, input: InputOf<C>, patch: Patches<C> = {}): Promise<void> {
  await Promise.all(
    stale.map((c) => {
      const p = patch[c] as Patch<Channel, C> | undefined;
      if (p) {
        for (const [key, old] of qc.getQueriesData<OutputOf<Channel>>({ queryKey: [c] })) {
          if (old !== undefined) qc.setQueryData(key, p(old, data, input, key[1] as InputOf<Channel>));
        }
        return undefined;
      }
      return qc.invalidateQueries({ queryKey: [c] });
    }),
  );
}

/** The text of one field problem in the interface language. */
const fieldText = (f: ApiError['fields'][number]): string => fieldMessage(f);

function toPath(field: string): NamePath {
  return field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Puts an error's field problems on the form's fields and returns the messages that found no field. A server name
 * maps through `names` ('address.compound' → 'compound'), else it is read as a path ('policy.isolationDays'); an
 * array item ('testDays.0') shows on the array. `known` lists the form's top-level names (default: its fields).
 */
export function placeFieldErrors(form: FormInstance, e: unknown, names: Record<string, string | NamePath> = {}, known?: readonly string[]): string[] {
  if (!(e instanceof ApiError) || e.fields.length === 0) return [];
  const have = known ?? Object.keys(form.getFieldsValue() as object);
  const leftover: string[] = [];
  const byPath = new Map<string, { name: NamePath; errors: string[] }>();
  for (const f of e.fields) {
    const mapped = names[f.field];
    const name = mapped === undefined ? toPath(f.field) : Array.isArray(mapped) ? [...mapped] : [mapped];
    if (!have.includes(String(name[0]))) {
      leftover.push(fieldText(f));
      continue;
    }
    while (name.length > 1 && typeof name[name.length - 1] === 'number') name.pop();
    const key = name.join('\u0000');
    const entry = byPath.get(key) ?? { name, errors: [] };
    entry.errors.push(fieldText(f));
    byPath.set(key, entry);
  }
  form.setFields([...byPath.values()].map(({ name, errors }) => ({ name, errors })));
  return leftover;
}

export interface WriteOptions<C extends Channel> {
  /** The form whose fields show the server's field errors. */
  form?: FormInstance;
  /** Server field name → form field name, where they differ. */
  fieldNames?: Record<string, string | NamePath>;
  /** The form's top-level field names that may take errors (default: the fields the form has). */
  fields?: readonly string[];
  /** A success toast: its text, or a function of the result (undefined: none). */
  success?: string | ((data: OutputOf<C>, input: InputOf<C>) => string | undefined);
  /** Show a failure as a toast (the default is the returned `error`, for the dialog's own alert). */
  toast?: boolean;
  /** Cached answers updated from the result instead of refetched. */
  patch?: Patches<C>;
  onSuccess?: (data: OutputOf<C>, input: InputOf<C>) => void;
  onError?: (e: unknown, input: InputOf<C>) => void;
}

export interface Write<C extends Channel> {
  /** Calls the channel; the result, or undefined when it failed (the failure is already shown). */
  run: (...args: ArgsOf<C>) => Promise<OutputOf<C> | undefined>;
  submitting: boolean;
  /** What went wrong, for the dialog's alert (null: nothing, or shown as a toast). */
  error: string | null;
  setError: (e: string | null) => void;
}

export function useApiWrite<C extends Channel>(channel: C, opts: WriteOptions<C> = {}): Write<C> {
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(opts);
  latest.current = opts;

  const run = useCallback(
    async (...args: ArgsOf<C>): Promise<OutputOf<C> | undefined> => {
      const o = latest.current;
      const input = (args[0] ?? {}) as InputOf<C>;
      setSubmitting(true);
      setError(null);
      try {
        const { data, invalidates } = await apiAnswer(channel, ...args);
        await refreshStale(qc, invalidates, data, input, o.patch);
        const text = typeof o.success === 'function' ? o.success(data, input) : o.success;
        if (text) void message.success(text);
        o.onSuccess?.(data, input);
        return data;
      } catch (e) {
        const general = errorMessage(e);
        const leftover = o.form ? placeFieldErrors(o.form, e, o.fieldNames, o.fields) : [];
        const text = [general, ...leftover.filter((m) => !general.includes(m))].join(i18n.t('codes:punct.items'));
        if (o.toast) void message.error(text);
        else setError(text);
        o.onError?.(e, input);
        return undefined;
      } finally {
        setSubmitting(false);
      }
    },
    [channel, qc, message],
  );
  return { run, submitting, error, setError };
}
