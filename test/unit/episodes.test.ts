import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { extendEpisode, startEpisode, endEpisode } from '../../electron/domain/episodes.ts';
import { dayLabel, periodDates } from '../../electron/domain/episodes-days.ts';
import { releaseEpisode, batchRelease } from '../../electron/domain/episodes-release.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { updateSettings } from '../../electron/domain/settings.ts';
import { AppError } from '../../electron/shared/errors.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv({ now: '2022-01-19T02:00:00.000Z' }); // 2022-01-19 10:00 Shanghai
});
afterEach(() => t.close());

async function person(seq = 11, name = '张三') {
  const r = await createResident(t.ctx(), {
    name,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1985-03-04', seq),
    phone: '13800138000',
    category: '密接',
    address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' },
  });
  return r.id;
}

async function negativeTest(residentId: number, episodeId: number, date: string) {
  await t.handle.db
    .insertInto('tests')
    .values({ residentId, episodeId, sampleDate: date, testType: '核酸', result: '阴性', source: 'manual', checkinId: null, importBatchId: null, createdAt: 'x', updatedAt: 'x' })
    .execute();
}

describe('day counting', () => {
  it('start 2022-01-12, 7 days → day 7 is 01-18, release date 01-19', async () => {
    expect(periodDates('2022-01-12', 7)).toEqual({ lastDay: '2022-01-18', releaseDate: '2022-01-19' });
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    expect(e.lastDay).toBe('2022-01-18');
    expect(e.releaseDate).toBe('2022-01-19');
    expect(dayLabel(e, '2022-01-12')).toBe('第1天/共7天');
    expect(dayLabel(e, '2022-01-18')).toBe('第7天/共7天');
    expect(JSON.parse(e.testDays)).toEqual([1, 7]);
    const r = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(r).toMatchObject({ status: 'isolating', lastDay: '2022-01-18', releaseDate: '2022-01-19', currentEpisodeId: e.id });
  });

  it('refuses a second running episode and a future start', async () => {
    const id = await person();
    await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    await expect(startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-13' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const other = await person(13, '李四');
    await expect(startEpisode(t.ctx(), { residentId: other, startDate: '2022-01-25' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('release', () => {
  it('is blocked while a due test has no negative result, with the reason; override needs a reason', async () => {
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    await negativeTest(id, e.id, '2022-01-12');
    const err = await releaseEpisode(t.ctx(), { episodeId: e.id, version: e.version }).catch((x) => x);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('BLOCKED');
    expect(err.message).toContain('第7天（2022-01-18）缺少核酸阴性结果');
    const still = await t.handle.db.selectFrom('episodes').select('status').where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(still.status).toBe('active');
    const done = await releaseEpisode(t.ctx(), { episodeId: e.id, version: e.version, overrideReason: '采样点漏录，已电话核实阴性' });
    expect(done.episode).toMatchObject({ status: 'released', endedOn: '2022-01-19', overrideReason: '采样点漏录，已电话核实阴性' });
  });

  it('releases when both tests are negative, and starts follow-on monitoring on the release date (7+7)', async () => {
    await updateSettings(t.ctx(), { policy: { isolationDays: 7, monitoringDays: 7, testDays: [1, 'last'] } });
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    await negativeTest(id, e.id, '2022-01-12');
    await negativeTest(id, e.id, '2022-01-18');
    const r = await releaseEpisode(t.ctx(), { episodeId: e.id, version: e.version });
    expect(r.followOn).toMatchObject({ kind: 'health_monitoring', startDate: '2022-01-19', lastDay: '2022-01-25', releaseDate: '2022-01-26', status: 'active' });
    const res = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(res.status).toBe('monitoring');
  });

  it('needs a reason to release before the release date', async () => {
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-15' });
    await expect(releaseEpisode(t.ctx(), { episodeId: e.id, version: e.version })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('提前解除须填写原因') });
  });

  it('batch release releases the ready ones and lists each blocked one with its reason', async () => {
    const a = await person(11, '张三');
    const b = await person(13, '李四');
    const ea = await startEpisode(t.ctx(), { residentId: a, startDate: '2022-01-12' });
    const eb = await startEpisode(t.ctx(), { residentId: b, startDate: '2022-01-12' });
    await negativeTest(a, ea.id, '2022-01-12');
    await negativeTest(a, ea.id, '2022-01-18');
    const r = await batchRelease(t.ctx(), [
      { episodeId: ea.id, version: ea.version },
      { episodeId: eb.id, version: eb.version },
    ]);
    expect(r.released.map((x) => x.name)).toEqual(['张三']);
    expect(r.blocked).toEqual([
      { episodeId: eb.id, name: '李四', reason: expect.stringContaining('缺少核酸阴性结果'), key: 'episodes.releaseBlocked', params: expect.objectContaining({ name: '李四' }) },
    ]);
  });
});

describe('extension and end', () => {
  it('keeps the previous end and the reason', async () => {
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    const x = await extendEpisode(t.ctx(), { episodeId: e.id, version: e.version, newLastDay: '2022-01-21', reason: '同住人阳性' });
    expect(x).toMatchObject({ lastDay: '2022-01-21', releaseDate: '2022-01-22', version: e.version + 1 });
    const hist = await t.handle.db.selectFrom('episodeExtensions').selectAll().where('episodeId', '=', e.id).execute();
    expect(hist).toEqual([expect.objectContaining({ previousLastDay: '2022-01-18', newLastDay: '2022-01-21', reason: '同住人阳性' })]);
    await expect(extendEpisode(t.ctx(), { episodeId: e.id, version: e.version, newLastDay: '2022-01-25', reason: 'x' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(extendEpisode(t.ctx(), { episodeId: e.id, version: x.version, newLastDay: '2022-01-20', reason: 'x' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('transfer needs a reason and sets the status', async () => {
    const id = await person();
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-12' });
    await expect(endEpisode(t.ctx(), { episodeId: e.id, version: e.version, outcome: 'transferred', reason: ' ' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const done = await endEpisode(t.ctx(), { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转运至集中隔离点' });
    expect(done.status).toBe('transferred');
    const r = await t.handle.db.selectFrom('residents').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(r.status).toBe('transferred');
  });
});
