// 编辑人员信息 when someone else saved first: the fields this user changed (against what the form was opened with),
// their value and the record's value now, for the conflict dialog. Masked values (document number, phone, birth date)
// are only sent when retyped, so being in the input means changed; the current ones show masked, as everywhere.
import type { TFunction } from 'i18next';
import type { ConflictRow } from '../../components/ConflictDialog.tsx';
import type { Detail } from './model.ts';

/** residents.update's input (its schema is typed loosely, so the renderer names its shape here). */
export type ResidentPatch = { id: number; version: number } & Record<string, unknown>;
type Resident = Detail['resident'];
interface Address {
  communityId: number;
  compound: string;
  building: string | null;
  unit: string | null;
  room: string | null;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number));

/** A household member's name by id (the guardian), else the id. */
function personName(d: Detail, id: unknown): string {
  if (id === null || id === undefined) return '';
  return d.household.find((p) => p.id === id)?.name ?? (d.resident.id === id ? d.resident.name : `#${String(id)}`);
}

export function residentConflictRows(
  input: ResidentPatch,
  opened: Detail,
  now: Detail,
  words: { t: TFunction<'residents'>; te: TFunction<'enums'>; communityName: (id: number) => string },
): ConflictRow[] {
  const { t, te } = words;
  const was: Resident = opened.resident;
  const cur: Resident = now.resident;
  const rows: ConflictRow[] = [];
  const plain = (key: 'name' | 'notes', label: string) => {
    if (key in input && str(input[key]) !== str(was[key])) rows.push({ label, mine: str(input[key]), current: str(cur[key]) });
  };
  const coded = (key: 'docType' | 'category', label: string) => {
    if (key in input && input[key] !== was[key]) rows.push({ label, mine: te(`${key}.${str(input[key])}`), current: te(`${key}.${cur[key]}`) });
  };
  plain('name', t('form.name'));
  coded('docType', t('form.docType'));
  coded('category', t('form.category'));
  if ('docNumber' in input) rows.push({ label: t('form.docNumber'), mine: str(input.docNumber), current: str(cur.docNumber) });
  if ('sex' in input && str(input.sex) !== str(was.sex)) rows.push({ label: t('form.sex'), mine: input.sex ? t(`sex.${str(input.sex)}`) : '', current: cur.sex ? t(`sex.${cur.sex}`) : '' });
  if ('birthDate' in input) rows.push({ label: t('form.birthDate'), mine: str(input.birthDate), current: str(cur.birthDate) });
  if ('phone' in input) rows.push({ label: t('form.phone'), mine: str(input.phone), current: str(cur.phone) });
  if ('guardianId' in input && str(input.guardianId) !== str(was.guardianId)) {
    rows.push({ label: t('form.guardian'), mine: personName(opened, input.guardianId), current: personName(now, cur.guardianId) });
  }
  if (input.address) {
    const a = input.address as Address;
    const mine = [words.communityName(a.communityId), a.compound, a.building, a.unit, a.room].filter(Boolean).join(' ');
    rows.push({ label: t('form.address'), mine, current: `${cur.community} ${cur.address}` });
  }
  plain('notes', t('form.notes'));
  return rows;
}
