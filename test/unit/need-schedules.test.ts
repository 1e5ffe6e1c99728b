// 定期需求: a schedule across a week creates exactly the right requests on the right days, a second run creates none,
// inactive / ended / not-under-control schedules create nothing, 药品 and 就医 from a flagged person are urgent by
// default, a committee member runs and edits only their community's, bad input is refused in Chinese, and the CLI.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { cliDbArg } from '../helpers/pg-db.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { setResidentNeeds } from '../../electron/domain/needs.ts';
import { createNeedSchedule, isoWeekday, listNeedSchedules, runNeedSchedules, updateNeedSchedule } from '../../electron/domain/need-schedules.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { call } from '../../electron/api/dispatch.ts';
import { runCli } from '../../electron/cli/run.ts';
import type { Actor } from '../../electron/domain/actor.ts';

let t: TestEnv;
afterEach(() => t?.close());

let seq = 0;
async function person(communityId: number, start: string | null = '2022-01-12') {
  seq++;
  const { id } = await createResident(t.ctx(), {
    name: `透析${seq}`,
    docType: '居民身份证',
    docNumber: makeIdNumber('131003', '1948-05-02', seq),
    category: '密接',
    address: { communityId, compound: '金桥小区', building: '2', unit: '1', room: String(300 + seq) },
  });
  if (start) await startEpisode(t.ctx(), { residentId: id, startDate: start });
  return id;
}
const versionOf = async (id: number) => (await t.handle.db.selectFrom('residents').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;
const WEEK = ['2022-01-17', '2022-01-18', '2022-01-19', '2022-01-20', '2022-01-21', '2022-01-22', '2022-01-23'];

async function requests() {
  return t.handle.db
    .selectFrom('supplyRequests as s')
    .innerJoin('needScheduleRuns as u', 'u.requestId', 's.id')
    .select(['s.id', 's.category', 's.urgency', 's.householdId', 's.requestedBy', 's.notes', 's.createdAt', 'u.scheduleId', 'u.date'])
    .orderBy('s.id')
    .execute();
}

describe('a week of schedules', () => {
  beforeEach(async () => {
    t = await makeEnv({ now: '2022-01-17T00:30:00.000Z' });
  });

  it('creates each request on its weekdays only, once, and nothing for inactive, ended or not-under-control schedules', async () => {
    const dialysis = await person(t.communities.a);
    const pills = await person(t.communities.b);
    const notIsolated = await person(t.communities.a, null);
    await setResidentNeeds(t.ctx(), { residentId: dialysis, version: await versionOf(dialysis), needs: [{ need: '定期就医' }] });
    await setResidentNeeds(t.ctx(), { residentId: pills, version: await versionOf(pills), needs: [{ need: '慢性病长期用药' }] });
    const s1 = await createNeedSchedule(t.ctx(), { residentId: dialysis, kind: '就医', items: '血液透析 送往市第四医院', weekdays: [6, 2, 4], time: '07:30', startDate: '2022-01-17' });
    const s2 = await createNeedSchedule(t.ctx(), { residentId: pills, kind: '药品', items: '二甲双胍 2盒\n硝苯地平 1盒', weekdays: [1], startDate: '2022-01-10' });
    // Ends mid-week (Wed): its Thu and Sat are not owed.
    const s3 = await createNeedSchedule(t.ctx(), { residentId: dialysis, kind: '药品', items: '促红素 1支', weekdays: [2, 4, 6], startDate: '2022-01-01', endDate: '2022-01-19' });
    // Stopped.
    const s4 = await createNeedSchedule(t.ctx(), { residentId: pills, kind: '生活用品', items: '成人纸尿裤 1包', weekdays: [1, 2, 3, 4, 5, 6, 7], startDate: '2022-01-01', active: false });
    // The person is not under isolation or monitoring: no request.
    await createNeedSchedule(t.ctx(), { residentId: notIsolated, kind: '药品', items: '降压药 1盒', weekdays: [1, 3], startDate: '2022-01-01' });
    expect(s1.weekdays).toEqual([2, 4, 6]);

    const expected: [number, string][] = [
      [s2.id, '2022-01-17'],
      [s1.id, '2022-01-18'],
      [s3.id, '2022-01-18'],
      [s1.id, '2022-01-20'],
      [s1.id, '2022-01-22'],
    ];
    for (const date of WEEK) {
      t.clock.set(`${date}T00:30:00.000Z`);
      const r = await runNeedSchedules(t.ctx(), date);
      expect(r.created.map((c) => c.scheduleId).sort(), date).toEqual(expected.filter(([, d]) => d === date).map(([s]) => s).sort());
      expect(r.notUnderControl, date).toBe(isoWeekday(date) === 1 || isoWeekday(date) === 3 ? 1 : 0);
      // Run again the same day: nothing new.
      const again = await runNeedSchedules(t.ctx(), date);
      expect(again.created, date).toEqual([]);
      expect(again.alreadyDone, date).toBe(r.created.length);
    }
    // The whole week run a second time creates none.
    for (const date of WEEK) expect((await runNeedSchedules(t.ctx(), date)).created).toEqual([]);

    const made = await requests();
    expect(made.map((m) => [m.scheduleId, m.date])).toEqual(expected);
    expect(made.filter((m) => m.scheduleId === s4.id)).toEqual([]);
    const first = made.find((m) => m.scheduleId === s1.id)!;
    expect(first).toMatchObject({ category: '就医', requestedBy: '透析1' });
    expect(first.notes).toContain('周二、周四、周六 07:30');
    expect(first.createdAt.startsWith('2022-01-18')).toBe(true);
    const items = await t.handle.db.selectFrom('supplyItems').select(['name', 'quantity']).where('requestId', '=', made[0].id).orderBy('id').execute();
    expect(items).toEqual([
      { name: '二甲双胍', quantity: '2盒' },
      { name: '硝苯地平', quantity: '1盒' },
    ]);
    // Urgent by default: 就医 and 药品 from flagged people.
    expect(made.map((m) => m.urgency)).toEqual(['urgent', 'urgent', 'urgent', 'urgent', 'urgent']);
    // Each run that created something is audited once; each request has its own supply.create.
    const runs = await t.handle.db.selectFrom('auditLog').select('details').where('action', '=', 'need.schedule_run').execute();
    expect(runs).toHaveLength(4);
    expect((await listNeedSchedules(t.ctx(), dialysis)).find((s) => s.id === s1.id)!.lastRun).toBe('2022-01-22');
  });

  it('a committee member runs and edits only their community’s schedules; bad input is refused in Chinese', async () => {
    const a = await person(t.communities.a);
    const b = await person(t.communities.b);
    const sa = await createNeedSchedule(t.ctx(), { residentId: a, kind: '就医', items: '透析', weekdays: [1], startDate: '2022-01-10' });
    const sb = await createNeedSchedule(t.ctx(), { residentId: b, kind: '就医', items: '透析', weekdays: [1], startDate: '2022-01-10' });
    const committee: Actor = { userId: null, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    const r = await runNeedSchedules(t.ctx(committee), '2022-01-17');
    expect(r.created.map((c) => c.scheduleId)).toEqual([sa.id]);
    // Through the API, the same scope: another community's person or schedule is refused.
    const key = await t.login('committee1');
    expect(await t.dispatch('needs.schedules', { residentId: b }, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('needs.createSchedule', { residentId: b, kind: '药品', items: '药', weekdays: [2], startDate: '2022-01-17' }, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('needs.updateSchedule', { id: sb.id, version: sb.version, active: false }, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const own = await call(t.env, 'needs.updateSchedule', { id: sa.id, version: sa.version, weekdays: [1, 5] }, key);
    expect(own.weekdays).toEqual([1, 5]);
    // The clerk's run picks up b's (a's is done).
    const clerk = await t.login('clerk');
    const rc = await call(t.env, 'needs.runSchedules', { date: '2022-01-17' }, clerk);
    expect(rc.created.map((c) => c.scheduleId)).toEqual([sb.id]);
    expect(rc.alreadyDone).toBe(1);

    // Bad schedules: nothing written, a Chinese message naming the problem.
    const count = async () => (await t.handle.db.selectFrom('needSchedules').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    await expect(createNeedSchedule(t.ctx(), { residentId: a, kind: '就医', items: '透析', weekdays: [], startDate: '2022-01-17' })).rejects.toThrow(/请至少选择一个星期几/);
    await expect(createNeedSchedule(t.ctx(), { residentId: a, kind: '就医', items: '透析', weekdays: [2], time: '7点半', startDate: '2022-01-17' })).rejects.toThrow(/08:30/);
    await expect(createNeedSchedule(t.ctx(), { residentId: a, kind: '就医', items: '  ', weekdays: [2], startDate: '2022-01-17' })).rejects.toThrow(/无法保存定期需求/);
    await expect(createNeedSchedule(t.ctx(), { residentId: a, kind: '就医', items: '透析', weekdays: [2], startDate: '2022-01-17', endDate: '2022-01-10' })).rejects.toThrow(/结束日期不能早于开始日期/);
    await expect(updateNeedSchedule(t.ctx(), { id: sa.id, version: sa.version, active: false })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await count()).toBe(before);
  });
});

describe('the CLI', () => {
  it('needs run-schedules --db F --date D --json creates the day’s requests once', async () => {
    const dir = tempDir('idesk-needs-cli-');
    const file = path.join(dir, 'needs.db');
    t = await makeEnv({ file, now: '2022-01-17T00:30:00.000Z' });
    const id = await person(t.communities.a);
    await createNeedSchedule(t.ctx(), { residentId: id, kind: '就医', items: '血液透析', weekdays: [2, 4, 6], startDate: '2022-01-17' });
    // The command line works on the environment's database while it is open (under test:pg it is dropped on close).
    const db = cliDbArg(t.handle, file);
    const first = await runCli(['needs', 'run-schedules', '--db', db, '--date', '2022-01-18', '--json']);
    expect(first.result.code).toBe(0);
    expect(first.result.json).toMatchObject({ ok: true, date: '2022-01-18', created: 1, alreadyDone: 0 });
    const second = await runCli(['needs', 'run-schedules', '--db', db, '--date', '2022-01-18', '--json']);
    expect(second.result.json).toMatchObject({ ok: true, created: 0, alreadyDone: 1 });
    const made = await t.handle.db.selectFrom('needScheduleRuns as u').innerJoin('supplyRequests as s', 's.id', 'u.requestId').select(['u.date', 's.category']).execute();
    expect(made).toEqual([{ date: '2022-01-18', category: '就医' }]);
    const bad = await runCli(['needs', 'run-schedules', '--db', db, '--date', '1月18日', '--json']);
    expect(bad.result.code).not.toBe(0);
    expect(bad.result.text).toContain('请写成 2022-01-20');
  });
});
