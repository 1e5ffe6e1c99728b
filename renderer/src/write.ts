// One hook for every write of the renderer (dialogs, forms, the check-in table, action buttons): it calls the
// channel, keeps the submitting flag, says what happened (errorMessage), puts the server's field errors on the form's
// fields, and refreshes what the contract declares the write made stale — nothing more. A page that can update a
// cached answer from the write's result (the one row a check-in changed) patches it instead of refetching it.
// When someone else saved the record first (CONFLICT with who/when), a dialog that declares `conflict` reads the
// record as it is now and asks: reapply the user's values on the current version, or drop them (conflict dialog);
// without it, the error text says who changed the record and when. A save that cannot reach the server keeps the
// form as it is and says so (no write queue: connection.ts says why).
import { useCallback, useRef, useState } from 'react';
import { App, type FormInstance } from 'antd';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, apiAnswer, ApiError, errorMessage, fieldMessage, type ArgsOf, type Channel, type InputOf, type OutputOf } from './api.ts';
import i18n from './i18n/index.ts';
import { conflictHeadline, useConflictDialog, type ConflictRow } from './components/ConflictDialog.tsx';
import { overNetwork } from './connection.ts';
import { noteOwnWrite, ownWriteInFlight } from './live.ts';

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

/**
 * How a dialog handles "someone else saved first": the read channel that gives the record now, the fields the user
 * changed (their value, the value now), and the input to send again on top of the current version.
 */
export interface ConflictSpec<C extends Channel, R extends Channel> {
  read: R;
  readInput: (input: InputOf<C>) => InputOf<R>;
  /** The fields the user changed, in the interface language: label, their value, the record's value now. */
  rows: (input: InputOf<C>, current: OutputOf<R>) => ConflictRow[];
  /** The input of 重新应用我的修改: the user's input on the current version. */
  reapply: (input: InputOf<C>, current: OutputOf<R>) => InputOf<C>;
  /** 放弃我的修改 (close the form: the read's cached answer is already the current record). */
  onDiscard?: (current: OutputOf<R> | undefined) => void;
}

/** A ConflictSpec over any read channel (the `read` literal picks the types of the rest). */
export type OnConflict<C extends Channel> = { [R in Channel]: ConflictSpec<C, R> }[Channel];

/** A refusal because the record's version moved on (not a uniqueness rule, not a busy database). */
export function isStaleWrite(e: unknown): e is ApiError {
  return e instanceof ApiError && e.code === 'CONFLICT' && e.key === 'common.conflict';
}

/** Who changed it and when, from a stale write's details. */
export function conflictDetails(e: ApiError): { by?: string; at?: string; current?: number } {
  const d = (e.details ?? {}) as Record<string, unknown>;
  return {
    by: typeof d.by === 'string' ? d.by : undefined,
    at: typeof d.at === 'string' ? d.at : undefined,
    current: typeof d.current === 'number' ? d.current : undefined,
  };
}

/** The words for a failed write: who/when for a conflict, "kept here, save again" when the server is unreachable. */
export function writeFailureText(e: unknown): string {
  if (e instanceof ApiError && e.key === 'network.unreachable' && overNetwork()) return i18n.t('sync:offline.notSaved');
  const general = errorMessage(e);
  if (isStaleWrite(e) && e.details) {
    const d = conflictDetails(e);
    return `${conflictHeadline(d.by, d.at)}${i18n.t('codes:punct.items')}${general}`;
  }
  return general;
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
  /** Someone else saved first: show the conflict dialog (current values, reapply or discard). */
  conflict?: OnConflict<C>;
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
  const ask = useConflictDialog();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(opts);
  latest.current = opts;

  /** The conflict dialog for a stale write: the input to send again, or undefined when the user dropped theirs. */
  const resolveConflict = useCallback(
    async (e: ApiError, input: InputOf<C>): Promise<InputOf<C> | undefined> => {
      const spec = latest.current.conflict as ConflictSpec<C, Channel>;
      const d = conflictDetails(e);
      const readInput = spec.readInput(input);
      let current: OutputOf<Channel> | undefined;
      let loadError: string | undefined;
      try {
        current = await api(spec.read, ...([readInput] as ArgsOf<Channel>));
        // What is on screen (an open drawer) shows the record as it is now.
        qc.setQueryData([spec.read, readInput], current);
      } catch (x) {
        loadError = errorMessage(x);
      }
      const choice = await ask!({ by: d.by, at: d.at, rows: current === undefined ? [] : spec.rows(input, current), loadError, canReapply: current !== undefined });
      if (choice === 'reapply' && current !== undefined) return spec.reapply(input, current);
      spec.onDiscard?.(current);
      return undefined;
    },
    [ask, qc],
  );

  const run = useCallback(
    async (...args: ArgsOf<C>): Promise<OutputOf<C> | undefined> => {
      let input = (args[0] ?? {}) as InputOf<C>;
      setSubmitting(true);
      setError(null);
      try {
        // Each round is one try; a conflict resolved by 重新应用 goes round again on the current version.
        for (;;) {
          const o = latest.current;
          try {
            ownWriteInFlight(1);
            let answer: Awaited<ReturnType<typeof apiAnswer<C>>>;
            try {
              answer = await apiAnswer(channel, ...([input] as ArgsOf<C>));
              noteOwnWrite(channel, input, answer.data);
            } finally {
              ownWriteInFlight(-1);
            }
            const { data, invalidates } = answer;
            await refreshStale(qc, invalidates, data, input, o.patch);
            const text = typeof o.success === 'function' ? o.success(data, input) : o.success;
            if (text) void message.success(text);
            o.onSuccess?.(data, input);
            return data;
          } catch (e) {
            if (isStaleWrite(e) && o.conflict && ask) {
              const again = await resolveConflict(e, input);
              if (again !== undefined) {
                input = again;
                continue;
              }
              o.onError?.(e, input);
              return undefined;
            }
            const general = writeFailureText(e);
            const leftover = o.form ? placeFieldErrors(o.form, e, o.fieldNames, o.fields) : [];
            const text = [general, ...leftover.filter((m) => !general.includes(m))].join(i18n.t('codes:punct.items'));
            if (o.toast) void message.error(text);
            else setError(text);
            o.onError?.(e, input);
            return undefined;
          }
        }
      } finally {
        setSubmitting(false);
      }
    },
    [channel, qc, message, ask, resolveConflict],
  );
  return { run, submitting, error, setError };
}
