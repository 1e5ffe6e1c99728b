// Dashboard / daily-report numbers against a small scenario counted by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { endEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { releaseEpisode } from '../../electron/domain/episodes-release.ts';
import { recordCheckIn } from '../../electron/domain/checkins.ts';
import { recordTestResult } from '../../electron/domain/tests.ts';
import { closeAlert } from '../../electron/domain/alerts.ts';
import { communityDailyStats, getDashboard, type CommunityDailyRow } from '../../electron/domain/dashboard.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import type { SupplyCategory, SupplyStatus, Urgency } from '../../electron/db/schema.ts';

let t: TestEnv;
afterEach(() => t.close());

let seq = 0;
async function person(name: string, community: 'a' | 'b', startDate: string, kind: 'home_isolation' | 'health_monitoring' = 'home_isolation') {
  const r = await createResident(t.ctx(), {
    name,
    docType: '护照',
    docNumber: `D${300000 + ++seq}`,
    category: '密接',
    address: { communityId: t.communities[community], compound: community === 'a' ? '金桥小区' : '华夏小区', building: '1', unit: '1', room: String(100 + seq) },
  });
  const e = await startEpisode(t.ctx(), { residentId: r.id, startDate, kind, days: 7 });
  return { id: r.id, episode: e };
}

async function supply(residentId: number, category: SupplyCategory, urgency: Urgency, status: SupplyStatus, createdAt: string, deliveredAt?: string) {
  const h = await t.handle.db
    .selectFrom('residents')
    .innerJoin('households', 'households.id', 'residents.householdId')
    .select(['households.id', 'households.communityId', 'households.compoundId'])
    .where('residents.id', '=', residentId)
    .executeTakeFirstOrThrow();
  const s = await t.handle.db
    .insertInto('supplyRequests')
    .values({ householdId: h.id, communityId: h.communityId, compoundId: h.compoundId, category, urgency, requestedBy: null, notes: null, status, cadreId: null, amountCents: null, paid: 0, cancelReason: null, createdBy: 'test', statusAt: deliveredAt ?? createdAt, createdAt, updatedAt: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (deliveredAt) await t.handle.db.insertInto('supplyTransitions').values({ requestId: s.id, fromStatus: 'delivering', toStatus: 'delivered', userName: 'test', note: null, at: deliveredAt }).execute();
}

async function cadre(name: string, community: 'a' | 'b', status: 'on_duty' | 'resting', dutyFrom: string | null, dutyTo: string | null) {
  await t.handle.db
    .insertInto('cadres')
    .values({ name, homeUnit: '市住建局', title: null, phone: null, communityId: t.communities[community], status, dutyFrom, dutyTo, notes: null, createdAt: 'x', updatedAt: 'x' })
    .execute();
}

const zero: Omit<CommunityDailyRow, 'communityId' | 'community'> = {
  underControl: 0, newToday: 0, releasedToday: 0, dueForRelease: 0, checkinsDue: 0, checkinsDone: 0, checkinsMissing: 0,
  abnormalCheckins: 0, alertsOpen: 0, supplyNew: 0, supplyDelivered: 0, supplyPending: 0, supplyOverdue: 0, cadresOnDuty: 0,
};

describe('communityDailyStats and getDashboard', () => {
  beforeEach(async () => {
    t = await makeEnv(); // 2022-01-20 09:00 Shanghai
    // 西大街 (a)
    const p1 = await person('P1', 'a', '2022-01-14'); // day 7 of 7 today
    const p2 = await person('P2', 'a', '2022-01-12'); // last day 01-18: due for release
    const p3 = await person('P3', 'a', '2022-01-20'); // new today
    const p4 = await person('P4', 'a', '2022-01-12'); // released today
    const p5 = await person('P5', 'a', '2022-01-13'); // transferred 01-19
    await releaseEpisode(t.ctx(), { episodeId: p4.episode.id, version: 1, overrideReason: '检测结果在纸质台账' });
    await endEpisode(t.ctx(), { episodeId: p5.episode.id, version: 1, outcome: 'transferred', reason: '转集中隔离', date: '2022-01-19' });
    await recordCheckIn(t.ctx(), { residentId: p1.id, date: '2022-01-20', slot: 'am', temperature: 36.5, symptoms: [] });
    await recordCheckIn(t.ctx(), { residentId: p2.id, date: '2022-01-20', slot: 'am', temperature: 37.5, symptoms: [] }); // abnormal, alert open
    await recordCheckIn(t.ctx(), { residentId: p3.id, date: '2022-01-20', slot: 'am', temperature: 36.6, symptoms: [] });
    await recordCheckIn(t.ctx(), { residentId: p1.id, date: '2022-01-19', slot: 'pm', temperature: 36.6, symptoms: [] });
    // 华夏里 (b)
    const q1 = await person('Q1', 'b', '2022-01-16');
    await person('Q2', 'b', '2022-01-19', 'health_monitoring');
    const pos = await recordTestResult(t.ctx(), { residentId: q1.id, sampleDate: '2022-01-19', testType: '抗原', result: '阳性' });
    await closeAlert(t.ctx(), { id: pos.alertId!, version: 1, action: '送医', note: '已送市医院' });
    // Supplies (rules of supplyRules.ts: urgent overdue after 2 h, normal after 24 h)
    await supply(p1.id, '蔬菜', 'normal', 'new', '2022-01-20T08:00:00+08:00'); // new today, pending
    await supply(p2.id, '药品', 'urgent', 'assigned', '2022-01-20T06:00:00+08:00'); // new today, pending, overdue
    await supply(p3.id, '粮油', 'normal', 'delivered', '2022-01-19T15:00:00+08:00', '2022-01-20T08:30:00+08:00'); // delivered today
    await supply(q1.id, '蔬菜', 'normal', 'new', '2022-01-18T10:00:00+08:00'); // pending, overdue
    await cadre('甲', 'a', 'on_duty', null, null);
    await cadre('乙', 'a', 'resting', null, null);
    await cadre('丙', 'b', 'on_duty', '2022-01-10', '2022-01-19');
    await cadre('丁', 'b', 'on_duty', '2022-01-15', null);
  });

  it('rows agree with the hand count for today', async () => {
    const rows = await communityDailyStats(t.ctx(), '2022-01-20');
    expect(rows).toEqual([
      {
        ...zero, communityId: t.communities.a, community: '西大街社区',
        underControl: 3, newToday: 1, releasedToday: 1, dueForRelease: 1,
        checkinsDue: 6, checkinsDone: 3, checkinsMissing: 3, abnormalCheckins: 1, alertsOpen: 1,
        supplyNew: 2, supplyDelivered: 1, supplyPending: 2, supplyOverdue: 1, cadresOnDuty: 1,
      },
      {
        ...zero, communityId: t.communities.b, community: '华夏里社区',
        underControl: 2, checkinsDue: 4, checkinsMissing: 4, supplyPending: 1, supplyOverdue: 1, cadresOnDuty: 1,
      },
    ]);
  });

  it('counts a past date as it was', async () => {
    const rows = await communityDailyStats(t.ctx(), '2022-01-19');
    // a: P1, P2, P4 (released only on 01-20); P5 was transferred on 01-19. P1 reported the evening slot.
    expect(rows[0]).toMatchObject({ underControl: 3, newToday: 0, releasedToday: 0, dueForRelease: 2, checkinsDue: 6, checkinsDone: 1, abnormalCheckins: 0, alertsOpen: 0 });
    // b: Q1 and Q2 (monitoring from 01-19; monitoring is not "new isolation").
    expect(rows[1]).toMatchObject({ underControl: 2, newToday: 0, cadresOnDuty: 2 });
    const earlier = await communityDailyStats(t.ctx(), '2022-01-18');
    expect(earlier[0]).toMatchObject({ underControl: 4, dueForRelease: 0 });
  });

  it('getDashboard: totals are the column sums, the current slot, charts', async () => {
    const d = await getDashboard(t.ctx(), '2022-01-20');
    expect(d.totals).toEqual({
      underControl: 5, newToday: 1, releasedToday: 1, dueForRelease: 1, checkinsDue: 10, checkinsDone: 3, checkinsMissing: 7,
      abnormalCheckins: 1, alertsOpen: 1, supplyNew: 2, supplyDelivered: 1, supplyPending: 3, supplyOverdue: 2, cadresOnDuty: 2,
    });
    expect(d.slot).toEqual({ slot: 'am', due: 5, done: 3, overdue: 0 });
    expect(d.charts.perDay).toHaveLength(30);
    expect(d.charts.perDay[0].date).toBe('2021-12-22');
    expect(d.charts.perDay.slice(-3)).toEqual([
      { date: '2022-01-18', isolating: 5, monitoring: 0 },
      { date: '2022-01-19', isolating: 4, monitoring: 1 },
      { date: '2022-01-20', isolating: 4, monitoring: 1 },
    ]);
    expect(d.charts.completionByCommunity).toEqual([
      { communityId: t.communities.a, community: '西大街社区', due: 6, done: 3, rate: 0.5 },
      { communityId: t.communities.b, community: '华夏里社区', due: 4, done: 0, rate: 0 },
    ]);
    expect(Object.fromEntries(d.charts.suppliesByStatus.map((s) => [s.status, s.count]))).toEqual({ new: 2, assigned: 1, delivering: 0, delivered: 1, cancelled: 0 });
    expect(d.charts.suppliesByCategory.filter((c) => c.count)).toEqual([
      { category: '蔬菜', count: 2 },
      { category: '粮油', count: 1 },
      { category: '药品', count: 1 },
    ]);

    t.clock.set('2022-01-20T04:30:00.000Z'); // 12:30: the evening slot
    expect((await getDashboard(t.ctx())).slot).toEqual({ slot: 'pm', due: 5, done: 0, overdue: 0 });
  });

  it('the board of a date: closed requests created on it, requests closed on it, alerts closed only after it', async () => {
    const byStatus = async (date: string, actor?: Actor) => Object.fromEntries((await getDashboard(t.ctx(actor), date)).charts.suppliesByStatus.map((x) => [x.status, x.count]));
    const alertsOpen = async (date: string, actor?: Actor) => (await getDashboard(t.ctx(actor), date)).totals.alertsOpen;
    const before = { d20: await byStatus('2022-01-20'), d19: await byStatus('2022-01-19'), alerts20: await alertsOpen('2022-01-20') };
    const r = await person('R1', 'b', '2022-01-16');
    await supply(r.id, '蔬菜', 'normal', 'cancelled', '2022-01-20T07:00:00+08:00', '2022-01-20T09:00:00+08:00'); // created and closed on 01-20
    await supply(r.id, '粮油', 'normal', 'delivered', '2022-01-18T07:00:00+08:00', '2022-01-19T09:00:00+08:00'); // closed on 01-19
    expect(await byStatus('2022-01-20')).toEqual({ ...before.d20, cancelled: before.d20.cancelled + 1 });
    expect(await byStatus('2022-01-19')).toEqual({ ...before.d19, delivered: before.d19.delivered + 1 });
    // An alert raised on 01-20 and closed on 01-21 was open at the end of 01-20, in its community only.
    const { alertId } = await recordCheckIn(t.ctx(), { residentId: r.id, date: '2022-01-20', slot: 'am', temperature: 38.2, symptoms: [] });
    t.clock.set('2022-01-21T01:00:00.000Z');
    await closeAlert(t.ctx(), { id: alertId!, version: 1, action: '送医', note: '已送医' });
    expect(await alertsOpen('2022-01-20')).toBe(before.alerts20 + 1);
    expect(await alertsOpen('2022-01-21')).toBe(before.alerts20); // P2's alert is still open; R1's was closed on 01-21
    const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    expect(await alertsOpen('2022-01-20', committee1)).toBe(1);
  });

  it('a committee member sees only their community', async () => {
    const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    const d = await getDashboard(t.ctx(committee1), '2022-01-20');
    expect(d.rows.map((r) => r.community)).toEqual(['西大街社区']);
    expect(d.totals).toMatchObject({ underControl: 3, supplyPending: 2, cadresOnDuty: 1 });
    expect(d.slot.due).toBe(3);
    expect(d.charts.perDay.at(-1)).toEqual({ date: '2022-01-20', isolating: 3, monitoring: 0 });
  });
});
