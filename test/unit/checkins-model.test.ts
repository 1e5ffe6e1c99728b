// The 今日监测 entry's draft rules (renderer/src/pages/checkins/model.ts) use the shared check-in rule: a row typed
// "340" is stopped before it is sent, on the temperature, asking for a re-measurement; the abnormal mark follows the
// server's rule.
import { describe, expect, it } from 'vitest';
import {
  compoundsOf,
  draftLooksAbnormal,
  draftToInput,
  EMPTY_DRAFT,
  groupRows,
  listShrinks,
  nextOpenAfter,
  offsetOf,
  shapeTemperature,
  withSavedGroup,
  type Draft,
  type DueRow,
  type RecordResult,
  type UnitCounts,
} from '../../renderer/src/pages/checkins/model.ts';

const row = { residentId: 7 };
/** The page's words: here the key itself (these checks are about the shared rule's messages, not the page's). */
const say = (key: string) => key;
const typed = (keys: string, extra: Partial<Draft> = {}): Draft => ({ ...EMPTY_DRAFT, temp: shapeTemperature(keys), ...extra });

describe('check-in draft', () => {
  it('34.0–34.9 ℃ is refused on the temperature field with a re-measurement request; 35.0 goes through', () => {
    for (const keys of ['340', '34.9', '３４５']) {
      const r = draftToInput(typed(keys), row, '2022-01-20', 'am', say);
      expect(r, keys).toEqual({ error: { field: 'temperature', message: expect.stringContaining('复测') } });
    }
    expect(draftToInput(typed('350'), row, '2022-01-20', 'am', say)).toMatchObject({ input: { residentId: 7, temperature: 35, slot: 'am' } });
  });

  it('outside 34–43 ℃ is a typing slip to check', () => {
    for (const keys of ['330', '435']) {
      expect(draftToInput(typed(keys), row, '2022-01-20', 'pm', say)).toEqual({ error: { field: 'temperature', message: expect.stringContaining('34–43') } });
    }
  });

  it('marks a row abnormal by the server rule: at or above the threshold, a symptom, a positive test, a yellow or red code', () => {
    expect(draftLooksAbnormal(typed('372'), 37.3)).toBe(false);
    expect(draftLooksAbnormal(typed('373'), 37.3)).toBe(true);
    expect(draftLooksAbnormal(typed('365', { symptoms: ['咳嗽'] }), 37.3)).toBe(true);
    expect(draftLooksAbnormal(typed('365', { testResult: '阳性' }), 37.3)).toBe(true);
    expect(draftLooksAbnormal(typed('365', { testResult: '待出结果', healthCode: '绿' }), 37.3)).toBe(false);
    expect(draftLooksAbnormal(typed('365', { healthCode: '黄' }), 37.3)).toBe(true);
  });
});

describe('groupRows', () => {
  it('a unit that comes back further down is a group of its own with a key of its own (React reuses rows by key)', () => {
    const row = (residentId: number, unitId: number, buildingId = 1) =>
      ({ residentId, compoundId: 7, compound: '金桥小区', community: '西大街社区', buildingId, building: `${buildingId}号楼`, unitId, unit: '1单元', address: '' }) as unknown as DueRow;
    const groups = groupRows([row(1, 11), row(2, 21, 2), row(3, 11), row(4, 11), row(5, 12)]);
    expect(groups.map((g) => g.rows.map((r) => r.residentId))).toEqual([[1], [2], [3, 4], [5]]);
    const keys = groups.map((g) => g.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(groups[0].building).toBe(groups[2].building);
    expect(groups[3]).toMatchObject({ buildingId: 1, unitId: 12 });
  });
});

describe('the jump list and paging by groups', () => {
  // Three buildings of one compound, in the list's order; 2号楼 has two units.
  const u = (buildingId: number, unitId: number, due: number, done: number, abnormal = 0, compoundId = 7) =>
    ({ communityId: 1, community: '西大街社区', compoundId, compound: compoundId === 7 ? '金桥小区' : '安居小区', buildingId, building: `${buildingId}号楼`, unitId, unit: `${unitId}单元`, due, done, abnormal }) as UnitCounts;
  const units = [u(1, 11, 120, 120), u(2, 21, 50, 10, 1), u(2, 22, 30, 30, 2), u(10, 101, 40, 0)];

  it('adds units up per building and compound, in order', () => {
    const [c] = compoundsOf(units);
    expect(c).toMatchObject({ compoundId: 7, due: 240, done: 160, abnormal: 3 });
    expect(c.buildings.map((b) => [b.building, b.due, b.done, b.abnormal])).toEqual([
      ['1号楼', 120, 120, 0],
      ['2号楼', 80, 40, 3],
      ['10号楼', 40, 0, 0],
    ]);
  });

  it('finds where a building starts from the buildings\' counts as from the units\'', () => {
    const buildings = compoundsOf(units).flatMap((c) => c.buildings);
    for (const mode of ['all', 'missing', 'abnormal'] as const)
      for (const past of [false, true])
        for (const target of [{ buildingId: 1 }, { buildingId: 2 }, { buildingId: 10 }, { compoundId: 7 }]) expect(offsetOf(buildings, target, mode, past)).toBe(offsetOf(units, target, mode, past));
  });

  it('finds where a building starts in each mode, before and past the cutoff', () => {
    // Before the cutoff the list is in place order: the rows of the units before it.
    expect(offsetOf(units, { buildingId: 2 }, 'all', false)).toBe(120);
    expect(offsetOf(units, { buildingId: 10 }, 'all', false)).toBe(200);
    // Past the cutoff the unrecorded come first: a building with someone missing starts among them…
    expect(offsetOf(units, { buildingId: 2 }, 'all', true)).toBe(0);
    expect(offsetOf(units, { buildingId: 10 }, 'all', true)).toBe(40);
    // …a building all recorded after every missing row (80 missing in all).
    expect(offsetOf(units, { buildingId: 1 }, 'all', true)).toBe(80);
    expect(offsetOf(units, { buildingId: 10 }, 'missing', false)).toBe(40);
    expect(offsetOf(units, { buildingId: 1 }, 'missing', false)).toBeNull();
    expect(offsetOf(units, { buildingId: 2 }, 'abnormal', true)).toBe(0);
    expect(offsetOf(units, { buildingId: 10 }, 'abnormal', false)).toBeNull();
    expect(offsetOf(units, { compoundId: 7 }, 'all', false)).toBe(0);
    expect(offsetOf(units, { buildingId: 99 }, 'all', false)).toBeNull();
  });

  it('says when saves shrink the list from the front', () => {
    expect(listShrinks('all', false)).toBe(false);
    expect(listShrinks('all', true)).toBe(true);
    expect(listShrinks('missing', false)).toBe(true);
    expect(listShrinks('abnormal', true)).toBe(false);
  });

  it('a save counts one more 已报 (and 异常) in its unit only, and only for its date and slot', () => {
    const buildings = compoundsOf(units).flatMap((c) => c.buildings.map((b) => ({ ...b, communityId: 1 })));
    const groups = { date: '2022-01-20', slot: 'am' as const, buildings, units, cutoff: '10:00', pastCutoff: false };
    const res = { checkin: { abnormal: true } } as unknown as RecordResult;
    const input = { residentId: 1, date: '2022-01-20', slot: 'am' as const, symptoms: [] };
    const next = withSavedGroup(groups, res, input, { unitId: 21, buildingId: 2 });
    expect(next.units.find((x) => x.unitId === 21)).toMatchObject({ done: 11, abnormal: 2 });
    expect(next.units.filter((x) => x.unitId !== 21)).toEqual(units.filter((x) => x.unitId !== 21));
    expect(next.buildings.find((x) => x.buildingId === 2)).toMatchObject({ due: 80, done: 41, abnormal: 4 });
    expect(next.buildings.filter((x) => x.buildingId !== 2)).toEqual(buildings.filter((x) => x.buildingId !== 2));
    expect(withSavedGroup(groups, res, { ...input, slot: 'pm' }, { unitId: 21, buildingId: 2 })).toBe(groups);
  });

  it('Enter moves to the next open person on the page, across units, and stops at its end', () => {
    const r = (residentId: number, recorded: boolean) => ({ residentId, recorded }) as DueRow;
    const rows = [r(1, false), r(2, true), r(3, false), r(4, false)];
    const done = (x: DueRow) => x.recorded;
    expect(nextOpenAfter(rows, 1, done)?.residentId).toBe(3);
    expect(nextOpenAfter(rows, 4, done)).toBeNull();
    expect(nextOpenAfter(rows, 3, (x) => x.recorded || x.residentId === 4)).toBeNull();
  });
});
