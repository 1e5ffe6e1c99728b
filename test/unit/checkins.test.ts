// Check-ins: the abnormal rule, alerts, one record per slot, corrections with their audit trail, due / overdue lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { correctCheckIn, dueList, recordCheckIn, type CheckinInput } from '../../electron/domain/checkins.ts';
import { updateSettings } from '../../electron/domain/settings.ts';
import type { Actor } from '../../electron/domain/actor.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv(); // 2022-01-20 09:00 Shanghai
});
afterEach(() => t.close());

const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: 0 };

let seq = 0;
async function person(name: string, startDate = '2022-01-15', place: { compound?: string; room?: string; community?: 'a' | 'b' } = {}) {
  const r = await createResident(t.ctx(), {
    name,
    docType: '护照',
    docNumber: `E${100000 + ++seq}`,
    category: '密接',
    phone: '13800138000',
    address: { communityId: t.communities[place.community ?? 'a'], compound: place.compound ?? '金桥小区', building: '3', unit: '2', room: place.room ?? String(500 + seq) },
  });
  const e = await startEpisode(t.ctx(), { residentId: r.id, startDate });
  return { id: r.id, episodeId: e.id };
}

const base = (residentId: number, extra: Partial<CheckinInput> = {}): CheckinInput => ({ residentId, date: '2022-01-20', slot: 'am', symptoms: [], ...extra });

async function alertsOf(residentId: number) {
  return t.handle.db.selectFrom('alerts').selectAll().where('residentId', '=', residentId).orderBy('id').execute();
}

describe('abnormal rule', () => {
  it('37.2 is normal, 37.3 (the default threshold) is abnormal and opens an alert at once', async () => {
    const p = await person('张三');
    const normal = await recordCheckIn(t.ctx(), base(p.id, { temperature: 37.2 }));
    expect(normal.checkin.abnormal).toBe(false);
    expect(normal.alertId).toBeNull();
    expect(await alertsOf(p.id)).toHaveLength(0);

    const fever = await recordCheckIn(t.ctx(), base(p.id, { slot: 'pm', temperature: 37.3 }));
    expect(fever.checkin.abnormal).toBe(true);
    const alerts = await alertsOf(p.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: fever.alertId, status: 'open', checkinId: fever.checkin.id, date: '2022-01-20', communityId: t.communities.a });
    expect(alerts[0].reason).toContain('体温37.3℃');
    const r = await t.handle.db.selectFrom('residents').select('latestTemperature').where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(r.latestTemperature).toBe(37.3);
  });

  it('follows the threshold setting', async () => {
    await updateSettings(t.ctx(), { feverThreshold: 37.5 });
    const p = await person('张三');
    expect((await recordCheckIn(t.ctx(), base(p.id, { temperature: 37.4 }))).checkin.abnormal).toBe(false);
    expect((await recordCheckIn(t.ctx(), base(p.id, { slot: 'pm', temperature: 37.5 }))).checkin.abnormal).toBe(true);
  });

  it.each([
    [{ symptoms: ['咳嗽'] }, '症状：咳嗽'],
    [{ symptoms: ['其他'], symptomOther: '头痛' }, '其他（头痛）'],
    [{ testType: '抗原', testResult: '阳性' }, '抗原检测阳性'],
    [{ healthCode: '红' }, '健康码红码'],
    [{ healthCode: '黄' }, '健康码黄码'],
  ] as [Partial<CheckinInput>, string][])('%o is abnormal (%s)', async (extra, words) => {
    const p = await person('李四');
    const r = await recordCheckIn(t.ctx(), base(p.id, { temperature: 36.5, ...extra }));
    expect(r.checkin.abnormal).toBe(true);
    const [alert] = await alertsOf(p.id);
    expect(alert.reason).toContain(words);
  });

  it('green code, negative or pending test and a normal temperature are normal', async () => {
    const p = await person('王五');
    const r = await recordCheckIn(t.ctx(), base(p.id, { temperature: 36.8, healthCode: '绿', testType: '核酸', testResult: '待出结果', contactMethod: '电话' }));
    expect(r.checkin.abnormal).toBe(false);
    expect(r.checkin.recordedBy).toBe('命令行');
    expect(await alertsOf(p.id)).toHaveLength(0);
    const tests = await t.handle.db.selectFrom('tests').selectAll().where('residentId', '=', p.id).execute();
    expect(tests).toMatchObject([{ source: 'checkin', checkinId: r.checkin.id, testType: '核酸', result: '待出结果', sampleDate: '2022-01-20', episodeId: p.episodeId }]);
  });
});

describe('recording rules', () => {
  it('a slot cannot be recorded twice; the message points to 更正', async () => {
    const p = await person('张三');
    await recordCheckIn(t.ctx(), base(p.id, { temperature: 36.5 }));
    await expect(recordCheckIn(t.ctx(), base(p.id, { temperature: 36.6 }))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('更正') });
    expect(await t.handle.db.selectFrom('checkins').select('id').execute()).toHaveLength(1);
  });

  it('refuses future dates, dates outside the episode, impossible temperatures and unknown people', async () => {
    const p = await person('张三', '2022-01-15');
    await expect(recordCheckIn(t.ctx(), base(p.id, { date: '2022-01-21', temperature: 36.5 }))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('今天以后') });
    await expect(recordCheckIn(t.ctx(), base(p.id, { date: '2022-01-14', temperature: 36.5 }))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('不在隔离') });
    await expect(recordCheckIn(t.ctx(), base(p.id, { temperature: 33.9 }))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('34') });
    await expect(recordCheckIn(t.ctx(), base(p.id, { temperature: 43.1 }))).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(recordCheckIn(t.ctx(), base(p.id, { symptoms: ['其他'] }))).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('其他') });
    await expect(recordCheckIn(t.ctx(), base(9999, { temperature: 36.5 }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A past day inside the episode is fine.
    await expect(recordCheckIn(t.ctx(), base(p.id, { date: '2022-01-15', temperature: 36.5 }))).resolves.toBeTruthy();
    expect(await t.handle.db.selectFrom('checkins').select('id').execute()).toHaveLength(1);
  });

  it('an implausibly low reading (34.0–34.9 ℃) is refused on the temperature field asking for a re-measurement; 35.0 is saved', async () => {
    const p = await person('张三', '2022-01-15');
    for (const temperature of [34.0, 34.9]) {
      await expect(recordCheckIn(t.ctx(), base(p.id, { temperature }))).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('复测'),
        fields: [{ field: 'temperature', message: expect.stringContaining('复测') }],
      });
    }
    // Through the API too (the contract's own check answers the same words), and nothing was written.
    const admin = await t.login('clerk');
    const r = await t.dispatch('checkins.record', { residentId: p.id, date: '2022-01-20', slot: 'am', temperature: 34.0 }, admin);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', fields: [{ field: 'temperature', message: expect.stringContaining('复测') }] } });
    expect(await t.handle.db.selectFrom('checkins').select('id').execute()).toHaveLength(0);
    expect(await t.handle.db.selectFrom('auditLog').select('id').where('action', '=', 'checkin.record').execute()).toHaveLength(0);
    const ok = await recordCheckIn(t.ctx(), base(p.id, { temperature: 35.0 }));
    expect(ok.checkin).toMatchObject({ temperature: 35, abnormal: false });
    // A correction cannot turn a reading into an implausible one either.
    await expect(correctCheckIn(t.ctx(), { id: ok.checkin.id, version: ok.checkin.version, temperature: 34.2 })).rejects.toMatchObject({ code: 'VALIDATION', fields: [{ field: 'temperature' }] });
  });

  it('a committee member cannot record for another community', async () => {
    const p = await person('华夏', '2022-01-15', { community: 'b' });
    const actor = { ...committee1, communityId: t.communities.a };
    await expect(recordCheckIn(t.ctx(actor), base(p.id, { temperature: 36.5 }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('correction (更正)', () => {
  it('keeps the earlier values in the audit trail, checks the version and re-evaluates abnormal', async () => {
    const p = await person('张三');
    const first = await recordCheckIn(t.ctx(), base(p.id, { temperature: 36.5 }));
    const fixed = await correctCheckIn(t.ctx(), { id: first.checkin.id, version: first.checkin.version, temperature: 38.1, symptoms: ['发热'] });
    expect(fixed.checkin).toMatchObject({ temperature: 38.1, symptoms: ['发热'], abnormal: true, version: 2 });
    expect(fixed.alertId).not.toBeNull();

    const entry = await t.handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'checkin.correct').executeTakeFirstOrThrow();
    const details = JSON.parse(entry.details!);
    expect(details.before).toMatchObject({ temperature: 36.5, symptoms: '[]', abnormal: 0 });
    expect(details.after).toMatchObject({ temperature: 38.1, symptoms: '["发热"]', abnormal: 1 });
    expect(entry.entityId).toBe(first.checkin.id);

    // Stale version: refused, nothing changed.
    await expect(correctCheckIn(t.ctx(), { id: first.checkin.id, version: 1, temperature: 36.0 })).rejects.toMatchObject({ code: 'CONFLICT' });
    // Still abnormal after a second correction: the open alert is not duplicated.
    const again = await correctCheckIn(t.ctx(), { id: first.checkin.id, version: 2, temperature: 38.5 });
    expect(again.alertId).toBeNull();
    expect(await alertsOf(p.id)).toHaveLength(1);
    const r = await t.handle.db.selectFrom('residents').select('latestTemperature').where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(r.latestTemperature).toBe(38.5);
  });

  it('keeps the check-in test row in step', async () => {
    const p = await person('张三');
    const c = await recordCheckIn(t.ctx(), base(p.id, { temperature: 36.5, testType: '核酸', testResult: '待出结果' }));
    await correctCheckIn(t.ctx(), { id: c.checkin.id, version: 1, testResult: '阴性' });
    const tests = await t.handle.db.selectFrom('tests').selectAll().where('residentId', '=', p.id).execute();
    expect(tests).toMatchObject([{ result: '阴性', version: 2, source: 'checkin' }]);
  });
});

describe('due and overdue', () => {
  it('lists people in a running episode, flags overdue after the cutoff, and counts', async () => {
    const a = await person('阿强', '2022-01-15', { compound: '金桥小区', room: '101' });
    const b = await person('白兰', '2022-01-18', { compound: '金桥小区', room: '102' });
    const c = await person('陈晨', '2022-01-19', { compound: '安居小区', room: '201' });
    await person('邓丹', '2022-01-16', { community: 'b' });
    await recordCheckIn(t.ctx(), base(b.id, { temperature: 36.4 }));

    const early = await dueList(t.ctx(), { date: '2022-01-20', slot: 'am', communityId: t.communities.a });
    expect(early.counter).toEqual({ due: 3, done: 1, overdue: 0 });
    expect(early.rows.map((r) => r.name)).toEqual(['陈晨', '阿强', '白兰']); // compound 安居 < 金桥, then address
    expect(early.rows.every((r) => !r.overdue)).toBe(true);
    const rowA = early.rows.find((r) => r.residentId === a.id)!;
    expect(rowA).toMatchObject({ dayLabel: '第6天/共7天', recorded: false, checkin: null, compound: '金桥小区', community: '西大街社区', phone: '138****8000' });
    expect(early.rows.find((r) => r.residentId === b.id)).toMatchObject({ recorded: true, checkin: { temperature: 36.4, abnormal: false } });

    t.clock.set('2022-01-20T02:01:00.000Z'); // 10:01, past the 10:00 cutoff
    const late = await dueList(t.ctx(), { date: '2022-01-20', slot: 'am', communityId: t.communities.a });
    expect(late.counter).toEqual({ due: 3, done: 1, overdue: 2 });
    expect(late.rows.map((r) => [r.name, r.overdue])).toEqual([
      ['陈晨', true],
      ['阿强', true],
      ['白兰', false],
    ]);
    // The evening slot is not overdue yet; yesterday's is.
    expect((await dueList(t.ctx(), { date: '2022-01-20', slot: 'pm', communityId: t.communities.a })).counter.overdue).toBe(0);
    const yesterday = await dueList(t.ctx(), { date: '2022-01-19', slot: 'pm', communityId: t.communities.a });
    expect(yesterday.counter).toEqual({ due: 3, done: 0, overdue: 3 });
    expect(yesterday.rows.find((r) => r.residentId === c.id)?.dayLabel).toBe('第1天/共7天');

    // Whole subdistrict vs a committee member's scope; paging.
    expect((await dueList(t.ctx(), { date: '2022-01-20', slot: 'am' })).counter.due).toBe(4);
    const mine = await dueList(t.ctx({ ...committee1, communityId: t.communities.a }), { date: '2022-01-20', slot: 'am' });
    expect(mine.counter.due).toBe(3);
    const page2 = await dueList(t.ctx(), { date: '2022-01-20', slot: 'am', limit: 2, offset: 2 });
    expect(page2.rows).toHaveLength(2);
    expect(page2.total).toBe(4);
  });

  it('uses the cutoff setting', async () => {
    await updateSettings(t.ctx(), { cutoffAm: '08:30' });
    await person('阿强');
    expect((await dueList(t.ctx(), { date: '2022-01-20', slot: 'am' })).counter.overdue).toBe(1);
  });
});
