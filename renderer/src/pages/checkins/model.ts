// Pure rules of the 今日监测 entry: temperature typing ("365" → 36.5), the single-key map, the row draft and the
// check-ins.record input it makes, and grouping the due list by compound and building.
import { messageText, type InputOf, type OutputOf } from '../../api.ts';
import { CONTACT_METHODS, HEALTH_CODES as CODES, SYMPTOMS, type ContactMethod, type HealthCode, type Slot, type Symptom, type TestResult, type TestType } from '../../../../electron/shared/enums.ts';
import { isAbnormal, isFever, temperatureProblem } from '../../../../electron/shared/checkins.ts';

export type { ContactMethod, HealthCode, Slot, Symptom, TestResult, TestType };
export { CONTACT_METHODS, isFever };
export { TEMPERATURE_MAX, TEMPERATURE_MIN } from '../../../../electron/shared/limits.ts';

export type DueList = OutputOf<'checkins.due'>;
export type DueRow = DueList['rows'][number];
export type RecordInput = InputOf<'checkins.record'>;
export type RecordResult = OutputOf<'checkins.record'>;
export type CheckinView = RecordResult['checkin'];

/** Single keys (event.code, so they work whatever the keyboard layout or IME) → symptom. */
export const SYMPTOM_KEYS: { code: string; key: string; symptom: Symptom }[] = [
  { code: 'KeyF', key: 'F', symptom: '发热' },
  { code: 'KeyK', key: 'K', symptom: '咳嗽' },
  { code: 'KeyY', key: 'Y', symptom: '咽痛' },
  { code: 'KeyL', key: 'L', symptom: '乏力' },
  { code: 'KeyX', key: 'X', symptom: '嗅味觉减退' },
  { code: 'KeyD', key: 'D', symptom: '腹泻' },
  { code: 'KeyQ', key: 'Q', symptom: '其他' },
];
export const SYMPTOM_ORDER: readonly Symptom[] = SYMPTOMS;
/** The G key cycles through these (none first). */
export const HEALTH_CODES: (HealthCode | null)[] = [null, ...CODES];

export interface Draft {
  /** What is in the box, already shaped: "36.5", "37", "" */
  temp: string;
  symptoms: Symptom[];
  symptomOther: string;
  testType: TestType;
  testResult: TestResult | null;
  healthCode: HealthCode | null;
  contactMethod: ContactMethod;
  /** The server's (or our own) message for a field, shown next to it. */
  error: { field: 'temperature' | 'symptomOther' | 'row'; message: string } | null;
}

export const EMPTY_DRAFT: Draft = {
  temp: '',
  symptoms: [],
  symptomOther: '',
  testType: '核酸',
  testResult: null,
  healthCode: null,
  contactMethod: '电话',
  error: null,
};

/**
 * Shapes what was typed into the temperature box: full-width digits and 。 are accepted, anything else dropped;
 * three digits without a point get one after the second ("365" → "36.5"), and one decimal is kept.
 */
export function shapeTemperature(raw: string): string {
  let s = raw
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[。．]/g, '.')
    .replace(/[^0-9.]/g, '');
  const dot = s.indexOf('.');
  if (dot >= 0) s = s.slice(0, dot + 1) + s.slice(dot + 1).replace(/\./g, '');
  if (dot < 0 && s.length >= 3) s = `${s.slice(0, 2)}.${s.slice(2)}`;
  const d = s.indexOf('.');
  if (d >= 0) s = s.slice(0, Math.min(d + 2, s.length));
  return s.slice(0, 4);
}

/** The typed temperature as a number, null when the box is empty, NaN when it cannot be one. */
export function parseTemperature(s: string): number | null {
  const v = s.trim().replace(/\.$/, '');
  if (!v) return null;
  if (!/^\d{2}(\.\d)?$/.test(v)) return Number.NaN;
  return Number(v);
}

/** The server's own rule (shared/checkins.ts): at or above the threshold, any symptom, a positive test, a red or yellow code. */
export function draftLooksAbnormal(d: Draft, threshold: number): boolean {
  const t = parseTemperature(d.temp);
  const temperature = t !== null && !Number.isNaN(t) ? t : null;
  return isAbnormal({ temperature, symptoms: d.symptoms, symptomOther: d.symptomOther, testType: d.testType, testResult: d.testResult, healthCode: d.healthCode }, threshold);
}

/** Words of the 'checkins' namespace in the interface language (the page's t). */
export type Say = (key: string, params?: Record<string, unknown>) => string;

/** Checks a draft before sending; returns the input or the field error to show (in the interface language, next to the field). */
export function draftToInput(d: Draft, row: Pick<DueRow, 'residentId'>, date: string, slot: Slot, say: Say): { input: RecordInput } | { error: NonNullable<Draft['error']> } {
  const t = parseTemperature(d.temp);
  if (t !== null && Number.isNaN(t)) return { error: { field: 'temperature', message: say('temperatureFormat') } };
  // The server's check (a slip outside 34–43 ℃, a re-measurement below 35 ℃), before the row is sent.
  const problem = t === null ? null : temperatureProblem(t);
  if (problem) return { error: { field: 'temperature', message: messageText(problem) } };
  if (d.symptoms.includes('其他') && !d.symptomOther.trim()) return { error: { field: 'symptomOther', message: say('otherNeedsText') } };
  if (t === null && d.symptoms.length === 0 && !d.testResult && !d.healthCode) {
    return { error: { field: 'temperature', message: say('emptyRow') } };
  }
  return {
    input: {
      residentId: row.residentId,
      date,
      slot,
      temperature: t,
      symptoms: d.symptoms,
      symptomOther: d.symptoms.includes('其他') ? d.symptomOther.trim() : null,
      testType: d.testResult ? d.testType : null,
      testResult: d.testResult,
      healthCode: d.healthCode,
      contactMethod: d.contactMethod,
    },
  };
}

export function toggle<T>(list: T[], v: T, order: readonly T[]): T[] {
  const set = new Set(list);
  if (set.has(v)) set.delete(v);
  else set.add(v);
  return order.filter((x) => set.has(x));
}

export function cycle<T>(list: readonly T[], v: T): T {
  const i = list.indexOf(v);
  return list[(i + 1) % list.length];
}

/** "金色家园3号楼2单元301" minus its compound → "3号楼"; the part before the unit/room when it has no usual suffix. */
export function buildingOf(address: string, compound: string): string {
  const rest = address.startsWith(compound) ? address.slice(compound.length) : address;
  const m = /^(.+?(号楼|栋|幢|座|楼|号))/.exec(rest);
  if (m) return m[1];
  const u = /^(.+?)(\d+单元|$)/.exec(rest);
  return u?.[1] || rest;
}

/** The address without its compound (the group header already says it). */
export function roomOf(address: string, compound: string): string {
  return address.startsWith(compound) ? address.slice(compound.length) || address : address;
}

export interface Group {
  key: string;
  compound: string;
  community: string;
  building: string;
  rows: DueRow[];
}

/** Consecutive rows of one compound and building form a group (the server sorts by compound, then address). */
export function groupRows(rows: DueRow[]): Group[] {
  const out: Group[] = [];
  // A building can come back further down the list (the order is the server's): each run is its own group, and its
  // key stays unique (React reuses rows by key; two groups with one key left stale rows on screen after a refetch).
  const runs = new Map<string, number>();
  let lastBuilding = '';
  for (const r of rows) {
    const building = buildingOf(r.address, r.compound);
    const at = `${r.compoundId}|${building}`;
    const last = out[out.length - 1];
    if (last && lastBuilding === at) last.rows.push(r);
    else {
      const n = (runs.get(at) ?? 0) + 1;
      runs.set(at, n);
      out.push({ key: n === 1 ? at : `${at}|${n}`, compound: r.compound, community: r.community, building, rows: [r] });
    }
    lastBuilding = at;
  }
  return out;
}

/** The next row to type into after `fromId` (wrapping), skipping rows already recorded. */
export function nextOpen(rows: DueRow[], fromId: number | null, recorded: (r: DueRow) => boolean): DueRow | null {
  const start = fromId === null ? -1 : rows.findIndex((r) => r.residentId === fromId);
  for (let i = 1; i <= rows.length; i++) {
    const r = rows[(start + i + rows.length) % rows.length];
    if (!recorded(r) && r.residentId !== fromId) return r;
  }
  return null;
}

/**
 * The due list after one check-in was saved: that person's row marked recorded from the save's answer (the list
 * is not reloaded, so rows do not move under the clerk's cursor). Lists of another date or slot stay as they are.
 */
export function withSavedCheckin(list: DueList, res: OutputOf<'checkins.record'>, input: RecordInput, asked: InputOf<'checkins.due'>): DueList {
  if (asked.date !== input.date || asked.slot !== input.slot) return list;
  const c = res.checkin;
  return {
    ...list,
    rows: list.rows.map((r) =>
      r.residentId === input.residentId
        ? { ...r, recorded: true, overdue: false, checkin: { id: c.id, version: c.version, temperature: c.temperature, symptoms: c.symptoms, abnormal: c.abnormal, recordedBy: c.recordedBy } }
        : r,
    ),
  };
}
