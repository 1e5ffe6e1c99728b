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

export interface Group {
  key: string;
  compound: string;
  community: string;
  buildingId: number;
  building: string;
  unitId: number;
  unit: string;
  rows: DueRow[];
}

/**
 * Consecutive rows of one unit form a group (the server sorts by compound, building, unit, room). Past the cutoff the
 * unrecorded come first, so a unit can come back further down the list: each run is its own group, and its key stays
 * unique (React reuses rows by key; two groups with one key left stale rows on screen after a refetch).
 */
export function groupRows(rows: DueRow[]): Group[] {
  const out: Group[] = [];
  const runs = new Map<number, number>();
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last.unitId === r.unitId) last.rows.push(r);
    else {
      const n = (runs.get(r.unitId) ?? 0) + 1;
      runs.set(r.unitId, n);
      out.push({ key: n === 1 ? `u${r.unitId}` : `u${r.unitId}|${n}`, compound: r.compound, community: r.community, buildingId: r.buildingId, building: r.building, unitId: r.unitId, unit: r.unit, rows: [r] });
    }
  }
  return out;
}

/** The next row after `fromId` on this page that is still open, without wrapping; null past the page's last. */
export function nextOpenAfter(rows: DueRow[], fromId: number, recorded: (r: DueRow) => boolean): DueRow | null {
  const start = rows.findIndex((r) => r.residentId === fromId);
  for (let i = start + 1; i < rows.length; i++) if (!recorded(rows[i])) return rows[i];
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

// ---- groups: the jump list, the group headers, where a building starts ---------------------------------------------

export type DueGroups = OutputOf<'checkins.groups'>;
export type UnitCounts = DueGroups['units'][number];
/** What the list shows: everyone, only the not yet recorded, only the abnormal. */
export type ListMode = 'all' | 'missing' | 'abnormal';

export interface BuildingCounts {
  compoundId: number;
  compound: string;
  community: string;
  buildingId: number;
  building: string;
  due: number;
  done: number;
  abnormal: number;
}

export interface CompoundCounts {
  compoundId: number;
  compound: string;
  community: string;
  due: number;
  done: number;
  abnormal: number;
  buildings: BuildingCounts[];
}

/** Counts of a place in the list's order: a building (checkins.groups' buildings) or a unit (its units). */
export type PlaceCounts = Pick<UnitCounts, 'compoundId' | 'compound' | 'community' | 'buildingId' | 'building' | 'due' | 'done' | 'abnormal'>;

/** Buildings' (or units') counts added up per building and per compound, in the list's order. */
export function compoundsOf(units: PlaceCounts[]): CompoundCounts[] {
  const out: CompoundCounts[] = [];
  for (const u of units) {
    let c = out[out.length - 1];
    if (!c || c.compoundId !== u.compoundId) out.push((c = { compoundId: u.compoundId, compound: u.compound, community: u.community, due: 0, done: 0, abnormal: 0, buildings: [] }));
    let b = c.buildings[c.buildings.length - 1];
    if (!b || b.buildingId !== u.buildingId) c.buildings.push((b = { compoundId: u.compoundId, compound: u.compound, community: u.community, buildingId: u.buildingId, building: u.building, due: 0, done: 0, abnormal: 0 }));
    for (const x of [b, c]) {
      x.due += u.due;
      x.done += u.done;
      x.abnormal += u.abnormal;
    }
  }
  return out;
}

/** How many rows of a unit the list shows in a mode. */
function shown(u: Pick<PlaceCounts, 'due' | 'done' | 'abnormal'>, mode: ListMode): number {
  return mode === 'missing' ? u.due - u.done : mode === 'abnormal' ? u.abnormal : u.due;
}

/**
 * Where the first row of a building (or of a compound: `compoundId`) sits in the due list, from the groups (which are
 * in the list's order): the rows of every unit before it. Past the cutoff the whole list shows the unrecorded first,
 * so a building with someone missing starts among them, a building all recorded after every missing row. Null when
 * the list shows none of its rows.
 */
export function offsetOf(units: PlaceCounts[], target: { buildingId?: number; compoundId?: number }, mode: ListMode, pastCutoff: boolean): number | null {
  const hit = (u: PlaceCounts) => (target.buildingId !== undefined ? u.buildingId === target.buildingId : u.compoundId === target.compoundId);
  const mine = units.filter(hit);
  if (!mine.length) return null;
  const first = units.indexOf(mine[0]);
  const before = units.slice(0, first);
  const sum = (list: PlaceCounts[], f: (u: PlaceCounts) => number) => list.reduce((n, u) => n + f(u), 0);
  if (mode !== 'all' || !pastCutoff) return sum(mine, (u) => shown(u, mode)) > 0 ? sum(before, (u) => shown(u, mode)) : null;
  const missing = (u: PlaceCounts) => u.due - u.done;
  if (sum(mine, missing) > 0) return sum(before, missing);
  return sum(units, missing) + sum(before, (u) => u.done);
}

/**
 * When a save makes the list shorter from the front: the unrecorded-first order past the cutoff, or only the missing.
 * Then the next people after a page the clerk has finished are found at the same offset once it is read again.
 */
export function listShrinks(mode: ListMode, pastCutoff: boolean): boolean {
  return mode === 'missing' || (mode === 'all' && pastCutoff);
}

/** The groups after one check-in was saved: its unit and building one more 已报 (and 异常), without reading them again. */
export function withSavedGroup(groups: DueGroups, res: OutputOf<'checkins.record'>, input: RecordInput, where: { unitId: number; buildingId: number } | undefined): DueGroups {
  if (groups.date !== input.date || groups.slot !== input.slot || where === undefined) return groups;
  const plus = <T extends { due: number; done: number; abnormal: number }>(x: T): T => ({ ...x, done: Math.min(x.due, x.done + 1), abnormal: x.abnormal + (res.checkin.abnormal ? 1 : 0) });
  return {
    ...groups,
    buildings: groups.buildings.map((b) => (b.buildingId === where.buildingId ? plus(b) : b)),
    units: groups.units.map((u) => (u.unitId === where.unitId ? plus(u) : u)),
  };
}
