// Alerts and test results: a positive test opens an alert and blocks release; closing records what was done, by whom, when.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { releaseBlockers, releaseEpisode } from '../../electron/domain/episodes-release.ts';
import { recordTestResult } from '../../electron/domain/tests.ts';
import { recordCheckIn } from '../../electron/domain/checkins.ts';
import { closeAlert, listAlerts } from '../../electron/domain/alerts.ts';
import { inTx } from '../../electron/domain/context.ts';
import type { Actor } from '../../electron/domain/actor.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv(); // 2022-01-20 09:00 Shanghai
});
afterEach(() => t.close());

const clerk: Actor = { userId: 2, username: 'clerk', displayName: '街道王科员', role: 'clerk', communityId: null };

let seq = 0;
async function person(name: string, startDate = '2022-01-12', community: 'a' | 'b' = 'a') {
  const r = await createResident(t.ctx(), {
    name,
    docType: '护照',
    docNumber: `G${200000 + ++seq}`,
    category: '密接',
    address: { communityId: t.communities[community], compound: '金桥小区', building: '3', unit: '2', room: String(600 + seq) },
  });
  const e = await startEpisode(t.ctx(), { residentId: r.id, startDate });
  return { id: r.id, episode: e };
}

describe('test results', () => {
  it('a positive nucleic-acid result opens an alert at once and blocks release', async () => {
    const p = await person('张三'); // 01-12 … 01-18, test days 1 and 7
    await recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-12', testType: '核酸', result: '阴性' });
    const pos = await recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-18', testType: '核酸', result: '阳性' });
    expect(pos.test).toMatchObject({ source: 'manual', episodeId: p.episode.id, result: '阳性' });
    expect(pos.alertId).not.toBeNull();
    const alert = await t.handle.db.selectFrom('alerts').selectAll().where('id', '=', pos.alertId!).executeTakeFirstOrThrow();
    expect(alert).toMatchObject({ status: 'open', testId: pos.test.id, residentId: p.id, reason: expect.stringContaining('核酸检测阳性') });

    const blockers = await releaseBlockers(t.ctx(), p.episode);
    expect(blockers.map((b) => b.message)).toEqual([expect.stringContaining('第7天（2022-01-18）核酸结果为阳性')]);
    await expect(releaseEpisode(t.ctx(clerk), { episodeId: p.episode.id, version: p.episode.version })).rejects.toMatchObject({ code: 'BLOCKED' });
  });

  it('negatives on each test day let the release through', async () => {
    const p = await person('李四');
    await recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-12', testType: '核酸', result: '阴性' });
    expect(await releaseBlockers(t.ctx(), p.episode)).toHaveLength(1);
    const r = await recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-18', testType: '核酸', result: '阴性', source: 'import' });
    expect(r.alertId).toBeNull();
    expect(await releaseBlockers(t.ctx(), p.episode)).toHaveLength(0);
    await expect(releaseEpisode(t.ctx(clerk), { episodeId: p.episode.id, version: p.episode.version })).resolves.toMatchObject({ episode: { status: 'released' } });
  });

  it('runs inside the caller\'s transaction: a failing import rolls the result and its alert back', async () => {
    const p = await person('王五');
    await expect(
      inTx(t.ctx(), async (tx) => {
        await recordTestResult(tx, { residentId: p.id, sampleDate: '2022-01-18', testType: '核酸', result: '阳性', source: 'import' });
        expect(await tx.db.selectFrom('tests').select('id').execute()).toHaveLength(1);
        throw new Error('row 7 is bad');
      }),
    ).rejects.toThrow('row 7');
    expect(await t.handle.db.selectFrom('tests').select('id').execute()).toHaveLength(0);
    expect(await t.handle.db.selectFrom('alerts').select('id').execute()).toHaveLength(0);
  });

  it('refuses a sample date outside the episode or in the future', async () => {
    const p = await person('赵六', '2022-01-15');
    await expect(recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-14', testType: '核酸', result: '阴性' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(recordTestResult(t.ctx(), { residentId: p.id, sampleDate: '2022-01-21', testType: '核酸', result: '阴性' })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await t.handle.db.selectFrom('tests').select('id').execute()).toHaveLength(0);
  });
});

describe('alerts', () => {
  it('are listed with person, address and community, and closed with what was done, who and when', async () => {
    const p = await person('张三', '2022-01-15');
    const q = await person('钱七', '2022-01-15', 'b');
    const c = await recordCheckIn(t.ctx(), { residentId: p.id, date: '2022-01-20', slot: 'am', temperature: 38.2, symptoms: [] });
    await recordCheckIn(t.ctx(), { residentId: q.id, date: '2022-01-20', slot: 'am', temperature: 36.5, symptoms: ['咳嗽'] });

    const open = await listAlerts(t.ctx(), { status: 'open' });
    expect(open.total).toBe(2);
    const mine = await listAlerts(t.ctx(), { status: 'open', communityId: t.communities.a });
    expect(mine.rows).toMatchObject([{ id: c.alertId, name: '张三', community: '西大街社区', compound: '金桥小区', address: expect.stringContaining('金桥小区3号楼2单元'), status: 'open' }]);

    t.clock.set('2022-01-20T02:30:00.000Z');
    await expect(closeAlert(t.ctx(clerk), { id: c.alertId!, version: 1, action: '其他', note: '  ' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(closeAlert(t.ctx(clerk), { id: c.alertId!, version: 9, action: '复测正常' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const closed = await closeAlert(t.ctx(clerk), { id: c.alertId!, version: 1, action: '复测正常', note: '10:20 复测 36.7℃' });
    expect(closed).toMatchObject({ status: 'closed', action: '复测正常', actionNote: '10:20 复测 36.7℃', closedBy: '街道王科员', closedAt: '2022-01-20T10:30:00+08:00', version: 2 });
    await expect(closeAlert(t.ctx(clerk), { id: c.alertId!, version: 2, action: '上报' })).rejects.toMatchObject({ code: 'VALIDATION' });

    expect((await listAlerts(t.ctx(), { status: 'open' })).rows.map((r) => r.name)).toEqual(['钱七']);
    expect((await listAlerts(t.ctx(), { status: 'closed', residentId: p.id })).total).toBe(1);
    const entry = await t.handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'alert.close').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ userName: 'clerk', entityId: c.alertId, residentId: p.id });
    expect(JSON.parse(entry.details!).after).toMatchObject({ action: '复测正常' });
  });

  it('a committee member sees and closes only their community\'s alerts', async () => {
    const q = await person('钱七', '2022-01-15', 'b');
    const c = await recordCheckIn(t.ctx(), { residentId: q.id, date: '2022-01-20', slot: 'am', healthCode: '红', symptoms: [] });
    const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    expect((await listAlerts(t.ctx(committee1), {})).total).toBe(0);
    expect((await listAlerts(t.ctx(committee1), { communityId: t.communities.b })).rows).toHaveLength(0);
    await expect(closeAlert(t.ctx(committee1), { id: c.alertId!, version: 1, action: '上报' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const a = await t.handle.db.selectFrom('alerts').select(['status', 'version']).where('id', '=', c.alertId!).executeTakeFirstOrThrow();
    expect(a).toEqual({ status: 'open', version: 1 });
  });
});
