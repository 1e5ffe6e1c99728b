// Alert reasons and audit entries reach the screen as codes and names, not only as Chinese text (issue 12 part 4):
// every kind of alert is raised through the domain on a real database and read back as parts; the audit list puts
// account, person, place and cadre names to its ids, within the reader's scope.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { getResidentDetail } from '../../electron/domain/residents-detail.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { releaseBlockers } from '../../electron/domain/episodes-release.ts';
import { recordTestResult } from '../../electron/domain/tests.ts';
import { correctCheckIn, recordCheckIn } from '../../electron/domain/checkins.ts';
import { listAlerts } from '../../electron/domain/alerts.ts';
import { parseAlertReason } from '../../electron/domain/alertReason.ts';
import { createRound } from '../../electron/domain/rounds.ts';
import { recordRoundResult } from '../../electron/domain/rounds-results.ts';
import { listAudit } from '../../electron/domain/auditlog.ts';
import { login } from '../../electron/domain/users.ts';
import type { Actor } from '../../electron/domain/actor.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv(); // 2022-01-20 09:00 Shanghai
});
afterEach(() => t.close());

const clerk: Actor = { userId: 2, username: 'clerk', displayName: '街道王科员', role: 'clerk', communityId: null };

let seq = 0;
async function person(name: string, community: 'a' | 'b' = 'a') {
  const r = await createResident(t.ctx(clerk), {
    name,
    docType: '护照',
    docNumber: `G${300000 + ++seq}`,
    category: '密接',
    address: { communityId: t.communities[community], compound: '金桥小区', building: '3', unit: '2', room: String(700 + seq) },
  });
  const e = await startEpisode(t.ctx(clerk), { residentId: r.id, startDate: '2022-01-14' });
  return { id: r.id, episode: e };
}

async function reasonOf(alertId: number | null) {
  const rows = (await listAlerts(t.ctx(clerk), {})).rows;
  const a = rows.find((r) => r.id === alertId);
  expect(a, `alert ${alertId}`).toBeDefined();
  return a!;
}

describe('alert reasons as parts', () => {
  it('every kind of abnormal check-in reads back as slot + findings', async () => {
    const p = await person('张三');
    const a1 = await recordCheckIn(t.ctx(clerk), { residentId: p.id, date: '2022-01-19', slot: 'am', temperature: 37.6, symptoms: ['发热', '咳嗽'] });
    expect((await reasonOf(a1.alertId)).reasonParts).toEqual({
      slot: 'am',
      corrected: false,
      findings: [
        { code: 'temperature', value: 37.6, threshold: 37.3 },
        { code: 'symptoms', symptoms: ['发热', '咳嗽'], other: null },
      ],
    });
    // 其他 with typed text holding the separators the reason itself uses.
    const a2 = await recordCheckIn(t.ctx(clerk), {
      residentId: p.id, date: '2022-01-19', slot: 'pm', symptoms: ['乏力'], symptomOther: '头晕、恶心；（夜里）', testType: '抗原', testResult: '阳性', healthCode: '黄',
    });
    expect((await reasonOf(a2.alertId)).reasonParts).toEqual({
      slot: 'pm',
      corrected: false,
      findings: [
        { code: 'symptoms', symptoms: ['乏力', '其他'], other: '头晕、恶心；（夜里）' },
        { code: 'testPositive', testType: '抗原', sampleDate: null },
        { code: 'healthCode', color: '黄' },
      ],
    });
    const normal = await recordCheckIn(t.ctx(clerk), { residentId: p.id, date: '2022-01-20', slot: 'am', temperature: 36.5 });
    const a3 = await correctCheckIn(t.ctx(clerk), { id: normal.checkin.id, version: normal.checkin.version, healthCode: '红' });
    const r3 = await reasonOf(a3.alertId);
    expect(r3.reason).toContain('更正后');
    expect(r3.reasonParts).toEqual({ slot: 'am', corrected: true, findings: [{ code: 'healthCode', color: '红' }] });
  });

  it('a positive test reads back with its type and sample date; the person’s drawer carries the parts too', async () => {
    const p = await person('李四');
    const pos = await recordTestResult(t.ctx(clerk), { residentId: p.id, sampleDate: '2022-01-18', testType: '核酸', result: '阳性' });
    expect((await reasonOf(pos.alertId)).reasonParts).toEqual({ slot: null, corrected: false, findings: [{ code: 'testPositive', testType: '核酸', sampleDate: '2022-01-18' }] });
    const detail = await getResidentDetail(t.ctx(clerk), p.id);
    expect(detail.alerts[0].reasonParts?.findings[0]).toMatchObject({ code: 'testPositive', sampleDate: '2022-01-18' });
  });

  it('a test round’s positives read back: a pooled tube (each person to re-test alone) and a single tube proposing isolation', async () => {
    const round = await createRound(t.ctx(clerk), { startDate: '2022-01-19' });
    const neighbour = await createResident(t.ctx(clerk), { name: '王五', docType: '护照', docNumber: 'G399001', category: '其他', address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '801' } });
    const base = { roundId: round.round.id, residentId: neighbour.id, communityId: t.communities.a, sampleDate: '2022-01-19', sampleTime: '08:30', testType: '核酸' as const, result: '阳性' as const, importBatchId: null };
    const pooled = await recordRoundResult(t.ctx(clerk), { ...base, tubeNo: 'T0042', pooled: true });
    expect((await reasonOf(pooled.alertId)).reasonParts).toEqual({ slot: null, corrected: false, findings: [{ code: 'pooledPositive', tubeNo: 'T0042', sampleDate: '2022-01-19' }] });
    const single = await recordRoundResult(t.ctx(clerk), { ...base, sampleDate: '2022-01-20', tubeNo: 'S0001', pooled: false });
    expect((await reasonOf(single.alertId)).reasonParts).toEqual({ slot: null, corrected: false, findings: [{ code: 'roundPositive', testType: '核酸', sampleDate: '2022-01-20' }] });
  });

  it('text this app did not write is not guessed at', () => {
    expect(parseAlertReason('上级通报：密接')).toBeNull();
    expect(parseAlertReason('上午监测异常：症状：头疼')).toBeNull();
    expect(parseAlertReason('上午监测异常：')).toBeNull();
  });

  it('release blockers carry a code for each kind of missing result', async () => {
    const p = await person('王五'); // 01-14 … 01-20, test days 1 and 7
    await recordTestResult(t.ctx(clerk), { residentId: p.id, sampleDate: '2022-01-20', testType: '核酸', result: '待出结果' });
    expect((await releaseBlockers(t.ctx(), p.episode)).map((b) => [b.day, b.code])).toEqual([[1, 'missing'], [7, 'pending']]);
    await recordTestResult(t.ctx(clerk), { residentId: p.id, sampleDate: '2022-01-14', testType: '核酸', result: '阳性' });
    expect((await releaseBlockers(t.ctx(), p.episode)).map((b) => b.code)).toEqual(['positive', 'pending']);
  });
});

describe('the audit list names who and what', () => {
  it('accounts by display name, people by name (within the reader’s scope), places; cli keeps its own name', async () => {
    const inA = await person('赵六', 'a');
    const inB = await person('孙七', 'b');
    await recordCheckIn(t.ctx(clerk), { residentId: inA.id, date: '2022-01-19', slot: 'am', temperature: 36.5 });
    await recordCheckIn(t.ctx(clerk), { residentId: inB.id, date: '2022-01-19', slot: 'am', temperature: 36.6 });
    await expect(login(t.ctx(), 'clerk', 'wrong-password')).rejects.toThrow();
    await expect(login(t.ctx(), 'nobody', 'wrong-password')).rejects.toThrow();

    const rows = (await listAudit(t.ctx(clerk), { limit: 1000 })).rows;
    const failed = rows.filter((r) => r.action === 'auth.login_failed');
    expect(failed.map((r) => [r.userName, r.userDisplayName, r.entityName, (r.details as { reason: string }).reason])).toEqual([
      ['nobody', null, null, 'unknown_user'],
      ['clerk', '街道王科员', '街道王科员', 'bad_password'],
    ]);
    const checkins = rows.filter((r) => r.action === 'checkin.record');
    expect(checkins.map((r) => [r.userDisplayName, r.residentName])).toEqual([
      ['街道王科员', '孙七'],
      ['街道王科员', '赵六'],
    ]);
    const orgRow = rows.find((r) => r.action === 'org.create' || (r.entity === 'place' && r.entityId));
    expect(orgRow?.entityName).toBeTruthy();
    expect(rows.find((r) => r.userName === 'cli')?.userDisplayName).toBeNull();

    // A reader limited to one community (none has audit.read today; the rule holds if one ever does).
    const committee: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    const scoped = (await listAudit(t.ctx(committee), { action: 'checkin.record' })).rows;
    expect(scoped.map((r) => [r.residentId, r.residentName])).toEqual([
      [inB.id, null],
      [inA.id, '赵六'],
    ]);
  });
});
