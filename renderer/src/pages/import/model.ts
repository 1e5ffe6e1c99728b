// Types and small helpers of the import wizard. The shapes come from the contract (types only); the field lists mirror
// electron/excel/import/columns.ts so the clerk can remap a column.
import type { TFunction } from 'i18next';
import type { InputOf, OutputOf } from '../../api.ts';
import type { ImportSummary } from '../../../../electron/excel/import/commit.ts';
import type { TestImportSummary } from '../../../../electron/excel/import/tests.ts';

export type Kind = 'residents' | 'tests';
export type Mode = 'all-or-nothing' | 'valid-only';
export type Preview = OutputOf<'import.preview'>;
export type Issue = Preview['errors'][number];
export type Upload = OutputOf<'import.upload'>;
export type Batch = OutputOf<'import.batches'>['rows'][number];
export type ListOptions = InputOf<'import.preview'>;
export type Confirm = NonNullable<ListOptions['confirm']>;
export type Confirmations = Extract<Preview, { kind: 'residents' }>['confirmations'];
export type Mapping = NonNullable<ListOptions['mapping']>;
export type FieldName = keyof Mapping;
export type CommitResult = ImportSummary | TestImportSummary;
export type { ImportSummary, TestImportSummary };

export const RESIDENT_FIELDS: FieldName[] = ['name', 'docType', 'docNumber', 'sex', 'phone', 'category', 'community', 'compound', 'building', 'unit', 'room', 'address', 'startDate', 'birthDate', 'guardian', 'notes', 'needs', 'seq'];
export const TEST_FIELDS: FieldName[] = ['name', 'docNumber', 'phone', 'sampleDate', 'testType', 'result', 'tube', 'seq'];

export const fieldsOf = (kind: Kind) => (kind === 'tests' ? TEST_FIELDS : RESIDENT_FIELDS);

/** 'A' → 1, 'AA' → 27 (the contract's mapping takes 1-based column numbers). */
export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** A full override from the clerk's choice per column: every field either a column number or null (not read). */
export function mappingFromChoice(kind: Kind, choice: Record<string, FieldName | null>): Mapping {
  const out: Mapping = {};
  for (const f of fieldsOf(kind)) out[f] = null;
  for (const [col, f] of Object.entries(choice)) if (f) out[f] = columnNumber(col);
  return out;
}

/** Fields chosen for more than one column. */
export function duplicateFields(choice: Record<string, FieldName | null>): FieldName[] {
  const seen = new Map<FieldName, number>();
  for (const f of Object.values(choice)) if (f) seen.set(f, (seen.get(f) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f);
}

export const ACCEPT = '.xlsx,.csv,.xls,.et';

/** What to tell the clerk about a file before sending it, or null when it can be read. */
export function fileProblem(name: string, bytes: number, maxMb: number | undefined, t: TFunction<'excel'>): string | null {
  const ext = name.toLowerCase().slice(name.lastIndexOf('.'));
  if (ext === '.xls' || ext === '.et') return t('import.file.oldFormat', { ext });
  if (ext !== '.xlsx' && ext !== '.csv') return t('import.file.wrongType', { name });
  if (bytes === 0) return t('import.file.empty');
  if (maxMb && bytes > maxMb * 1024 * 1024) return t('import.file.tooBig', { mb: maxMb });
  return null;
}

export function isResidentSummary(r: CommitResult): r is ImportSummary {
  return 'imported' in r;
}
