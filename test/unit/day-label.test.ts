// Day N of M past the last day: an overdue person reads 超期 3 天（待解除）, not 第10天/共7天 — in the shared rule, the
// domain's label, 今日监测's rows (API label and numbers), the roster and check-ins reports, and the renderer's words.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInstance } from 'i18next';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { dayLabel as domainDayLabel } from '../../electron/domain/episodes-days.ts';
import { dueList, recordCheckIn } from '../../electron/domain/checkins.ts';
import { exportReport } from '../../electron/excel/export/index.ts';
import { dayText, daysOver } from '../../electron/shared/days.ts';
import enums from '../../renderer/src/i18n/enums.ts';
import { dayLabel } from '../../renderer/src/i18n/codes.ts';
import { readBack, rowWith } from './export-fixture.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv(); // 2022-01-20 09:00 Shanghai
});
afterEach(() => t.close());

async function person(name: string, docNumber: string, startDate: string) {
  const r = await createResident(t.ctx(), {
    name,
    docType: '护照',
    docNumber,
    category: '密接',
    phone: '13800138000',
    address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: docNumber.slice(-3) },
  });
  const e = await startEpisode(t.ctx(), { residentId: r.id, startDate });
  return { id: r.id, episode: e };
}

describe('the shared rule', () => {
  it('counts days over the last day and words them in both languages', () => {
    expect(daysOver({ n: 7, of: 7 })).toBe(0);
    expect(daysOver({ n: 10, of: 7 })).toBe(3);
    expect(dayText({ n: 6, of: 7 })).toBe('第6天/共7天');
    expect(dayText({ n: 7, of: 7 })).toBe('第7天/共7天');
    expect(dayText({ n: 8, of: 7 })).toBe('超期 1 天（待解除）');
    expect(dayText({ n: 10, of: 7 })).toBe('超期 3 天（待解除）');
    expect(dayText({ n: 6, of: 7 }, 'en')).toBe('Day 6 of 7');
    expect(dayText({ n: 8, of: 7 }, 'en')).toBe('1 day over (due for release)');
    expect(dayText({ n: 10, of: 7 }, 'en')).toBe('3 days over (due for release)');
  });
});

describe('the domain and 今日监测', () => {
  it('labels a running episode past its last day as 超期 N 天（待解除）, and sends the numbers too', async () => {
    const late = await person('超期甲', 'E100101', '2022-01-11'); // last day 01-17; 01-20 is day 10
    await person('在期乙', 'E100102', '2022-01-15'); // day 6
    expect(domainDayLabel(late.episode, '2022-01-17')).toBe('第7天/共7天');
    expect(domainDayLabel(late.episode, '2022-01-20')).toBe('超期 3 天（待解除）');

    const list = await dueList(t.ctx(), { date: '2022-01-20', slot: 'am' });
    const byName = new Map(list.rows.map((r) => [r.name, r]));
    expect(byName.get('超期甲')).toMatchObject({ dayN: 10, totalDays: 7, dayLabel: '超期 3 天（待解除）' });
    expect(byName.get('在期乙')).toMatchObject({ dayN: 6, totalDays: 7, dayLabel: '第6天/共7天' });
  });

  it('writes the same words in the roster and the check-ins reports', async () => {
    const late = await person('超期甲', 'E100101', '2022-01-11');
    await recordCheckIn(t.ctx(), { residentId: late.id, date: '2022-01-20', slot: 'am', symptoms: [], temperature: 36.5 });
    const out = tempDir('idesk-daylabel-');
    const roster = await readBack((await exportReport(t.ctx(), { report: 'roster', date: '2022-01-20', outDir: out })).path);
    const header = roster.rows[3];
    const row = rowWith(roster, '超期甲')!;
    expect(row[header.indexOf('第N天')]).toBe('超期 3 天（待解除）');
    expect(row[header.indexOf('状态')]).toBe('待解除');
    const checkins = await readBack((await exportReport(t.ctx(), { report: 'checkins', date: '2022-01-20', from: '2022-01-17', to: '2022-01-20', outDir: out })).path);
    const dayCol = checkins.rows.find((r) => r.includes('第N天'))!.indexOf('第N天');
    const days = checkins.rows.filter((r) => r.includes('超期甲')).map((r) => r[dayCol]);
    expect(days.length).toBeGreaterThan(0);
    expect(new Set(days)).toEqual(new Set(['超期 3 天（待解除）']));
  });
});

describe("the renderer's words", () => {
  it('show 超期 N 天（待解除） in Chinese and "N days over" in English, from the numbers the API sends', async () => {
    const i18n = createInstance();
    await i18n.init({ lng: 'zh-CN', fallbackLng: false, resources: { 'zh-CN': { enums: enums['zh-CN'] }, en: { enums: enums.en } }, interpolation: { escapeValue: false } });
    const zh = i18n.getFixedT('zh-CN');
    const en = i18n.getFixedT('en');
    expect(dayLabel(zh, { dayN: 6, totalDays: 7 })).toBe('第6天/共7天');
    expect(dayLabel(zh, { dayN: 10, totalDays: 7 })).toBe('超期 3 天（待解除）');
    expect(dayLabel(en, { dayN: 10, totalDays: 7 })).toBe('3 days over (due for release)');
    expect(dayLabel(en, { dayN: 8, totalDays: 7 })).toBe('1 day over (due for release)');
    expect(dayLabel(en, { dayN: 1, totalDays: 7 })).toBe('Day 1 of 7');
    expect(dayLabel(zh, { dayN: null, totalDays: null })).toBe('');
    // Beside the 待解除 tag (the residents grid) the bracket is left out.
    expect(dayLabel(zh, { dayN: 10, totalDays: 7 }, { short: true })).toBe('超期 3 天');
    expect(dayLabel(en, { dayN: 8, totalDays: 7 }, { short: true })).toBe('1 day over');
    expect(dayLabel(en, { dayN: 6, totalDays: 7 }, { short: true })).toBe('Day 6 of 7');
  });
});
