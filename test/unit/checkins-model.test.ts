// The 今日监测 entry's draft rules (renderer/src/pages/checkins/model.ts) use the shared check-in rule: a row typed
// "340" is stopped before it is sent, on the temperature, asking for a re-measurement; the abnormal mark follows the
// server's rule.
import { describe, expect, it } from 'vitest';
import { draftLooksAbnormal, draftToInput, EMPTY_DRAFT, groupRows, shapeTemperature, type Draft, type DueRow } from '../../renderer/src/pages/checkins/model.ts';

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
  it('a building that comes back further down is a group of its own with a key of its own (React reuses rows by key)', () => {
    const row = (residentId: number, address: string) => ({ residentId, compoundId: 7, compound: '金桥小区', community: '西大街社区', address }) as unknown as DueRow;
    const groups = groupRows([row(1, '金桥小区1号楼101'), row(2, '金桥小区2号楼101'), row(3, '金桥小区1号楼102'), row(4, '金桥小区1号楼103')]);
    expect(groups.map((g) => g.rows.map((r) => r.residentId))).toEqual([[1], [2], [3, 4]]);
    const keys = groups.map((g) => g.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(groups[0].building).toBe(groups[2].building);
  });
});
